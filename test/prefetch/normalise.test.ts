import { news2Severity } from '../../src/fallback-rules/news2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FhirResource } from '../../src/fhir/resources.js';
import { CLOCK_SKEW_TOLERANCE_MINUTES, normaliseInputs, observationTime, type NormaliseSources } from '../../src/prefetch/normalise.js';
import type { PatientInputs } from '../../src/domain/vital-signs.js';
import { propertyRuns } from '../support/property.js';
import {
  bloodPressurePanel,
  bodyTemperature,
  codedAirOrOxygen,
  consciousness,
  glasgowComaScale,
  heartRate,
  hoursAgo,
  inhaledOxygenConcentration,
  inhaledOxygenFlow,
  LOINC,
  minutesAgo,
  NOW,
  oxygenSaturation,
  patient,
  respiratoryRate,
  SNOMED,
  spo2Goal,
  systolicStandalone,
  UCUM,
} from '../support/fhir-examples.js';

const OPTIONS = { now: NOW, staleAfterHours: 24, severity: news2Severity };

function normalise(observations: FhirResource[], more: Partial<NormaliseSources> = {}, staleAfterHours = 24): PatientInputs {
  return normaliseInputs({ observations, goals: [], ...more }, { ...OPTIONS, staleAfterHours });
}

const at = (iso: string): Date => new Date(iso);
const reasons = (inputs: PatientInputs, vital: string): string[] => inputs.unusable.filter((u) => u.vital === vital).map((u) => u.reason);

describe('reading each NEWS2 parameter from R4-shaped Observations', () => {
  it.each([
    ['respiratoryRate', respiratoryRate(26), 26, '/min'],
    ['heartRate', heartRate(44), 44, '/min'],
    ['spo2', oxygenSaturation(95), 95, '%'],
    ['temperature', bodyTemperature(36.5), 36.5, 'Cel'],
    ['systolicBP', bloodPressurePanel(107, 60), 107, 'mm[Hg]'],
    ['systolicBP', systolicStandalone(131), 131, 'mm[Hg]'],
  ] as const)('reads %s', (vital, obs, value, unit) => {
    const inputs = normalise([obs]);
    expect(inputs.vitals[vital]).toEqual({ value, unit, at: at(obs['effectiveDateTime'] as string) });
    expect(inputs.unusable).toEqual([]);
  });

  it('reads all seven parameters of one set of observations together', () => {
    const t = minutesAgo(20);
    const inputs = normalise([
      respiratoryRate(18, { effectiveDateTime: t }),
      oxygenSaturation(96, { effectiveDateTime: t, flowLpm: 0 }),
      bloodPressurePanel(122, 78, { effectiveDateTime: t }),
      heartRate(72, { effectiveDateTime: t }),
      consciousness({ system: LOINC, code: 'LA9340-6', display: 'Alert' }, { effectiveDateTime: t }),
      bodyTemperature(36.8, { effectiveDateTime: t }),
    ]);
    expect(Object.keys(inputs.vitals).sort()).toEqual([
      'consciousness',
      'heartRate',
      'respiratoryRate',
      'spo2',
      'supplementalOxygen',
      'systolicBP',
      'temperature',
    ]);
    expect(inputs.vitals.supplementalOxygen?.value).toEqual({ onOxygen: false, flowLpm: 0 });
    expect(inputs.dataAsOf).toEqual(at(t));
    expect(inputs.stale).toEqual({});
  });

  it('ignores Observations that are not NEWS2 parameters (weight, vitals panel)', () => {
    const weight = { ...heartRate(70), code: { coding: [{ system: LOINC, code: '29463-7' }] } };
    const panel = {
      ...heartRate(70),
      code: { coding: [{ system: LOINC, code: '85353-1' }] },
      valueQuantity: undefined,
      hasMember: [{ reference: 'Observation/x' }],
    };
    const inputs = normalise([weight, panel]);
    expect(inputs.vitals).toEqual({});
    expect(inputs.unusable).toEqual([]);
  });
});

describe('several codings on one Observation', () => {
  it('counts US Core SpO2 (2708-6 and 59408-5 together) once', () => {
    const inputs = normalise([oxygenSaturation(93)]);
    expect(inputs.vitals.spo2?.value).toBe(93);
    expect(inputs.unusable).toEqual([]);
  });

  it.each([[['2708-6']], [['59408-5']]])('reads SpO2 coded only %j', (codes) => {
    expect(normalise([oxygenSaturation(94, { codes })]).vitals.spo2?.value).toBe(94);
  });

  it.each([
    [['8310-5', '8331-1']], // as the R4 example f202: body temperature and oral temperature
    [['8331-1']],
    [['8332-9']],
  ])('reads temperature coded %j', (codes) => {
    const inputs = normalise([bodyTemperature(38.2, {}, codes)]);
    expect(inputs.vitals.temperature?.value).toBe(38.2);
    expect(inputs.unusable).toEqual([]);
  });

  it('matches LOINC codes only under the LOINC system', () => {
    const local = { ...respiratoryRate(20), code: { coding: [{ system: 'http://acme.lab', code: '9279-1' }] } };
    expect(normalise([local]).vitals.respiratoryRate).toBeUndefined();
  });

  it('refuses an Observation coded as two different vitals', () => {
    const confused = {
      ...heartRate(80),
      code: {
        coding: [
          { system: LOINC, code: '8867-4' },
          { system: LOINC, code: '9279-1' },
        ],
      },
    };
    const inputs = normalise([confused]);
    expect(inputs.vitals).toEqual({});
    expect(reasons(inputs, 'heartRate')).toEqual(['coded as more than one vital sign']);
    expect(reasons(inputs, 'respiratoryRate')).toEqual(['coded as more than one vital sign']);
  });
});

