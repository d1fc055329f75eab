// The record of issued cards shared by every replica: one Redis key per card uuid holding the service
// that issued it and what feedback metrics count it by (indicator, model version: never patient data;
// the operations review, 2026-11-29, found every feedback counted "unknown" when only the service was
// kept, so the override-rate panels read 0 on shared state), expiring at VIGIL_ISSUED_CARDS_MAX_AGE_HOURS after the card was shown, so feedback
// sent to any replica recognises a card issued by any other. The count bound (VIGIL_ISSUED_CARDS_MAX)
// is the in-process record's; on Redis the age bound alone applies (a card costs ~100 bytes there).
//
// Failures, decided per direction:
//  - remembering a card fails open: the call is answered (its audit record is already written) and
//    the failure counted; the card is then looked up in the durable audit trail instead (below).
//  - looking a card up, on an error or a miss, asks `fallback`: the PostgreSQL audit trail when
//    VIGIL_DATABASE_URL is set (cards outlive a Redis that lost its data), else nothing, and the
//    feedback is stored flagged `unknown`: never refused for it.
import type { IssuedCard, IssuedCardLabels, IssuedCardStore } from '../audit/issued-cards.js';
import { StateUnavailableError } from './dependency.js';
import type { RedisState } from './redis-client.js';

export type IssuedCardLookup = (uuid: string) => Promise<string | undefined>;

export interface RedisIssuedCardsOptions {
  maxAgeMs: number;
  clock?: () => Date;
  /** Asked when Redis fails or does not know the card. */
  fallback?: IssuedCardLookup;
}

export class RedisIssuedCards implements IssuedCardStore {
  private readonly clock: () => Date;

  constructor(
    private readonly redis: RedisState,
    private readonly opts: RedisIssuedCardsOptions,
  ) {
    this.clock = opts.clock ?? (() => new Date());
  }

  async remember(uuid: string, service: string, at: Date = this.clock(), labels: IssuedCardLabels = {}): Promise<void> {
    const ttlMs = this.opts.maxAgeMs - (this.clock().getTime() - at.getTime());
    if (ttlMs <= 0) return;
    const key = this.redis.key('card', uuid);
    const value = JSON.stringify({ service, ...labels });
    await this.redis
      .run('issued-cards', (r) => r.set(key, value, 'PX', ttlMs))
      .catch((err: unknown) => {
        // Counted and logged by the dependency; the card is shown all the same.
        if (!(err instanceof StateUnavailableError)) throw err;
      });
  }

  async serviceOf(uuid: string): Promise<string | undefined> {
    return (await this.cardOf(uuid))?.service;
  }

  async cardOf(uuid: string): Promise<IssuedCard | undefined> {
    const key = this.redis.key('card', uuid);
    const stored = await this.redis
      .run('issued-cards', (r) => r.get(key))
      .catch((err: unknown) => {
        if (err instanceof StateUnavailableError) return null;
        throw err;
      });
    if (stored !== null) return parseStored(stored);
    const service = await this.opts.fallback?.(uuid).catch(() => undefined);
    return service === undefined ? undefined : { service };
  }
}

/** A stored card: JSON with its labels, or (written before labels were kept) the service alone. */
function parseStored(stored: string): IssuedCard | undefined {
  if (!stored.startsWith('{')) return { service: stored };
  try {
    const value = JSON.parse(stored) as Record<string, unknown>;
    if (typeof value['service'] !== 'string') return undefined;
    return {
      service: value['service'],
      ...(typeof value['indicator'] === 'string' ? { indicator: value['indicator'] } : {}),
      ...(typeof value['modelVersion'] === 'string' ? { modelVersion: value['modelVersion'] } : {}),
    };
  } catch {
    return undefined;
  }
}
