// Where audit records go. The seam is `AuditStore`: the embedded default writes JSON Lines under
// VIGIL_DATA_DIR/audit (see daily-jsonl.ts for why), which suits one replica with its own volume.
// Several replicas need a shared store (a database table with the same columns, or a log pipeline
// into the hospital's SIEM); implement this interface and pass it to the server instead. A store only
// reports failure: what a call does then is decided once, above every store, in audit-gate.ts.
import { join } from 'node:path';
import { auditRecordSchema, type AuditRecord } from './audit-record.js';
import { DailyJsonlLog, utcDay, type DailyJsonlOptions } from './daily-jsonl.js';

export interface AuditStore {
  /** Resolves only once the record is durable: an acknowledged call is on disk. */
  append(record: AuditRecord): Promise<void>;
  /** Every readable record; newest first when asked (to rebuild recent state cheaply). */
  read(options?: { newestFirst?: boolean }): AsyncIterable<AuditRecord>;
  /** Resolves when a record could be written now (used to notice recovery after failures). */
  check(): Promise<void>;
  /** Waits for pending appends, then releases files or connections. */
  close(): Promise<void>;
}

export function createFileAuditStore(dataDir: string, options: DailyJsonlOptions = {}): AuditStore {
  const log = new DailyJsonlLog(join(dataDir, 'audit'), 'audit', options);
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
    check: () => log.probe(),
    close: () => log.close(),
  };
}