describe('blood pressure: panel component or standalone systolic', () => {
  it("takes systolic from the 85354-9 panel's 8480-6 component, never the diastolic", () => {
    expect(normalise([bloodPressurePanel(95, 140)]).vitals.systolicBP?.value).toBe(95);
  });

  it.each([
    [
      'panel newer',
      bloodPressurePanel(101, 60, { effectiveDateTime: minutesAgo(10) }),
      systolicStandalone(140, { effectiveDateTime: minutesAgo(60) }),
      101,
    ],
    [
      'standalone newer',
      bloodPressurePanel(101, 60, { effectiveDateTime: minutesAgo(60) }),
      systolicStandalone(140, { effectiveDateTime: minutesAgo(10) }),
      140,
    ],
  ])('uses the newest of panel and standalone (%s)', (_label, panel, standalone, expected) => {
    expect(normalise([panel, standalone]).vitals.systolicBP?.value).toBe(expected);
    expect(normalise([standalone, panel]).vitals.systolicBP?.value).toBe(expected);
  });

  it('converts a panel charted in kPa', () => {
    const panel = bloodPressurePanel({ value: 16, unit: 'kPa', system: UCUM, code: 'kPa' }, 60);
    expect(normalise([panel]).vitals.systolicBP?.value).toBeCloseTo(120.01, 2);
  });

  it('says so when a panel has no systolic component', () => {
    const panel = bloodPressurePanel(120, 80);
    const onlyDiastolic = { ...panel, component: (panel['component'] as unknown[]).slice(1) };
    const inputs = normalise([onlyDiastolic]);
    expect(inputs.vitals.systolicBP).toBeUndefined();
    expect(reasons(inputs, 'systolicBP')).toEqual(['blood pressure panel has no systolic component']);
  });
});

describe('dataAbsentReason', () => {
  const declined = {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'asked-declined', display: 'Asked But Declined' }],
  };

  it('makes a value unusable with the reason in plain words, not a value', () => {
    const obs: FhirResource = { ...heartRate(0), valueQuantity: undefined, dataAbsentReason: declined };
    const inputs = normalise([obs]);
    expect(inputs.vitals.heartRate).toBeUndefined();
    expect(inputs.unusable).toEqual([
      { vital: 'heartRate', reason: 'heart rate: no value charted (declined by the patient)', at: at(obs['effectiveDateTime'] as string) },
    ]);
  });

  it('reads a reason code named like an object member as the code it is, not a member', () => {
    const obs: FhirResource = { ...heartRate(0), valueQuantity: undefined, dataAbsentReason: { coding: [{ code: 'constructor' }] } };
    expect(reasons(normalise([obs]), 'heartRate')).toEqual(['heart rate: no value charted (constructor)']);
  });

  it('applies to a BP panel component', () => {
    const inputs = normalise([bloodPressurePanel({ dataAbsentReason: { text: 'cuff too small' } }, 60)]);
    expect(inputs.vitals.systolicBP).toBeUndefined();
    expect(reasons(inputs, 'systolicBP')).toEqual(['systolic blood pressure: no value charted (cuff too small)']);
  });

  it('does not hide an older usable value, and is listed because it is newer', () => {
    const absent = {
      ...respiratoryRate(0, { effectiveDateTime: minutesAgo(5) }),
      valueQuantity: undefined,
      dataAbsentReason: { coding: [{ code: 'error' }] },
    };
    const inputs = normalise([absent, respiratoryRate(19, { effectiveDateTime: minutesAgo(60) })]);
    expect(inputs.vitals.respiratoryRate?.value).toBe(19);
    expect(reasons(inputs, 'respiratoryRate')).toEqual(['respiratory rate: no value charted (measurement error)']);
  });

  it('is not listed when older than the value used', () => {
    const absent = {
      ...respiratoryRate(0, { effectiveDateTime: minutesAgo(120) }),
      valueQuantity: undefined,
      dataAbsentReason: { coding: [{ code: 'error' }] },
    };
    const inputs = normalise([absent, respiratoryRate(19, { effectiveDateTime: minutesAgo(60) })]);
    expect(inputs.unusable).toEqual([]);
  });
});

