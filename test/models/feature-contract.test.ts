import { describe, expect, it } from 'vitest';
import { MAX_IMPUTED_FEATURES, MODEL_FEATURES, toFeatureVector } from '../../src/models/feature-contract.js';
import { patientInputs } from '../support/patient-inputs.js';
import { adult, WELL } from './support.js';

const REFERENCES = [16, 98, 0, 120, 70, 0, 37, 60];

describe('the feature contract', () => {
  it('orders a well adult as respiratory rate, SpO2, oxygen, systolic BP, pulse, not-alert, temperature, age', () => {
    expect(toFeatureVector(adult(WELL, 70), REFERENCES)).toEqual({
      ok: true,
      values: [16, 97, 0, 125, 72, 0, 37, 70],
      imputed: [false, false, false, false, false, false, false, false],
    });
  });

  it.each([
    ['respiratory rate 80/min (the top of the range)', { respiratoryRate: 80 }, 70, true],
    ['respiratory rate 81/min', { respiratoryRate: 81 }, 70, false],
    ['respiratory rate 80.4/min (charts as 80)', { respiratoryRate: 80.4 }, 70, true],
    ['temperature 44.0 °C', { temperature: 44.0 }, 70, true],
    ['temperature 44.1 °C', { temperature: 44.1 }, 70, false],
    ['temperature 29.96 °C (rounds to 30.0)', { temperature: 29.96 }, 70, true],
    ['SpO2 39 %', { spo2: 39 }, 70, false],
    ['age 16', {}, 16, true],
    ['age 15', {}, 15, false],
  ])('accepts or refuses %s', (_name, change, age, accepted) => {
    expect(toFeatureVector(adult({ ...WELL, ...change }, age), REFERENCES).ok).toBe(accepted);
  });

  it('rounds to charting precision, as NEWS2 does: temperature 36.95 °C is 37.0, pulse 90.5 is 91', () => {
    const result = toFeatureVector(adult({ ...WELL, temperature: 36.95, heartRate: 90.5 }), REFERENCES);
    expect(result.ok && [result.values[6], result.values[4]]).toEqual([37, 91]);
  });

  it(`imputes up to ${MAX_IMPUTED_FEATURES} missing inputs with the reference and refuses more`, () => {
    const two = toFeatureVector(adult({ ...WELL, temperature: undefined, spo2: undefined }), REFERENCES);
    expect(two).toMatchObject({ ok: true, values: [16, 98, 0, 125, 72, 0, 37, 70] });
    const three = toFeatureVector(adult({ ...WELL, temperature: undefined, spo2: undefined, heartRate: undefined }), REFERENCES);
    expect(three).toMatchObject({ ok: false, state: 'insufficient-data', reason: expect.stringContaining('SpO2, pulse, temperature') });
  });

  it('counts a stale value as missing: the model sees only what NEWS2 scores', () => {
    const inputs = { ...patientInputs({ respiratoryRate: 16, spo2: 97, onOxygen: false, systolicBP: 120 }, { stale: WELL }), ageYears: 70 };
    expect(toFeatureVector(inputs, REFERENCES)).toMatchObject({ ok: false, state: 'insufficient-data' });
  });

  it('names every feature with a UCUM unit and a range that contains nothing absurd', () => {
    for (const f of MODEL_FEATURES) expect(f.min).toBeLessThan(f.max);
    expect(MODEL_FEATURES.map((f) => f.unit)).toEqual(['/min', '%', '1', 'mm[Hg]', '/min', '1', 'Cel', 'a']);
  });
});
