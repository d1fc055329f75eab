// `sedation-safety` on order-select: warns when a newly selected order is an opioid, a
// benzodiazepine or another sedative and the patient's breathing puts them at risk, or cannot be
// judged from what is charted (missing, out-of-date or unverified respiratory rate, SpO2 or
// consciousness). Sedatives the patient already takes, or that are ordered in the same session, count
// as a risk of their own; when active orders could not be obtained, an `info` card says the check
// could not be made.
import type { Card } from '../cds-hooks/card-schema.js';
import { sedationCard, sedationNoVitalsCard, unidentifiedDrugCard } from '../cards/sedation-card.js';
import type { FhirResource } from '../fhir/resources.js';
import type { VitalName } from '../domain/vital-signs.js';
import { unconfirmedNews2 } from '../fallback-rules/news2-unconfirmed.js';
import { rulesAssessment } from '../models/rules-scorer.js';
import type { RiskAssessment } from '../models/scorer.js';
import { PATIENT_READ_ACCESS, SEDATION_PREFETCH } from '../prefetch/templates.js';
import { assessPatient, cardContextFor, readPatient, type PatientReading } from './assess-patient.js';
import type { CdsServiceDefinition } from './definition.js';
import { orderSelectCall, type OrderSelectCall } from '../cds-hooks/request-schema.js';
import {
  breathingJudgedAtRisk,
  breathingRisk,
  RECENTLY_ENDED_HOURS,
  type PrescribedSedative,
  type PrescribedUnknown,
} from '../sedation/breathing-risk.js';
import { aboutPatient, setAsideWords } from '../prefetch/patient-subject.js';
import { isPagingProblem } from '../prefetch/read-prefetch.js';
import {
  classifyOrder,
  namesItsDrug,
  namesItsDrugOnlyByUnsentReference,
  type NameMemo,
  type SelectedSedative,
} from '../sedation/classify-order.js';

/** One call's draft orders, indexed once, and the drug names matched so far (shared within the call). */
interface DraftIndex {
  byRef: Map<string, FhirResource>;
  memo: NameMemo;
  selected?: SelectedSedative[];
  unidentified?: string[];
}

/** Each call's index and sedatives, found once: `wantsData` and `prepare` both need them. */
const DRAFTS_OF = new WeakMap<OrderSelectCall, DraftIndex>();

function draftIndex(call: OrderSelectCall): DraftIndex {
  let index = DRAFTS_OF.get(call);
  if (index !== undefined) return index;
  const byRef = new Map<string, FhirResource>();
  for (const entry of call.context.draftOrders.entry ?? []) {
    const r = entry.resource;
    if (r?.id !== undefined) byRef.set(`${r.resourceType}/${r.id}`, r);
  }
  index = { byRef, memo: new Map() };
  DRAFTS_OF.set(call, index);
  return index;
}

/** `references` (in their order) that name a sedative among draftOrders. */
function sedativesAmongDrafts(call: OrderSelectCall, references: Iterable<string>): SelectedSedative[] {
  const { byRef, memo } = draftIndex(call);
  const out: SelectedSedative[] = [];
  for (const reference of references) {
    const order = byRef.get(reference);
    if (order === undefined) continue;
    // A medicationReference may name a Medication that is another entry of draftOrders.
    const match = classifyOrder(order, call.context.draftOrders.entry ?? [], memo);
    if (match !== undefined) out.push({ reference, orderName: orderName(order) ?? match.ingredient, match });
  }
  return out;
}

/** The orders named in `selections` that are sedatives, in the order they were selected. */
export function selectedSedatives(call: OrderSelectCall): SelectedSedative[] {
  const index = draftIndex(call);
  return (index.selected ??= sedativesAmongDrafts(call, new Set(call.context.selections)));
}

/**
 * The selected orders that name their drug only by a reference to a Medication that was not sent, in
 * the order they were selected: which drug they order cannot be known, so neither can whether it
 * sedates. Found by the fourth review (2026-11-29): such an order, for a patient breathing 10/min,
 * gave no card and looked at nothing.
 */
