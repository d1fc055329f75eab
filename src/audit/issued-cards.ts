// The cards this service issued (uuid → service), so feedback can tell Vigil's cards from unknown
// ones. Bounded by count (VIGIL_ISSUED_CARDS_MAX) and by age (VIGIL_ISSUED_CARDS_MAX_AGE_HOURS:
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
  /** `at`: when the card was issued (default now). */
  remember(uuid: string, service: string, at?: Date): void | Promise<void>;
  /** The service that issued this card, or undefined when it is not (or no longer) known. */
  serviceOf(uuid: string): string | undefined | Promise<string | undefined>;
}

export interface IssuedCardsOptions {
  max: number;
  maxAgeMs: number;
  /** Wall clock: when a card was issued, and what "too old" means. */
  clock?: () => Date;
}

/** Where a rebuild reads from: the trail's issued cards, newest first (AuditStore.issuedCards). */
export type IssuedCardSource = (bounds: { max: number; since: Date }) => AsyncIterable<IssuedCardEntry>;

/** Services one record can tell apart (Vigil hosts two); the packed number holds the index below this. */
const SERVICE_SLOTS = 64;
const atMs = (packed: number): number => Math.floor(packed / SERVICE_SLOTS) * 1000;

export class IssuedCards implements IssuedCardStore {
  private readonly max: number;
  private readonly maxAgeMs: number;
  private readonly clock: () => Date;
  /**
   * uuid → one number, the issue time in seconds × 64 + the service's index, oldest first (a Map keeps
   * insertion order). One number rather than an object per card: 200,000 cards by default.
   */
  private byUuid = new Map<string, number>();
  private readonly services: string[] = [];
  private rebuilding: Promise<void> | undefined;

  constructor(options: IssuedCardsOptions) {
    this.max = options.max;
    this.maxAgeMs = options.maxAgeMs;
    this.clock = options.clock ?? (() => new Date());
  }

  remember(uuid: string, service: string, at: Date = this.clock()): void {
    this.byUuid.delete(uuid); // re-inserting moves it to the newest end
    this.byUuid.set(uuid, this.pack(at.getTime(), service));
    this.trim();
  }

  /** The issuing service; while a rebuild runs, the answer waits for it. */
  serviceOf(uuid: string): string | undefined | Promise<string | undefined> {
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
   */
  rebuildFrom(source: IssuedCardSource, onError: (err: unknown) => void): this {
    const since = new Date(this.clock().getTime() - this.maxAgeMs);
    this.rebuilding = (async () => {
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
        const { uuid, service, at } = newestFirst[i]!;
        const ms = Date.parse(at);
        if (Number.isFinite(ms)) rebuilt.set(uuid, this.pack(ms, service));
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

  private lookup(uuid: string): string | undefined {
    const packed = this.byUuid.get(uuid);
    if (packed === undefined || this.clock().getTime() - atMs(packed) > this.maxAgeMs) return undefined;
    return this.services[packed % SERVICE_SLOTS];
  }

  /** Forgets the oldest beyond the count, and any older than the age bound. */
  private trim(): void {
    const oldestKept = this.clock().getTime() - this.maxAgeMs;
    for (const [uuid, packed] of this.byUuid) {
      if (this.byUuid.size <= this.max && atMs(packed) >= oldestKept) break;
      this.byUuid.delete(uuid);
    }
  }

  private pack(ms: number, service: string): number {
    let index = this.services.indexOf(service);
    if (index < 0) {
      if (this.services.length >= SERVICE_SLOTS) throw new RangeError(`more than ${SERVICE_SLOTS} services`);
      index = this.services.push(service) - 1;
    }
    return Math.floor(ms / 1000) * SERVICE_SLOTS + index;
  }
}
