// Two values of one vital charted at the same moment that disagree: the worse is scored and the other
// is shown as set aside, whatever their ids (clinical safety review, 2026-11-29: HR 140 with id "zzz"
// and HR 80 with id "aaa" at one moment gave no card; with the ids swapped, a warning).
import { describe, expect, it } from 'vitest';
import { normaliseInputs } from '../../src/prefetch/normalise.js';
import { unconfirmedNews2 } from '../../src/fallback-rules/news2-unconfirmed.js';
import { news2Severity, scoreNews2 } from '../../src/fallback-rules/news2.js';
import type { FhirResource } from '../../src/fhir/resources.js';
import {
  codedAirOrOxygen,
  consciousness,
  heartRate,
  inhaledOxygenConcentration,
  inhaledOxygenFlow,
  LOINC,
  minutesAgo,
  normalSet,
  NOW,
  oxygenSaturation,
  respiratoryRate,
  spo2Goal,
} from '../support/fhir-examples.js';

const at = { effectiveDateTime: minutesAgo(10) };

/** A complete set scoring NEWS2 0 except for the observations given instead. */
const setWith = (...extra: FhirResource[]): FhirResource[] => normalSet(at.effectiveDateTime, extra);

const inputsOf = (observations: FhirResource[], goals: FhirResource[] = []) =>
  normaliseInputs({ observations, goals }, { now: NOW, staleAfterHours: 12, severity: news2Severity });

describe('values of one vital charted at the same moment', () => {
  it.each([
    ['the calmer one has the smaller id', 'aaa', 'zzz'],
    ['the worse one has the smaller id', 'zzz', 'aaa'],
  ])('scores the worse when they score differently (%s)', (_label, calmId, worseId) => {
    const inputs = inputsOf(setWith(heartRate(80, { ...at, id: calmId }), heartRate(140, { ...at, id: worseId })));
    expect(inputs.vitals.heartRate?.value).toBe(140);
    expect(scoreNews2(inputs).anySingleThree).toBe(true);
    expect(inputs.unusable).toEqual([
      {
        vital: 'heartRate',
        reason: '80/min was charted at the same time as 140/min; the worse is used',
        at: new Date(at.effectiveDateTime),
        conflict: true,
      },
    ]);
  });

  it('takes the lower respiratory rate when it is the one that scores (RR 7 and RR 16)', () => {
    const inputs = inputsOf(setWith(respiratoryRate(16, { ...at, id: 'a' }), respiratoryRate(7, { ...at, id: 'b' })));
    expect(inputs.vitals.respiratoryRate?.value).toBe(7);
  });

  it('takes the worse level of consciousness', () => {
    const voice = consciousness({ system: LOINC, code: 'LA17108-4', display: 'Verbal' }, { ...at, id: 'b' });
    const alert = consciousness({ system: LOINC, code: 'LA9340-6', display: 'Alert' }, { ...at, id: 'a' });
    const inputs = inputsOf([...setWith(alert), voice]);
    expect(inputs.vitals.consciousness?.value).toBe('voice');
  });

  it('scores SpO2 on scale 2 as if on oxygen to choose: 97 % (3 points on oxygen) over 90 % (0)', () => {
    const inputs = inputsOf(setWith(oxygenSaturation(90, { ...at, id: 'a' }), oxygenSaturation(97, { ...at, id: 'b' })), [spo2Goal(92)]);
    expect(inputs.vitals.spo2?.value).toBe(97);
  });

  it.each([
    ['flow 0 and 2 L/min', inhaledOxygenFlow(0, { ...at, id: 'a' }), inhaledOxygenFlow(2, { ...at, id: 'b' }), { flowLpm: 2 }],
    ['flow 2 and 0 L/min', inhaledOxygenFlow(2, { ...at, id: 'a' }), inhaledOxygenFlow(0, { ...at, id: 'b' }), { flowLpm: 2 }],
    [
      'FiO2 21 and 40 %',
      inhaledOxygenConcentration(21, { ...at, id: 'a' }),
      inhaledOxygenConcentration(40, { ...at, id: 'b' }),
      { fio2Percent: 40 },
    ],
    [
      'FiO2 40 and 21 %',
      inhaledOxygenConcentration(40, { ...at, id: 'a' }),
      inhaledOxygenConcentration(21, { ...at, id: 'b' }),
      { fio2Percent: 40 },
    ],
  ])('reads oxygen evidence that disagrees at one moment as on oxygen, whatever the ids (%s)', (_label, first, second, want) => {
    // Without the set's coded "room air", the two readings are all the oxygen evidence there is.
    const set = setWith(first, second).filter((o) => (o['code'] as { coding: { code: string }[] }).coding[0]!.code !== '722742002');
    const inputs = inputsOf(set, [spo2Goal(92, { low: 88 })]);
    expect(inputs.vitals.supplementalOxygen?.value).toEqual({ onOxygen: true, ...want });
    // SpO2 97 % on oxygen on scale 2 scores 3, and oxygen 2: NEWS2 5, not 0.
    expect(scoreNews2(inputs).total).toBe(5);
  });

  it('treats a value timed ahead of now (within the clock tolerance) as one moment with one charted just before', () => {
    const inputs = inputsOf(
      setWith(respiratoryRate(7, { effectiveDateTime: minutesAgo(2) }), respiratoryRate(16, { effectiveDateTime: minutesAgo(-4) })),
    );
    expect(inputs.vitals.respiratoryRate?.value).toBe(7);
    expect(inputs.unusable.map((u) => u.reason)).toEqual([
      '16/min was charted within the clock tolerance of 7/min (one of them timed ahead of now); the worse is used',
    ]);
    // Beyond the tolerance before now, the newer value stands as usual.
    const later = inputsOf(
      setWith(respiratoryRate(7, { effectiveDateTime: minutesAgo(8) }), respiratoryRate(16, { effectiveDateTime: minutesAgo(-4) })),
    );
    expect(later.vitals.respiratoryRate?.value).toBe(16);
  });

  it('keeps the usual order, and says nothing, when the values score the same (HR 80 and 82)', () => {
    const inputs = inputsOf(setWith(heartRate(82, { ...at, id: 'b' }), heartRate(80, { ...at, id: 'a' })));
    expect(inputs.vitals.heartRate?.value).toBe(80);
    expect(inputs.unusable).toEqual([]);
  });

  it('does not ask for a re-check of the value set aside: it was read, and the worse one is scored', () => {
    const inputs = inputsOf(setWith(heartRate(80, { ...at, id: 'a' }), heartRate(140, { ...at, id: 'b' })));
    expect(unconfirmedNews2(inputs, scoreNews2(inputs)).unreadable).toEqual([]);
  });
});

