// Discrimination and calibration metrics for the model card: AUROC (ties counted half), a paired
// patient-level bootstrap of the AUROC difference, AUPRC (average precision), a reliability table,
// logistic calibration intercept and slope, and sensitivity at a matched alert rate.
import { createRandom } from './random.js';

/** Indices sorted by ascending score (stable: ties keep row order, so results are deterministic). */
function ascending(scores: readonly number[]): number[] {
  return scores.map((_, i) => i).sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0) || a - b);
}

/** Weighted Mann–Whitney AUROC over a precomputed order; weights are bootstrap multiplicities. */
function aurocOrdered(order: readonly number[], scores: readonly number[], labels: readonly boolean[], weights?: Float64Array): number {
  let negativesBelow = 0;
  let area = 0;
  let positives = 0;
  let i = 0;
  while (i < order.length) {
    const score = scores[order[i] ?? 0];
    let posTied = 0;
    let negTied = 0;
    while (i < order.length && scores[order[i] ?? 0] === score) {
      const row = order[i] ?? 0;
      const w = weights ? (weights[row] ?? 0) : 1;
      if (labels[row]) posTied += w;
      else negTied += w;
      i++;
    }
    area += posTied * (negativesBelow + 0.5 * negTied);
    negativesBelow += negTied;
    positives += posTied;
  }
  return positives === 0 || negativesBelow === 0 ? Number.NaN : area / (positives * negativesBelow);
}

export function auroc(scores: readonly number[], labels: readonly boolean[]): number {
  return aurocOrdered(ascending(scores), scores, labels);
}

/** Average precision: the area under the precision–recall step curve, tied scores taken together. */
export function auprc(scores: readonly number[], labels: readonly boolean[]): number {
  const order = ascending(scores).reverse();
  const positives = labels.filter(Boolean).length;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let i = 0;
  while (i < order.length) {
    const score = scores[order[i] ?? 0];
    let tpGroup = 0;
    while (i < order.length && scores[order[i] ?? 0] === score) {
      if (labels[order[i] ?? 0]) tpGroup++;
      seen++;
      i++;
    }
    tp += tpGroup;
    if (tpGroup > 0) ap += (tpGroup / positives) * (tp / seen);
  }
  return ap;
}

export interface PairedBootstrap {
  difference: number;
  lower: number;
  upper: number;
  replicates: number;
}

/**
 * AUROC(a) − AUROC(b) with a 95 % percentile interval, resampling patients (clusters), not rows:
 * rows of one patient are correlated, so row resampling would understate the uncertainty.
 */
export function pairedBootstrapAurocDifference(
  a: readonly number[],
  b: readonly number[],
  labels: readonly boolean[],
  clusters: readonly number[],
  replicates: number,
  seed: number,
): PairedBootstrap {
  const orderA = ascending(a);
  const orderB = ascending(b);
  const ids = [...new Set(clusters)];
  const index = new Map(ids.map((id, k) => [id, k]));
  const rowCluster = clusters.map((c) => index.get(c) ?? 0);
  const random = createRandom(seed);
  const differences: number[] = [];
  const counts = new Float64Array(ids.length);
  const weights = new Float64Array(labels.length);
  for (let r = 0; r < replicates; r++) {
    counts.fill(0);
    for (let k = 0; k < ids.length; k++) {
      const pick = random.int(ids.length);
      counts[pick] = (counts[pick] ?? 0) + 1;
    }
    for (let row = 0; row < labels.length; row++) weights[row] = counts[rowCluster[row] ?? 0] ?? 0;
    differences.push(aurocOrdered(orderA, a, labels, weights) - aurocOrdered(orderB, b, labels, weights));
  }
  const sorted = differences.filter(Number.isFinite).sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))] ?? Number.NaN;
  return { difference: auroc(a, labels) - auroc(b, labels), lower: at(0.025), upper: at(0.975), replicates };
}

export interface CalibrationBin {
  n: number;
  meanPredicted: number;
  observed: number;
}

/** Reliability table over equal-count bins of predicted probability. */
export function calibrationTable(probabilities: readonly number[], labels: readonly boolean[], bins: number): CalibrationBin[] {
  const order = ascending(probabilities);
  const table: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const slice = order.slice(Math.floor((b * order.length) / bins), Math.floor(((b + 1) * order.length) / bins));
    if (slice.length === 0) continue;
    const predicted = slice.reduce((s, i) => s + (probabilities[i] ?? 0), 0) / slice.length;
    const observed = slice.filter((i) => labels[i]).length / slice.length;
    table.push({ n: slice.length, meanPredicted: predicted, observed });
  }
  return table;
}

/** Logistic recalibration: outcome ~ a + b·logit(p). Perfect calibration is a = 0, b = 1. */
export function calibrationInterceptSlope(probabilities: readonly number[], labels: readonly boolean[]): { intercept: number; slope: number } {
  const z = probabilities.map((p) => {
    const q = Math.min(1 - 1e-9, Math.max(1e-9, p));
    return Math.log(q / (1 - q));
  });
  let a = 0;
  let b = 1;
  for (let iteration = 0; iteration < 50; iteration++) {
    let g0 = 0;
    let g1 = 0;
    let h00 = 0;
    let h01 = 0;
    let h11 = 0;
    z.forEach((zi, i) => {
      const mu = 1 / (1 + Math.exp(-(a + b * zi)));
      const w = mu * (1 - mu);
      const r = (labels[i] ? 1 : 0) - mu;
      g0 += r;
      g1 += r * zi;
      h00 += w;
      h01 += w * zi;
      h11 += w * zi * zi;
    });
    const det = h00 * h11 - h01 * h01;
    const da = (h11 * g0 - h01 * g1) / det;
    const db = (h00 * g1 - h01 * g0) / det;
    a += da;
    b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { intercept: a, slope: b };
}

export interface AlertStats {
  alertRate: number;
  sensitivity: number;
  ppv: number;
}

export function alertStats(alerts: readonly boolean[], labels: readonly boolean[]): AlertStats {
  let tp = 0;
  let alerted = 0;
  let positives = 0;
  alerts.forEach((alert, i) => {
    if (alert) alerted++;
    if (labels[i]) positives++;
    if (alert && labels[i]) tp++;
  });
  return { alertRate: alerted / alerts.length, sensitivity: tp / positives, ppv: alerted === 0 ? Number.NaN : tp / alerted };
}

/** The score threshold that alerts on (about) `rate` of rows: the value at that upper quantile. */
export function thresholdForAlertRate(scores: readonly number[], rate: number): number {
  const sorted = [...scores].sort((x, y) => y - x);
  const k = Math.max(0, Math.min(sorted.length - 1, Math.round(rate * sorted.length) - 1));
  return sorted[k] ?? Number.NaN;
}