describe('status', () => {
  it.each(['entered-in-error', 'cancelled', 'registered'])('ignores a newer %s value silently', (status) => {
    const inputs = normalise([
      heartRate(150, { status, effectiveDateTime: minutesAgo(5) }),
      heartRate(80, { effectiveDateTime: minutesAgo(60) }),
    ]);
    expect(inputs.vitals.heartRate?.value).toBe(80);
    expect(inputs.unusable).toEqual([]);
  });

  it.each(['final', 'amended', 'corrected'])('uses a %s value', (status) => {
    expect(normalise([heartRate(91, { status })]).vitals.heartRate?.value).toBe(91);
  });

  it.each([
    ['preliminary', 'preliminary'],
    ['unknown', 'unknown'],
    [undefined, 'missing'],
  ])('does not score a newer %s value, but keeps it with its value, time and status to be shown', (status, shownStatus) => {
    const obs = heartRate(130, { effectiveDateTime: minutesAgo(5) });
    if (status === undefined) delete obs['status'];
    else obs['status'] = status;
    const inputs = normalise([obs, heartRate(80, { effectiveDateTime: minutesAgo(60) })]);
    expect(inputs.vitals.heartRate?.value).toBe(80);
    expect(inputs.unverified.heartRate).toEqual({ value: 130, unit: '/min', at: at(minutesAgo(5)), status: shownStatus });
    expect(inputs.unusable).toEqual([]);
  });

  it('keeps an unverified value when nothing verified was charted in the window', () => {
    const inputs = normalise([respiratoryRate(28, { status: 'preliminary', effectiveDateTime: minutesAgo(5) })]);
    expect(inputs.vitals.respiratoryRate).toBeUndefined();
    expect(inputs.unverified.respiratoryRate?.value).toBe(28);
  });

  it('forgets an unverified value older than the verified value it was superseded by', () => {
    const inputs = normalise([
      heartRate(130, { status: 'preliminary', effectiveDateTime: minutesAgo(60) }),
      heartRate(80, { effectiveDateTime: minutesAgo(5) }),
    ]);
    expect(inputs.vitals.heartRate?.value).toBe(80);
    expect(inputs.unverified).toEqual({});
  });

  it('lists an unverified value whose unit cannot be read as unusable, with the unit as the reason', () => {
    const inputs = normalise([heartRate({ value: 80, unit: '??' }, { status: 'preliminary', effectiveDateTime: minutesAgo(5) })]);
    expect(inputs.unverified).toEqual({});
    expect(reasons(inputs, 'heartRate')).toEqual(['heart rate: unit "??" is not a recognised unit']);
  });

  it.each(['cancelled-ish', 'draft'])('refuses an unknown status word %s as unusable', (status) => {
    const inputs = normalise([heartRate(80, { status, effectiveDateTime: minutesAgo(5) })]);
    expect(inputs.unverified).toEqual({});
    expect(reasons(inputs, 'heartRate')).toEqual([`observation status is ${status}`]);
  });

  it('ignores an entered-in-error panel entirely (R4 example f202 is entered-in-error)', () => {
    const inputs = normalise([bodyTemperature(39, { status: 'entered-in-error' }, ['8310-5', '8331-1'])]);
    expect(inputs.vitals).toEqual({});
    expect(inputs.unusable).toEqual([]);
  });
});

describe('unknown units and implausible values', () => {
  it('refuses a value in an unknown unit and falls back to the older usable one', () => {
    const inputs = normalise([
      bodyTemperature({ value: 38.9, unit: 'deg', system: 'http://acme.lab/units', code: 'DEG' }, { effectiveDateTime: minutesAgo(5) }),
      bodyTemperature(37.1, { effectiveDateTime: minutesAgo(240) }),
    ]);
    expect(inputs.vitals.temperature?.value).toBe(37.1);
    expect(reasons(inputs, 'temperature')).toEqual(['temperature: unit "deg" is not a recognised unit']);
  });

  it('refuses a value with no unit', () => {
    const inputs = normalise([heartRate({ value: 80 })]);
    expect(inputs.vitals.heartRate).toBeUndefined();
    expect(reasons(inputs, 'heartRate')).toEqual(['heart rate: no unit given']);
  });

  it.each([
    ['respiratoryRate', respiratoryRate(95)],
    ['heartRate', heartRate(777)],
    ['spo2', oxygenSaturation(101)],
    ['temperature', bodyTemperature(3.7)],
    ['systolicBP', systolicStandalone(12)],
  ])('refuses an implausible %s without echoing it', (vital, obs) => {
    const inputs = normalise([obs]);
    expect(inputs.vitals).toEqual({});
    const [reason] = reasons(inputs, vital);
    expect(reason).toMatch(/outside plausible limits/);
    expect(reason).not.toMatch(/777|95\b|101|3\.7|12\b/);
  });

  it('converts °F temperatures: 101.3 °F is read as 38.5 °C', () => {
    const inputs = normalise([bodyTemperature({ value: 101.3, unit: '°F' })]);
    expect(inputs.vitals.temperature?.value).toBeCloseTo(38.5, 10);
    expect(inputs.vitals.temperature?.unit).toBe('Cel');
  });
});

