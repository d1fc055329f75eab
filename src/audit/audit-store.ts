// Where audit records go. The seam is `AuditStore`: the embedded default writes JSON Lines under
// VIGIL_DATA_DIR/audit (see daily-jsonl.ts for why), which suits one replica with its own volume.
// Several replicas need a shared store (a database table with the same columns, or a log pipeline
// into the hospital's SIEM); implement this interface and pass it to the server instead.
import { join } from 'node:path';
import { auditRecordSchema, type AuditRecord } from './audit-record.js';
import { DailyJsonlLog, utcDay } from './daily-jsonl.js';

export interface AuditStore {
  /** Resolves only once the record is durable: an acknowledged call is on disk. */
  append(record: AuditRecord): Promise<void>;
  /** Every readable record; newest first when asked (to rebuild recent state cheaply). */
  read(options?: { newestFirst?: boolean }): AsyncIterable<AuditRecord>;
  /** Waits for pending appends, then releases files or connections. */
  close(): Promise<void>;
}

export function createFileAuditStore(dataDir: string): AuditStore {
  const log = new DailyJsonlLog(join(dataDir, 'audit'), 'audit');
  return {
    append: (record) => log.append(utcDay(new Date(record.at)), record),
    async *read(options = {}) {
      const newestFirst = options.newestFirst === true;
      const days = await log.days();
      if (newestFirst) days.reverse();
      for (const day of days) {
        for await (const raw of newestFirst ? log.readDayNewestFirst(day) : log.readDay(day)) {
          const parsed = auditRecordSchema.safeParse(raw);
          if (parsed.success) yield parsed.data;
        }
      }
    },
    close: () => log.close(),
  };
}