export function selectedUnidentified(call: OrderSelectCall): string[] {
  const index = draftIndex(call);
  const entries = call.context.draftOrders.entry ?? [];
  return (index.unidentified ??= [...new Set(call.context.selections)].filter((reference) => {
    const order = index.byRef.get(reference);
    return order !== undefined && namesItsDrugOnlyByUnsentReference(order, entries);
  }));
}

/**
 * Every sedative MedicationRequest among draftOrders, selected or not: ordered in the same session,
 * they are given together. Found by the clinical safety review (2026-11-29): morphine and midazolam
 * selected together, or morphine beside a lorazepam draft, gave no card, though an active lorazepam
 * order gave a warning.
 */
export function draftedSedatives(call: OrderSelectCall): SelectedSedative[] {
  const selected = selectedSedatives(call);
  const chosen = new Set(call.context.selections);
  const others: string[] = [];
  for (const entry of call.context.draftOrders.entry ?? []) {
    const r = entry.resource;
    if (r?.resourceType !== 'MedicationRequest' || r.id === undefined) continue;
    const reference = `MedicationRequest/${r.id}`;
    if (!chosen.has(reference)) others.push(reference);
  }
  // The selected orders were classified already; only the rest of the basket is read here.
  return others.length === 0 ? selected : [...selected, ...sedativesAmongDrafts(call, new Set(others))];
}

/**
 * The other sedatives ordered now beside `order` (each ingredient once), as reasons of their own; an
 * ingredient already prescribed is said once, as prescribed (a renewal drafted beside its active order).
 */
export function orderedTogether(
  order: Pick<SelectedSedative, 'reference'>,
  drafted: readonly SelectedSedative[],
  prescribed: readonly PrescribedSedative[],
): PrescribedSedative[] {
  const out = new Map<string, PrescribedSedative>();
  for (const d of drafted) {
    if (d.reference === order.reference || out.has(d.match.ingredient)) continue;
    if (prescribed.some((p) => p.match.ingredient === d.match.ingredient)) continue;
    out.set(d.match.ingredient, { name: d.orderName, match: d.match, orderedNow: true });
  }
  return [...out.values()];
}

/**
 * Order statuses that may still be given: active, and on-hold or unknown (paused, or not known to be
 * stopped: the worse assumption). Found by the clinical safety review (2026-11-29): an on-hold
 * lorazepam was not counted.
 */
const MAY_BE_GIVEN = new Set(['active', 'on-hold', 'unknown']);

/**
 * Orders that ended (completed: a one-off dose given; stopped: a patch or infusion taken off) still
 * act for hours: counted when the EHR sends them and they were written or last changed within
 * RECENTLY_ENDED_HOURS. Found by the fourth review (2026-11-29): lorazepam completed an hour ago, or a
 * fentanyl patch just stopped, gave morphine no card.
 */
const RECENTLY_ENDED = new Set(['completed', 'stopped']);

function endedWithin(order: FhirResource, sinceMs: number): boolean {
  const validity = (order['dispenseRequest'] as { validityPeriod?: { end?: unknown } } | undefined)?.validityPeriod;
  const times = [order['authoredOn'], (order['meta'] as { lastUpdated?: unknown } | undefined)?.lastUpdated, validity?.end];
  return times.some((t) => typeof t === 'string' && latestInstant(t) >= sinceMs);
}

/** The latest instant a FHIR date or dateTime can mean: a date alone ("2026-11-28") runs to its day's end. */
function latestInstant(text: string): number {
  const ms = Date.parse(text);
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? ms + 86_400_000 - 1 : ms;
}

/**
 * Sedatives among the patient's active medication orders (the `activeMedications` prefetch), apart
 * from the draft orders of this call, each ingredient once. `resources` are this patient's only
 * (patient-subject.ts): another patient's order is never named on this patient's card.
 */
/**
 * The patient's active medication orders read: the sedatives among them, and how many name their drug
 * only by a reference to a Medication that was not sent (what they order cannot be known).
 */
