// Decides, from the configuration, where each piece of state lives, and opens it at start-up:
//
//   state                     neither URL (one machine)            VIGIL_REDIS_URL      VIGIL_DATABASE_URL
//   JWT replay store          memory + audit records, /replay      Redis                -
//   issued cards (feedback)   memory, rebuilt from the trail       Redis, then PG       PG (the trail's cards)
//   suppression state         memory                               Redis                -
//   audit trail, feedback     VIGIL_DATA_DIR files                 -                    PostgreSQL
//
// and what each does when its engine fails (README, "Several replicas"): the replay check fails
// closed (503), suppression and issued cards fail open (the card is shown; feedback is kept, flagged
// unknown only if no store knows the card), the audit trail and feedback follow VIGIL_AUDIT_ON_FAILURE
// and answer 503 respectively. Each engine has a readiness check saying so.
import type { ReplayGuard } from '../auth/replay-store.js';
import { DurableReplayStore } from '../auth/durable-replay-store.js';
import { tokensCarriedByAuditFiles } from '../audit/carried-tokens.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { IssuedCardStore } from '../audit/issued-cards.js';
import { ConfigError, type Config } from '../config.js';
import type { FeedbackStore } from '../feedback/feedback-store.js';
import type { ReadinessCheck, ReadinessProbe } from '../health/readiness.js';
import type { SuppressionStore } from '../suppression/suppression-store.js';
import type { Telemetry } from '../telemetry.js';
import type { Dependency, Engine, StateUse } from './dependency.js';
import type { PostgresAuditStore, PostgresFeedbackStore, PostgresState } from './postgres-kit.js';
import type * as RedisKit from './redis-kit.js';
import type { RedisState } from './redis-kit.js';

export interface SharedState {
  replay: ReplayGuard;
  /** Set when shared (Redis, PostgreSQL); otherwise the caller's in-process default applies. */
  issued?: IssuedCardStore;
  suppression?: SuppressionStore;
  auditStore?: AuditStore;
  feedbackStore?: FeedbackStore;
  /** One readiness check per remote engine. */
  probes: ReadinessProbe[];
  /** Where each piece of state lives, for the start-up log line (no URL: it may hold a password). */
  where: { replay: string; issuedCards: string; suppression: string; audit: string; feedback: string };
  close(): Promise<void>;
}

export interface SharedStateLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface SharedStateOptions {
  telemetry?: Pick<Telemetry, 'breakerState'>;
  onError?: (engine: Engine, use: StateUse) => void;
  onUp?: (engine: Engine, up: boolean) => void;
  clock?: () => Date;
}

type SharedConfig = Pick<
  Config,
  | 'VIGIL_REDIS_URL'
  | 'VIGIL_REDIS_TIMEOUT_MS'
  | 'VIGIL_REDIS_KEY_PREFIX'
  | 'VIGIL_DATABASE_URL'
  | 'VIGIL_DATABASE_POOL_SIZE'
  | 'VIGIL_DATABASE_TIMEOUT_MS'
  | 'VIGIL_DATA_DIR'
  | 'VIGIL_JWT_REPLAY_CACHE_SIZE'
  | 'VIGIL_JWT_MAX_LIFETIME_SECONDS'
  | 'VIGIL_JWT_CLOCK_SKEW_SECONDS'
  | 'VIGIL_ISSUED_CARDS_MAX_AGE_HOURS'
  | 'VIGIL_AUTH'
  | 'VIGIL_AUDIT_ON_FAILURE'
>;

/**
 * How long start-up waits for the schema's migrations before listening anyway, unready: a migration
 * takes well under a second; longer means another replica holds the migration lock (or a DBA's lock
 * holds a table), and saying so beats a process that neither listens nor logs.
 */
const MIGRATION_WAIT_AT_START_MS = 5_000;

/** A readiness check for one engine: it answers, or what its absence means and whether that makes the replica unready. */
function engineCheck(dependency: Dependency, ifDown: { ready: boolean; means: string }): ReadinessProbe {
  return async (): Promise<ReadinessCheck> => {
    const { up, reason } = await dependency.probe();
    if (up) return { name: dependency.engine, ok: true, detail: 'reachable' };
    return { name: dependency.engine, ok: ifDown.ready, detail: `unreachable (${reason ?? 'unknown'}); ${ifDown.means}` };
  };
}

