// Where audit records go. The seam is `AuditStore`: the embedded default writes JSON Lines under
// VIGIL_DATA_DIR/audit (see daily-jsonl.ts for why), which suits one replica with its own volume.
// Several replicas need a shared store (a database table with the same columns, or a log pipeline
// into the hospital's SIEM); implement this interface and pass it to the server instead. A store only
// reports failure: what a call does then is decided once, above every store, in audit-gate.ts.
import { join } from 'node:path';
import { auditRecordSchema, type AuditRecord } from './audit-record.js';
import { DailyJsonlLog, linesBackwards, parseLine, utcDay, type DailyJsonlOptions } from '../journal/daily-jsonl.js';
import { withFields } from '../lang/with-fields.js';

/** One card as the trail remembers it issued: enough to recognise feedback on it. */
export interface IssuedCardEntry {
  uuid: string;
  service: string;
  /** When the call was answered (ISO 8601). */
  at: string;
  /** The card's indicator and the version of the model serving the call, for feedback metrics. */
  indicator?: string;
  modelVersion?: string;
}

export interface AuditStore {
  /** Resolves only once the record is durable: an acknowledged call is on disk. */
  append(record: AuditRecord): Promise<void>;
  /** Every readable record; newest first when asked (to rebuild recent state cheaply). */
  read(options?: { newestFirst?: boolean }): AsyncIterable<AuditRecord>;
  /**
   * The cards issued since `since`, newest first, at most about `max` (the reader may stop early):
   * what start-up needs to recognise feedback, read without the cost of whole records.
   */
  issuedCards(bounds: { max: number; since: Date }): AsyncIterable<IssuedCardEntry>;
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
    async *issuedCards({ max, since }) {
      const sinceMs = since.getTime();
      let given = 0;
      for (const day of (await log.days()).reverse()) {
        if (day < utcDay(since)) return;
        // Each writer's file is in time order: read it from its end until records are too old.
        for (const path of (await log.filesOf(day)).reverse()) {
          for await (const line of linesBackwards(path)) {
            const cards = cardsOf(parseLine(line));
            if (cards === undefined) continue;
            if (Date.parse(cards.at) < sinceMs) break;
            for (const card of cards.cards) {
              yield withFields(card, { service: cards.service, at: cards.at, modelVersion: cards.modelVersion });
              if (++given >= max) return;
            }
          }
        }
      }
    },
    check: () => log.probe(),
    close: () => log.close(),
  };
}

/**
 * The few fields of a parsed audit line that say which cards were issued, checked by hand: a full
 * schema check of every record made start-up cost seconds on a busy day's trail.
 */
function cardsOf(
  raw: unknown,
): { at: string; service: string; modelVersion: string; cards: { uuid: string; indicator?: string }[] } | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { at, service, cards, model } = raw as { at?: unknown; service?: unknown; cards?: unknown; model?: { version?: unknown } };
  if (typeof at !== 'string' || typeof service !== 'string' || !Array.isArray(cards)) return undefined;
  const issued = cards.flatMap((c) => {
    const { uuid, indicator } = (c ?? {}) as { uuid?: unknown; indicator?: unknown };
    if (typeof uuid !== 'string') return [];
    return [typeof indicator === 'string' ? { uuid, indicator } : { uuid }];
  });
  // The serving model's version, as the call's metrics labelled its cards ("none" without a model).
  const modelVersion = typeof model?.version === 'string' ? model.version : 'none';
  return { at, service, modelVersion, cards: issued };
}
