// Fair rate limits. Two budgets, so that one client can never throttle another:
//
//  - Authenticated calls count against their client: the token's issuer and tenant
//    (VIGIL_RATE_LIMIT_MAX per window). Behind an ingress every EHR shares one socket address, so an
//    address is no measure of who is calling; a verified issuer is.
//  - Unauthenticated traffic (no token, a refused token, CORS preflights) counts against the client
//    address, in its own much smaller budget (VIGIL_RATE_LIMIT_ANON_MAX). Over it, a request without a
//    token is answered 429 before any other work; a request with a token still goes on to be verified,
//    so an authenticated EHR behind the same address is never starved by its neighbour's flood.
//
// With authentication off there is no client to know, so every request counts against its address.
// Each request costs one unit plus one per VIGIL_RATE_LIMIT_COST_BYTES of body: a megabyte costs what
// it costs to process, not what a hello costs. Addresses come from X-Forwarded-For only when the hop
// is a configured trusted proxy (Fastify's trustProxy); an IPv6 client is counted by its /64, the
// block one subscriber gets. A request whose client already hung up has no address and is let go.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { RateLimitedError } from '../errors.js';
import { addressKey, clientIp } from '../net/client-address.js';

/** Counts in fixed windows per key, holding at most `maxKeys` keys. A shared store (Redis) fits the same shape. */
export interface WindowCounter {
  /** Adds `cost` to `key`'s current window: the total so far and when the window ends. */
  charge(key: string, cost: number, now: number): { total: number; resetInMs: number };
}

export class MemoryWindowCounter implements WindowCounter {
  private readonly windows = new Map<string, { start: number; total: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  charge(key: string, cost: number, now: number): { total: number; resetInMs: number } {
    let w = this.windows.get(key);
    if (w === undefined || now - w.start >= this.windowMs) {
      if (w === undefined && this.windows.size >= this.maxKeys) this.makeRoom(now);
      w = { start: now, total: 0 };
      this.windows.delete(key); // re-inserted at the end: the map stays in order of window start
      this.windows.set(key, w);
    }
    w.total += cost;
    return { total: w.total, resetInMs: w.start + this.windowMs - now };
  }

  get size(): number {
    return this.windows.size;
  }

  /** Drops expired windows (oldest first, in insertion order); if none expired, the oldest one. */
  private makeRoom(now: number): void {
    for (const [key, w] of this.windows) {
      if (now - w.start < this.windowMs) break;
      this.windows.delete(key);
    }
    if (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next();
      if (oldest.done !== true) this.windows.delete(oldest.value);
    }
  }
}

/**
 * Units a request costs: one, plus one per `unitBytes` of declared body, the declaration counted up
 * to `maxBytes` (the body limit: a larger body is refused with 413 before it is read). Uncapped, one
 * request declaring 375 MiB with a 2-byte body spent an issuer's whole budget: every later call,
 * discovery included, got 429 for a minute (found by fuzzing, 2026-11-29).
 */
export function requestCost(contentLength: string | undefined, unitBytes: number, maxBytes = Number.POSITIVE_INFINITY): number {
  const bytes = Math.min(Number(contentLength), maxBytes);
  return 1 + (Number.isFinite(bytes) && bytes > 0 ? Math.floor(bytes / unitBytes) : 0);
}

/** True when the Authorization header could hold a bearer token (anything else is refused cheaply anyway). */
function carriesBearer(header: string | undefined): boolean {
  return header !== undefined && /^Bearer \S/i.test(header);
}

export type Budget = 'anonymous' | 'client';

export interface RateLimitOptions {
  config: Pick<
    Config,
    | 'VIGIL_AUTH'
    | 'VIGIL_RATE_LIMIT_MAX'
    | 'VIGIL_RATE_LIMIT_ANON_MAX'
    | 'VIGIL_RATE_LIMIT_WINDOW_MS'
    | 'VIGIL_RATE_LIMIT_COST_BYTES'
    | 'VIGIL_BODY_LIMIT_BYTES'
  >;
  /** Routes never limited (the probes and metrics, when they are served on the public port). */
  exempt: (request: FastifyRequest) => boolean;
  /** The verified client of a request, once authentication has run (undefined: not authenticated). */
  clientOf: (request: FastifyRequest) => string | undefined;
  /** Told of every 429, by budget (metrics). */
  onLimited?: (budget: Budget) => void;
  /** Told of each request whose client had hung up before it was handled (metrics). */
  onAborted?: () => void;
  /** Monotonic milliseconds; tests pass a controlled clock. */
  now?: () => number;
  counter?: { anonymous: WindowCounter; client: WindowCounter };
}

/** Keys held per budget: enough for every real client, bounded against an attacker rotating addresses. */
const MAX_KEYS = 100_000;

export class RateLimits {
  private readonly opts: RateLimitOptions;
  private readonly now: () => number;
  private readonly anonymous: WindowCounter;
  private readonly client: WindowCounter;
  /** Requests already counted against the anonymous budget (so a 401 is not counted twice). */
  private readonly countedAnonymous = new WeakSet<FastifyRequest>();

