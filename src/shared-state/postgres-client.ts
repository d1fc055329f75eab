// The PostgreSQL connection pool a replica keeps (VIGIL_DATABASE_URL), for the audit trail and
// feedback. node-postgres (`pg`): a pool of VIGIL_DATABASE_POOL_SIZE connections, each query bounded
// by VIGIL_DATABASE_TIMEOUT_MS (on the server: statement_timeout; and on the client), parameterised
// queries only. The schema is brought up to date (postgres-migrations.ts) before the first query; if
// the database cannot be reached at start-up Vigil starts anyway, not ready, and migrates once it can.
import pg from 'pg';
import { Dependency, type DependencyEvents, type StateUse } from './dependency.js';
import { migrate, MIGRATIONS_DIR } from './postgres-migrations.js';
import { withFields } from '../lang/with-fields.js';

export interface PostgresStateOptions extends DependencyEvents {
  url: string;
  poolSize: number;
  timeoutMs: number;
  migrationsDir?: string;
}

/**
 * SQLSTATE classes that say the request was wrong, not that the database is unwell (data exception,
 * integrity violation, syntax or access rule): they fail the query but do not open the breaker.
 */
const NOT_A_HEALTH_PROBLEM = /^(22|23|42)/;

/** A PostgreSQL error's SQLSTATE (five characters, digits first: errorCode's pattern is for Node's codes). */
function sqlState(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : '';
}

/**
 * Whether an INSERT into the audit tables could go ahead now: the lock it takes (ROW EXCLUSIVE),
 * refused at once (55P03) while a conflicting lock is held. Two statements in one simple query: an
 * implicit transaction, which LOCK needs and which ends however the lock fares.
 */
export const LOCK_AUDIT_TABLES = 'LOCK TABLE vigil_audit, vigil_audit_cards IN ROW EXCLUSIVE MODE NOWAIT';

/** The code of a query refused because the schema is still being migrated (reason in logs and /readyz). */
export const MIGRATION_PENDING = 'VIGIL_MIGRATION_PENDING';

/** A clock reading whose round trip took longer than this is kept only when there is none better. */
const CLOCK_READING_MAX_RTT_MS = 100;
/** How often the database's clock is read again besides readiness checks and late batches. */
const CLOCK_READING_INTERVAL_MS = 60_000;

export class PostgresState {
  readonly pool: pg.Pool;
  readonly dependency: Dependency;
  private readonly connection: pg.ClientConfig;
  private readonly migrationsDir: string;
  private readonly log: DependencyEvents['log'];
  /** How long this replica waits for one query before giving up on it (the client-side bound). */
  readonly clientTimeoutMs: number;
  private migrated = false;
  /** The database's clock less this replica's, in ms (0 until read). */
  private clockOffsetMs = 0;
  private clockReadOnce = false;
  /** Reads the clock again now and then: a deployment without readiness probes still follows a clock step. */
  private readonly clockTimer: NodeJS.Timeout;
  private migrating: Promise<void> | undefined;

  constructor(opts: PostgresStateOptions) {
    this.log = opts.log;
    this.migrationsDir = opts.migrationsDir ?? MIGRATIONS_DIR;
    this.clientTimeoutMs = opts.timeoutMs + 500;
    this.connection = { connectionString: opts.url, connectionTimeoutMillis: opts.timeoutMs, application_name: 'vigil' };
    this.pool = new pg.Pool(
      withFields(this.connection, {
        max: opts.poolSize,
        statement_timeout: opts.timeoutMs,
        // The client-side bound for a server that no longer answers at all.
        query_timeout: this.clientTimeoutMs,
        idleTimeoutMillis: 30_000,
        keepAlive: true,
      }),
    );
    // An idle connection the server closed (restart, failover) is reported here; the pool replaces it.
    this.pool.on('error', () => {});
    this.dependency = new Dependency({
      engine: 'postgres',
      ping: async () => {
        await this.readClock();
        await this.migratedWithin(this.clientTimeoutMs);
        // Reachable is not enough: every answered call inserts into the audit tables, so a lock that
        // would hold those inserts (a DBA's LOCK TABLE, an index being built) is no recovery, and must not
        // close the breaker (operations review, 2026-11-29: each /readyz reopened it while every call
        // waited the full timeout). One implicit transaction, so a refused lock leaves the session clean.
        await this.pool.query(`${LOCK_AUDIT_TABLES}; SELECT 1`);
      },
      log: opts.log,
      telemetry: opts.telemetry,
      onError: opts.onError,
      onUp: opts.onUp,
      healthy: (err) => NOT_A_HEALTH_PROBLEM.test(sqlState(err)),
    });
    this.clockTimer = setInterval(() => {
      if (this.migrated) this.readClock().catch(() => {});
    }, CLOCK_READING_INTERVAL_MS).unref();
  }