describe('time of a value', () => {
  const base = () => {
    const obs = heartRate(75);
    delete obs['effectiveDateTime'];
    return obs;
  };

  it.each([
    ['effectiveDateTime', { effectiveDateTime: '2024-05-01T10:15:00+01:00' }, '2024-05-01T09:15:00Z'],
    ['effectivePeriod.end', { effectivePeriod: { start: '2024-05-01T09:00:00Z', end: '2024-05-01T09:30:00Z' } }, '2024-05-01T09:30:00Z'],
    ['effectivePeriod.start', { effectivePeriod: { start: '2024-05-01T09:00:00Z' } }, '2024-05-01T09:00:00Z'],
    ['effectiveInstant', { effectiveInstant: '2024-05-01T08:00:00.123Z' }, '2024-05-01T08:00:00.123Z'],
    ['issued', { issued: '2024-05-01T07:00:00Z' }, '2024-05-01T07:00:00Z'],
    ['effective before issued', { effectiveDateTime: '2024-05-01T06:00:00Z', issued: '2024-05-01T07:00:00Z' }, '2024-05-01T06:00:00Z'],
    ['minutes without seconds', { effectiveDateTime: '2024-05-01T06:00Z' }, '2024-05-01T06:00:00Z'],
    ['a negative offset with minutes', { effectiveDateTime: '2024-05-01T03:30:00-02:30' }, '2024-05-01T06:00:00Z'],
    ['an offset that crosses midnight', { effectiveDateTime: '2024-05-01T00:30:00+01:00' }, '2024-04-30T23:30:00Z'],
    ['one digit of a second', { effectiveDateTime: '2024-05-01T06:00:00.5Z' }, '2024-05-01T06:00:00.500Z'],
    ['seven digits of a second (.NET)', { effectiveDateTime: '2024-05-01T06:00:00.1234567Z' }, '2024-05-01T06:00:00.123Z'],
  ])('uses %s', (_label, fields, expected) => {
    expect(normalise([{ ...base(), ...fields }]).vitals.heartRate?.at).toEqual(at(expected));
  });

  it.each([
    ['no time at all', {}, 'no time charted'],
    ['a date only', { effectiveDateTime: '2024-05-01' }, 'charted time is a date without a time of day'],
    ['a time without a zone', { effectiveDateTime: '2024-05-01T10:00:00' }, 'charted time has no time zone'],
    ['garbage', { effectiveDateTime: 'yesterday' }, 'charted time is not a valid date and time'],
    ['an impossible date', { effectiveDateTime: '2024-02-31T10:00:00Z' }, 'charted time is not a valid date and time'],
    ['29 February of a common year', { effectiveDateTime: '2023-02-29T10:00:00Z' }, 'charted time is not a valid date and time'],
    ['hour 24', { effectiveDateTime: '2024-05-01T24:00:00Z' }, 'charted time is not a valid date and time'],
    ['second 60', { effectiveDateTime: '2024-05-01T10:00:60Z' }, 'charted time is not a valid date and time'],
    ['an offset of 24 hours', { effectiveDateTime: '2024-05-01T10:00:00+24:00' }, 'charted time is not a valid date and time'],
    ['a lower-case zone', { effectiveDateTime: '2024-05-01T10:00:00z' }, 'charted time is not a valid date and time'],
    ['a decimal point and no digits', { effectiveDateTime: '2024-05-01T10:00:00.Z' }, 'charted time is not a valid date and time'],
    ['a space before it', { effectiveDateTime: ' 2024-05-01T10:00:00Z' }, 'charted time is not a valid date and time'],
  ])('refuses a value with %s', (_label, fields, reason) => {
    const inputs = normalise([{ ...base(), ...fields }]);
    expect(inputs.vitals.heartRate).toBeUndefined();
    expect(inputs.unusable).toEqual([{ vital: 'heartRate', reason }]);
  });

  it('reads 29 February of a leap year, and of 2000, as a real day', () => {
    expect(observationTime({ effectiveDateTime: '2024-02-29T06:00:00Z' })).toEqual({ ok: true, at: at('2024-02-29T06:00:00Z') });
    expect(observationTime({ effectiveDateTime: '2000-02-29T06:00:00Z' })).toEqual({ ok: true, at: at('2000-02-29T06:00:00Z') });
    expect(observationTime({ effectiveDateTime: '2100-02-29T06:00:00Z' }).ok).toBe(false);
  });

  it(`accepts up to ${CLOCK_SKEW_TOLERANCE_MINUTES} minutes of clock skew, refuses values further in the future`, () => {
    const within = normalise([heartRate(75, { effectiveDateTime: minutesAgo(-CLOCK_SKEW_TOLERANCE_MINUTES) })]);
    expect(within.vitals.heartRate?.value).toBe(75);
    const beyond = normalise([
      heartRate(75, { effectiveDateTime: minutesAgo(-CLOCK_SKEW_TOLERANCE_MINUTES - 1) }),
      heartRate(70, { effectiveDateTime: minutesAgo(30) }),
    ]);
    expect(beyond.vitals.heartRate?.value).toBe(70);
    expect(reasons(beyond, 'heartRate')).toEqual(['charted in the future']);
  });
});

describe('newest usable value wins', () => {
  const series = [
    respiratoryRate(14, { effectiveDateTime: hoursAgo(6) }),
    respiratoryRate(27, { effectiveDateTime: hoursAgo(1) }),
    respiratoryRate(18, { effectiveDateTime: hoursAgo(3) }),
  ];

  it.each([[[0, 1, 2]], [[2, 1, 0]], [[1, 0, 2]]])('whatever the order of the bundle (%j)', (order) => {
    const inputs = normalise(order.map((i) => series[i]!));
    expect(inputs.vitals.respiratoryRate).toEqual({ value: 27, unit: '/min', at: at(hoursAgo(1)) });
  });

  it('compares instants, not strings, across time zones', () => {
    const inputs = normalise([
      heartRate(60, { effectiveDateTime: '2024-05-01T11:30:00+02:00' }), // 09:30Z
      heartRate(90, { effectiveDateTime: '2024-05-01T10:00:00Z' }),
    ]);
    expect(inputs.vitals.heartRate?.value).toBe(90);
  });

  it('breaks a tie by the later `issued` (a re-charted value)', () => {
    const t = minutesAgo(30);
    const first = heartRate(88, { id: 'b', effectiveDateTime: t, extra: { issued: minutesAgo(29) } });
    const correction = heartRate(98, { id: 'a', effectiveDateTime: t, extra: { issued: minutesAgo(10) } });
    expect(normalise([first, correction]).vitals.heartRate?.value).toBe(98);
    expect(normalise([correction, first]).vitals.heartRate?.value).toBe(98);
  });

  it('breaks a tie of time and issued by the smaller Observation id, whatever the input order', () => {
    const t = minutesAgo(30);
    const x = heartRate(112, { id: 'hr-x', effectiveDateTime: t });
    const y = heartRate(88, { id: 'hr-y', effectiveDateTime: t });
    expect(normalise([x, y]).vitals.heartRate?.value).toBe(112);
    expect(normalise([y, x]).vitals.heartRate?.value).toBe(112);
  });

  it('breaks a full tie (same id without one, e.g. contained) between values that score alike by the smaller value', () => {
    const t = minutesAgo(30);
    const x = { ...heartRate(72, { effectiveDateTime: t }), id: undefined };
    const y = { ...heartRate(60, { effectiveDateTime: t }), id: undefined };
    expect(normalise([x, y]).vitals.heartRate?.value).toBe(60);
    expect(normalise([y, x]).vitals.heartRate?.value).toBe(60);
  });

  it('takes the worse of a full tie between values that score differently (test/prefetch/same-moment.test.ts)', () => {
    const t = minutesAgo(30);
    const x = { ...heartRate(112, { effectiveDateTime: t }), id: undefined };
    const y = { ...heartRate(88, { effectiveDateTime: t }), id: undefined };
    expect(normalise([x, y]).vitals.heartRate?.value).toBe(112);
    expect(normalise([y, x]).vitals.heartRate?.value).toBe(112);
  });
});