export function readActiveOrders(
  call: OrderSelectCall,
  resources: readonly FhirResource[],
  now: Date,
): { sedatives: PrescribedSedative[]; unidentified: number } {
  const endedSince = now.getTime() - RECENTLY_ENDED_HOURS * 3_600_000;
  // Drafts by type and id: an active order is skipped only as the very draft it is. Fourth review
  // (2026-11-29): a draft ServiceRequest with id 1001 hid an active lorazepam MedicationRequest 1001.
  const drafts = new Set<string>();
  for (const e of call.context.draftOrders.entry ?? [])
    if (e.resource?.id !== undefined) drafts.add(`${e.resource.resourceType}/${e.resource.id}`);
  // A medicationReference may point at a Medication fetched beside the orders.
  const medications = resources.filter((r) => r.resourceType === 'Medication').map((resource) => ({ resource }));
  const out = new Map<string, PrescribedSedative>();
  const memo: NameMemo = new Map();
  let unidentified = 0;
  const ended = new Map<string, PrescribedSedative>();
  for (const r of resources) {
    if (r.resourceType !== 'MedicationRequest') continue;
    const status = typeof r.status === 'string' ? r.status : undefined;
    const recentlyEnded = status !== undefined && RECENTLY_ENDED.has(status) && endedWithin(r, endedSince);
    if (status !== undefined && !MAY_BE_GIVEN.has(status) && !recentlyEnded) continue;
    if (r.id !== undefined && drafts.has(`MedicationRequest/${r.id}`)) continue;
    const match = classifyOrder(r, medications, memo);
    if (match === undefined) {
      // An order whose drug cannot be known is "not checked", active or ended within the day (a review).
      if (!namesItsDrug(r, medications)) unidentified++;
      continue;
    }
    const name = orderName(r) ?? match.ingredient;
    if (recentlyEnded) {
      if (!ended.has(match.ingredient)) ended.set(match.ingredient, { name, match, recentlyEnded: true });
    } else if (!out.has(match.ingredient)) out.set(match.ingredient, { name, match });
  }
  // An ingredient still prescribed is said once, as prescribed.
  for (const [ingredient, p] of ended) if (!out.has(ingredient)) out.set(ingredient, p);
  return { sedatives: [...out.values()], unidentified };
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
  /** Selected orders whose drug cannot be known (`selectedUnidentified`): a card only if breathing is at risk. */
  unidentified?: string[];
  /** Every sedative among the draft orders, selected or not (`orderedTogether`). */
  drafted?: SelectedSedative[];
  alreadyPrescribed: PrescribedSedative[];
  /**
   * Why sedatives already prescribed are unknown, when they are: `activeMedications` neither sent nor
   * obtainable, or some of it about another patient (set aside, so the list may not be this patient's).
   */
  prescribedUnknown?: PrescribedUnknown;
  /** Set when the vital signs were neither sent nor obtainable: not "none charted", but not seen at all. */
  vitalsNotObtained?: true;
  /**
   * Breathing values whose own search was neither sent nor obtainable: "not obtained", not "not
   * charted" (consciousness: a review, 2026-11-29; air or oxygen: the fifth pass).
   */
  notObtained?: VitalName[];
  patient?: PatientReading;
}

/** The prefetch keys that search for one breathing value of their own, and that value. */
const OWN_SEARCHES: readonly (readonly [key: string, parameter: VitalName])[] = [
  ['consciousness', 'consciousness'],
  ['oxygen', 'supplementalOxygen'],
];

