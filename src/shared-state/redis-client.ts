// The one Redis connection a replica keeps (VIGIL_REDIS_URL), for the replay store, the issued cards
// and the suppression state. ioredis, set to fail fast rather than wait: while disconnected a command
// fails at once (no offline queue, no resend after a reconnect), a command waits at most
// VIGIL_REDIS_TIMEOUT_MS, and the client keeps reconnecting in the background (at least once a second),
// so Redis returning is noticed without a restart. Every command goes through the Redis breaker
// (dependency.ts). Keys are `<VIGIL_REDIS_KEY_PREFIX><kind>:<id>`, ids being keyed hashes or card uuids.
import { Redis } from 'ioredis';
import { Dependency, type DependencyEvents, type StateUse } from './dependency.js';

export interface RedisStateOptions extends DependencyEvents {
  url: string;
  timeoutMs: number;
  keyPrefix: string;
}

/** The longest start-up waits for a first connection before going on without one (then not ready). */
const FIRST_CONNECT_WAIT_MS = 3000;

export class RedisState {
  readonly client: Redis;
  readonly dependency: Dependency;
  private readonly prefix: string;

  constructor(opts: RedisStateOptions) {
    this.prefix = opts.keyPrefix;
    this.client = new Redis(opts.url, {
      // RESP2: what every Redis a hospital may run speaks (RESP3 needs Redis 6).
      protocol: 2,
      connectTimeout: Math.max(1000, opts.timeoutMs),
      commandTimeout: opts.timeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), 1000),
    });
    this.dependency = new Dependency({
      engine: 'redis',
      ping: async () => {
        await this.client.ping();
      },
      log: opts.log,
      telemetry: opts.telemetry,
      onError: opts.onError,
      onUp: opts.onUp,
    });
    // ioredis reports every failed reconnect as an 'error' event; the dependency counts and logs the
    // failures that matter (commands and probes), so these are only kept from reaching the console.
    this.client.on('error', () => {});
  }

  /** Resolves once connected, or after a short wait: Vigil starts either way (not ready while Redis is down). */
  async connected(): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), FIRST_CONNECT_WAIT_MS);
      const onReady = () => finish(true);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(ok);
      };
      this.client.on('ready', onReady);
    });
  }

  /** The full key of `id` of one kind (`jti`, `card`, `supp`, ...). */
  key(kind: string, id: string): string {
    return `${this.prefix}${kind}:${id}`;
  }

  /** The prefix of every key of one kind (for Lua scripts that build keys). */
  kindPrefix(kind: string): string {
    return `${this.prefix}${kind}:`;
  }

  run<T>(use: StateUse, task: (redis: Redis) => Promise<T>): Promise<T> {
    return this.dependency.run(use, () => task(this.client));
  }

  async close(): Promise<void> {
    this.dependency.shutdown();
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
