// Durable, idempotent storage of feedback. The embedded store appends JSON Lines under
// VIGIL_DATA_DIR/feedback (same format and guarantees as the audit trail). To answer a repeat without
// touching disk it keeps, in memory, the keys of what was stored on the current and previous UTC day
// (a client retries within minutes, not days), and how many items each client stored per day (the
// per-client quota). Both are bounded by the quota, and rebuilt at start-up from those two days'
// files only, so start-up does not grow with the feedback kept.
// Several replicas need a shared store with a unique index on `key`: implement FeedbackStore.
import { join } from 'node:path';
import { DailyJsonlLog, utcDay } from '../journal/daily-jsonl.js';
import { feedbackRecordSchema, type FeedbackRecord } from './feedback-record.js';

export interface FeedbackStore {
  /** Stores the record unless one with the same key was stored before (within the dedupe window); resolves once durable. */
  add(record: FeedbackRecord, client?: string): Promise<'stored' | 'duplicate'>;
  /** Items stored for `client` on UTC day `day` (YYYY-MM-DD): what its daily quota counts. */
  storedOn(day: string, client: string): Promise<number>;
  read(): AsyncIterable<FeedbackRecord>;
  close(): Promise<void>;
}

/** Days whose keys are kept for recognising a repeat: the current UTC day and the one before. */
const DEDUPE_DAYS = 2;

class KeyedStore implements FeedbackStore {
  /** Per UTC day (of receipt): the keys stored, and items per client. */
  private readonly days = new Map<string, { keys: Set<string>; perClient: Map<string, number> }>();
  /** Writes on their way to disk: a repeat arriving meanwhile waits for the first, then is a duplicate. */
  private readonly pending = new Map<string, Promise<void>>();
  private readonly memory: FeedbackRecord[] = [];

  constructor(private readonly log: DailyJsonlLog | undefined) {}

  /** Rebuilds the recent keys and counts from the last DEDUPE_DAYS days' files (only those). */
  async load(today: string): Promise<void> {
    if (this.log === undefined) return;
    const recent = (await this.log.days()).filter((d) => d <= today).slice(-DEDUPE_DAYS);
    for (const day of recent) {
      for await (const raw of this.log.readDay(day)) {
        const parsed = feedbackRecordSchema.safeParse(raw);
        if (parsed.success) this.note(parsed.data, parsed.data.client);
      }
    }
  }

  async add(record: FeedbackRecord, client?: string): Promise<'stored' | 'duplicate'> {
    if (this.seen(record.key)) return 'duplicate';
    const inFlight = this.pending.get(record.key);
    if (inFlight !== undefined) {
      await inFlight;
      return 'duplicate';
    }
    const write = this.log === undefined ? Promise.resolve() : this.log.append(utcDay(new Date(record.receivedAt)), record);
    this.pending.set(record.key, write);
    try {
      await write;
    } finally {
      this.pending.delete(record.key);
    }
    this.note(record, client ?? record.client);
    if (this.log === undefined) this.memory.push(record);
    return 'stored';
  }

  async storedOn(day: string, client: string): Promise<number> {
    return this.days.get(day)?.perClient.get(client) ?? 0;
  }

  async *read(): AsyncIterable<FeedbackRecord> {
    if (this.log === undefined) {
      yield* this.memory;
      return;
    }
    for (const day of await this.log.days()) {
      for await (const raw of this.log.readDay(day)) {
        const parsed = feedbackRecordSchema.safeParse(raw);
        if (parsed.success) yield parsed.data;
      }
    }
  }

  close(): Promise<void> {
    return this.log?.close() ?? Promise.resolve();
  }

  private seen(key: string): boolean {
    for (const { keys } of this.days.values()) if (keys.has(key)) return true;
    return false;
  }

  private note(record: FeedbackRecord, client: string | undefined): void {
    const day = utcDay(new Date(record.receivedAt));
    let entry = this.days.get(day);
    if (entry === undefined) {
      entry = { keys: new Set(), perClient: new Map() };
      this.days.set(day, entry);
      // Only the newest DEDUPE_DAYS days are kept: memory is bounded by what the quota lets in.
      const kept = [...this.days.keys()].sort().slice(-DEDUPE_DAYS);
      for (const d of this.days.keys()) if (!kept.includes(d)) this.days.delete(d);
    }
    entry.keys.add(record.key);
    if (client !== undefined) entry.perClient.set(client, (entry.perClient.get(client) ?? 0) + 1);
  }
}

/** `today` is the UTC day start-up rebuilds from (the clock is the caller's). */
export async function openFileFeedbackStore(dataDir: string, today: string = utcDay(new Date())): Promise<FeedbackStore> {
  const store = new KeyedStore(new DailyJsonlLog(join(dataDir, 'feedback'), 'feedback'));
  await store.load(today);
  return store;
}

/** For tests and apps built without a data directory: idempotent, not durable. */
export function createMemoryFeedbackStore(): FeedbackStore {
  return new KeyedStore(undefined);
}