describe('stale values', () => {
  it('puts a value older than the window in `stale`, not `vitals`', () => {
    const inputs = normalise([heartRate(72, { effectiveDateTime: hoursAgo(25) })]);
    expect(inputs.vitals.heartRate).toBeUndefined();
    expect(inputs.stale.heartRate).toEqual({ value: 72, unit: '/min', at: at(hoursAgo(25)) });
    expect(inputs.dataAsOf).toBeUndefined();
  });

  it.each([
    [24 * 60 - 1, 'vitals'],
    [24 * 60, 'vitals'],
    [24 * 60 + 1, 'stale'],
  ] as const)('a value %d minutes old with a 24 h window is in %s', (minutes, where) => {
    const inputs = normalise([heartRate(72, { effectiveDateTime: minutesAgo(minutes) })]);
    expect(inputs[where].heartRate?.value).toBe(72);
  });

  it('honours a configured window', () => {
    const obs = heartRate(72, { effectiveDateTime: hoursAgo(5) });
    expect(normalise([obs], {}, 4).stale.heartRate?.value).toBe(72);
    expect(normalise([obs], {}, 6).vitals.heartRate?.value).toBe(72);
  });

  it('keeps only the newest stale value per vital, and none when a fresh one exists', () => {
    const inputs = normalise([
      heartRate(60, { effectiveDateTime: hoursAgo(40) }),
      heartRate(65, { effectiveDateTime: hoursAgo(30) }),
      respiratoryRate(12, { effectiveDateTime: hoursAgo(30) }),
      respiratoryRate(16, { effectiveDateTime: hoursAgo(2) }),
    ]);
    expect(inputs.stale).toEqual({ heartRate: { value: 65, unit: '/min', at: at(hoursAgo(30)) } });
    expect(inputs.vitals).toEqual({ respiratoryRate: { value: 16, unit: '/min', at: at(hoursAgo(2)) } });
  });

  it('keeps, for each fresh value, the verified value charted before it (for trends)', () => {
    const inputs = normalise([
      respiratoryRate(28, { effectiveDateTime: hoursAgo(1) }),
      respiratoryRate(18, { effectiveDateTime: hoursAgo(5) }),
      respiratoryRate(16, { effectiveDateTime: hoursAgo(9) }),
      heartRate(80, { effectiveDateTime: hoursAgo(1) }),
    ]);
    expect(inputs.previous.respiratoryRate).toEqual({ value: 18, unit: '/min', at: at(hoursAgo(5)) });
    expect(inputs.previous.heartRate).toBeUndefined();
  });

  it('dates the inputs by the oldest fresh value, and keeps the newest beside it', () => {
    const inputs = normalise([
      heartRate(60, { effectiveDateTime: hoursAgo(3) }),
      respiratoryRate(16, { effectiveDateTime: hoursAgo(1) }),
      bodyTemperature(37, { effectiveDateTime: hoursAgo(30) }),
    ]);
    expect(inputs.dataAsOf).toEqual(at(hoursAgo(3)));
    expect(inputs.newestAt).toEqual(at(hoursAgo(1)));
  });

  it('lists unusable values from the window only when no value was used', () => {
    const bad = (hours: number) => heartRate({ value: 80, unit: '??' }, { effectiveDateTime: hoursAgo(hours) });
    const inputs = normalise([bad(2), bad(50)]);
    expect(inputs.unusable.map((u) => u.at)).toEqual([at(hoursAgo(2))]);
  });
});

