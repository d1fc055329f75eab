// Remembers each accepted (iss, jti) until its token expires, so a captured token cannot be replayed.
// Bounded (lru-cache): under a flood beyond its size the oldest entries go first, which is why token
// lifetimes are capped (VIGIL_JWT_MAX_LIFETIME_SECONDS) and the size is configurable.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { VigilError } from '../errors.js';
import { entriesAtMost } from '../lang/lru-bound.js';
import type { CallToken } from '../observability/answered-call.js';

/**
 * Where accepted (iss, jti) pairs are remembered. In this process by default; durable under
 * VIGIL_DATA_DIR (src/auth/durable-replay-store.ts) or shared on Redis (src/shared-state) in a server.
 * A store that cannot answer throws: the caller then refuses the call (fail closed).
 */
export interface ReplayGuard {
  /** True the first time this (iss, jti) is used before it expires; false for a replay. */
  firstUse(iss: string, jti: string, expSeconds: number, skewSeconds: number, now: Date): boolean | Promise<boolean>;
  /**
   * For a call whose answer waits for its audit record: the token is refused for replay at once (in
   * memory) and becomes durable with the record that carries it, or its own line before the answer
   * when no record did. Undefined for a replay. Stores without it are asked `firstUse`.
   */
  claimUntilAnswered?(iss: string, jti: string, expSeconds: number, skewSeconds: number, now: Date): Promise<PendingToken | undefined>;
}

/**
 * An accepted token whose replay record is not on disk yet. The answer to its call must not leave
 * before it is: the audit record that carries it (`carried`), or its own line (`persist`).
 */
export interface PendingToken extends CallToken {
  /** True once a record carrying it, or its own line, is on disk. */
  readonly durable: boolean;
  /**
   * Writes the token's own line, for an answer no record carried. When that fails the token is
   * forgotten (it was not accepted: a retry may pass) and ReplayCheckUnavailableError is thrown.
   */
  persist(): Promise<void>;
  /** After a call that was refused: its own line, best effort; refused for replay in memory either way. */
  persistAfterRefusal(): Promise<void>;
}

/**
 * 503: the replay store could not say whether this token was used before (Redis down, disk failing),
 * so the call is refused rather than risk a replay (fail closed). The client retries with a new token.
 */
export class ReplayCheckUnavailableError extends VigilError {
  constructor(cause: string) {
    super(
      'VIGIL_STATE_UNAVAILABLE',
      'the replay check cannot be made',
      [
        {
          severity: 'error',
          code: 'transient',
          diagnostics:
            'the token could not be checked against replay (state store unavailable); the call was not processed. Retry later with a new token.',
        },
      ],
      { retryAfterSeconds: 2, cause },
    );
  }
}

/** A token's (iss, jti) as stores outside this process keep it: a fixed-size digest, whatever the client sent. */
export function replayKey(iss: string, jti: string): string {
  return createHash('sha256').update(`${iss}\n${jti}`, 'utf8').digest('base64url');
}

/** When a token accepted now may be forgotten (ms since the epoch): its expiry plus the tolerated skew. */
export function replayUntilMs(expSeconds: number, skewSeconds: number): number {
  return (expSeconds + skewSeconds) * 1000;
}

export class ReplayStore implements ReplayGuard {
  /** Value: when the entry may be forgotten, in ms since the epoch (compared with the caller's `now`). */
  private readonly seen: LRUCache<string, number>;

  constructor(maxEntries: number) {
    this.seen = new LRUCache<string, number>(entriesAtMost(maxEntries));
  }

  /** True the first time this (iss, jti) is used before it expires; false for a replay. */
  firstUse(iss: string, jti: string, expSeconds: number, skewSeconds: number, now: Date): boolean {
    return this.claim(`${iss}\n${jti}`, replayUntilMs(expSeconds, skewSeconds), now.getTime());
  }

  /** True when `key` was not remembered (or has expired by `nowMs`); it is remembered until `untilMs` either way. */
  claim(key: string, untilMs: number, nowMs: number): boolean {
    const until = this.seen.get(key);
    if (until !== undefined && until >= nowMs) return false;
    this.seen.set(key, untilMs);
    return true;
  }

  /** Forgets `key` (a claim that could not be made durable). */
  release(key: string): void {
    this.seen.delete(key);
  }

  get size(): number {
    return this.seen.size;
  }
}
