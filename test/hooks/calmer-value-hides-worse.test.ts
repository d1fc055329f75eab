// A calmer reading must never hide a worse one (clinical safety review 25a): N5, "breathing room air"
// answered No was read as room air, and morphine for a patient on oxygen gave no card.
import { describe, expect, it } from 'vitest';
import type { FhirResource } from '../../src/fhir/resources.js';
import { codedAirOrOxygen, minutesAgo, normalSet, oxygenSaturation, SNOMED } from '../support/fhir-examples.js';
import { hookApp, morphineOrdered as morphineOrderedCall, patientView as patientViewCall } from '../support/hook-calls.js';

const app = hookApp();
const patientView = (observations: FhirResource[], goals: FhirResource[] | null = null) =>
  patientViewCall(app(), observations, '1950-01-01', goals);
const morphineOrdered = (observations: FhirResource[]) => morphineOrderedCall(app(), observations);

describe('"breathing room air" answered No (N5)', () => {
  /** A set with SpO2 95 %, its room-air statement answered as the case says. */
  const answered = (answer: Record<string, unknown>): FhirResource[] => [
    ...normalSet(minutesAgo(30), [oxygenSaturation(95, { effectiveDateTime: minutesAgo(30) })]).filter(
      (o) => (o['code'] as { coding: { code: string }[] }).coding[0]!.code !== '722742002',
    ),
    { ...codedAirOrOxygen('722742002', { effectiveDateTime: minutesAgo(30) }), ...answer },
  ];
  const answers = [
    ['false', { valueBoolean: false }],
    ['No', { valueCodeableConcept: { coding: [{ system: SNOMED, code: '373067005', display: 'No' }] } }],
  ] as const;

  it.each(answers)('scores oxygen when the answer is %s', async (_label, answer) => {
    const cards = await patientView(answered(answer));
    expect(cards.map((c) => [c.indicator, c.summary])).toEqual([['info', 'NEWS2 3: ward-based assessment — O2 On oxygen (2)']]);
  });

  it.each(answers)('says morphine is ordered for a patient who needs oxygen when the answer is %s', async (_label, answer) => {
    const [card] = await morphineOrdered(answered(answer));
    expect(card?.indicator).toBe('warning');
    expect(card?.summary).toBe('Opioid (morphine) ordered: respiratory depression risk — needs supplemental oxygen');
  });
});