describe('supplemental oxygen', () => {
  it.each([
    ['flow 2 L/min as a component of SpO2', oxygenSaturation(94, { flowLpm: 2 }), { onOxygen: true, flowLpm: 2 }],
    ['flow 0 L/min as a component of SpO2', oxygenSaturation(97, { flowLpm: 0 }), { onOxygen: false, flowLpm: 0 }],
    ['FiO2 40 % as a component of SpO2', oxygenSaturation(94, { fio2Percent: 40 }), { onOxygen: true, fio2Percent: 40 }],
    ['FiO2 21 % as a component of SpO2', oxygenSaturation(97, { fio2Percent: 21 }), { onOxygen: false, fio2Percent: 21 }],
    [
      'flow 6 L/min and FiO2 40 % (US Core satO2-fiO2)',
      oxygenSaturation(99, { flowLpm: 6, fio2Percent: 40 }),
      { onOxygen: true, flowLpm: 6, fio2Percent: 40 },
    ],
    ['standalone flow 3151-8', inhaledOxygenFlow(4), { onOxygen: true, flowLpm: 4 }],
    ['standalone flow 0', inhaledOxygenFlow(0), { onOxygen: false, flowLpm: 0 }],
    ['standalone concentration 3150-0 at 28 %', inhaledOxygenConcentration(28), { onOxygen: true, fio2Percent: 28 }],
    ['standalone concentration at 21 %', inhaledOxygenConcentration(21), { onOxygen: false, fio2Percent: 21 }],
    ['SNOMED 371825009 patient on oxygen (code-only)', codedAirOrOxygen('371825009'), { onOxygen: true }],
    ['SNOMED 722742002 breathing room air (code-only)', codedAirOrOxygen('722742002'), { onOxygen: false }],
  ])('reads %s', (_label, obs, expected) => {
    const inputs = normalise([obs]);
    expect(inputs.vitals.supplementalOxygen).toEqual({ value: expected, at: at(obs['effectiveDateTime'] as string) });
    expect(inputs.unusable).toEqual([]);
  });

  it('keeps the SpO2 value beside the oxygen read from its components', () => {
    const inputs = normalise([oxygenSaturation(91, { flowLpm: 2 })]);
    expect(inputs.vitals.spo2?.value).toBe(91);
    expect(inputs.vitals.supplementalOxygen?.value.onOxygen).toBe(true);
  });

  it('reads the "Air or Oxygen" Observation whose value is the SNOMED statement', () => {
    const obs = {
      ...codedAirOrOxygen('722742002'),
      code: { text: 'Air or Oxygen Observation' },
      valueCodeableConcept: { coding: [{ system: SNOMED, code: '371825009', display: 'Patient on oxygen' }] },
    };
    expect(normalise([obs]).vitals.supplementalOxygen?.value).toEqual({ onOxygen: true });
  });

  it.each([
    ['373066001', true],
    ['373067005', false],
  ])('reads "patient on oxygen" answered %s as onOxygen %s', (answer, onOxygen) => {
    const obs = { ...codedAirOrOxygen('371825009'), valueCodeableConcept: { coding: [{ system: SNOMED, code: answer }] } };
    expect(normalise([obs]).vitals.supplementalOxygen?.value.onOxygen).toBe(onOxygen);
  });

  // Review 25a N5: a flowsheet row "On room air? Y/N" mapped to 722742002 answered No was read as room air.
  it.each([
    ['valueBoolean false', true, { valueBoolean: false }],
    ['valueBoolean true', false, { valueBoolean: true }],
    ['No (373067005)', true, { valueCodeableConcept: { coding: [{ system: SNOMED, code: '373067005', display: 'No' }] } }],
    ['Yes (373066001)', false, { valueCodeableConcept: { coding: [{ system: SNOMED, code: '373066001', display: 'Yes' }] } }],
  ])('reads "breathing room air" answered %s as onOxygen %s', (_label, onOxygen, answer) => {
    const inputs = normalise([{ ...codedAirOrOxygen('722742002'), ...answer }]);
    expect(inputs.vitals.supplementalOxygen?.value).toEqual({ onOxygen });
    expect(inputs.unusable).toEqual([]);
  });

  it.each([
    ['a text', { valueString: 'N' }],
    ['another code', { valueCodeableConcept: { coding: [{ system: SNOMED, code: '260385009', display: 'Negative' }] } }],
    ['a quantity', { valueQuantity: { value: 2, unit: 'L/min', system: UCUM, code: 'L/min' } }],
  ])('does not read "breathing room air" answered with %s as room air', (_label, answer) => {
    const inputs = normalise([{ ...codedAirOrOxygen('722742002'), ...answer }]);
    expect(inputs.vitals.supplementalOxygen).toBeUndefined();
    expect(reasons(inputs, 'supplementalOxygen')).toEqual(['air or oxygen answer is not recognised']);
  });

  it('does not read a "patient on oxygen" statement marked data-absent as on oxygen', () => {
    const obs = { ...codedAirOrOxygen('371825009'), dataAbsentReason: { coding: [{ code: 'unknown' }] } };
    const inputs = normalise([obs]);
    expect(inputs.vitals.supplementalOxygen).toBeUndefined();
    expect(reasons(inputs, 'supplementalOxygen')).toEqual(['air or oxygen: no value charted (unknown)']);
  });

  it('merges flow and FiO2 charted as separate Observations at the same time', () => {
    const t = minutesAgo(15);
    const inputs = normalise([inhaledOxygenFlow(0, { effectiveDateTime: t }), inhaledOxygenConcentration(35, { effectiveDateTime: t })]);
    expect(inputs.vitals.supplementalOxygen).toEqual({ value: { onOxygen: true, flowLpm: 0, fio2Percent: 35 }, at: at(t) });
  });

  it('uses the newest oxygen evidence: taken off oxygen an hour ago means on air', () => {
    const inputs = normalise([
      oxygenSaturation(93, { flowLpm: 3, effectiveDateTime: hoursAgo(5) }),
      codedAirOrOxygen('722742002', { effectiveDateTime: hoursAgo(1) }),
    ]);
    expect(inputs.vitals.supplementalOxygen?.value).toEqual({ onOxygen: false });
  });

  it('skips an O2 component with no value (room air) without listing it as unusable', () => {
    const obs = oxygenSaturation(97);
    obs['component'] = [
      { code: { coding: [{ system: LOINC, code: '3151-8' }] }, dataAbsentReason: { coding: [{ code: 'not-applicable' }] } },
    ];
    const inputs = normalise([obs]);
    expect(inputs.vitals.supplementalOxygen).toBeUndefined();
    expect(inputs.unusable).toEqual([]);
  });

  it('refuses a flow in an unknown unit', () => {
    const obs = inhaledOxygenFlow(2);
    obs['valueQuantity'] = { value: 2, unit: 'cc' };
    const inputs = normalise([obs]);
    expect(inputs.vitals.supplementalOxygen).toBeUndefined();
    expect(reasons(inputs, 'supplementalOxygen')).toEqual(['inhaled oxygen flow: unit "cc" is not a recognised unit']);
  });
});

