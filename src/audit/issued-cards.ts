// The cards this service issued (uuid → service), so feedback can tell Vigil's cards from unknown
// ones. Bounded: the oldest are forgotten first, and feedback on a forgotten card is accepted and
// flagged like any unknown card. Rebuilt at start-up from the audit trail, so it survives restarts
// without a store of its own.
import type { AuditStore } from './audit-store.js';

/**
 * The record of issued cards that feedback is matched against. Kept in memory by one replica today;
 * several replicas will share one (e.g. Redis), hence the promises.
 */
export interface IssuedCardStore {
  remember(uuid: string, service: string): void | Promise<void>;
  /** The service that issued this card, or undefined when it is not (or no longer) known. */
  serviceOf(uuid: string): string | undefined | Promise<string | undefined>;
}

export class IssuedCards implements IssuedCardStore {
  private readonly max: number;
  private readonly byUuid = new Map<string, string>();

  constructor(max: number) {
    this.max = max;
  }

  remember(uuid: string, service: string): void {
    this.byUuid.delete(uuid); // re-inserting moves it to the newest end
    this.byUuid.set(uuid, service);
    if (this.byUuid.size > this.max) {
      const oldest = this.byUuid.keys().next();
      if (oldest.done !== true) this.byUuid.delete(oldest.value);
    }
  }

  /** The service that issued this card, or undefined when it is not (or no longer) known. */
  serviceOf(uuid: string): string | undefined {
    return this.byUuid.get(uuid);
  }

  get size(): number {
    return this.byUuid.size;
  }

  /** The newest `max` cards found in the audit trail. */
  static async fromAudit(store: AuditStore, max: number): Promise<IssuedCards> {
    const newestFirst: [string, string][] = [];
    outer: for await (const record of store.read({ newestFirst: true })) {
      for (const card of record.cards) {
        newestFirst.push([card.uuid, record.service]);
        if (newestFirst.length >= max) break outer;
      }
    }
    const issued = new IssuedCards(max);
    for (let i = newestFirst.length - 1; i >= 0; i -= 1) {
      const [uuid, service] = newestFirst[i]!;
      issued.remember(uuid, service);
    }
    return issued;
  }
}
