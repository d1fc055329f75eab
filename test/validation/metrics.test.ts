import { describe, expect, it } from 'vitest';
import {
  alertStats,
  alertStatsWithIntervals,
  auprc,
  auroc,
  rankingWithIntervals,
  rocCurve,
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
    const result = pairedBootstrapAurocDifference(
      scores,
      scores.map((s) => s * 10),
      labels,
      [1, 1, 2, 2, 3, 3],
      200,
      1,
    );
    expect(result).toMatchObject({ difference: 0, lower: 0, upper: 0 });
  });

  it('puts the point estimate inside the bootstrap interval', () => {
    const a = Array.from({ length: 200 }, (_, i) => (i * 37) % 101);
    const labels = a.map((v, i) => v + ((i * 53) % 60) > 80);
    const b = a.map((v, i) => v + ((i * 17) % 90));
    const r = pairedBootstrapAurocDifference(
      a,
      b,
      labels,
      a.map((_, i) => Math.floor(i / 2)),
      300,
      3,
    );
    expect(r.lower).toBeLessThanOrEqual(r.difference);
    expect(r.upper).toBeGreaterThanOrEqual(r.difference);
  });

  it('matches an alert rate and counts sensitivity among the alerted', () => {
    const scores = [0.9, 0.8, 0.7, 0.1, 0.05, 0.01];
    const threshold = thresholdForAlertRate(scores, 0.5);
    expect(threshold).toBe(0.7);
    expect(
      alertStats(
        scores.map((s) => s >= threshold),
        [T, F, T, T, F, F],
      ),
    ).toEqual({ alertRate: 0.5, sensitivity: 2 / 3, ppv: 2 / 3 });
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
    const result = pairedPpvBootstrap(
      labels,
      labels.map(() => T),
      labels,
      patientBootstrap(
        labels.map((_, i) => i),
        400,
        3,
      ),
    );
    expect(result.a.value).toBe(1);
    expect(result.b.value).toBe(0.5);
    expect(result.difference.lowerOneSided).toBeGreaterThan(0.3);
    expect(result.b.lower).toBeLessThan(0.5);
    expect(result.b.upper).toBeGreaterThan(0.5);
  });

  it("gives the ROC curve's corners from (0, 0) to (1, 1), tied scores moving together", () => {
    const points = rocCurve([0.9, 0.8, 0.8, 0.1], [T, T, F, F]);
    expect(points.map((p) => [p.falsePositiveRate, p.truePositiveRate])).toEqual([
      [0, 0],
      [0, 0.5],
      [0.5, 1],
      [1, 1],
    ]);
  });

  it('computes average precision by hand: positives found at ranks 1 and 3 give (1 + 2/3) / 2', () => {
    expect(auprc([0.9, 0.8, 0.7, 0.6], [T, F, T, F])).toBeCloseTo((1 + 2 / 3) / 2, 12);
  });

  it('bootstraps AUROC and AUPRC around the point estimates, and gives no AUPRC without a positive', () => {
    const scores = Array.from({ length: 120 }, (_, i) => (i * 37) % 101);
    const labels = scores.map((v, i) => v + ((i * 53) % 60) > 90);
    const clusters = scores.map((_, i) => Math.floor(i / 3));
    const r = rankingWithIntervals(scores, labels, patientBootstrap(clusters, 300, 5));
    expect(r.auroc.value).toBeCloseTo(auroc(scores, labels), 12);
    expect(r.auprc.value).toBeCloseTo(auprc(scores, labels), 12);
    expect(r.auroc.lower).toBeLessThan(r.auroc.value);
    expect(r.auroc.upper).toBeGreaterThan(r.auroc.value);
    expect(r.auprc.lower).toBeLessThan(r.auprc.value);
    expect(rankingWithIntervals([0.1, 0.2], [F, F], patientBootstrap([1, 2], 10, 1)).auprc.value).toBeNaN();
  });

  it('collapses the interval onto the point estimate when there is one patient (every replicate is the data itself)', () => {
    const scores = [0.9, 0.3, 0.6, 0.2, 0.8];
    const labels = [T, F, T, F, F];
    const r = rankingWithIntervals(scores, labels, patientBootstrap([7, 7, 7, 7, 7], 20, 3));
    expect(r.auprc).toEqual({ value: auprc(scores, labels), lower: auprc(scores, labels), upper: auprc(scores, labels) });
    expect(r.auroc.lower).toBe(r.auroc.value);
  });

  it('gives alert rate, sensitivity and PPV with intervals over patients', () => {
    const alerts = [T, T, F, F, T, F];
    const labels = [T, F, T, F, T, F];
    const r = alertStatsWithIntervals(alerts, labels, patientBootstrap([1, 1, 2, 2, 3, 3], 200, 9));
    expect(r.alerts).toBe(3);
    expect(r.alertRate.value).toBe(0.5);
    expect(r.sensitivity.value).toBeCloseTo(2 / 3, 12);
    expect(r.ppv.value).toBeCloseTo(2 / 3, 12);
    expect(r.ppv.lower).toBeLessThanOrEqual(r.ppv.value);
    expect(r.ppv.upper).toBeGreaterThanOrEqual(r.ppv.value);
  });
});