  /**
   * Waits for the migrations at most `ms`; they go on in the background if they take longer (another
   * replica holding the migration lock, a long migration). Found by the operations review (2026-11-29):
   * a held lock stalled start-up 15 s with no word, and a call 10 s until its connection was cut.
   */
  async migratedWithin(ms: number): Promise<void> {
    if (this.migrated) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('migrations still running'), { code: MIGRATION_PENDING })), ms);
    });
    try {
      await Promise.race([this.ensureMigrated(), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Now on the database's clock, as far as the last reading says (this replica's clock until one is
   * read): what a deadline the server checks is written in (postgres-audit-store.ts). Two hosts' clocks
   * may disagree (a misconfigured NTP; the test suite's run 400 days ahead under libfaketime).
   */
  databaseNow(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /**
   * Reads the database's clock: the offset from this replica's, taken at the middle of the round trip of
   * one query on a connection already in hand (a pool wait or a new connection's set-up would bias it by
   * half their length). A reading whose round trip took longer than CLOCK_READING_MAX_RTT_MS (an event
   * loop stalled, a slow network) says little, and is kept only when there is none better; a review
   * (2026-11-29) found one noisy sample could move the deadline by ±0.5–1 s.
   */
  async readClock(): Promise<void> {
    const client = await this.pool.connect();
    let failed: Error | undefined;
    try {
      const before = Date.now();
      const { rows } = await client.query<{ ms: string }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS ms');
      const after = Date.now();
      const ms = Number(rows[0]?.ms);
      if (!Number.isFinite(ms) || (after - before > CLOCK_READING_MAX_RTT_MS && this.clockReadOnce)) return;
      this.clockOffsetMs = ms - (before + after) / 2;
      this.clockReadOnce = true;
    } catch (err) {
      failed = err as Error;
      throw err;
    } finally {
      client.release(failed);
    }
  }

  /**
   * One parameterised query whose values carry a deadline the server checks: when this replica gives up
   * on it, on the database's clock, taken once the schema is migrated and a connection is in hand (the
   * client's own timeout starts there; a deadline taken sooner would refuse a batch still awaited).
   */
  queryWithDeadline<R extends pg.QueryResultRow>(
    use: StateUse,
    text: string,
    valuesAt: (deadline: Date) => unknown[],
  ): Promise<pg.QueryResult<R>> {
    return this.dependency.run(use, async () => {
      await this.migratedWithin(this.clientTimeoutMs);
      const client = await this.pool.connect();
      let failed: Error | undefined;
      try {
        return await client.query<R>(text, valuesAt(new Date(this.databaseNow() + this.clientTimeoutMs)));
      } catch (err) {
        failed = err as Error;
        throw err;
      } finally {
        client.release(failed);
      }
    });
  }

  /** Applies pending migrations once; a failure is retried by the next query. */
  ensureMigrated(): Promise<void> {
    if (this.migrated) return Promise.resolve();
    this.migrating ??= migrate(this.connection, this.migrationsDir)
      .then(async (applied) => {
        // The clock too, before the first write that carries a deadline (the readiness ping reads it again).
        await this.readClock().catch(() => {});
        this.migrated = true;
        if (applied.length > 0) this.log.info({ applied }, 'database migrations applied');
      })
      .finally(() => {
        this.migrating = undefined;
      });
    return this.migrating;
  }

  /** One parameterised query through the breaker, once the schema is up to date. */
  query<R extends pg.QueryResultRow>(use: StateUse, text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.dependency.run(use, async () => {
      await this.migratedWithin(this.clientTimeoutMs);
      return this.pool.query<R>(text, values);
    });
  }

  async close(): Promise<void> {
    clearInterval(this.clockTimer);
    this.dependency.shutdown();
    await this.migrating?.catch(() => {});
    await this.pool.end();
  }
}
