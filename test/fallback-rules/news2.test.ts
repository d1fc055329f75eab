import { describe, expect, it } from 'vitest';
import { roundHalfUp } from '../../src/domain/rounding.js';
import { news2Risk, pointsFor, scoreNews2 } from '../../src/fallback-rules/news2.js';
import type { Consciousness, NumericVital, VitalName } from '../../src/domain/vital-signs.js';
import { CHARTED_AT, patientInputs, WELL, type Vitals } from '../support/patient-inputs.js';

function subscoreOf(vitals: Vitals, parameter: VitalName, spo2Scale: 1 | 2 = 1) {
  return scoreNews2(patientInputs(vitals, { spo2Scale })).subscores.find((s) => s.parameter === parameter);
}

// Written out by hand from RCP NEWS2 (2017) chart 1, not derived from news2-chart.ts, so a wrong band
// in the data fails here. Each row is one side of one boundary.
type Oxygen = 'on air' | 'on oxygen';
type BoundaryRow = [parameter: NumericVital, value: number, spo2Scale: 1 | 2, oxygen: Oxygen, points: number];
const rows = (parameter: NumericVital, pairs: [number, number][], spo2Scale: 1 | 2 = 1, oxygen: Oxygen = 'on air'): BoundaryRow[] =>
  pairs.map(([value, points]) => [parameter, value, spo2Scale, oxygen, points]);

const BOUNDARIES: BoundaryRow[] = [
  // ≤8: 3 · 9–11: 1 · 12–20: 0 · 21–24: 2 · ≥25: 3
  ...rows('respiratoryRate', [
    [0, 3],
    [8, 3],
    [9, 1],
    [11, 1],
    [12, 0],
    [20, 0],
    [21, 2],
    [24, 2],
    [25, 3],
    [60, 3],
  ]),
  // Scale 1: ≤91: 3 · 92–93: 2 · 94–95: 1 · ≥96: 0, whether on air or oxygen
  ...rows(
    'spo2',
    [
      [70, 3],
      [91, 3],
      [92, 2],
      [93, 2],
      [94, 1],
      [95, 1],
      [96, 0],
      [100, 0],
    ],
    1,
    'on air',
  ),
  ...rows(
    'spo2',
    [
      [91, 3],
      [92, 2],
      [93, 2],
      [94, 1],
      [95, 1],
      [96, 0],
      [100, 0],
    ],
    1,
    'on oxygen',
  ),
  // Scale 2 on air: ≤83: 3 · 84–85: 2 · 86–87: 1 · 88–92: 0 · ≥93 on air: 0
  ...rows(
    'spo2',
    [
      [83, 3],
      [84, 2],
      [85, 2],
      [86, 1],
      [87, 1],
      [88, 0],
      [92, 0],
      [93, 0],
      [97, 0],
      [100, 0],
    ],
    2,
    'on air',
  ),
  // Scale 2 on oxygen: … 88–92: 0 · 93–94: 1 · 95–96: 2 · ≥97: 3
  ...rows(
    'spo2',
    [
      [83, 3],
      [84, 2],
      [85, 2],
      [86, 1],
      [87, 1],
      [88, 0],
      [92, 0],
      [93, 1],
      [94, 1],
      [95, 2],
      [96, 2],
      [97, 3],
      [100, 3],
    ],
    2,
    'on oxygen',
  ),
  // ≤90: 3 · 91–100: 2 · 101–110: 1 · 111–219: 0 · ≥220: 3
  ...rows('systolicBP', [
    [60, 3],
    [90, 3],
    [91, 2],
    [100, 2],
    [101, 1],
    [110, 1],
    [111, 0],
    [219, 0],
    [220, 3],
    [260, 3],
  ]),
  // ≤40: 3 · 41–50: 1 · 51–90: 0 · 91–110: 1 · 111–130: 2 · ≥131: 3
  ...rows('heartRate', [
    [30, 3],
    [40, 3],
    [41, 1],
    [50, 1],
    [51, 0],
    [90, 0],
    [91, 1],
    [110, 1],
    [111, 2],
    [130, 2],
    [131, 3],
    [200, 3],
  ]),
  // ≤35.0: 3 · 35.1–36.0: 1 · 36.1–38.0: 0 · 38.1–39.0: 1 · ≥39.1: 2
  ...rows('temperature', [
    [33.0, 3],
    [35.0, 3],
    [35.1, 1],
    [36.0, 1],
    [36.1, 0],
    [38.0, 0],
    [38.1, 1],
    [39.0, 1],
    [39.1, 2],
    [41.5, 2],
  ]),
];

