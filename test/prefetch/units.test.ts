import { describe, expect, it } from 'vitest';
import { CANONICAL_UNITS, type Measure } from '../../src/domain/vital-signs.js';
import { convertQuantity, PLAUSIBLE_LIMITS } from '../../src/prefetch/units.js';
import { UCUM, ucum } from '../support/fhir-examples.js';
const text = (value: number, unit: string) => ({ value, unit });

function value(measure: Measure, q: Parameters<typeof convertQuantity>[1]): number {
  const r = convertQuantity(measure, q);
  if (!r.ok) throw new Error(`expected a value, got: ${r.reason}`);
  return r.value;
}

describe('UCUM conversions to the canonical unit', () => {
  it.each([
    ['temperature', ucum(38.2, 'Cel'), 38.2],
    ['temperature', ucum(98.6, '[degF]'), 37],
    ['temperature', ucum(310.15, 'K'), 37],
    ['systolicBP', ucum(120, 'mm[Hg]'), 120],
    ['systolicBP', ucum(16, 'kPa'), 120.0099],
    ['respiratoryRate', ucum(18, '/min'), 18],
    ['heartRate', ucum(72, '{beats}/min'), 72],
    ['spo2', ucum(94, '%'), 94],
    ['o2Flow', ucum(2, 'L/min'), 2],
    ['o2Flow', ucum(500, 'mL/min'), 0.5],
    ['o2Concentration', ucum(40, '%'), 40],
  ] as const)('converts %s %j to %d', (measure, q, expected) => {
    expect(value(measure, q)).toBeCloseTo(expected, 3);
  });

  it('converts 101.3 °F to 38.5 °C, within floating-point noise', () => {
    expect(value('temperature', ucum(101.3, '[degF]'))).toBeCloseTo(38.5, 12);
  });

  it('keeps full precision: 100.5 °F is 38.0555… °C, not rounded here (NEWS2 rounds)', () => {
    expect(value('temperature', ucum(100.5, '[degF]'))).toBe((68.5 * 5) / 9);
    expect(value('temperature', ucum(100.5, '[degF]'))).not.toBe(38.1);
  });

  it('converts kPa with 1 mmHg = 133.322387415 Pa (≈ × 7.50062)', () => {
    expect(value('systolicBP', ucum(12, 'kPa'))).toBeCloseTo(12 * 7.50062, 3);
  });
});

describe('non-UCUM spellings real feeds send', () => {
  it.each([
    ['temperature', 'degF', 101.3, 38.5],
    ['temperature', '°F', 100.4, 38],
    ['temperature', 'F', 96.8, 36],
    ['temperature', '℉', 96.8, 36],
    ['temperature', 'degC', 37.4, 37.4],
    ['temperature', '°C', 37.4, 37.4],
    ['temperature', 'C', 37.4, 37.4],
    ['temperature', 'deg C', 37.4, 37.4],
    ['temperature', 'degrees C', 37.4, 37.4],
    ['temperature', 'Kelvin', 309.15, 36],
    ['heartRate', 'beats/min', 88, 88],
    ['heartRate', 'beats/minute', 88, 88],
    ['heartRate', 'bpm', 88, 88],
    ['heartRate', 'BPM', 88, 88],
    ['respiratoryRate', 'breaths/min', 22, 22],
    ['respiratoryRate', '{breaths}/min', 22, 22],
    ['respiratoryRate', '/min', 22, 22],
    ['respiratoryRate', ' /min ', 22, 22],
    ['systolicBP', 'mmHg', 135, 135],
    ['systolicBP', 'mm Hg', 135, 135],
    ['systolicBP', 'MMHG', 135, 135],
    ['systolicBP', 'kPa', 20, 150.0124],
    ['o2Flow', 'l/min', 4, 4],
    ['o2Flow', 'LPM', 4, 4],
    ['spo2', '%', 97, 97],
    ['spo2', 'percent', 97, 97],
  ] as const)('reads %s in "%s"', (measure, unit, raw, expected) => {
    expect(value(measure, text(raw, unit))).toBeCloseTo(expected, 3);
  });

  it('reads a unit code sent without a system as text', () => {
    expect(value('temperature', { value: 100.4, code: 'degF' })).toBeCloseTo(38, 6);
  });

  it('prefers the UCUM code over the display text', () => {
    // The display says "F" but the UCUM code says Celsius: the code is the machine-readable truth.
    expect(value('temperature', { value: 37.2, unit: 'F', system: UCUM, code: 'Cel' })).toBe(37.2);
  });
});

