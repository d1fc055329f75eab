// Durable, idempotent storage of feedback. The embedded store appends JSON Lines under
// VIGIL_DATA_DIR/feedback (same format and guarantees as the audit trail) and keeps the keys of
// everything stored in memory, reloaded at start-up, so a repeat is answered without touching disk.
// Feedback is a few items per clinician decision: all keys fit in memory for years of it.
// Several replicas need a shared store with a unique index on `key`: implement FeedbackStore.
import { join } from 'node:path';
import { DailyJsonlLog, utcDay } from '../audit/daily-jsonl.js';
import { feedbackRecordSchema, type FeedbackRecord } from './feedback-record.js';

export interface FeedbackStore {
  /** Stores the record unless one with the same key was stored before; resolves once durable. */
  add(record: FeedbackRecord): Promise<'stored' | 'duplicate'>;
  read(): AsyncIterable<FeedbackRecord>;
  close(): Promise<void>;
}

class KeyedStore implements FeedbackStore {
  private readonly keys = new Set<string>();
  /** Writes on their way to disk: a repeat arriving meanwhile waits for the first, then is a duplicate. */
  private readonly pending = new Map<string, Promise<void>>();
  private readonly memory: FeedbackRecord[] = [];

  constructor(private readonly log: DailyJsonlLog | undefined) {}

  async load(): Promise<void> {
    for await (const record of this.read()) this.keys.add(record.key);
  }

  async add(record: FeedbackRecord): Promise<'stored' | 'duplicate'> {
    if (this.keys.has(record.key)) return 'duplicate';
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
    this.keys.add(record.key);
    if (this.log === undefined) this.memory.push(record);
    return 'stored';
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
}

export async function openFileFeedbackStore(dataDir: string): Promise<FeedbackStore> {
  const store = new KeyedStore(new DailyJsonlLog(join(dataDir, 'feedback'), 'feedback'));
  await store.load();
  return store;
}

/** For tests and apps built without a data directory: idempotent, not durable. */
export function createMemoryFeedbackStore(): FeedbackStore {
  return new KeyedStore(undefined);
}