describe('NEWS2 band boundaries (RCP chart 1)', () => {
  it.each(BOUNDARIES)('scores %s %s on SpO2 scale %i %s as %i points', (parameter, value, spo2Scale, oxygen, points) => {
    const vitals: Vitals = { [parameter]: value, onOxygen: oxygen === 'on oxygen' };
    const scored = subscoreOf(vitals, parameter, spo2Scale);
    expect(scored).toMatchObject({ parameter, value, points });
    // The helper agrees with the scorer.
    expect(pointsFor(parameter, value, { spo2Scale, onOxygen: vitals.onOxygen }).points).toBe(points);
  });

  it.each([
    [true, 2],
    [false, 0],
  ])('scores supplemental oxygen %s as %i points', (onOxygen, points) => {
    expect(subscoreOf({ onOxygen }, 'supplementalOxygen')).toMatchObject({ value: onOxygen, points });
  });

  it.each<[Consciousness, number]>([
    ['alert', 0],
    ['confused', 3],
    ['voice', 3],
    ['pain', 3],
    ['unresponsive', 3],
  ])('scores consciousness %s as %i points', (consciousness, points) => {
    expect(subscoreOf({ consciousness }, 'consciousness')).toMatchObject({ value: consciousness, points });
  });
});

describe('NEWS2 rounding before banding (half up)', () => {
  const fahrenheit = (f: number) => ((f - 32) * 5) / 9;

  it.each<[NumericVital, number, number, number]>([
    ['temperature', fahrenheit(101.3), 38.5, 1],
    ['temperature', 38.50000000000001, 38.5, 1],
    ['temperature', 35.04, 35.0, 3],
    ['temperature', 35.05, 35.1, 1],
    ['temperature', 36.04, 36.0, 1],
    ['temperature', 36.05, 36.1, 0],
    ['temperature', 38.04, 38.0, 0],
    ['temperature', 38.05, 38.1, 1],
    ['temperature', 38.45, 38.5, 1],
    ['temperature', fahrenheit(101.21), 38.5, 1],
    ['temperature', fahrenheit(94.91), 35.0, 3],
    ['temperature', fahrenheit(96.71), 36.0, 1],
    ['temperature', 39.04, 39.0, 1],
    ['temperature', 39.05, 39.1, 2],
    ['spo2', 91.4, 91, 3],
    ['spo2', 91.5, 92, 2],
    ['spo2', 95.5, 96, 0],
    ['respiratoryRate', 8.49, 8, 3],
    ['respiratoryRate', 8.5, 9, 1],
    ['respiratoryRate', 20.5, 21, 2],
    ['systolicBP', 90.5, 91, 2],
    ['systolicBP', 219.5, 220, 3],
    ['heartRate', 40.5, 41, 1],
    ['heartRate', 130.5, 131, 3],
  ])('scores %s %s as the rounded %s, %i points', (parameter, raw, rounded, points) => {
    expect(subscoreOf({ [parameter]: raw }, parameter)).toMatchObject({ value: rounded, points });
  });

  it.each([
    [38.45, 1, 38.5],
    [38.44999, 1, 38.4],
    [38.449999999999996, 1, 38.5],
    [32.449999999999996, 1, 32.5],
    [91.5, 0, 92],
    [91.49, 0, 91],
    [-2.5, 0, -3],
    [0, 1, 0],
    [-0, 1, -0],
    [96, 0, 96],
    [-7, 2, -7],
    [99999999999, 3, 99999999999],
    [123456789012345, 0, 123456789012000],
  ])('rounds %s to %i places as %s', (value, decimals, expected) => {
    expect(roundHalfUp(value, decimals)).toBe(expected);
  });
});

/** The RCP chart's rows, top to bottom: the order subscores and missing parameters are listed in. */
const CHART_ORDER = ['respiratoryRate', 'spo2', 'supplementalOxygen', 'systolicBP', 'heartRate', 'consciousness', 'temperature'];