function notObtainedOf(data: Readonly<Record<string, { source: string } | undefined>>): { notObtained?: VitalName[] } {
  const notObtained = OWN_SEARCHES.filter(([key]) => data[key]?.source === 'missing').map(([, parameter]) => parameter);
  return notObtained.length > 0 ? { notObtained } : {};
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
  usageRequirements: `${PATIENT_READ_ACCESS} Also MedicationRequest and the Medications they reference: without them, other sedatives are "not checked".`,
  schema: orderSelectCall,
  wantsData: (call) => selectedSedatives(call).length > 0 || selectedUnidentified(call).length > 0,

  prepare(call, data, now, settings) {
    const sedatives = selectedSedatives(call);
    const unidentified = selectedUnidentified(call);
    if (sedatives.length === 0 && unidentified.length === 0) return { sedatives, alreadyPrescribed: [] };
    const patientId = call.context.patientId;
    const medications = aboutPatient(data.activeMedications?.resources ?? [], patientId);
    const patient = readPatient(data, patientId, now, settings.staleAfterHours);
    if (medications.setAside > 0) patient.problems.push(`Active medication orders: ${setAsideWords(medications.setAside)}`);
    const active = readActiveOrders(call, medications.kept, now);
    const prescribedUnknown: PrescribedUnknown | undefined =
      data.activeMedications?.source === 'missing'
        ? 'not-obtained'
        : data.activeMedications?.problem !== undefined
          ? isPagingProblem(data.activeMedications.problem)
            ? 'more-pages'
            : 'search-error'
          : medications.setAside > 0
            ? 'another-patient'
            : active.unidentified > 0
              ? 'unidentified'
              : undefined;
    return {
      sedatives,
      ...(unidentified.length > 0 ? { unidentified } : {}),
      drafted: draftedSedatives(call),
      alreadyPrescribed: active.sedatives,
      ...(prescribedUnknown !== undefined ? { prescribedUnknown } : {}),
      ...(data.vitals?.source === 'missing' ? { vitalsNotObtained: true as const } : {}),
      ...notObtainedOf(data),
      patient,
    };
  },

  async answer(
    call,
    { sedatives, unidentified = [], drafted = [], alreadyPrescribed, prescribedUnknown, vitalsNotObtained, notObtained, patient },
    deps,
    now,
  ) {
    if (patient === undefined) return { cards: [], facts: { path: 'none', unscoredReason: 'no-sedative-selected' } };
    const picture = await assessPatient(patient, deps, call.context.patientId);
    const ctx = cardContextFor(picture, deps, now, { service: 'sedation-safety', patientId: call.context.patientId });
    const { inputs } = picture;
    // With no fresh vitals there is no assessment to show, but breathing is still judged: as unknown.
    const assessment: RiskAssessment = picture.assessment ?? rulesAssessment(inputs);
    const unconfirmed = unconfirmedNews2(inputs, assessment.news2);
    // Each order's reasons: the patient's breathing, and the other sedatives, prescribed or ordered beside it.
    const riskOf = (s: Pick<SelectedSedative, 'reference'>) =>
      breathingRisk({
        assessment,
        inputs,
        unconfirmed,
        staleAfterHours: ctx.staleAfterHours,
        now,
        alreadyPrescribed: [...alreadyPrescribed, ...orderedTogether(s, drafted, alreadyPrescribed)],
        ...(prescribedUnknown !== undefined ? { prescribedUnknown } : {}),
        ...(vitalsNotObtained === true ? { vitalsNotObtained } : {}),
        ...(notObtained !== undefined ? { notObtained } : {}),
        ...(picture.observationsMayBeIncomplete === true ? { observationsMayBeIncomplete: true as const } : {}),
      });
    if (picture.assessment === undefined) {
      return {
        cards: sedatives.map((s) => sedationNoVitalsCard(s, inputs, riskOf(s), ctx, vitalsNotObtained === true)),
        facts: { path: 'none', unscoredReason: vitalsNotObtained === true ? 'vitals-not-obtained' : 'no-vitals' },
      };
    }
    const a = picture.assessment;
    const cards: Card[] = [];
    for (const s of sedatives) {
      const risk = riskOf(s);
      if (risk.reasons.length > 0) cards.push(sedationCard(s, risk, a, inputs, unconfirmed, ctx));
    }
    // An order whose drug cannot be known speaks only when the patient's breathing is judged at risk:
    // a card on every such order whatever the patient would be noise (it may be paracetamol).
    for (const reference of unidentified) {
      const risk = riskOf({ reference });
      if (breathingJudgedAtRisk(risk)) cards.push(unidentifiedDrugCard(reference, risk, a, inputs, unconfirmed, ctx));
    }
    return { cards, facts: { path: a.path, assessment: a } };
  },
};
