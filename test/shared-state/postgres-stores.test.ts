// The PostgreSQL stores against a real PostgreSQL on a loopback port (one cluster for this file): the
// migrations, the audit trail's promise (resolved means committed) and its group commit, feedback
// stored once across replicas, and what happens when the database goes away mid-run and returns.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type LocalPostgres } from '../../scripts/lib/local-servers.js';
import { AuditGate, AuditUnavailableError } from '../../src/audit/audit-gate.js';
import type { AuditRecord } from '../../src/audit/audit-record.js';
import type { FeedbackRecord } from '../../src/feedback/feedback-record.js';
import { StateUnavailableError } from '../../src/shared-state/dependency.js';
import { PostgresAuditStore } from '../../src/shared-state/postgres-audit-store.js';
import { PostgresState } from '../../src/shared-state/postgres-client.js';
import { PostgresFeedbackStore } from '../../src/shared-state/postgres-feedback-store.js';
import { migrate, MIGRATIONS_DIR, MigrationChangedError } from '../../src/shared-state/postgres-migrations.js';
import { quietLog, SKIP_REASON } from './support.js';

let sequence = 0;
function auditRecord(at: string, cards: string[] = [`card-${++sequence}`], patient = 'hmac-sha256:0f0f'): AuditRecord {
  return {
    v: 1,
    at,
    hookInstance: `hook-${++sequence}`,
    service: 'deterioration-risk',
    hook: 'patient-view',
    patient,
    path: 'rules',
    cards: cards.map((uuid) => ({ uuid, indicator: 'warning' as const, sha256: 'ab'.repeat(32) })),
    latencyMs: 1.5,
    sources: { vitals: 'sent' },
  };
}

function feedbackRecord(key: string, receivedAt: string, client = 'iss:https://ehr.example'): FeedbackRecord {
  return {
    v: 1,
    key,
    receivedAt,
    service: 'deterioration-risk',
    card: 'card-f',
    cardOrigin: 'this-service',
    outcome: 'accepted',
    outcomeTimestamp: receivedAt,
    hasComment: false,
    client,
  };
}

