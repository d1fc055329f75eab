// One remote engine Vigil keeps state in (Redis or PostgreSQL), as every store on it sees it: each
// command goes through one circuit breaker (opossum), so an engine that is down or hanging costs a
// call nothing once the breaker is open; every failure becomes one coded error, is counted by engine
// and use, and is logged a few times a minute, by code, never with the URL (it may hold a password),
// a key or a value. What a failure *means* (refuse the call, or go on without the state) is each use's
// decision, made where the store is used (README, "Several replicas").
import CircuitBreaker from 'opossum';
import { type LogLimiter, defaultLogLimiter } from '../observability/log-limiter.js';
import type { Telemetry } from '../telemetry.js';

export type Engine = 'redis' | 'postgres';

/** What the state was for when it failed: a label of `vigil_shared_state_errors_total`. */
export type StateUse = 'replay' | 'issued-cards' | 'suppression' | 'audit' | 'feedback';

const CODES = { redis: 'VIGIL_REDIS_UNAVAILABLE', postgres: 'VIGIL_POSTGRES_UNAVAILABLE' } as const;

/** A store on a remote engine could not answer: the engine is down, slow, refusing, or its breaker is open. */
export class StateUnavailableError extends Error {
  readonly code: (typeof CODES)[Engine];
  readonly engine: Engine;
  /** The underlying code (ECONNREFUSED, a PostgreSQL SQLSTATE, EOPENBREAKER, ETIMEDOUT): for logs. */
  readonly reason: string;

  constructor(engine: Engine, reason: string) {
    super(`${engine} unavailable (${reason})`);
    this.name = 'StateUnavailableError';
    this.code = CODES[engine];
    this.engine = engine;
    this.reason = reason;
  }
}

/** An error's code as a short token safe to log: errno, SQLSTATE, or the class name. Never its message. */
export function reasonOf(err: unknown): string {
  if (err instanceof StateUnavailableError) return err.reason;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(code)) return code;
  const message = (err as { message?: unknown } | null)?.message;
  // ioredis says "Command timed out" and "Stream isn't writeable" without a code; node-postgres "Query
  // read timeout" and "timeout exceeded when trying to connect" (operations review, 2026-11-29: "Error").
  if (typeof message === 'string' && /timed out|timeout/i.test(message)) return 'ETIMEDOUT';
  if (typeof message === 'string' && /writeable|connection is closed/i.test(message)) return 'ENOTCONNECTED';
  const name = (err as { name?: unknown } | null)?.name;
  return typeof name === 'string' && /^[A-Za-z]{1,40}$/.test(name) ? name : 'UNKNOWN';
}

/**
 * The breaker's settings. Half of the commands failing among at least five in ten seconds opens it;
 * after two seconds one command tries again (a Redis or PostgreSQL restart takes about a second here,
 * so recovery is seen within a few seconds; meanwhile a down engine costs one failed command per try).
 * Timeouts are the clients' own (VIGIL_REDIS_TIMEOUT_MS, VIGIL_DATABASE_TIMEOUT_MS), not opossum's.
 */
export const BREAKER = { errorThresholdPercentage: 50, volumeThreshold: 5, rollingCountTimeout: 10_000, resetTimeout: 2_000 } as const;

export interface DependencyOptions {
  engine: Engine;
  /** One cheap round trip that proves the engine answers (PING, SELECT 1), bypassing the breaker. */
  ping: () => Promise<void>;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  telemetry?: Pick<Telemetry, 'breakerState'>;
  /** A command failed (metrics), by use. */
  onError?: (engine: Engine, use: StateUse) => void;
  /** Whether the engine answered the last command or probe (metrics). */
  onUp?: (engine: Engine, up: boolean) => void;
  /** Errors that say nothing about the engine's health (a constraint violation): fail, but do not open the breaker. */
  healthy?: (err: unknown) => boolean;
  limiter?: LogLimiter;
}

/** What a store's client passes on to its dependency: where to log, and what to report. */
export type DependencyEvents = Pick<DependencyOptions, 'log' | 'telemetry' | 'onError' | 'onUp'>;

export class Dependency {
  readonly engine: Engine;
  private readonly opts: DependencyOptions;
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private readonly limiter: LogLimiter;
  private up = true;
  private lastReason: string | undefined;

  constructor(opts: DependencyOptions) {
    this.engine = opts.engine;
    this.opts = opts;
    this.limiter = opts.limiter ?? defaultLogLimiter();
    this.breaker = new CircuitBreaker((task: () => Promise<unknown>) => task(), {
      name: opts.engine,
      timeout: false,
      ...BREAKER,
      ...(opts.healthy !== undefined ? { errorFilter: opts.healthy } : {}),
    });
    const name = opts.engine;
    this.breaker.on('open', () => {
      opts.telemetry?.breakerState(name, 'open');
      opts.log.warn({ breaker: name, resetMs: BREAKER.resetTimeout }, `${name} breaker open: failing fast until a trial command succeeds`);
    });
    this.breaker.on('halfOpen', () => opts.telemetry?.breakerState(name, 'half-open'));
    this.breaker.on('close', () => {
      opts.telemetry?.breakerState(name, 'closed');
      opts.log.info({ breaker: name }, `${name} breaker closed: answering again`);
    });
    opts.telemetry?.breakerState(name, 'closed');
    opts.onUp?.(name, true);
  }

  /** Runs one command through the breaker; any failure is a StateUnavailableError, counted and logged. */
  async run<T>(use: StateUse, task: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = (await this.breaker.fire(task)) as T;
    } catch (err) {
      throw this.failed(use, err);
    }
    this.setUp(true);
    return result;
  }

  /**
   * Asks the engine directly (not through the breaker): how readiness learns of recovery while the
   * breaker is open and calls fail fast. A good answer closes the breaker at once.
   */
  async probe(): Promise<{ up: boolean; reason?: string }> {
    try {
      await this.opts.ping();
    } catch (err) {
      this.lastReason = reasonOf(err);
      this.setUp(false);
      return { up: false, reason: this.lastReason };
    }
    if (!this.breaker.closed) this.breaker.close();
    this.setUp(true);
    return { up: true };
  }

  /** Whether the last command or probe reached the engine. */
  get reachable(): boolean {
    return this.up;
  }

  /** Stops the breaker's timers. */
  shutdown(): void {
    this.breaker.shutdown();
  }

  private failed(use: StateUse, err: unknown): StateUnavailableError {
    const reason = reasonOf(err);
    const healthy = this.opts.healthy?.(err) === true;
    if (!healthy) {
      this.lastReason = reason;
      this.setUp(false);
    }
    this.opts.onError?.(this.engine, use);
    this.limiter.log(
      this.opts.log,
      'warn',
      `${this.engine}:${use}:${reason}`,
      { engine: this.engine, use, reason },
      `${this.engine} command failed`,
    );
    return err instanceof StateUnavailableError ? err : new StateUnavailableError(this.engine, reason);
  }

  private setUp(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    this.opts.onUp?.(this.engine, up);
    if (up) this.opts.log.info({ engine: this.engine }, `${this.engine} reachable again`);
    else this.opts.log.warn({ engine: this.engine, reason: this.lastReason }, `${this.engine} unreachable`);
  }
}
