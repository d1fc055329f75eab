// The audit trail on PostgreSQL (VIGIL_DATABASE_URL), behind the same AuditStore seam as the JSON Lines
// files and with the same promise: append() resolves only once the record's transaction is committed,
// so an acknowledged call is in the database. Concurrent calls share one commit (group-commit.ts): one
// statement inserts a whole batch, passed as one JSON parameter, and the cards it showed. What a call
// does when the commit fails (503, or answer without a record) is decided above every store, in
// audit-gate.ts. Schema: migrations/0001_audit.sql.
import { auditRecordSchema, type AuditRecord } from '../audit/audit-record.js';
import type { AuditStore, IssuedCardEntry } from '../audit/audit-store.js';
import { GroupCommit } from '../journal/group-commit.js';
import { LOCK_AUDIT_TABLES, type PostgresState } from './postgres-client.js';

/** Records per statement: well within one JSON parameter, and a batch under heavy load. */
const MAX_BATCH = 500;
/** Rows per page when the trail is read back. */
const PAGE = 1000;

/**
 * One batch, written only if the server starts it by `$2`: the moment this replica stops waiting for it.
 * A server frozen with the statement in its socket (a paused VM, SIGSTOP) would otherwise run it on
 * resuming, after the calls were refused 503, and the trail would hold cards no clinician was shown
 * (operations review, 2026-11-29). statement_timestamp() is when the server read the statement, one
 * value for every row: the batch is written whole or not at all, and the count says which.
 */
const INSERT_BATCH = `
WITH batch AS (
  SELECT n, value AS record FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS b(value, n)
  WHERE statement_timestamp() <= $2::timestamptz
), audit AS (
  INSERT INTO vigil_audit (at, service, hook, hook_instance, patient, record)
  SELECT (record->>'at')::timestamptz, record->>'service', record->>'hook', record->>'hookInstance', record->>'patient', record
  FROM batch ORDER BY n
  RETURNING 1
), cards AS (
  INSERT INTO vigil_audit_cards (uuid, service, at)
  SELECT card->>'uuid', record->>'service', (record->>'at')::timestamptz
  FROM batch, jsonb_array_elements(record->'cards') AS card
)
SELECT count(*)::int AS written FROM audit`;

/** The batch reached the server after this replica had stopped waiting for it: nothing was written. */
export class LateBatchError extends Error {
  readonly code = 'VIGIL_AUDIT_BATCH_LATE';
  constructor() {
    super(
      "the audit batch reached PostgreSQL after Vigil stopped waiting for it, and was not written (or the database's clock is ahead of Vigil's)",
    );
  }
}

export interface PostgresAuditStoreOptions {
  /** A batch was committed, with its size (tests and the benchmark see the grouping). */
  onCommit?: (records: number) => void;
}

export class PostgresAuditStore implements AuditStore {
  private readonly group: GroupCommit<AuditRecord>;

  constructor(
    private readonly pg: PostgresState,
    opts: PostgresAuditStoreOptions = {},
  ) {
    this.group = new GroupCommit(async (batch) => {
      // The deadline is when this replica gives up on the batch, on the database's clock: computed once a
      // connection is in hand, so a batch the replica still waits for is never refused (reviews, 2026-11-29).
      const { rows } = await this.pg.queryWithDeadline<{ written: number }>('audit', INSERT_BATCH, (deadline) => [
        JSON.stringify(batch),
        deadline,
      ]);
      if (rows[0]?.written !== batch.length) {
        // Perhaps a clock stepped since it was last read: read it before the next batch.
        await this.pg.readClock().catch(() => {});
        throw new LateBatchError();
      }
      opts.onCommit?.(batch.length);
    }, MAX_BATCH);
  }

  append(record: AuditRecord): Promise<void> {
    return this.group.add(record);
  }

  async *read(options: { newestFirst?: boolean } = {}): AsyncIterable<AuditRecord> {
    const newestFirst = options.newestFirst === true;
    const query = newestFirst
      ? 'SELECT id, record FROM vigil_audit WHERE id < $1 ORDER BY id DESC LIMIT $2'
      : 'SELECT id, record FROM vigil_audit WHERE id > $1 ORDER BY id LIMIT $2';
    let after = newestFirst ? '9223372036854775807' : '0';
    for (;;) {
      const { rows } = await this.pg.query<{ id: string; record: unknown }>('audit', query, [after, PAGE]);
      for (const row of rows) {
        const parsed = auditRecordSchema.safeParse(row.record);
        if (parsed.success) yield parsed.data;
      }
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  async *issuedCards({ max, since }: { max: number; since: Date }): AsyncIterable<IssuedCardEntry> {
    const { rows } = await this.pg.query<{ uuid: string; service: string; at: Date }>(
      'audit',
      'SELECT uuid, service, at FROM vigil_audit_cards WHERE at >= $1 ORDER BY at DESC LIMIT $2',
      [since, max],
    );
    for (const row of rows) yield { uuid: row.uuid, service: row.service, at: row.at.toISOString() };
  }

  /** The service that showed this card since `since`, as the trail says: feedback's fallback when Redis does not know it. */
  async serviceOfCard(uuid: string, since: Date): Promise<string | undefined> {
    const { rows } = await this.pg.query<{ service: string }>(
      'issued-cards',
      'SELECT service FROM vigil_audit_cards WHERE uuid = $1 AND at >= $2 ORDER BY at DESC LIMIT 1',
      [uuid, since],
    );
    return rows[0]?.service;
  }

  /**
   * A committed write (one row rewritten) while the audit tables themselves take an insert's lock, not
   * just a connection: what "the trail can be written" means. Found by the operations review
   * (2026-11-29): with `vigil_audit` locked the probe row still committed, so /readyz said writable and
   * logged "can be written again" while every call was refused.
   */
  async check(): Promise<void> {
    await this.pg.query(
      'audit',
      `${LOCK_AUDIT_TABLES}; INSERT INTO vigil_probe (id, at) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at`,
    );
  }

  /** Waits for pending appends; the pool is closed with the shared state. */
  close(): Promise<void> {
    return this.group.close();
  }
}
