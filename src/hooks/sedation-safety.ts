// `sedation-safety` on order-select: warns when a newly selected order is an opioid, a
// benzodiazepine or another sedative and the patient's breathing or NEWS2 puts them at risk.
import type { Card } from '../cards/card-schema.js';
import { sedationCard, sedationNoVitalsCard, type SelectedSedative } from '../cards/sedation-card.js';
import type { FhirResource } from '../fhir/resources.js';
import { PATIENT_RISK_PREFETCH } from '../prefetch/templates.js';
import { assessPatient, cardContextFor } from './assess-patient.js';
import type { CdsServiceDefinition } from './definition.js';
import { orderSelectCall, type OrderSelectCall } from './request-schema.js';
import { breathingRisk } from './sedation/breathing-risk.js';
import { classifyOrder } from './sedation/classify-order.js';

/** The orders named in `selections` that are sedatives, in the order they were selected. */
export function selectedSedatives(call: OrderSelectCall): SelectedSedative[] {
  const byRef = new Map<string, FhirResource>();
  for (const entry of call.context.draftOrders.entry ?? []) {
    const r = entry.resource as FhirResource | undefined;
    if (r?.id !== undefined) byRef.set(`${r.resourceType}/${r.id}`, r);
  }
  const out: SelectedSedative[] = [];
  for (const reference of new Set(call.context.selections)) {
    const order = byRef.get(reference);
    if (order === undefined) continue;
    // A medicationReference may name a Medication that is another entry of draftOrders.
    const match = classifyOrder(order, call.context.draftOrders.entry ?? []);
    if (match !== undefined) out.push({ reference, orderName: orderName(order) ?? match.ingredient, match });
  }
  return out;
}

function orderName(order: FhirResource): string | undefined {
  const concept = order.medicationCodeableConcept as { text?: string; coding?: { display?: string }[] } | undefined;
  const name = concept?.text ?? concept?.coding?.find((c) => typeof c.display === 'string')?.display;
  // Names are drug names, not patient data; still, keep them short enough for a card line.
  return typeof name === 'string' && name.trim() !== '' ? name.trim().slice(0, 120) : undefined;
}

export const sedationSafety: CdsServiceDefinition<OrderSelectCall> = {
  id: 'sedation-safety',
  hook: 'order-select',
  title: 'Vigil: sedative for a patient at respiratory risk',
  description:
    'Warns when a newly selected opioid, benzodiazepine or other sedative is ordered for a patient whose respiratory rate, SpO2, conscious level or NEWS2 puts them at risk of respiratory depression.',
  prefetch: PATIENT_RISK_PREFETCH,
  // Without vitals the service still answers: no card for a non-sedative, an honest card otherwise.
  requiredPrefetch: [],
  usageRequirements: 'Needs read access to vital-sign Observations and Goals of the patient in context.',
  schema: orderSelectCall,
  wantsData: (call) => selectedSedatives(call).length > 0,

  async answer(call, data, deps, now) {
    const sedatives = selectedSedatives(call);
    if (sedatives.length === 0) return { cards: [], facts: { path: 'none', unscoredReason: 'no-sedative-selected' } };
    const picture = await assessPatient(data, deps, now);
    const ctx = cardContextFor(picture, deps, now);
    if (picture.assessment === undefined) {
      return {
        cards: sedatives.map((s) => sedationNoVitalsCard(s, picture.inputs, ctx)),
        facts: { path: 'none', unscoredReason: 'no-vitals' },
      };
    }
    const a = picture.assessment;
    const risk = breathingRisk(a);
    const cards: Card[] = risk.reasons.length === 0 ? [] : sedatives.map((s) => sedationCard(s, risk, a, picture.inputs, ctx));
    return { cards, facts: { path: a.path, assessment: a } };
  },
};
