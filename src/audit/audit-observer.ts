// Records every answered hook call in the audit trail and remembers its cards for feedback. The call
// waits for the record to be durable, so what a clinician was shown is on disk before they see it.
import type { CallObserver } from '../http/cds-routes.js';
import { toAuditRecord } from './audit-record.js';
import type { AuditStore } from './audit-store.js';
import type { IssuedCards } from './issued-cards.js';
import type { PatientHasher } from './patient-hash.js';

export interface AuditObserverOptions {
  store: AuditStore;
  hashPatient: PatientHasher;
  issued: IssuedCards;
  /** Told when a record could not be written (metrics); the error still reaches the route's log. */
  onWriteFailure?: () => void;
}

export function auditObserver(opts: AuditObserverOptions): CallObserver {
  return async (call) => {
    // The cards were issued whether or not the record reaches disk: feedback on them is Vigil's.
    for (const card of call.cards) opts.issued.remember(card.uuid, call.service);
    try {
      await opts.store.append(toAuditRecord(call, opts.hashPatient));
    } catch (err) {
      opts.onWriteFailure?.();
      throw err;
    }
  };
}
