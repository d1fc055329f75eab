// A selected order that names its drug only by a reference to a Medication the EHR did not send: which
// drug it orders cannot be known, so neither can whether it sedates. The fourth review (2026-11-29)
// found such an order, for a patient breathing 7/min, gave no card and looked at nothing. Now the
// patient is looked at, and a card says what would matter if the drug is a sedative; for a patient
// whose breathing is judged safe there is no card (the drug may be paracetamol).
import { describe, expect, it } from 'vitest';
import type { FhirResource } from '../../src/fhir/resources.js';
import { minutesAgo, normalSet, patient, respiratoryRate } from '../support/fhir-examples.js';
import { draftOrder, hookApp, searchset, type AnsweredCard } from '../support/hook-calls.js';

const app = hookApp();

const byUnsentReference = (id: string, reference = 'Medication/med-77'): FhirResource => ({
  resourceType: 'MedicationRequest',
  id,
  status: 'draft',
  intent: 'order',
  subject: { reference: 'Patient/example' },
  medicationReference: { reference },
});

let n = 0;
async function ordered(
  drafts: FhirResource[],
  selections: string[],
  observations: FhirResource[],
  activeMedications: FhirResource[] = [],
): Promise<AnsweredCard[]> {
  const res = await app().inject({
    method: 'POST',
    url: '/cds-services/sedation-safety',
    payload: {
      hook: 'order-select',
      hookInstance: `00000000-0000-4000-8000-${String(++n).padStart(6, '0')}00aa00`,
      context: {
        userId: 'Practitioner/1',
        patientId: 'example',
        selections,
        draftOrders: { resourceType: 'Bundle', type: 'collection', entry: drafts.map((resource) => ({ resource })) },
      },
      prefetch: {
        patient: patient('1950-01-01'),
        vitals: searchset(observations),
        consciousness: null,
        oxygen: null,
        spo2Target: null,
        activeMedications: searchset(activeMedications),
      },
    },
  });
  expect(res.statusCode).toBe(200);
  return res.json().cards;
}

const slowBreathing = (rate: number) => normalSet(minutesAgo(30), [respiratoryRate(rate, { effectiveDateTime: minutesAgo(30) })]);

describe('a selected order whose drug cannot be known', () => {
  it('warns, for a patient breathing 7/min, that it matters if the drug is a sedative', async () => {
    const cards = await ordered([byUnsentReference('d-1')], ['MedicationRequest/d-1'], slowBreathing(7));
    expect(cards).toHaveLength(1);
    const [card] = cards;
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toBe('Unidentified drug: if a sedative, respiratory depression risk — respiratory rate 7/min (≤ 8)');
    expect(card!.detail).toContain('could not tell whether it is an opioid, a benzodiazepine or another sedative');
    expect(card!.detail).toContain('Check which drug this order is before it is given. If it is a sedative, consider a lower dose');
    expect(card!.extension['vigil.order']).toMatchObject({ reference: 'MedicationRequest/d-1', drugClass: 'not-identified' });
    // Nothing offers to remove an order that may be no sedative; oximetry answers the breathing.
    const suggestions = (card as unknown as { suggestions: { label: string; isRecommended?: boolean }[] }).suggestions;
    expect(suggestions.map((s) => [s.label, s.isRecommended ?? false])).toEqual([['Order continuous pulse oximetry', false]]);
  });

  it('is information for a patient at risk short of severe (10/min), and names another sedative prescribed', async () => {
    const lorazepam = { ...draftOrder('active-1', '6470', 'lorazepam'), status: 'active' };
    const [card, ...rest] = await ordered([byUnsentReference('d-1')], ['MedicationRequest/d-1'], slowBreathing(10), [lorazepam]);
    expect(rest).toEqual([]);
    expect(card!.indicator).toBe('info');
    expect(card!.summary).toMatch(
      /^Unidentified drug: if a sedative, respiratory depression risk — respiratory rate 10\/min \(≤ 11\), already prescribed: lorazepam/,
    );
    expect(card!.detail).toContain('- already prescribed: lorazepam (benzodiazepine)');
  });

  it('gives no card when breathing is judged safe, even with another sedative prescribed', async () => {
    const lorazepam = { ...draftOrder('active-1', '6470', 'lorazepam'), status: 'active' };
    expect(await ordered([byUnsentReference('d-1')], ['MedicationRequest/d-1'], normalSet(minutesAgo(30)), [lorazepam])).toEqual([]);
  });

  it('is classified by the Medication when it is sent, and an order with no drug chosen yet is not looked at', async () => {
    const midazolam = {
      resourceType: 'Medication',
      id: 'med-77',
      code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '6960', display: 'midazolam' }] },
    };
    const [card] = await ordered([byUnsentReference('d-1'), midazolam], ['MedicationRequest/d-1'], slowBreathing(7));
    expect(card!.summary).toMatch(/^Benzodiazepine \(midazolam\) ordered: respiratory depression risk/);
    const noDrugYet = { ...byUnsentReference('d-2'), medicationReference: undefined };
    expect(await ordered([noDrugYet], ['MedicationRequest/d-2'], slowBreathing(7))).toEqual([]);
  });

  it('gives the sedative its own card beside the unidentified one when both are selected', async () => {
    const morphine = draftOrder('d-2', '7052', 'morphine');
    const cards = await ordered([byUnsentReference('d-1'), morphine], ['MedicationRequest/d-2', 'MedicationRequest/d-1'], slowBreathing(7));
    expect(cards.map((c) => [c.indicator, c.summary.slice(0, 30)])).toEqual([
      ['critical', 'Opioid (morphine) ordered: res'],
      ['warning', 'Unidentified drug: if a sedati'],
    ]);
  });
});
