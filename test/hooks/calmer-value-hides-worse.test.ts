// A calmer reading must never hide a worse one charted at the same moment (clinical safety review 25a):
// N1, two unverified values at one moment, or a verified and an unverified one, showed the calmer by
// its id or dropped the worse; N3, "room air" or flow 0 timed a few minutes ahead of now hid oxygen
// charted a minute ago; N5, "breathing room air" answered No was read as room air. Each gave no card.
import { describe, expect, it } from 'vitest';
import type { FhirResource } from '../../src/fhir/resources.js';
import {
  codedAirOrOxygen,
  consciousness,
  inhaledOxygenFlow,
  LOINC,
  minutesAgo,
  normalSet,
  oxygenSaturation,
  respiratoryRate,
  SNOMED,
  spo2Goal,
} from '../support/fhir-examples.js';
import { hookApp, morphineOrdered as morphineOrderedCall, patientView as patientViewCall } from '../support/hook-calls.js';

const app = hookApp();
const patientView = (observations: FhirResource[], goals: FhirResource[] | null = null) =>
  patientViewCall(app(), observations, '1950-01-01', goals);
const morphineOrdered = (observations: FhirResource[]) => morphineOrderedCall(app(), observations);

/** A complete set scoring NEWS2 0, charted 30 min ago. */
const wellSet = (): FhirResource[] => normalSet(minutesAgo(30));

/** Charted 5 min ago, preliminary, with the id given. */
const preliminary = (id: string) => ({ effectiveDateTime: minutesAgo(5), status: 'preliminary', id });
/** Charted 5 min ago, final, with the id given. */
const final = (id: string) => ({ effectiveDateTime: minutesAgo(5), id });

const BOTH_ID_ORDERS = [
  ['the calmer one has the smaller id', 'aaa', 'zzz'],
  ['the worse one has the smaller id', 'zzz', 'aaa'],
] as const;

describe('two unverified values at one moment (N1a)', () => {
  it.each(BOTH_ID_ORDERS)('asks for the worse to be re-checked on patient-view (%s)', async (_label, calmId, worseId) => {
    const cards = await patientView([...wellSet(), respiratoryRate(16, preliminary(calmId)), respiratoryRate(30, preliminary(worseId))]);
    expect(cards.map((c) => [c.indicator, c.summary])).toEqual([
      ['warning', 'NEWS2 0: from verified values only · re-check RR 30/min (5 min ago, preliminary)'],
    ]);
    // The calmer one is not lost: it is listed, and why it was set aside.
    expect(cards[0]!.detail).toContain(
      'preliminary 16/min was charted at the same time as preliminary 30/min; the worse is shown, to be re-checked',
    );
  });

  it.each(BOTH_ID_ORDERS)('asks for ACVPU unresponsive to be re-checked, not alert (%s)', async (_label, calmId, worseId) => {
    const alert = consciousness({ system: LOINC, code: 'LA9340-6', display: 'Alert' }, preliminary(calmId));
    const unresponsive = consciousness({ system: LOINC, code: 'LA9343-0', display: 'Unresponsive' }, preliminary(worseId));
    const [card] = await patientView([...wellSet(), alert, unresponsive]);
    expect(card?.indicator).toBe('warning');
    expect(card?.summary).toBe('NEWS2 0: from verified values only · re-check Unresponsive (5 min ago, preliminary)');
  });

  it.each(BOTH_ID_ORDERS)('names RR 7, not RR 16, when morphine is ordered (%s)', async (_label, calmId, worseId) => {
    const [card] = await morphineOrdered([
      ...wellSet(),
      respiratoryRate(16, preliminary(calmId)),
      respiratoryRate(7, preliminary(worseId)),
    ]);
    expect(card?.indicator).toBe('warning');
    expect(card?.summary).toContain('respiratory rate 7/min charted 5 min ago (preliminary, not verified)');
  });
});

describe('a verified and an unverified value at one moment (N1b)', () => {
  it.each([
    ['the verified one has the smaller id', 'aaa', 'zzz'],
    ['the unverified one has the smaller id', 'zzz', 'aaa'],
  ])('asks for a worse preliminary value to be re-checked, on patient-view and for morphine (%s)', async (_label, finalId, preId) => {
    const pv = await patientView([...wellSet(), respiratoryRate(16, final(finalId)), respiratoryRate(30, preliminary(preId))]);
    expect(pv.map((c) => [c.indicator, c.summary])).toEqual([
      ['warning', 'NEWS2 0: from verified values only · re-check RR 30/min (5 min ago, preliminary)'],
    ]);
    const [card] = await morphineOrdered([...wellSet(), respiratoryRate(16, final(finalId)), respiratoryRate(7, preliminary(preId))]);
    expect(card?.indicator).toBe('warning');
    expect(card?.summary).toContain('respiratory rate 7/min charted 5 min ago (preliminary, not verified)');
  });
});

describe('oxygen evidence timed ahead of now (N3)', () => {
  /** A set charted 1 min ago on 2 L/min, and `ahead`, timed 4 min after now (within the clock tolerance). */
  const onOxygenWith = (ahead: FhirResource): FhirResource[] => [
    ...normalSet(minutesAgo(1)).filter((o) => (o['code'] as { coding: { code: string }[] }).coding[0]!.code !== '722742002'),
    inhaledOxygenFlow(2, { effectiveDateTime: minutesAgo(1) }),
    ahead,
  ];
  const roomAirAhead = () => codedAirOrOxygen('722742002', { effectiveDateTime: minutesAgo(-4) });

  it.each([
    ['"breathing room air"', roomAirAhead],
    ['flow 0 L/min', () => inhaledOxygenFlow(0, { effectiveDateTime: minutesAgo(-4) })],
  ])('scores oxygen when %s is timed 4 min ahead', async (_label, ahead) => {
    const cards = await patientView(onOxygenWith(ahead()));
    expect(cards.map((c) => [c.indicator, c.summary])).toEqual([['info', 'NEWS2 2: ward-based assessment — O2 On oxygen (2 L/min) (2)']]);
  });

  it('scores SpO2 97 % on 2 L/min on scale 2 as NEWS2 5', async () => {
    const [card] = await patientView(onOxygenWith(roomAirAhead()), [spo2Goal(92)]);
    expect(card?.indicator).toBe('warning');
    expect(card?.summary).toBe('NEWS2 5: urgent response — SpO2 97% (3), O2 On oxygen (2 L/min) (2)');
  });

  it('says morphine is ordered for a patient who needs oxygen', async () => {
    const [card] = await morphineOrdered(onOxygenWith(roomAirAhead()));
    expect(card?.indicator).toBe('warning');
    expect(card?.summary).toBe('Opioid (morphine) ordered: respiratory depression risk — needs supplemental oxygen (2 L/min)');
  });
});

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
