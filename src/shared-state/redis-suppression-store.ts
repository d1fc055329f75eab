// The repeat-card rule's memory shared by every replica (src/suppression/suppression-store.ts says
// what it holds): one Redis hash per patient pseudonym and service (and drug), expiring with the
// window, and a pointer from each card uuid to its hash so a clinician's override finds it. Keys hold
// the keyed pseudonym, never the patient id. When Redis cannot answer, the store throws and the rule
// shows the card (fail open: a missed repeat is noise, a missed card could be harm), counted in
// vigil_suppression_store_errors_total.
import type { Indicator } from '../cds-hooks/card-schema.js';
import type { ShownCard, SuppressionStore } from '../suppression/suppression-store.js';
import type { RedisState } from './redis-client.js';

/**
 * Marks the card's entry overridden, atomically (two replicas may take feedback on it at once):
 * only when the entry still holds that card, and kept at least until the override ends.
 * KEYS[1] the card's pointer; ARGV: uuid, untilMs, nowMs, the entries' key prefix.
 */
const MARK_OVERRIDDEN = `
local key = redis.call('GET', KEYS[1])
if not key then return 0 end
local entry = ARGV[4] .. key
if redis.call('HGET', entry, 'uuid') ~= ARGV[1] then return 0 end
redis.call('HSET', entry, 'overriddenUntil', ARGV[2])
local ttl = math.max(1, tonumber(ARGV[2]) - tonumber(ARGV[3]), redis.call('PTTL', entry))
redis.call('PEXPIRE', entry, ttl)
return 1
`;

const INDICATORS = new Set<string>(['info', 'warning', 'critical']);

function toShownCard(fields: Record<string, string>): ShownCard | undefined {
  const { uuid, indicator, shownAt, news2Total, concerns, overriddenUntil } = fields;
  if (uuid === undefined || indicator === undefined || !INDICATORS.has(indicator) || shownAt === undefined) return undefined;
  const card: ShownCard = { uuid, indicator: indicator as Indicator, shownAt: Number(shownAt) };
  if (news2Total !== undefined) card.news2Total = Number(news2Total);
  if (concerns !== undefined) card.concerns = concerns;
  if (overriddenUntil !== undefined) card.overriddenUntil = Number(overriddenUntil);
  return card;
}

export function createRedisSuppressionStore(redis: RedisState, clock: () => number = Date.now): SuppressionStore {
  return {
    async get(key) {
      const fields = await redis.run('suppression', (r) => r.hgetall(redis.key('supp', key)));
      return toShownCard(fields);
    },
    async set(key, value, ttlMs) {
      const entry = redis.key('supp', key);
      const fields: Record<string, string> = { uuid: value.uuid, indicator: value.indicator, shownAt: String(value.shownAt) };
      if (value.news2Total !== undefined) fields.news2Total = String(value.news2Total);
      if (value.concerns !== undefined) fields.concerns = value.concerns;
      if (value.overriddenUntil !== undefined) fields.overriddenUntil = String(value.overriddenUntil);
      const ttl = Math.max(1, Math.round(ttlMs));
      await redis.run('suppression', async (r) => {
        const results = await r
          .multi()
          .del(entry)
          .hset(entry, fields)
          .pexpire(entry, ttl)
          .set(redis.key('supp-card', value.uuid), key, 'PX', ttl)
          .exec();
        const failed = results?.find(([err]) => err !== null)?.[0];
        if (failed) throw failed;
      });
    },
    async markOverridden(cardUuid, untilMs) {
      const marked = await redis.run('suppression', (r) =>
        r.eval(MARK_OVERRIDDEN, 1, redis.key('supp-card', cardUuid), cardUuid, String(untilMs), String(clock()), redis.kindPrefix('supp')),
      );
      return marked === 1;
    },
    // The connection is the shared state's, closed with it.
    async close() {},
  };
}
