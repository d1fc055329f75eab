// Records every answered hook call in the audit trail, through the gate that decides what happens
// when that fails, and remembers its cards for feedback. The call waits for the record, so what a
// clinician is shown is on disk before they see it (or, under the `refuse` policy, not shown at all).
import type { CallObserver } from '../observability/answered-call.js';
import { servingModelVersion } from '../models/scorer.js';
import { toAuditRecord } from './audit-record.js';
import type { AuditGate } from './audit-gate.js';
import type { IssuedCardStore } from './issued-cards.js';

export interface AuditRecorderOptions {
  gate: Pick<AuditGate, 'record'>;
  issued: Pick<IssuedCardStore, 'remember'>;
}

/** The recorder a call must pass before it is answered: it throws (503) when the gate refuses the call. */
export function auditRecorder(opts: AuditRecorderOptions): CallObserver {
  return async (call) => {
    const written = await opts.gate.record(toAuditRecord(call));
    // The record carries the caller's token: on disk with it, the token needs no line of its own.
    if (written) call.token?.carried();
    // Only cards actually shown are Vigil's to recognise in feedback.
    const modelVersion = servingModelVersion(call.facts.assessment);
    for (const card of call.cards)
      await opts.issued.remember(card.uuid, call.service, call.at, { indicator: card.indicator, modelVersion });
  };
}