describe.skipIf(SKIP_REASON !== undefined)('PostgreSQL stores', () => {
  let server: LocalPostgres;
  const opened: PostgresState[] = [];
  const replica = () => {
    const state = new PostgresState({ url: server.url, poolSize: 4, timeoutMs: 2000, log: quietLog() });
    opened.push(state);
    return state;
  };
  const sql = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    for (const s of opened) await s.close().catch(() => {});
    await server?.close();
  });

  describe('migrations', () => {
    it('run once however many replicas start together, each file in order', async () => {
      const results = await Promise.all([1, 2, 3].map(() => migrate({ connectionString: server.url })));
      expect(results.flat().sort()).toEqual(['0001_audit.sql', '0002_feedback.sql']);
      expect((await sql<{ name: string }>('SELECT name FROM vigil_migrations ORDER BY name')).map((r) => r.name)).toEqual([
        '0001_audit.sql',
        '0002_feedback.sql',
      ]);
      expect(await migrate({ connectionString: server.url })).toEqual([]);
    });

    it('refuse a migration edited after it was applied', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'vigil-migrations-'));
      try {
        await cp(MIGRATIONS_DIR, dir, { recursive: true });
        await writeFile(join(dir, '0002_feedback.sql'), '-- edited\nSELECT 1;\n');
        await expect(migrate({ connectionString: server.url }, dir)).rejects.toBeInstanceOf(MigrationChangedError);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('the audit trail', () => {
    it('resolves an append only once its row is committed (another connection sees it)', async () => {
      const store = new PostgresAuditStore(replica());
      const record = auditRecord('2026-11-23T12:00:00.000Z', ['card-committed']);
      await store.append(record);
      const rows = await sql<{ record: AuditRecord }>('SELECT record FROM vigil_audit WHERE hook_instance = $1', [record.hookInstance]);
      expect(rows.map((r) => r.record)).toEqual([record]);
      expect(await sql('SELECT uuid, service FROM vigil_audit_cards WHERE uuid = $1', ['card-committed'])).toEqual([
        { uuid: 'card-committed', service: 'deterioration-risk' },
      ]);
    });

    it('commits concurrent appends together, far fewer commits than records, losing none', async () => {
      const commits: number[] = [];
      const store = new PostgresAuditStore(replica(), { onCommit: (n) => commits.push(n) });
      const records = Array.from({ length: 300 }, () => auditRecord('2026-11-23T12:05:00.000Z'));
      await Promise.all(records.map((r) => store.append(r)));
      expect(commits.reduce((a, b) => a + b, 0)).toBe(300);
      expect(commits.length).toBeLessThan(30);
      const found = await sql<{ n: number }>('SELECT count(*)::int AS n FROM vigil_audit WHERE hook_instance = ANY($1)', [
        records.map((r) => r.hookInstance),
      ]);
      expect(found[0]!.n).toBe(300);
    });

    it('reads back every record, in order or newest first, and the cards issued since a time', async () => {
      const state = replica();
      await state.query('audit', 'TRUNCATE vigil_audit, vigil_audit_cards');
      const store = new PostgresAuditStore(state);
      const records = ['10:00', '11:00', '12:00'].map((t) => auditRecord(`2026-11-24T${t}:00.000Z`));
      for (const r of records) await store.append(r);
      const read = async (newestFirst: boolean) => {
        const out: string[] = [];
        for await (const r of store.read({ newestFirst })) out.push(r.hookInstance);
        return out;
      };
      expect(await read(false)).toEqual(records.map((r) => r.hookInstance));
      expect(await read(true)).toEqual(records.map((r) => r.hookInstance).reverse());
      const cards: string[] = [];
      for await (const c of store.issuedCards({ max: 10, since: new Date('2026-11-24T10:30:00Z') })) cards.push(c.uuid);
      expect(cards).toEqual([records[2]!.cards[0]!.uuid, records[1]!.cards[0]!.uuid]);
      expect(await store.serviceOfCard(records[0]!.cards[0]!.uuid, new Date('2026-11-24T00:00:00Z'))).toBe('deterioration-risk');
      expect(await store.serviceOfCard(records[0]!.cards[0]!.uuid, new Date('2026-11-24T10:30:00Z'))).toBeUndefined(); // too old
    });

    it('refuses a record whose patient is not a keyed hash', async () => {
      const store = new PostgresAuditStore(replica());
      await expect(store.append(auditRecord('2026-11-23T12:00:00.000Z', [], 'syn-patient-id-4711'))).rejects.toBeInstanceOf(
        StateUnavailableError,
      );
      expect(await sql("SELECT 1 FROM vigil_audit WHERE patient = 'syn-patient-id-4711'")).toEqual([]);
    });
  });

  describe('feedback', () => {
    it('is stored once whichever replica receives it, and counted per client and day across replicas', async () => {
      const [a, b] = [new PostgresFeedbackStore(replica()), new PostgresFeedbackStore(replica())];
      const at = '2026-11-23T15:00:00.000Z';
      expect(await a.add(feedbackRecord('key-1', at))).toBe('stored');
      expect(await b.add(feedbackRecord('key-1', at))).toBe('duplicate');
      expect(await b.add(feedbackRecord('key-2', at))).toBe('stored');
      expect(await a.add(feedbackRecord('key-3', at, 'iss:https://other.example'))).toBe('stored');
      expect(await a.storedOn('2026-11-23', 'iss:https://ehr.example')).toBe(2);
      expect(await b.storedOn('2026-11-24', 'iss:https://ehr.example')).toBe(0);
      const keys: string[] = [];
      for await (const r of b.read()) keys.push(r.key);
      expect(keys).toEqual(['key-1', 'key-2', 'key-3']);
    });
  });

  describe('with PostgreSQL stopped mid-run', () => {
    it('refuses calls (503) and is unready until it returns, then records again by itself', async () => {
      const state = replica();
      const store = new PostgresAuditStore(state);
      const gate = new AuditGate({ store, policy: 'refuse', log: quietLog(), recheckMs: 0 });
      await gate.record(auditRecord('2026-11-23T13:00:00.000Z'));

      await server.stop('immediate');
      await expect(gate.record(auditRecord('2026-11-23T13:01:00.000Z'))).rejects.toBeInstanceOf(AuditUnavailableError);
      await expect(store.append(auditRecord('2026-11-23T13:01:00.000Z'))).rejects.toMatchObject({ code: 'VIGIL_POSTGRES_UNAVAILABLE' });
      expect(await gate.readinessCheck()).toMatchObject({ name: 'audit', ok: false });
      expect(await state.dependency.probe()).toMatchObject({ up: false });

      await server.start();
      await expect.poll(async () => (await gate.readinessCheck()).ok, { timeout: 15_000, interval: 200 }).toBe(true);
      const after = auditRecord('2026-11-23T13:02:00.000Z');
      await gate.record(after);
      expect(await sql('SELECT 1 FROM vigil_audit WHERE hook_instance = $1', [after.hookInstance])).toHaveLength(1);
    });

    // Operations review (2026-11-29): with vigil_audit locked, the probe row still committed and SELECT 1
    // still answered, so /readyz said writable and each probe closed the breaker while calls were refused.
    it('is unready while a lock holds the audit tables, and the probe does not call that recovery', async () => {
      const state = replica();
      const store = new PostgresAuditStore(state);
      const gate = new AuditGate({ store, policy: 'refuse', log: quietLog(), recheckMs: 0 });
      await gate.record(auditRecord('2026-11-23T13:30:00.000Z'));
      const holder = new pg.Client({ connectionString: server.url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE vigil_audit IN ACCESS EXCLUSIVE MODE');
        // The insert waits for the lock until the statement timeout: the call is refused.
        await expect(gate.record(auditRecord('2026-11-23T13:31:00.000Z'))).rejects.toBeInstanceOf(AuditUnavailableError);
        expect(await gate.readinessCheck()).toMatchObject({ name: 'audit', ok: false });
        expect(await state.dependency.probe()).toMatchObject({ up: false, reason: '55P03' });
        await holder.query('COMMIT');
      } finally {
        await holder.end();
      }
      expect(await gate.readinessCheck()).toMatchObject({ name: 'audit', ok: true });
      expect(await state.dependency.probe()).toMatchObject({ up: true });
    });

    // Operations review (2026-11-29): with the server frozen, the client gave up and the call was refused
    // 503, but the server ran the INSERT on resuming and committed a record for a card nobody was shown.
    it('writes nothing for a batch the server reaches only after the replica gave up on it', async (ctx) => {
      const state = new PostgresState({ url: server.url, poolSize: 1, timeoutMs: 300, log: quietLog() });
      opened.push(state);
      const store = new PostgresAuditStore(state);
      const gate = new AuditGate({ store, policy: 'refuse', log: quietLog(), recheckMs: 0 });
      await gate.record(auditRecord('2026-11-23T13:40:00.000Z'));
      const { rows } = await state.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const backend = rows[0]!.pid;
      try {
        process.kill(backend, 'SIGSTOP');
      } catch {
        ctx.skip('cannot signal the PostgreSQL backend (not running as root or as its user)');
      }
      const late = auditRecord('2026-11-23T13:41:00.000Z');
      try {
        await expect(gate.record(late)).rejects.toBeInstanceOf(AuditUnavailableError);
        // Frozen well past the replica's deadline (its 800 ms wait), then resumed.
        await new Promise((resolve) => setTimeout(resolve, 2500));
      } finally {
        process.kill(backend, 'SIGCONT');
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await sql('SELECT 1 FROM vigil_audit WHERE hook_instance = $1', [late.hookInstance])).toHaveLength(0);
      expect(await sql('SELECT 1 FROM vigil_audit_cards WHERE uuid = $1', [late.cards[0]!.uuid])).toHaveLength(0);
      // The next record is written as usual.
      const after = auditRecord('2026-11-23T13:42:00.000Z');
      await expect.poll(async () => (await gate.readinessCheck()).ok, { timeout: 10_000, interval: 200 }).toBe(true);
      await gate.record(after);
      expect(await sql('SELECT 1 FROM vigil_audit WHERE hook_instance = $1', [after.hookInstance])).toHaveLength(1);
    });

    // Operations review (2026-11-29): with the migration lock held elsewhere, start-up waited in silence
    // and a call hung until its connection was cut, then wrote its record anyway.
    it('refuses queries at once while the migration lock is held elsewhere, and migrates when it is released', async () => {
      const state = new PostgresState({ url: server.url, poolSize: 2, timeoutMs: 300, log: quietLog() });
      opened.push(state);
      const holder = new pg.Client({ connectionString: server.url });
      await holder.connect();
      try {
        await holder.query('SELECT pg_advisory_lock($1)', [0x7669676971]);
        const started = Date.now();
        await expect(state.query('audit', 'SELECT 1')).rejects.toMatchObject({ reason: 'VIGIL_MIGRATION_PENDING' });
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(await state.dependency.probe()).toMatchObject({ up: false, reason: 'VIGIL_MIGRATION_PENDING' });
        await holder.query('SELECT pg_advisory_unlock($1)', [0x7669676971]);
      } finally {
        await holder.end();
      }
      await expect.poll(async () => (await state.dependency.probe()).up, { timeout: 10_000, interval: 200 }).toBe(true);
      expect((await state.query<{ one: number }>('audit', 'SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    });

    it('starts while the database is down, and migrates and writes once it is up', async () => {
      await server.stop('fast');
      const state = replica();
      await expect(state.ensureMigrated()).rejects.toBeDefined();
      const store = new PostgresAuditStore(state);
      await expect(store.append(auditRecord('2026-11-23T14:00:00.000Z'))).rejects.toBeInstanceOf(StateUnavailableError);
      await server.start();
      await expect.poll(async () => (await state.dependency.probe()).up, { timeout: 15_000, interval: 200 }).toBe(true);
      await store.append(auditRecord('2026-11-23T14:01:00.000Z'));
    });
  });
});
