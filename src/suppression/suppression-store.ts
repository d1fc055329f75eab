// Where the repeat-card rule remembers what it last showed, per patient and service. In-process by
// default (lru-cache, bounded in entries and by time); a shared store (Redis) plugs in behind the same
// interface so several replicas suppress as one. Keys are built from the keyed patient pseudonym,
// never the patient id. A store that fails is the caller's to handle: the rule then shows the card.
import { LRUCache } from 'lru-cache';
import type { Indicator } from '../cds-hooks/card-schema.js';
import { entriesAtMost } from '../lang/lru-bound.js';
import { withFields } from '../lang/with-fields.js';

/** What was last shown for one patient and service. */
export interface ShownCard {
  uuid: string;
  indicator: Indicator;
  /** NEWS2 total on that card (undefined when it carried none): a rise within one colour still shows. */
  news2Total?: number;
  /**
   * What the card was concerned with, compactly (repeat-cards.ts `concernsOf`): each NEWS2 parameter
   * that scored, with its points, coarse levels beyond them, each value to re-check and each reason.
   * Names, points, counts, codes and levels only, never a value. A new or worse concern is a rise.
   */
  concerns?: string;
  /** When it was shown (ms since the epoch): the window runs from here. */
  shownAt: number;
  /** Until when a clinician's override (with a reason) lets the same critical card stay quiet. */
  overriddenUntil?: number;
}

export interface SuppressionStore {
  get(key: string): Promise<ShownCard | undefined>;
  set(key: string, value: ShownCard, ttlMs: number): Promise<void>;
  /** A clinician overrode this card with a reason: remember it on its entry. False when the card is unknown here. */
  markOverridden(cardUuid: string, untilMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** The default store: this process only, at most `max` patients × services, each forgotten after its window. */
export function createMemorySuppressionStore(max = 100_000): SuppressionStore {
  const entries = new LRUCache<string, ShownCard>({ ttlAutopurge: false, ...entriesAtMost(max) });
  const keyOfCard = new LRUCache<string, string>(entriesAtMost(max));
  return {
    async get(key) {
      return entries.get(key);
    },
    async set(key, value, ttlMs) {
      entries.set(key, value, { ttl: ttlMs });
      keyOfCard.set(value.uuid, key, { ttl: ttlMs });
    },
    async markOverridden(cardUuid, untilMs) {
      const key = keyOfCard.get(cardUuid);
      const entry = key === undefined ? undefined : entries.get(key);
      if (key === undefined || entry === undefined || entry.uuid !== cardUuid) return false;
      const ttl = Math.max(1, untilMs - Date.now(), entries.getRemainingTTL(key));
      entries.set(key, withFields(entry, { overriddenUntil: untilMs }), { ttl });
      return true;
    },
    async close() {
      entries.clear();
      keyOfCard.clear();
    },
  };
}
