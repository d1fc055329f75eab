// The cards this service issued (uuid → service, indicator and serving model version), so feedback
// can tell Vigil's cards from unknown ones and be counted by what the card was. Bounded by count (VIGIL_ISSUED_CARDS_MAX) and by age (VIGIL_ISSUED_CARDS_MAX_AGE_HOURS:
// feedback comes minutes to hours after a card is shown): the oldest are forgotten first, and feedback
// on a forgotten card is accepted and flagged like any unknown card.
//
// Rebuilt from the audit trail after a restart, in the background: start-up does not wait for it (a
// 300,000-record day took seconds to read), so the service is ready at once; feedback that arrives
// meanwhile waits for the rebuild, which reads the trail from its newest end and stops at the bounds.
import type { IssuedCardEntry } from './audit-store.js';

/**
 * The record of issued cards that feedback is matched against. Kept in memory by one replica today;
 * several replicas will share one (e.g. Redis, with the same bounds as expiry), hence the promises.
 */
export interface IssuedCardStore {
  /** `at`: when the card was issued (default now); `labels`: what feedback metrics count it by. */
  remember(uuid: string, service: string, at?: Date, labels?: IssuedCardLabels): void | Promise<void>;
  /** The service that issued this card, or undefined when it is not (or no longer) known. */
  serviceOf(uuid: string): string | undefined | Promise<string | undefined>;
  /** All that is remembered of the card (a store that keeps only services may leave this out). */
  cardOf?(uuid: string): IssuedCard | undefined | Promise<IssuedCard | undefined>;
}

/** What feedback on a card is counted by: never patient data. */
export interface IssuedCardLabels {
  indicator?: string;
  /** The version of the model serving the call that issued it ("none" without one). */
  modelVersion?: string;
}

export interface IssuedCard extends IssuedCardLabels {
  service: string;
}

export interface IssuedCardsOptions {
  max: number;
  maxAgeMs: number;
  /** Wall clock: when a card was issued, and what "too old" means. */
  clock?: () => Date;
}

/** Where a rebuild reads from: the trail's issued cards, newest first (AuditStore.issuedCards). */
export type IssuedCardSource = (bounds: { max: number; since: Date }) => AsyncIterable<IssuedCardEntry>;

/**
 * Kinds of card one record can tell apart (service × indicator × model version: a handful each); the
 * packed number holds the kind's index below this. Seconds since 1970 times this stays below 2^53.
 */
const KIND_SLOTS = 4096;
/** Kinds with a model version stop here, so a card can always fall back to its service and indicator alone. */
const VERSIONED_KINDS = KIND_SLOTS - 256;
const atMs = (packed: number): number => Math.floor(packed / KIND_SLOTS) * 1000;
const kindKey = (card: IssuedCard): string => `${card.service}\u0000${card.indicator ?? ''}\u0000${card.modelVersion ?? ''}`;

export class IssuedCards implements IssuedCardStore {
  private readonly max: number;
  private readonly maxAgeMs: number;
  private readonly clock: () => Date;
  /**
   * uuid → one number, the issue time in seconds × KIND_SLOTS + the index of the card's kind, oldest
   * first (a Map keeps insertion order). One number rather than an object per card: 200,000 by default.
   */
  private byUuid = new Map<string, number>();
  private readonly kinds: IssuedCard[] = [];
  private readonly kindIndex = new Map<string, number>();
  private rebuilding: Promise<void> | undefined;

  constructor(options: IssuedCardsOptions) {
    this.max = options.max;
    this.maxAgeMs = options.maxAgeMs;
    this.clock = options.clock ?? (() => new Date());
  }

  remember(uuid: string, service: string, at: Date = this.clock(), labels: IssuedCardLabels = {}): void {
    this.byUuid.delete(uuid); // re-inserting moves it to the newest end
    this.byUuid.set(uuid, this.pack(at.getTime(), { service, ...labels }));
    this.trim();
  }

