import { describe, expect, it } from 'vitest';
import { scoreQsofa } from '../../src/fallback-rules/qsofa.js';
import type { Consciousness } from '../../src/domain/vital-signs.js';
import { patientInputs, WELL, type Vitals } from '../support/patient-inputs.js';

describe('qSOFA criteria (Seymour 2016)', () => {
  it.each([
    [21, false],
    [21.4, false],
    [21.5, true],
    [22, true],
    [35, true],
  ])('counts respiratory rate %d as %s', (respiratoryRate, met) => {
    expect(scoreQsofa(patientInputs({ ...WELL, respiratoryRate })).criteria.respiratoryRate).toBe(met);
  });

  it.each([
    [80, true],
    [100, true],
    [100.4, true],
    [100.5, false],
    [101, false],
  ])('counts systolic BP %d as %s', (systolicBP, met) => {
    expect(scoreQsofa(patientInputs({ ...WELL, systolicBP })).criteria.systolicBP).toBe(met);
  });

  it.each<[Consciousness, boolean]>([
    ['alert', false],
    ['confused', true],
    ['voice', true],
    ['pain', true],
    ['unresponsive', true],
  ])('counts consciousness %s as altered mentation: %s', (consciousness, met) => {
    expect(scoreQsofa(patientInputs({ ...WELL, consciousness })).criteria.alteredMentation).toBe(met);
  });
});

describe('qSOFA score', () => {
  it.each<[string, Vitals, number, boolean]>([
    ['none met', WELL, 0, false],
    ['fast breathing only', { ...WELL, respiratoryRate: 24 }, 1, false],
    ['fast breathing and low pressure', { ...WELL, respiratoryRate: 24, systolicBP: 95 }, 2, true],
    ['all three', { ...WELL, respiratoryRate: 24, systolicBP: 95, consciousness: 'confused' }, 3, true],
  ])('scores %s as %i (positive: %s)', (_name, vitals, score, positive) => {
    expect(scoreQsofa(patientInputs(vitals))).toMatchObject({ score, positive, partial: false, missing: [] });
  });

  it.each<[string, Consciousness | undefined, number | undefined, boolean | undefined]>([
    ['GCS 14 beside an alert ACVPU', 'alert', 14, true],
    ['GCS 15 beside an alert ACVPU', 'alert', 15, false],
    ['GCS 15 beside "voice"', 'voice', 15, true],
    ['GCS 13 with no ACVPU charted', undefined, 13, true],
    ['GCS 15 with no ACVPU charted', undefined, 15, false],
    ['neither charted', undefined, undefined, undefined],
  ])('altered mentation from %s is %s', (_name, consciousness, gcs, altered) => {
    const { consciousness: _c, ...rest } = WELL;
    const inputs = patientInputs(consciousness === undefined ? rest : { ...rest, consciousness });
    if (gcs !== undefined) inputs.other.fresh.gcs = { value: gcs, at: inputs.dataAsOf! };
    const result = scoreQsofa(inputs);
    expect(result.criteria.alteredMentation).toBe(altered);
    expect(result.missing.includes('consciousness')).toBe(altered === undefined);
  });

  it('reports every criterion missing when nothing is charted', () => {
    expect(scoreQsofa(patientInputs({}))).toEqual({
      score: 0,
      positive: false,
      partial: true,
      missing: ['respiratoryRate', 'systolicBP', 'consciousness'],
      criteria: {},
    });
  });

  it('is positive on two met criteria even with the third missing', () => {
    const result = scoreQsofa(patientInputs({ respiratoryRate: 30, systolicBP: 85 }));
    expect(result).toMatchObject({ score: 2, positive: true, partial: true, missing: ['consciousness'] });
    expect(result.criteria.alteredMentation).toBeUndefined();
  });

  it('treats a non-finite respiratory rate as missing, not as normal', () => {
    const result = scoreQsofa(patientInputs({ ...WELL, respiratoryRate: Number.NaN }));
    expect(result).toMatchObject({ partial: true, missing: ['respiratoryRate'] });
    expect(result.criteria.respiratoryRate).toBeUndefined();
  });

  it('ignores stale vitals', () => {
    const result = scoreQsofa(patientInputs({}, { stale: { respiratoryRate: 30, systolicBP: 80 } }));
    expect(result).toMatchObject({ score: 0, positive: false, partial: true });
  });
});
