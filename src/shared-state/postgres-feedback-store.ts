// Feedback on PostgreSQL (VIGIL_DATABASE_URL), behind the FeedbackStore seam: an item is stored once
// per idempotency key whichever replica receives it (a unique key, INSERT ... ON CONFLICT DO NOTHING),
// and add() resolves once its row is committed. Unlike the files, which recognise a repeat for two
// UTC days, the database recognises it for as long as the row is kept. The daily allowance counts
// rows per client and UTC day, across replicas. Schema: migrations/0002_feedback.sql.
import { utcDay } from '../journal/daily-jsonl.js';
import { feedbackRecordSchema, type FeedbackRecord } from '../feedback/feedback-record.js';
import type { FeedbackStore } from '../feedback/feedback-store.js';
import type { PostgresState } from './postgres-client.js';

const PAGE = 1000;

export class PostgresFeedbackStore implements FeedbackStore {
  constructor(private readonly pg: PostgresState) {}

  async add(record: FeedbackRecord, client?: string): Promise<'stored' | 'duplicate'> {
    const { rowCount } = await this.pg.query(
      'feedback',
      `INSERT INTO vigil_feedback (key, received_at, day, quota_key, service, card, record)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key) DO NOTHING`,
      [
        record.key,
        record.receivedAt,
        utcDay(new Date(record.receivedAt)),
        client ?? record.client ?? '',
        record.service,
        record.card,
        JSON.stringify(record),
      ],
    );
    return rowCount === 1 ? 'stored' : 'duplicate';
  }

  async storedOn(day: string, client: string): Promise<number> {
    const { rows } = await this.pg.query<{ n: number }>(
      'feedback',
      'SELECT count(*)::int AS n FROM vigil_feedback WHERE day = $1 AND quota_key = $2',
      [day, client],
    );
    return rows[0]?.n ?? 0;
  }

  async *read(): AsyncIterable<FeedbackRecord> {
    let after = '0';
    for (;;) {
      const { rows } = await this.pg.query<{ id: string; record: unknown }>(
        'feedback',
        'SELECT id, record FROM vigil_feedback WHERE id > $1 ORDER BY id LIMIT $2',
        [after, PAGE],
      );
      for (const row of rows) {
        const parsed = feedbackRecordSchema.safeParse(row.record);
        if (parsed.success) yield parsed.data;
      }
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  /** Each add() is committed when it resolves; the pool is closed with the shared state. */
  async close(): Promise<void> {}
}