describe('level of consciousness', () => {
  it.each([
    ['loinc', LOINC, 'LA9340-6', 'alert'],
    ['loinc', LOINC, 'LA6560-2', 'confused'],
    ['loinc', LOINC, 'LA17108-4', 'voice'],
    ['loinc', LOINC, 'LA17107-6', 'pain'],
    ['loinc', LOINC, 'LA9343-0', 'unresponsive'],
    ['snomed', SNOMED, '248234008', 'alert'],
    ['snomed', SNOMED, '300202002', 'voice'],
    ['snomed', SNOMED, '450847001', 'pain'],
    ['snomed', SNOMED, '422768004', 'unresponsive'],
  ] as const)('reads the %s answer %s|%s as %s', (question, system, code, level) => {
    const obs = consciousness({ system, code }, { question });
    expect(normalise([obs]).vitals.consciousness).toEqual({ value: level, at: at(obs['effectiveDateTime'] as string) });
  });

  it('reads SNOMED 130987000 "Acute confusion" as confusion the record says is new', () => {
    const obs = consciousness({ system: SNOMED, code: '130987000' }, { question: 'snomed' });
    expect(normalise([obs]).vitals.consciousness).toEqual({
      value: 'confused',
      newOnset: true,
      at: at(obs['effectiveDateTime'] as string),
    });
  });

  it('reads LOINC "Confused" as confusion, without saying it is new', () => {
    const obs = consciousness({ system: LOINC, code: 'LA6560-2' });
    expect(normalise([obs]).vitals.consciousness).toEqual({ value: 'confused', at: at(obs['effectiveDateTime'] as string) });
  });

  it('accepts a SNOMED answer to the LOINC question (and vice versa)', () => {
    expect(normalise([consciousness({ system: SNOMED, code: '300202002' }, { question: 'loinc' })]).vitals.consciousness?.value).toBe(
      'voice',
    );
    expect(normalise([consciousness({ system: LOINC, code: 'LA9343-0' }, { question: 'snomed' })]).vitals.consciousness?.value).toBe(
      'unresponsive',
    );
  });

  it.each([
    [
      'an unknown answer',
      { coding: [{ system: LOINC, code: 'LA0000-0' }] },
      'level of consciousness answer is not a recognised ACVPU code',
    ],
    ['a text-only answer', { text: 'Alert' }, 'level of consciousness answer is not a recognised ACVPU code'],
    [
      'conflicting codings',
      {
        coding: [
          { system: LOINC, code: 'LA9340-6' },
          { system: SNOMED, code: '422768004' },
        ],
      },
      'level of consciousness has conflicting answers',
    ],
  ])('refuses %s', (_label, value, reason) => {
    const obs = { ...consciousness({ system: LOINC, code: 'LA9340-6' }), valueCodeableConcept: value };
    const inputs = normalise([obs]);
    expect(inputs.vitals.consciousness).toBeUndefined();
    expect(reasons(inputs, 'consciousness')).toEqual([reason]);
  });

  it('reads two codings of the same level as one answer', () => {
    const obs = {
      ...consciousness({ system: LOINC, code: 'LA6560-2' }),
      valueCodeableConcept: {
        coding: [
          { system: LOINC, code: 'LA6560-2' },
          { system: SNOMED, code: '130987000' },
        ],
      },
    };
    expect(normalise([obs]).vitals.consciousness?.value).toBe('confused');
  });
});

describe('temperature sites', () => {
  it.each([
    ['8310-5', 'body'],
    ['8331-1', 'oral'],
    ['8333-7', 'tympanic membrane'],
    ['8328-7', 'axillary'],
    ['8332-9', 'rectal'],
    ['8329-5', 'core'],
  ])('reads LOINC %s (%s temperature)', (code) => {
    expect(normalise([bodyTemperature(38.2, {}, [code])]).vitals.temperature?.value).toBe(38.2);
  });

  it.each([
    ['39106-0', 'skin temperature'],
    ['61008-9', 'body surface temperature'],
    ['75539-7', 'temporal artery temperature'],
  ])('refuses LOINC %s and says so on the card (%s)', (code, words) => {
    const inputs = normalise([bodyTemperature(35.1, {}, [code])]);
    expect(inputs.vitals.temperature).toBeUndefined();
    expect(reasons(inputs, 'temperature')).toEqual([
      `${words} is not read: NEWS2 scores a body, oral, tympanic, axillary, rectal or core temperature`,
    ]);
  });
});

describe('Glasgow Coma Scale (for qSOFA)', () => {
  it('reads a GCS total as another observation, not as a NEWS2 parameter', () => {
    const inputs = normalise([glasgowComaScale(14, { effectiveDateTime: minutesAgo(10) })]);
    expect(inputs.other.fresh.gcs).toEqual({ value: 14, unit: undefined, at: at(minutesAgo(10)) });
    expect(inputs.vitals).toEqual({});
  });

  it.each([
    [2, 'Glasgow Coma Scale total is outside 3–15'],
    [16, 'Glasgow Coma Scale total is outside 3–15'],
    [13.5, 'Glasgow Coma Scale total is not a whole number'],
  ])('refuses a GCS of %s: %s', (value, reason) => {
    const inputs = normalise([glasgowComaScale(value)]);
    expect(inputs.other.fresh.gcs).toBeUndefined();
    expect(reasons(inputs, 'gcs')).toEqual([reason]);
  });

  it('keeps an old GCS apart as stale', () => {
    const inputs = normalise([glasgowComaScale(9, { effectiveDateTime: hoursAgo(30) })]);
    expect(inputs.other.stale.gcs?.value).toBe(9);
    expect(inputs.other.fresh.gcs).toBeUndefined();
  });
});