/** A preliminary value's options: charted 5 min ago, after the set, with the id given. */
const preliminary = (id: string) => ({ effectiveDateTime: minutesAgo(5), status: 'preliminary', id });

describe('unverified values of one vital charted at the same moment (review 25a, N1)', () => {
  it.each([
    ['the calmer one has the smaller id', 'aaa', 'zzz'],
    ['the worse one has the smaller id', 'zzz', 'aaa'],
  ])('shows the worse of two preliminary values, and lists the other as set aside (%s)', (_label, calmId, worseId) => {
    const inputs = inputsOf([...setWith(), respiratoryRate(16, preliminary(calmId)), respiratoryRate(30, preliminary(worseId))]);
    expect(inputs.vitals.respiratoryRate?.value).toBe(16);
    expect(inputs.unverified.respiratoryRate).toMatchObject({ value: 30, status: 'preliminary' });
    expect(inputs.unusable).toEqual([
      {
        vital: 'respiratoryRate',
        reason: 'preliminary 16/min was charted at the same time as preliminary 30/min; the worse is shown, to be re-checked',
        at: new Date(minutesAgo(5)),
        conflict: true,
      },
    ]);
    expect(unconfirmedNews2(inputs, scoreNews2(inputs)).alarming.map((v) => v.reading.value)).toEqual([30]);
  });

  it.each([
    ['the calmer one has the smaller id', 'aaa', 'zzz'],
    ['the worse one has the smaller id', 'zzz', 'aaa'],
  ])('shows the worse of two preliminary levels of consciousness (%s)', (_label, calmId, worseId) => {
    const alert = consciousness({ system: LOINC, code: 'LA9340-6', display: 'Alert' }, preliminary(calmId));
    const unresponsive = consciousness({ system: LOINC, code: 'LA9343-0', display: 'Unresponsive' }, preliminary(worseId));
    expect(inputsOf([...setWith(), alert, unresponsive]).unverified.consciousness?.value).toBe('unresponsive');
  });

  it.each([
    ['the calmer one has the smaller id', 'aaa', 'zzz'],
    ['the worse one has the smaller id', 'zzz', 'aaa'],
  ])('shows the worse of two preliminary SpO2 values when no verified SpO2 is in the window (%s)', (_label, calmId, worseId) => {
    const set = setWith().filter((o) => (o['code'] as { coding: { code: string }[] }).coding[0]!.code !== '2708-6');
    const inputs = inputsOf([...set, oxygenSaturation(97, preliminary(calmId)), oxygenSaturation(84, preliminary(worseId))]);
    expect(inputs.unverified.spo2?.value).toBe(84);
  });

  it.each([
    ['the verified one has the smaller id', 'aaa', 'zzz'],
    ['the unverified one has the smaller id', 'zzz', 'aaa'],
  ])('shows a preliminary value charted at the same moment as the scored one when it would score worse (%s)', (_l, finalId, preId) => {
    const at5 = { effectiveDateTime: minutesAgo(5) };
    const high = inputsOf([...setWith(), respiratoryRate(16, { ...at5, id: finalId }), respiratoryRate(30, preliminary(preId))]);
    expect(high.vitals.respiratoryRate?.value).toBe(16);
    expect(high.unverified.respiratoryRate).toMatchObject({ value: 30, status: 'preliminary', at: new Date(minutesAgo(5)) });
    const low = inputsOf([...setWith(), respiratoryRate(16, { ...at5, id: finalId }), respiratoryRate(7, preliminary(preId))]);
    expect(low.unverified.respiratoryRate?.value).toBe(7);
    expect(unconfirmedNews2(low, scoreNews2(low)).alarming.map((v) => v.reading.value)).toEqual([7]);
  });

  it('says nothing of a preliminary value at the scored moment that scores no worse (RR 16 final, RR 18 preliminary)', () => {
    const at5 = { effectiveDateTime: minutesAgo(5) };
    const inputs = inputsOf([...setWith(), respiratoryRate(16, { ...at5, id: 'a' }), respiratoryRate(18, preliminary('b'))]);
    expect(inputs.unverified.respiratoryRate).toBeUndefined();
    expect(inputs.unusable).toEqual([]);
  });

  it('shows a worse preliminary value charted within the clock tolerance of a scored value timed ahead of now', () => {
    const inputs = inputsOf([
      ...setWith(respiratoryRate(16, { effectiveDateTime: minutesAgo(-4) })),
      respiratoryRate(7, { effectiveDateTime: minutesAgo(2), status: 'preliminary' }),
    ]);
    expect(inputs.vitals.respiratoryRate?.value).toBe(16);
    expect(inputs.unverified.respiratoryRate?.value).toBe(7);
  });
});