  /** The issuing service; while a rebuild runs, the answer waits for it. */
  serviceOf(uuid: string): string | undefined | Promise<string | undefined> {
    const card = this.cardOf(uuid);
    return card instanceof Promise ? card.then((c) => c?.service) : card?.service;
  }

  /** The card's service, indicator and model version; while a rebuild runs, the answer waits for it. */
  cardOf(uuid: string): IssuedCard | undefined | Promise<IssuedCard | undefined> {
    if (this.rebuilding !== undefined) return this.rebuilding.then(() => this.lookup(uuid));
    return this.lookup(uuid);
  }

  get size(): number {
    return this.byUuid.size;
  }

  /** Resolves when no rebuild is running. */
  whenRebuilt(): Promise<void> {
    return this.rebuilding ?? Promise.resolve();
  }

  /**
   * Starts filling this record from the trail in the background and returns at once. Cards remembered
   * meanwhile are newer than anything in the trail, so they stay the newest. A failed read is reported
   * and leaves what was remembered: feedback on older cards is then flagged unknown, never refused.
   *
   * `startAfter`: the reading begins once it settles (the server passes "listening"). Feedback that
   * asks meanwhile waits, as during the reading. A busy day's trail is seconds of parsing, in slices
   * between the start-up's own steps when begun at once: side by side, 9 interleaved starts each on a
   * 300,000-record day, ready 663 → 633 ms (median) once it waited (bench/RESULTS.md, sixteenth pass).
   */
  rebuildFrom(source: IssuedCardSource, onError: (err: unknown) => void, startAfter: Promise<unknown> = Promise.resolve()): this {
    this.rebuilding = (async () => {
      await startAfter.catch(() => undefined);
      // The age bound as of when the reading begins.
      const since = new Date(this.clock().getTime() - this.maxAgeMs);
      const newestFirst: IssuedCardEntry[] = [];
      try {
        for await (const entry of source({ max: this.max, since })) {
          newestFirst.push(entry);
          if (newestFirst.length >= this.max) break;
        }
      } catch (err) {
        onError(err);
      }
      const rebuilt = new Map<string, number>();
      for (let i = newestFirst.length - 1; i >= 0; i -= 1) {
        const { uuid, at, ...card } = newestFirst[i]!;
        const ms = Date.parse(at);
        if (Number.isFinite(ms)) rebuilt.set(uuid, this.pack(ms, card));
      }
      for (const [uuid, entry] of this.byUuid) {
        rebuilt.delete(uuid);
        rebuilt.set(uuid, entry);
      }
      this.byUuid = rebuilt;
      this.trim();
      this.rebuilding = undefined;
    })();
    return this;
  }

  private lookup(uuid: string): IssuedCard | undefined {
    const packed = this.byUuid.get(uuid);
    if (packed === undefined || this.clock().getTime() - atMs(packed) > this.maxAgeMs) return undefined;
    return this.kinds[packed % KIND_SLOTS];
  }

  /** Forgets the oldest beyond the count, and any older than the age bound. */
  private trim(): void {
    const oldestKept = this.clock().getTime() - this.maxAgeMs;
    for (const [uuid, packed] of this.byUuid) {
      if (this.byUuid.size <= this.max && atMs(packed) >= oldestKept) break;
      this.byUuid.delete(uuid);
    }
  }

  private pack(ms: number, card: IssuedCard): number {
    return Math.floor(ms / 1000) * KIND_SLOTS + this.kindOf(card);
  }

  private kindOf(card: IssuedCard): number {
    const known = this.kindIndex.get(kindKey(card));
    if (known !== undefined) return known;
    // Past the versioned kinds (hundreds of model versions in one process's life), the version is dropped.
    if (card.modelVersion !== undefined && this.kinds.length >= VERSIONED_KINDS)
      return this.kindOf({ service: card.service, ...(card.indicator !== undefined ? { indicator: card.indicator } : {}) });
    if (this.kinds.length >= KIND_SLOTS) throw new RangeError(`more than ${KIND_SLOTS} kinds of card`);
    const index = this.kinds.push({ ...card }) - 1;
    this.kindIndex.set(kindKey(card), index);
    return index;
  }
}