describe('bundles, duplicates and other resources', () => {
  it('counts an Observation sent under two prefetch keys once', () => {
    const obs = consciousness({ system: LOINC, code: 'LA17108-4' }, { id: 'acvpu-1', effectiveDateTime: minutesAgo(5) });
    const bad = { ...obs, id: 'acvpu-2', valueCodeableConcept: { text: '?' } };
    const inputs = normalise([obs, bad, structuredClone(obs), structuredClone(bad)]);
    expect(inputs.vitals.consciousness?.value).toBe('voice');
    expect(inputs.unusable).toHaveLength(1);
  });

  it('keeps the newer version of a duplicated id', () => {
    const v1 = heartRate(150, { id: 'hr-1', extra: { meta: { versionId: '1', lastUpdated: minutesAgo(30) } } });
    const v2 = heartRate(95, { id: 'hr-1', status: 'amended', extra: { meta: { versionId: '2', lastUpdated: minutesAgo(20) } } });
    expect(normalise([v1, v2]).vitals.heartRate?.value).toBe(95);
    expect(normalise([v2, v1]).vitals.heartRate?.value).toBe(95);
  });

  it('ignores resources that are not Observations', () => {
    const inputs = normalise([
      patient('1950-01-01'),
      { resourceType: 'OperationOutcome', issue: [] },
      { ...heartRate(80), resourceType: 'DiagnosticReport' },
      heartRate(66),
    ]);
    expect(inputs.vitals).toEqual({ heartRate: expect.objectContaining({ value: 66 }) });
  });

  it('survives garbled resources without throwing', () => {
    const garbled = [
      { resourceType: 'Observation' },
      { resourceType: 'Observation', code: 'x', component: 'y', valueQuantity: 5 },
      { resourceType: 'Observation', code: { coding: [null, 5, { system: LOINC, code: 9279 }] } },
      { resourceType: 'Observation', code: { coding: [{ system: LOINC, code: '9279-1' }] }, status: 'final', effectiveDateTime: 5 },
      {
        resourceType: 'Observation',
        code: { coding: [{ system: LOINC, code: '85354-9' }] },
        status: 'final',
        effectiveDateTime: minutesAgo(1),
        component: [null, 'x', { code: null }],
      },
    ] as FhirResource[];
    expect(() => normalise(garbled)).not.toThrow();
  });
});

describe('patient-level inputs', () => {
  it('selects SpO2 scale 2 from an active 88–92 % target Goal', () => {
    expect(normalise([oxygenSaturation(89)], { goals: [spo2Goal(92)] }).spo2Scale).toBe(2);
    expect(normalise([oxygenSaturation(89)], { goals: [spo2Goal(92, { lifecycleStatus: 'completed' })] }).spo2Scale).toBe(1);
    expect(normalise([oxygenSaturation(89)]).spo2Scale).toBe(1);
  });

  it('gives the age at `now` from the Patient', () => {
    expect(normalise([], { patient: patient('2008-05-02') }).ageYears).toBe(15);
    expect(normalise([], { patient: patient() })).not.toHaveProperty('ageYears');
  });

  it('returns empty inputs, not nulls, when nothing was charted', () => {
    expect(normalise([])).toEqual({
      vitals: {},
      stale: {},
      unverified: {},
      previous: {},
      other: { fresh: {}, stale: {}, unverified: {} },
      unusable: [],
      spo2Scale: 1,
    });
  });
});

describe('whatever arrives', () => {
  it('never throws, and every value it returns is finite and timed (time-boxed property test)', async ({ annotate }) => {
    const quantity = fc.record(
      {
        value: fc.oneof(fc.double(), fc.integer({ min: -10, max: 400 }), fc.string()),
        unit: fc.constantFrom('/min', '%', 'Cel', '[degF]', 'mmHg', 'kPa', 'L/min', 'x', ''),
        system: fc.constantFrom(UCUM, 'urn:x'),
        code: fc.constantFrom('/min', '%', 'Cel', '[degF]', 'mm[Hg]', 'kPa', 'L/min', 'F'),
      },
      { requiredKeys: [] },
    );
    const coding = fc.record({
      system: fc.constantFrom(LOINC, SNOMED, 'urn:x'),
      code: fc.constantFrom(
        '9279-1',
        '8867-4',
        '2708-6',
        '59408-5',
        '8310-5',
        '85354-9',
        '8480-6',
        '3151-8',
        '3150-0',
        '67775-7',
        '1104441000000107',
        '371825009',
        '722742002',
        'LA9340-6',
        '248234008',
        'x',
      ),
    });
    const observation = fc.record(
      {
        resourceType: fc.constantFrom('Observation', 'Observation', 'Patient'),
        id: fc.constantFrom('a', 'b', 'c', 'd'),
        status: fc.constantFrom('final', 'amended', 'preliminary', 'entered-in-error', 'x'),
        code: fc.record({ coding: fc.array(coding, { maxLength: 3 }) }),
        effectiveDateTime: fc.oneof(
          fc.date({ min: new Date('2024-04-01'), max: new Date('2024-05-02'), noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
        ),
        valueQuantity: quantity,
        valueCodeableConcept: fc.record({ coding: fc.array(coding, { maxLength: 2 }) }),
        component: fc.array(
          fc.record({ code: fc.record({ coding: fc.array(coding, { maxLength: 2 }) }), valueQuantity: quantity }, { requiredKeys: [] }),
          { maxLength: 3 },
        ),
        dataAbsentReason: fc.anything(),
      },
      { requiredKeys: ['resourceType'] },
    );
    const ran = await propertyRuns(
      annotate,
      fc.property(fc.array(observation, { maxLength: 12 }), (observations) => {
        const inputs = normalise(observations);
        for (const reading of [...Object.values(inputs.vitals), ...Object.values(inputs.stale)]) {
          expect(reading.at.getTime()).not.toBeNaN();
          if (typeof reading.value === 'number') expect(Number.isFinite(reading.value)).toBe(true);
        }
        for (const u of inputs.unusable) expect(u.reason.length).toBeGreaterThan(0);
      }),
      { minRuns: 300, timeLimitMs: 3000, maxRuns: 3000 },
    );
    expect(ran).toBeGreaterThanOrEqual(300);
  });
});
