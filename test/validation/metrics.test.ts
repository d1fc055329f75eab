import { describe, expect, it } from 'vitest';
import {
  alertStats,
  auprc,
  auroc,
  calibrationTable,
  pairedBootstrapAurocDifference,
  pairedPpvBootstrap,
  patientBootstrap,
  thresholdForAlertRate,
} from '../../src/validation/metrics.js';

const T = true;
const F = false;

describe('metrics', () => {
  it.each([
    ['perfect ranking', 1, [0.1, 0.2, 0.8, 0.9], [F, F, T, T]],
    ['reversed ranking', 0, [0.9, 0.8, 0.2, 0.1], [F, F, T, T]],
    ['all tied', 0.5, [0.5, 0.5, 0.5, 0.5], [F, T, F, T]],
    ['one of four pairs wrong', 0.75, [0.1, 0.3, 0.2, 0.9], [F, F, T, T]],
    ['NEWS2-style integer ties counted half', 0.875, [0, 1, 1, 3], [F, F, T, T]],
  ])('AUROC of a %s is %s', (_name, expected, scores, labels) => {
    expect(auroc(scores, labels)).toBeCloseTo(expected, 10);
  });

  it('average precision is 1 for a perfect ranking and the mean precision at each positive otherwise', () => {
    expect(auprc([0.1, 0.2, 0.8, 0.9], [F, F, T, T])).toBe(1);
    expect(auprc([0.1, 0.9, 0.8, 0.2], [F, F, T, T])).toBeCloseTo((1 / 2) * (1 / 2) + (1 / 2) * (2 / 3), 10);
  });

  it('bootstraps a difference of zero with a zero-width interval when both scores rank alike', () => {
    const scores = [0.1, 0.4, 0.35, 0.8, 0.2, 0.7];
    const labels = [F, F, T, T, F, T];
    const result = pairedBootstrapAurocDifference(scores, scores.map((s) => s * 10), labels, [1, 1, 2, 2, 3, 3], 200, 1);
    expect(result).toMatchObject({ difference: 0, lower: 0, upper: 0 });
  });

  it('puts the point estimate inside the bootstrap interval', () => {
    const a = Array.from({ length: 200 }, (_, i) => (i * 37) % 101);
    const labels = a.map((v, i) => v + ((i * 53) % 60) > 80);
    const b = a.map((v, i) => v + ((i * 17) % 90));
    const r = pairedBootstrapAurocDifference(a, b, labels, a.map((_, i) => Math.floor(i / 2)), 300, 3);
    expect(r.lower).toBeLessThanOrEqual(r.difference);
    expect(r.upper).toBeGreaterThanOrEqual(r.difference);
  });

  it('matches an alert rate and counts sensitivity among the alerted', () => {
    const scores = [0.9, 0.8, 0.7, 0.1, 0.05, 0.01];
    const threshold = thresholdForAlertRate(scores, 0.5);
    expect(threshold).toBe(0.7);
    expect(alertStats(scores.map((s) => s >= threshold), [T, F, T, T, F, F])).toEqual({ alertRate: 0.5, sensitivity: 2 / 3, ppv: 2 / 3 });
  });

  it('builds a reliability table of equal-count bins', () => {
    const table = calibrationTable([0.1, 0.1, 0.9, 0.9], [F, F, T, F], 2);
    expect(table).toEqual([
      { n: 2, meanPredicted: 0.1, observed: 0 },
      { n: 2, meanPredicted: 0.9, observed: 0.5 },
    ]);
  });

  it('resamples whole patients: each replicate draws as many patients as there are', () => {
    const bootstrap = patientBootstrap([10, 10, 20, 30, 30, 30], 50, 4);
    expect(bootstrap.patients).toBe(3);
    expect([...bootstrap.rowPatient]).toEqual([0, 0, 1, 2, 2, 2]);
    for (let r = 0; r < 50; r++) expect(bootstrap.replicate(r).reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('gives two identical alert rules the same PPV and a zero-width interval on their difference', () => {
    const alerts = [T, T, F, T, F, T];
    const labels = [T, F, F, T, T, F];
    const result = pairedPpvBootstrap(alerts, alerts, labels, patientBootstrap([1, 1, 2, 2, 3, 3], 200, 2));
    expect(result.a.value).toBe(0.5);
    expect(result.difference).toMatchObject({ value: 0, lower: 0, upper: 0, lowerOneSided: 0 });
  });

  it('puts the PPV difference of a rule always right over one right half the time clearly above 0', () => {
    // 40 patients: rule a alerts only on the positive ones, rule b on everyone.
    const labels = Array.from({ length: 40 }, (_, i) => i % 2 === 0);
    const result = pairedPpvBootstrap(labels, labels.map(() => T), labels, patientBootstrap(labels.map((_, i) => i), 400, 3));
    expect(result.a.value).toBe(1);
    expect(result.b.value).toBe(0.5);
    expect(result.difference.lowerOneSided).toBeGreaterThan(0.3);
    expect(result.b.lower).toBeLessThan(0.5);
    expect(result.b.upper).toBeGreaterThan(0.5);
  });
});