describe('NEWS2 with missing parameters', () => {
  it('scores a well patient 0 with nothing missing', () => {
    const result = scoreNews2(patientInputs(WELL));
    expect(result).toMatchObject({ total: 0, partial: false, missing: [], risk: 'none', anySingleThree: false });
    expect(result.subscores.map((s) => s.parameter)).toEqual(CHART_ORDER);
  });

  it('lists every parameter as missing when nothing is charted, and scores no points', () => {
    const result = scoreNews2(patientInputs({}));
    expect(result).toMatchObject({ total: 0, partial: true, subscores: [], risk: 'none' });
    expect(result.missing).toEqual(CHART_ORDER);
  });

  it('reports a missing temperature and sums the rest as a floor', () => {
    const { temperature: _omitted, ...rest } = WELL;
    const result = scoreNews2(patientInputs({ ...rest, respiratoryRate: 22, heartRate: 115 }));
    expect(result).toMatchObject({ total: 4, partial: true, missing: ['temperature'], risk: 'low' });
  });

  it('treats a non-finite value as missing, never as normal', () => {
    const result = scoreNews2(patientInputs({ ...WELL, heartRate: Number.NaN, systolicBP: Infinity }));
    expect(result.missing).toEqual(['systolicBP', 'heartRate']);
    expect(result.subscores.some((s) => s.parameter === 'heartRate')).toBe(false);
    expect(result.partial).toBe(true);
  });

  it('ignores stale values: a stale respiratory rate of 30 is missing, not scored', () => {
    const { respiratoryRate: _omitted, ...rest } = WELL;
    const result = scoreNews2(patientInputs(rest, { stale: { respiratoryRate: 30 } }));
    expect(result).toMatchObject({ total: 0, partial: true, missing: ['respiratoryRate'] });
  });

  it.each([
    [97, 3, 0],
    [95, 2, 0],
    [93, 1, 0],
  ])(
    'scores scale 2 SpO2 of %i with oxygen not charted as on oxygen (%i, the worse case), says so, and lists oxygen missing',
    (value, points, onAir) => {
      const { onOxygen: _omitted, ...rest } = WELL;
      const result = scoreNews2(patientInputs({ ...rest, spo2: value }, { spo2Scale: 2 }));
      const spo2 = result.subscores.find((s) => s.parameter === 'spo2');
      expect(spo2).toMatchObject({ value, points });
      expect(spo2?.note).toBe(`oxygen status not charted: SpO2 on scale 2 scored as on oxygen, the worse case (${onAir} on air)`);
      expect(result).toMatchObject({
        total: points,
        partial: true,
        missing: ['supplementalOxygen'],
        spo2Scale: 2,
        anySingleThree: points === 3,
      });
    },
  );

  it('needs no assumption on scale 2 at 92 % or below, where air and oxygen score alike', () => {
    const { onOxygen: _omitted, ...rest } = WELL;
    const spo2 = scoreNews2(patientInputs({ ...rest, spo2: 89 }, { spo2Scale: 2 })).subscores.find((s) => s.parameter === 'spo2');
    expect(spo2).toMatchObject({ value: 89, points: 0 });
    expect(spo2?.note).toBeUndefined();
  });

  it.each([
    [2 as const, 92],
    [2 as const, 85],
    [1 as const, 97],
  ])('adds no oxygen note on scale %i at SpO2 %i, where oxygen does not change the points', (spo2Scale, spo2) => {
    const scored = subscoreOf({ spo2 }, 'spo2', spo2Scale);
    expect(scored?.note).toBeUndefined();
  });

  it('keeps each value with its unit and charted time', () => {
    const result = scoreNews2(patientInputs(WELL));
    expect(result.subscores.find((s) => s.parameter === 'temperature')).toMatchObject({
      value: 37,
      unit: 'Cel',
      at: CHARTED_AT,
    });
    expect(result.subscores.find((s) => s.parameter === 'consciousness')?.unit).toBeUndefined();
  });

  it('uses scale 1 unless the inputs say scale 2', () => {
    const inputs = { ...patientInputs({ ...WELL, spo2: 88 }), spo2Scale: 3 as unknown as 1 };
    const result = scoreNews2(inputs);
    expect(result.spo2Scale).toBe(1);
    expect(result.subscores.find((s) => s.parameter === 'spo2')?.points).toBe(3);
  });
});

describe('NEWS2 totals and response bands', () => {
  it.each([
    [0, false, 'none'],
    [1, false, 'low'],
    [4, false, 'low'],
    [3, true, 'low-medium'],
    [4, true, 'low-medium'],
    [5, false, 'medium'],
    [6, true, 'medium'],
    [7, false, 'high'],
    [20, true, 'high'],
  ])('bands a total of %i (single 3: %s) as %s', (total, anySingleThree, risk) => {
    expect(news2Risk(total, anySingleThree)).toBe(risk);
  });

  it.each<[string, Vitals, 1 | 2, number, string]>([
    ['a single 3 (new voice response) in an otherwise well patient', { ...WELL, consciousness: 'voice' }, 1, 3, 'low-medium'],
    ['mild tachycardia and fever', { ...WELL, heartRate: 95, temperature: 38.4 }, 1, 2, 'low'],
    ['tachypnoea on oxygen', { ...WELL, respiratoryRate: 22, spo2: 95, onOxygen: true }, 1, 5, 'medium'],
    [
      'septic picture',
      { respiratoryRate: 22, spo2: 95, onOxygen: true, systolicBP: 105, heartRate: 115, consciousness: 'alert', temperature: 38.3 },
      1,
      9,
      'high',
    ],
    ['hypercapnic patient over-oxygenated', { ...WELL, spo2: 98, onOxygen: true }, 2, 5, 'medium'],
    [
      'every parameter at its worst (the maximum, 20)',
      { respiratoryRate: 30, spo2: 80, onOxygen: true, systolicBP: 80, heartRate: 140, consciousness: 'unresponsive', temperature: 34.0 },
      1,
      20,
      'high',
    ],
  ])('scores %s as %i', (_name, vitals, spo2Scale, total, risk) => {
    const result = scoreNews2(patientInputs(vitals, { spo2Scale }));
    expect(result).toMatchObject({ total, risk, partial: false });
    expect(result.total).toBe(result.subscores.reduce((sum, s) => sum + s.points, 0));
    expect(result.anySingleThree).toBe(result.subscores.some((s) => s.points === 3));
  });
});

describe('pointsFor', () => {
  it('refuses a non-finite number rather than scoring it', () => {
    expect(() => pointsFor('heartRate', Number.NaN)).toThrow(RangeError);
  });
});