describe('oxygen evidence timed ahead of now (review 25a, N3)', () => {
  /** The set without its room-air statement: oxygen is what each test charts. */
  const setWithoutOxygen = (at: string) =>
    normalSet(at).filter((o) => (o['code'] as { coding: { code: string }[] }).coding[0]!.code !== '722742002');

  it.each([
    ['"breathing room air"', codedAirOrOxygen('722742002', { effectiveDateTime: minutesAgo(-4) }), 'Breathing room air'],
    ['flow 0 L/min', inhaledOxygenFlow(0, { effectiveDateTime: minutesAgo(-4) }), 'O2 flow 0 L/min'],
  ])('does not let %s timed 4 min ahead hide 2 L/min charted 1 min ago: one moment, on oxygen wins', (_label, ahead, words) => {
    const inputs = inputsOf([...setWithoutOxygen(minutesAgo(1)), inhaledOxygenFlow(2, { effectiveDateTime: minutesAgo(1) }), ahead]);
    expect(inputs.vitals.supplementalOxygen?.value).toMatchObject({ onOxygen: true, flowLpm: 2 });
    expect(inputs.unusable).toEqual([
      {
        vital: 'supplementalOxygen',
        reason: `${words} was charted within the clock tolerance of O2 flow 2 L/min (one of them timed ahead of now); on oxygen is used`,
        at: new Date(minutesAgo(-4)),
        conflict: true,
      },
    ]);
  });

  it('scores SpO2 97 % on scale 2 as on oxygen when room air is timed ahead of now (NEWS2 5, not 0)', () => {
    const inputs = inputsOf(
      [
        ...setWithoutOxygen(minutesAgo(1)),
        inhaledOxygenFlow(2, { effectiveDateTime: minutesAgo(1) }),
        codedAirOrOxygen('722742002', { effectiveDateTime: minutesAgo(-4) }),
      ],
      [spo2Goal(92)],
    );
    expect(scoreNews2(inputs).total).toBe(5);
  });

  it('lets room air timed ahead of now stand over oxygen charted before the clock tolerance', () => {
    const inputs = inputsOf([
      ...setWithoutOxygen(minutesAgo(1)),
      inhaledOxygenFlow(2, { effectiveDateTime: minutesAgo(8) }),
      codedAirOrOxygen('722742002', { effectiveDateTime: minutesAgo(-4) }),
    ]);
    expect(inputs.vitals.supplementalOxygen?.value).toEqual({ onOxygen: false });
    expect(inputs.unusable).toEqual([]);
  });

  it('lists room air charted at the same time as oxygen as set aside (H25: the disagreement is seen)', () => {
    const inputs = inputsOf([
      ...setWithoutOxygen(minutesAgo(1)),
      inhaledOxygenFlow(2, { effectiveDateTime: minutesAgo(1), id: 'b' }),
      codedAirOrOxygen('722742002', { effectiveDateTime: minutesAgo(1), id: 'a' }),
    ]);
    expect(inputs.vitals.supplementalOxygen?.value).toEqual({ onOxygen: true, flowLpm: 2 });
    expect(inputs.unusable.map((u) => u.reason)).toEqual([
      'Breathing room air was charted at the same time as O2 flow 2 L/min; on oxygen is used',
    ]);
  });
});
