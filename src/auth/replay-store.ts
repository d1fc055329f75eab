// Remembers each accepted (iss, jti) until its token expires, so a captured token cannot be replayed.
// Bounded (lru-cache): under a flood beyond its size the oldest entries go first, which is why token
// lifetimes are capped (VIGIL_JWT_MAX_LIFETIME_SECONDS) and the size is configurable.
import { LRUCache } from 'lru-cache';

export class ReplayStore {
  /** Value: when the entry may be forgotten, in ms since the epoch (compared with the caller's `now`). */
  private readonly seen: LRUCache<string, number>;

  constructor(maxEntries: number) {
    this.seen = new LRUCache<string, number>({ max: maxEntries });
  }

  /** True the first time this (iss, jti) is used before it expires; false for a replay. */
  firstUse(iss: string, jti: string, expSeconds: number, skewSeconds: number, now: Date): boolean {
    const key = `${iss}\n${jti}`;
    const until = this.seen.get(key);
    if (until !== undefined && until >= now.getTime()) return false;
    this.seen.set(key, (expSeconds + skewSeconds) * 1000);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}