export async function openSharedState(config: SharedConfig, log: SharedStateLog, options: SharedStateOptions = {}): Promise<SharedState> {
  const clock = options.clock ?? (() => new Date());
  const events = { log, telemetry: options.telemetry, onError: options.onError, onUp: options.onUp };
  const maxAgeMs = config.VIGIL_ISSUED_CARDS_MAX_AGE_HOURS * 3600_000;
  const probes: ReadinessProbe[] = [];
  const closers: (() => Promise<void>)[] = [];

  let pg: PostgresState | undefined;
  let auditStore: PostgresAuditStore | undefined;
  let feedbackStore: PostgresFeedbackStore | undefined;
  if (config.VIGIL_DATABASE_URL !== undefined) {
    // Loaded only when PostgreSQL is configured (postgres-kit.ts says why).
    const { PostgresAuditStore, PostgresFeedbackStore, PostgresState, MigrationChangedError, MIGRATION_PENDING } =
      await import('./postgres-kit.js');
    pg = new PostgresState({
      url: config.VIGIL_DATABASE_URL,
      poolSize: config.VIGIL_DATABASE_POOL_SIZE,
      timeoutMs: config.VIGIL_DATABASE_TIMEOUT_MS,
      ...events,
    });
    auditStore = new PostgresAuditStore(pg);
    feedbackStore = new PostgresFeedbackStore(pg);
    // Migrate now if the database answers; if not, Vigil starts unready and migrates on the first query that reaches it.
    await pg.migratedWithin(MIGRATION_WAIT_AT_START_MS).catch((err: unknown) => {
      // A migration edited after it was applied will not pass later either: stop, and say which.
      if (err instanceof MigrationChangedError) throw new ConfigError([`VIGIL_DATABASE_URL: ${err.message}`]);
      const code = (err as { code?: unknown }).code ?? 'unknown';
      log.warn(
        { code },
        code === MIGRATION_PENDING
          ? 'PostgreSQL migrations still running (another replica holds the migration lock, or a migration is long): not ready until they finish'
          : 'PostgreSQL not reachable at start-up: not ready until it is (migrations run then)',
      );
    });
    const answering = config.VIGIL_AUDIT_ON_FAILURE === 'answer';
    probes.push(
      engineCheck(pg.dependency, {
        ready: answering,
        means: answering
          ? 'hook calls are answered without an audit record (VIGIL_AUDIT_ON_FAILURE=answer); feedback is refused with 503'
          : 'hook calls and feedback are refused with 503',
      }),
    );
    const state = pg;
    closers.push(() => state.close());
  }
  const sinceMaxAge = () => new Date(clock().getTime() - maxAgeMs);
  const fromTrail = auditStore === undefined ? undefined : (uuid: string) => auditStore.serviceOfCard(uuid, sinceMaxAge());

  // The Redis modules with the connection: loaded only when Redis is configured (redis-kit.ts says why).
  let redis: { state: RedisState; kit: typeof RedisKit } | undefined;
  if (config.VIGIL_REDIS_URL !== undefined) {
    const kit = await import('./redis-kit.js');
    const state = new kit.RedisState({
      url: config.VIGIL_REDIS_URL,
      timeoutMs: config.VIGIL_REDIS_TIMEOUT_MS,
      keyPrefix: config.VIGIL_REDIS_KEY_PREFIX,
      ...events,
    });
    redis = { state, kit };
    if (!(await state.connected())) log.warn({}, 'Redis not reachable at start-up: not ready until it is');
    const authenticating = config.VIGIL_AUTH === 'required';
    probes.push(
      engineCheck(state.dependency, {
        ready: !authenticating,
        means: authenticating
          ? 'authenticated calls are refused with 503 (the replay check fails closed)'
          : 'repeat cards are shown in full and feedback is matched against the audit trail only',
      }),
    );
    closers.push(() => state.close());
  }

  let replay: ReplayGuard;
  if (redis !== undefined) {
    replay = new redis.kit.RedisReplayStore(redis.state);
  } else {
    const durable = new DurableReplayStore({
      dataDir: config.VIGIL_DATA_DIR,
      maxEntries: config.VIGIL_JWT_REPLAY_CACHE_SIZE,
      maxLifetimeSeconds: config.VIGIL_JWT_MAX_LIFETIME_SECONDS,
      skewSeconds: config.VIGIL_JWT_CLOCK_SKEW_SECONDS,
      clock,
      log,
      // Hook calls' tokens travel in their audit records when those are the files beside the replay log.
      ...(auditStore === undefined ? { carriedTokens: tokensCarriedByAuditFiles(config.VIGIL_DATA_DIR) } : {}),
    }).start();
    replay = durable;
    closers.unshift(() => durable.close());
  }

  let issued: IssuedCardStore | undefined;
  if (redis !== undefined) {
    issued = new redis.kit.RedisIssuedCards(redis.state, { maxAgeMs, clock, ...(fromTrail !== undefined ? { fallback: fromTrail } : {}) });
  } else if (fromTrail !== undefined) {
    // The trail's own rows name the cards every replica showed: nothing to remember beside them.
    issued = { remember: () => {}, serviceOf: (uuid) => fromTrail(uuid).catch(() => undefined) };
  }

  return {
    replay,
    ...(issued !== undefined ? { issued } : {}),
    ...(redis !== undefined ? { suppression: redis.kit.createRedisSuppressionStore(redis.state, () => clock().getTime()) } : {}),
    ...(auditStore !== undefined ? { auditStore } : {}),
    ...(feedbackStore !== undefined ? { feedbackStore } : {}),
    probes,
    where: {
      replay: redis !== undefined ? 'redis' : 'files',
      issuedCards: redis !== undefined ? (pg !== undefined ? 'redis, then postgres' : 'redis') : pg !== undefined ? 'postgres' : 'memory',
      suppression: redis !== undefined ? 'redis' : 'memory',
      audit: pg !== undefined ? 'postgres' : 'files',
      feedback: pg !== undefined ? 'postgres' : 'files',
    },
    async close() {
      for (const close of closers) await close().catch(() => {});
    },
  };
}