describe('units that are refused, never guessed', () => {
  it.each([
    ['temperature', { value: 37, unit: 'furlongs' }, /unit "furlongs" is not a recognised unit/],
    ['temperature', { value: 37 }, /no unit given/],
    ['temperature', { value: 37, unit: '   ' }, /no unit given/],
    ['temperature', { value: 37, unit: 'mmHg' }, /not a recognised unit/],
    ['heartRate', { value: 80, unit: '%' }, /not a recognised unit/],
    ['spo2', { value: 95, unit: '/min' }, /not a recognised unit/],
    ['systolicBP', { value: 120, unit: 'cmH2O' }, /not a recognised unit/],
    // UCUM is case-sensitive: C is the coulomb, F the farad, degF is not UCUM at all.
    ['temperature', { value: 37, system: UCUM, code: 'C' }, /unit "C" is not a recognised unit/],
    ['temperature', { value: 98, system: UCUM, code: 'F' }, /not a recognised unit/],
    ['temperature', { value: 98, system: UCUM, code: 'degF' }, /not a recognised unit/],
    ['systolicBP', { value: 120, system: UCUM, code: 'mmHg' }, /not a recognised unit/],
    // A local code system's unit code is not readable; no text to fall back on.
    ['heartRate', { value: 80, system: 'urn:oid:1.2.3', code: 'BPM' }, /no unit given/],
  ] as const)('refuses %s %j', (measure, q, reason) => {
    const r = convertQuantity(measure, q);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  // Names an object has without being told (Object.prototype's): a lookup in a plain object found
  // them, so "constructor" was read as a rate in /min and "__proto__" threw.
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'refuses the unit %j as text and as a UCUM code',
    (unit) => {
      for (const q of [
        { value: 98, unit },
        { value: 98, system: UCUM, code: unit },
        { value: 98, code: unit },
      ]) {
        const r = convertQuantity('heartRate', q);
        expect(r).toEqual({ ok: false, reason: `heart rate: unit "${unit}" is not a recognised unit` });
      }
    },
  );

  it('names the measure in the reason so a clinician knows which value was dropped', () => {
    const r = convertQuantity('temperature', { value: 37, unit: 'furlongs' });
    expect(r.ok ? '' : r.reason).toMatch(/^temperature: /);
  });

  it('bounds a long unit text in the reason', () => {
    const r = convertQuantity('heartRate', { value: 80, unit: 'x'.repeat(200) });
    expect(r.ok ? '' : r.reason.length).toBeLessThan(80);
  });
});

describe('values that are not measurements', () => {
  it.each([
    [{ value: '37.5', unit: 'Cel', system: UCUM, code: 'Cel' }, /no numeric value/],
    [{ unit: 'Cel', system: UCUM, code: 'Cel' }, /no numeric value/],
    [{ value: Number.NaN, unit: 'Cel', system: UCUM, code: 'Cel' }, /no numeric value/],
    [{ value: 35, comparator: '<', unit: 'Cel', system: UCUM, code: 'Cel' }, /is a bound \(<\), not a measured value/],
  ])('refuses %j', (q, reason) => {
    const r = convertQuantity('temperature', q);
    expect(r.ok ? '' : r.reason).toMatch(reason);
  });
});

describe('physiological limits (inclusive)', () => {
  const units = CANONICAL_UNITS;
  const rows = (Object.keys(PLAUSIBLE_LIMITS) as Measure[]).flatMap((m) => {
    const [low, high] = PLAUSIBLE_LIMITS[m];
    return [
      [m, low - 0.1, false],
      [m, low, true],
      [m, high, true],
      [m, high + 0.1, false],
    ] as const;
  });

  it.each(rows)('%s %d is usable: %s', (measure, raw, usable) => {
    const r = convertQuantity(measure, ucum(raw, units[measure]));
    expect(r.ok).toBe(usable);
    if (!r.ok) expect(r.reason).toMatch(/outside plausible limits/);
  });

  it('applies the limits after conversion (a 212 °F "temperature" is 100 °C: refused)', () => {
    expect(convertQuantity('temperature', ucum(212, '[degF]')).ok).toBe(false);
    expect(convertQuantity('temperature', ucum(95, '[degF]')).ok).toBe(true);
  });

  it('refuses FiO2 sent as a fraction in a percent field', () => {
    expect(convertQuantity('o2Concentration', ucum(0.4, '%')).ok).toBe(false);
  });

  it('never puts the charted value in the reason', () => {
    const r = convertQuantity('heartRate', ucum(777, '/min'));
    expect(r.ok ? '' : r.reason).not.toContain('777');
  });
});