  constructor(opts: RateLimitOptions) {
    this.opts = opts;
    this.now = opts.now ?? (() => performance.now());
    const windowMs = opts.config.VIGIL_RATE_LIMIT_WINDOW_MS;
    this.anonymous = opts.counter?.anonymous ?? new MemoryWindowCounter(windowMs, MAX_KEYS);
    this.client = opts.counter?.client ?? new MemoryWindowCounter(windowMs, MAX_KEYS);
  }

  /** onRequest, before authentication: the anonymous budget (or, with authentication off, the only one). */
  readonly beforeAuth = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (this.opts.exempt(request)) return;
    const address = addressKey(clientIp(request));
    if (address === undefined) {
      // The client hung up before Vigil began: nobody is left to answer or to count, and doing the work
      // anyway would make resetting connections a way around the limits. Not an error: no log, no 500.
      this.opts.onAborted?.();
      reply.hijack();
      request.raw.destroy();
      return reply;
    }
    const { config } = this.opts;
    if (config.VIGIL_AUTH === 'off') {
      const cost = requestCost(request.headers['content-length'], config.VIGIL_RATE_LIMIT_COST_BYTES, config.VIGIL_BODY_LIMIT_BYTES);
      return this.enforce(reply, 'client', this.client.charge(`addr:${address}`, cost, this.now()), config.VIGIL_RATE_LIMIT_MAX);
    }
    if (carriesBearer(request.headers.authorization) && request.method !== 'OPTIONS') return; // verified next
    this.countedAnonymous.add(request);
    return this.enforce(reply, 'anonymous', this.anonymous.charge(address, 1, this.now()), config.VIGIL_RATE_LIMIT_ANON_MAX);
  };

  /** onRequest, after authentication: the verified client's budget, charged by cost. */
  readonly afterAuth = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const client = this.opts.clientOf(request);
    if (client === undefined) return;
    const { config } = this.opts;
    const cost = requestCost(request.headers['content-length'], config.VIGIL_RATE_LIMIT_COST_BYTES, config.VIGIL_BODY_LIMIT_BYTES);
    return this.enforce(reply, 'client', this.client.charge(client, cost, this.now()), config.VIGIL_RATE_LIMIT_MAX);
  };

  /** onResponse: a refused token counts against its address, like a request without one. */
  readonly afterResponse = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (reply.statusCode !== 401 || this.countedAnonymous.has(request)) return;
    const address = addressKey(clientIp(request));
    if (address !== undefined) this.anonymous.charge(address, 1, this.now());
  };

  private enforce(
    reply: FastifyReply,
    budget: Budget,
    { total, resetInMs }: { total: number; resetInMs: number },
    max: number,
  ): FastifyReply | undefined {
    if (reply.sent) return reply;
    if (total <= max) return undefined;
    this.opts.onLimited?.(budget);
    throw new RateLimitedError(Math.max(1, Math.ceil(resetInMs / 1000)));
  }
}
