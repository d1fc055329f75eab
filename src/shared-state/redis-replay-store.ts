// The replay store shared by every replica: one Redis key per accepted token, set only if absent and
// expiring with the token (SET NX PX), so a token accepted by one replica is refused by every other,
// and by any replica after a restart. The key is a digest of (iss, jti), never the token. When Redis
// cannot answer, the check throws and the call is refused with 503 (fail closed: a replay check that
// cannot be made is not passed).
import { replayKey, replayUntilMs, type ReplayGuard } from '../auth/replay-store.js';
import type { RedisState } from './redis-client.js';

export class RedisReplayStore implements ReplayGuard {
  constructor(private readonly redis: RedisState) {}

  async firstUse(iss: string, jti: string, expSeconds: number, skewSeconds: number, now: Date): Promise<boolean> {
    // Relative expiry, from this replica's clock: replicas whose clocks differ still agree on "absent".
    const ttlMs = Math.max(1, replayUntilMs(expSeconds, skewSeconds) - now.getTime());
    const key = this.redis.key('jti', replayKey(iss, jti));
    const set = await this.redis.run('replay', (r) => r.set(key, '1', 'PX', ttlMs, 'NX'));
    return set === 'OK';
  }
}
