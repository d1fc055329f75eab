// A newer value that could not be read must never leave an older, calmer one to speak for the patient:
// the score then rests on the older value, and the card must say so (clinical safety review,
// 2026-11-29: a full normal set 30 min ago and a newer RR 30 in an unrecognised unit gave no card;
// for morphine, a newer RR 8 gave no card).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { FhirResource } from '../../src/fhir/resources.js';
import { testApp } from '../support/app.js';
import { minutesAgo, normalSet, NOW, patient, respiratoryRate, UCUM } from '../support/fhir-examples.js';

/** A complete set scoring NEWS2 0, charted 30 min ago. */
const wellSet = (): FhirResource[] => normalSet(minutesAgo(30));

/** A respiratory rate charted 5 min ago in a unit Vigil does not recognise. */
const unreadableRr = (value: number) =>
  respiratoryRate({ value, unit: 'breaths per minute', system: UCUM, code: 'breaths per minute' }, { effectiveDateTime: minutesAgo(5) });

const bundle = (resources: FhirResource[]) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: resources.map((resource) => ({ resource })),
});

let app: FastifyInstance;
let n = 0;
beforeAll(async () => {
  app = await testApp({ clock: () => NOW }, { VIGIL_REPEAT_CARD_POLICY: 'off' });
});
afterAll(() => app.close());

async function patientView(observations: FhirResource[]) {
  const res = await app.inject({
    method: 'POST',
    url: '/cds-services/deterioration-risk',
    payload: {
      hook: 'patient-view',
      hookInstance: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
      context: { userId: 'Practitioner/1', patientId: 'example' },
      prefetch: { patient: patient('1950-01-01'), vitals: bundle(observations), consciousness: null, oxygen: null, spo2Target: null },
    },
  });
  expect(res.statusCode).toBe(200);
  return res.json().cards as { summary: string; detail: string; indicator: string; extension: Record<string, any> }[];
}

async function morphineOrdered(observations: FhirResource[]) {
  const draft = {
    resourceType: 'MedicationRequest',
    id: 'draft-1',
    status: 'draft',
    intent: 'order',
    subject: { reference: 'Patient/example' },
    medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '7052', display: 'morphine' }] },
  };
  const res = await app.inject({
    method: 'POST',
    url: '/cds-services/sedation-safety',
    payload: {
      hook: 'order-select',
      hookInstance: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
      context: {
        userId: 'Practitioner/1',
        patientId: 'example',
        selections: ['MedicationRequest/draft-1'],
        draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draft }] },
      },
      prefetch: {
        patient: patient('1950-01-01'),
        vitals: bundle(observations),
        consciousness: null,
        oxygen: null,
        spo2Target: null,
        activeMedications: null,
      },
    },
  });
  expect(res.statusCode).toBe(200);
  return res.json().cards as { summary: string; detail: string; indicator: string }[];
}

describe('a newer value that could not be read', () => {
  it('is silent for a complete, current normal set (the control)', async () => {
    expect(await patientView(wellSet())).toEqual([]);
  });

  it('makes a card that says the score rests on older values and asks for a re-check, where there was none', async () => {
    const [card, ...rest] = await patientView([...wellSet(), unreadableRr(30)]);
    expect(rest).toEqual([]);
    expect(card!.indicator).toBe('info');
    expect(card!.summary).toBe('NEWS2 0: from older values: a newer one is unreadable · re-check RR (5 min ago, unreadable)');
    expect(card!.detail).toContain(
      '**No response band yet:** NEWS2 from the values that could be read is 0, but a newer value below could not be read',
    );
    expect(card!.detail).toContain(
      '- Respiratory rate: a newer value, charted 5 min ago, could not be used (unit "breaths per minute" is not a recognised unit); NEWS2 uses the one charted 30 min ago, which may no longer hold.',
    );
    expect(card!.detail).not.toContain('Low clinical risk');
    expect(card!.extension['vigil.score'].unreadable).toEqual([
      { parameter: 'respiratoryRate', at: minutesAgo(5), scoredAt: minutesAgo(30) },
    ]);
  });

  it('does not count an unreadable value older than the one scored', async () => {
    const old = respiratoryRate(
      { value: 30, unit: 'breaths per minute', system: UCUM, code: 'breaths per minute' },
      { effectiveDateTime: minutesAgo(90) },
    );
    expect(await patientView([...wellSet(), old])).toEqual([]);
  });

  it('keeps a sedative from being ordered silently: breathing cannot be judged from the older rate', async () => {
    const [card] = await morphineOrdered([...wellSet(), unreadableRr(8)]);
    expect(card?.indicator).toBe('warning');
    expect(card?.detail).toContain('the latest respiratory rate, charted 5 min ago, could not be used');
  });

  it('says "charted but not usable", not "not charted", when every respiratory rate in the window is unusable', async () => {
    const set = wellSet().filter((o) => (o['code'] as { coding: { code: string }[] }).coding[0]!.code !== '9279-1');
    const [card] = await morphineOrdered([...set, unreadableRr(8)]);
    expect(card?.detail).toContain('respiratory rate charted but not usable in the last 12 h');
    expect(card?.detail).not.toContain('respiratory rate not charted');
  });
});
