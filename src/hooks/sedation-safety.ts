// `sedation-safety` on order-select: warns when a newly selected order is an opioid, a
// benzodiazepine or another sedative and the patient's breathing puts them at risk, or cannot be
// judged from what is charted (missing, out-of-date or unverified respiratory rate, SpO2 or
// consciousness). Sedatives the patient already takes count as a risk of their own; when they could
// not be obtained, an `info` card says the check could not be made.
import type { Card } from '../cds-hooks/card-schema.js';
import { sedationCard, sedationNoVitalsCard } from '../cards/sedation-card.js';
import type { FhirResource } from '../fhir/resources.js';
import { unconfirmedNews2 } from '../fallback-rules/news2-unconfirmed.js';
import { rulesAssessment } from '../models/rules-scorer.js';
import type { RiskAssessment } from '../models/scorer.js';
import type { Gathered } from '../prefetch/gather.js';
import { SEDATION_PREFETCH } from '../prefetch/templates.js';
import { assessPatient, cardContextFor, readPatient, type PatientReading } from './assess-patient.js';
import type { CdsServiceDefinition } from './definition.js';
import { orderSelectCall, type OrderSelectCall } from '../cds-hooks/request-schema.js';
import { breathingRisk, type PrescribedSedative } from '../sedation/breathing-risk.js';
import { classifyOrder, type NameMemo, type SelectedSedative } from '../sedation/classify-order.js';

/** Each call's sedatives, found once: `wantsData` and `prepare` both need them. */
const SEDATIVES_OF = new WeakMap<OrderSelectCall, SelectedSedative[]>();

/** The orders named in `selections` that are sedatives, in the order they were selected. */
export function selectedSedatives(call: OrderSelectCall): SelectedSedative[] {
  const known = SEDATIVES_OF.get(call);
  if (known !== undefined) return known;
  const memo: NameMemo = new Map();
  const byRef = new Map<string, FhirResource>();
  for (const entry of call.context.draftOrders.entry ?? []) {
    const r = entry.resource;
    if (r?.id !== undefined) byRef.set(`${r.resourceType}/${r.id}`, r);
  }
  const out: SelectedSedative[] = [];
  for (const reference of new Set(call.context.selections)) {
    const order = byRef.get(reference);
    if (order === undefined) continue;
    // A medicationReference may name a Medication that is another entry of draftOrders.
    const match = classifyOrder(order, call.context.draftOrders.entry ?? [], memo);
    if (match !== undefined) out.push({ reference, orderName: orderName(order) ?? match.ingredient, match });
  }
  SEDATIVES_OF.set(call, out);
  return out;
}

/**
 * Sedatives among the patient's active medication orders (the `activeMedications` prefetch), apart
 * from the draft orders of this call, each ingredient once.
 */
export function alreadyPrescribed(call: OrderSelectCall, data: Gathered): PrescribedSedative[] {
  const resources = data.activeMedications?.resources ?? [];
  const drafts = new Set((call.context.draftOrders.entry ?? []).map((e) => e.resource?.id).filter((id) => id !== undefined));
  // A medicationReference may point at a Medication fetched beside the orders.
  const medications = resources.filter((r) => r.resourceType === 'Medication').map((resource) => ({ resource }));
  const out = new Map<string, PrescribedSedative>();
  const memo: NameMemo = new Map();
  for (const r of resources) {
    if (r.resourceType !== 'MedicationRequest' || (r.status !== undefined && r.status !== 'active')) continue;
    if (r.id !== undefined && drafts.has(r.id)) continue;
    const match = classifyOrder(r, medications, memo);
    if (match !== undefined && !out.has(match.ingredient)) out.set(match.ingredient, { name: orderName(r) ?? match.ingredient, match });
  }
  return [...out.values()];
}

function orderName(order: FhirResource): string | undefined {
  const concept = order.medicationCodeableConcept as { text?: string; coding?: { display?: string }[] } | undefined;
  const name = concept?.text ?? concept?.coding?.find((c) => typeof c.display === 'string')?.display;
  // Names are drug names, not patient data; still, keep them short enough for a card line.
  return typeof name === 'string' && name.trim() !== '' ? name.trim().slice(0, 120) : undefined;
}

/** An order-select call read: the sedatives chosen, those already prescribed, and the patient (when a sedative was chosen). */
export interface SedationReading {
  sedatives: SelectedSedative[];
  alreadyPrescribed: PrescribedSedative[];
  /** True when `activeMedications` was neither sent nor obtainable: sedatives already prescribed are unknown. */
  prescribedUnknown?: boolean;
  patient?: PatientReading;
}

export const sedationSafety: CdsServiceDefinition<OrderSelectCall, SedationReading> = {
  id: 'sedation-safety',
  hook: 'order-select',
  title: 'Vigil: sedative for a patient at respiratory risk',
  description:
    'Warns when a newly selected opioid, benzodiazepine or other sedative is ordered for a patient whose respiratory rate, SpO2, conscious level or NEWS2 puts them at risk of respiratory depression.',
  prefetch: SEDATION_PREFETCH,
  // Without vitals the service still answers: no card for a non-sedative, an honest card otherwise.
  requiredPrefetch: [],
  usageRequirements: 'Needs read access to vital-sign Observations and Goals of the patient in context.',
  schema: orderSelectCall,
  wantsData: (call) => selectedSedatives(call).length > 0,

  prepare(call, data, now, settings) {
    const sedatives = selectedSedatives(call);
    if (sedatives.length === 0) return { sedatives, alreadyPrescribed: [] };
    return {
      sedatives,
      alreadyPrescribed: alreadyPrescribed(call, data),
      prescribedUnknown: data.activeMedications?.source === 'missing',
      patient: readPatient(data, call.context.patientId, now, settings.staleAfterHours),
    };
  },

  async answer(call, { sedatives, alreadyPrescribed, prescribedUnknown, patient }, deps, now) {
    if (patient === undefined) return { cards: [], facts: { path: 'none', unscoredReason: 'no-sedative-selected' } };
    const picture = await assessPatient(patient, deps, call.context.patientId);
    const ctx = cardContextFor(picture, deps, now, { service: 'sedation-safety', patientId: call.context.patientId });
    const { inputs } = picture;
    // With no fresh vitals there is no assessment to show, but breathing is still judged: as unknown.
    const assessment: RiskAssessment = picture.assessment ?? rulesAssessment(inputs);
    const unconfirmed = unconfirmedNews2(inputs, assessment.news2);
    const risk = breathingRisk({
      assessment,
      inputs,
      unconfirmed,
      staleAfterHours: ctx.staleAfterHours,
      now,
      alreadyPrescribed,
      prescribedUnknown: prescribedUnknown === true,
    });
    if (picture.assessment === undefined) {
      return {
        cards: sedatives.map((s) => sedationNoVitalsCard(s, inputs, risk, ctx)),
        facts: { path: 'none', unscoredReason: 'no-vitals' },
      };
    }
    const a = picture.assessment;
    const cards: Card[] = risk.reasons.length === 0 ? [] : sedatives.map((s) => sedationCard(s, risk, a, inputs, unconfirmed, ctx));
    return { cards, facts: { path: a.path, assessment: a } };
  },
};
