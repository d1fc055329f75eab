// Discrimination and calibration metrics, shared by training (the model card) and local validation (a
// site's report): AUROC (ties counted half), AUPRC (average precision), ROC points, a paired
// patient-level bootstrap of the AUROC difference, patient-bootstrap intervals of any statistic, a
// reliability table, logistic calibration intercept and slope, alert statistics (rate, sensitivity,
// PPV) and a paired patient-level bootstrap of two alert rules' PPVs.
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
  return auprcOrdered(ascending(scores).reverse(), scores, labels);
}

/** Weighted average precision over a precomputed descending order; weights are bootstrap multiplicities. */
function auprcOrdered(order: readonly number[], scores: readonly number[], labels: readonly boolean[], weights?: Float64Array): number {
  let positives = 0;
  for (let row = 0; row < labels.length; row++) if (labels[row]) positives += weights ? (weights[row] ?? 0) : 1;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let i = 0;
  while (i < order.length) {
    const score = scores[order[i] ?? 0];
    let tpGroup = 0;
    while (i < order.length && scores[order[i] ?? 0] === score) {
      const row = order[i] ?? 0;
      const w = weights ? (weights[row] ?? 0) : 1;
      if (labels[row]) tpGroup += w;
      seen += w;
      i++;
    }
    tp += tpGroup;
    if (tpGroup > 0) ap += (tpGroup / positives) * (tp / seen);
  }
  return positives === 0 ? Number.NaN : ap;
}

/** A point estimate with its 95 % percentile interval over patient-bootstrap replicates. */
export interface Estimate {
  value: number;
  lower: number;
  upper: number;
}

/**
 * AUROC and AUPRC of one score with 95 % intervals from the patient bootstrap (drawn over the same
 * rows): every score compared on a report sees the same resampled patients.
 */
export function rankingWithIntervals(
  scores: readonly number[],
  labels: readonly boolean[],
  bootstrap: PatientBootstrap,
): { auroc: Estimate; auprc: Estimate } {
  const up = ascending(scores);
  const down = [...up].reverse();
  const samples = { auroc: [] as number[], auprc: [] as number[] };
  const weights = new Float64Array(labels.length);
  for (let r = 0; r < bootstrap.replicates; r++) {
    const multiplicity = bootstrap.replicate(r);
    for (let row = 0; row < labels.length; row++) weights[row] = multiplicity[bootstrap.rowPatient[row] ?? 0] ?? 0;
    samples.auroc.push(aurocOrdered(up, scores, labels, weights));
    samples.auprc.push(auprcOrdered(down, scores, labels, weights));
  }
  return {
    auroc: { value: aurocOrdered(up, scores, labels), ...twoSided(samples.auroc) },
    auprc: { value: auprcOrdered(down, scores, labels), ...twoSided(samples.auprc) },
  };
}

/** One point of a ROC curve: alerting on every row scoring at least `threshold`. */
export interface RocPoint {
  threshold: number;
  falsePositiveRate: number;
  truePositiveRate: number;
}

/** The ROC curve's corners, from (0, 0) to (1, 1), one per distinct score (ties move together). */
export function rocCurve(scores: readonly number[], labels: readonly boolean[]): RocPoint[] {
  const order = ascending(scores).reverse();
  const positives = labels.filter(Boolean).length;
  const negatives = labels.length - positives;
  const points: RocPoint[] = [{ threshold: Number.POSITIVE_INFINITY, falsePositiveRate: 0, truePositiveRate: 0 }];
  let tp = 0;
  let fp = 0;
  let i = 0;
  while (i < order.length) {
    const score = scores[order[i] ?? 0] ?? Number.NaN;
    while (i < order.length && scores[order[i] ?? 0] === score) {
      if (labels[order[i] ?? 0]) tp++;
      else fp++;
      i++;
    }
    points.push({
      threshold: score,
      falsePositiveRate: negatives === 0 ? 0 : fp / negatives,
      truePositiveRate: positives === 0 ? 0 : tp / positives,
    });
  }
  return points;
}

export interface PairedBootstrap {
  difference: number;
  lower: number;
  upper: number;
  replicates: number;
}

/** AUROC(a) − AUROC(b) with a 95 % percentile interval from a patient bootstrap. */
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
  const bootstrap = patientBootstrap(clusters, replicates, seed);
  const differences: number[] = [];
  const weights = new Float64Array(labels.length);
  for (let r = 0; r < replicates; r++) {
    const multiplicity = bootstrap.replicate(r);
    for (let row = 0; row < labels.length; row++) weights[row] = multiplicity[bootstrap.rowPatient[row] ?? 0] ?? 0;
    differences.push(aurocOrdered(orderA, a, labels, weights) - aurocOrdered(orderB, b, labels, weights));
  }
  const { lower, upper } = percentileInterval(differences);
  return { difference: auroc(a, labels) - auroc(b, labels), lower, upper, replicates };
}

/**
 * Resampling patients (clusters), not rows: rows of one patient are correlated, so row resampling
 * would understate the uncertainty. Drawn once, so every statistic computed on the same rows sees the
 * same resampled patients (paired comparisons, and thresholds compared on equal terms).
 */
export interface PatientBootstrap {
  replicates: number;
  patients: number;
  /** Each row's patient, as an index into the multiplicities. */
  rowPatient: Int32Array;
  /** How many times each patient was drawn in replicate r. */
  replicate(r: number): Uint16Array;
}

export function patientBootstrap(clusters: readonly number[], replicates: number, seed: number): PatientBootstrap {
  const ids = [...new Set(clusters)];
  const index = new Map(ids.map((id, k) => [id, k]));
  const n = ids.length;
  const multiplicity = new Uint16Array(replicates * n);
  const random = createRandom(seed);
  for (let r = 0; r < replicates; r++) {
    for (let k = 0; k < n; k++) {
      const cell = r * n + random.int(n);
      multiplicity[cell] = (multiplicity[cell] ?? 0) + 1;
    }
  }
  return {
    replicates,
    patients: n,
    rowPatient: Int32Array.from(clusters, (c) => index.get(c) ?? 0),
    replicate: (r) => multiplicity.subarray(r * n, (r + 1) * n),
  };
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
export function calibrationInterceptSlope(
  probabilities: readonly number[],
  labels: readonly boolean[],
): { intercept: number; slope: number } {
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

export interface AlertEstimates {
  alertRate: Estimate;
  sensitivity: Estimate;
  ppv: Estimate;
  alerts: number;
}

/** Alert rate, sensitivity and PPV of one rule with 95 % patient-bootstrap intervals. */
export function alertStatsWithIntervals(
  alerts: readonly boolean[],
  labels: readonly boolean[],
  bootstrap: PatientBootstrap,
): AlertEstimates {
  // Per patient: rows, positives, alerts and true alerts; a replicate is a weighted sum of these.
  const perPatient = Array.from({ length: bootstrap.patients }, () => ({ rows: 0, positives: 0, alerts: 0, trueAlerts: 0 }));
  labels.forEach((label, row) => {
    const c = perPatient[bootstrap.rowPatient[row] ?? 0];
    if (c === undefined) return;
    c.rows++;
    if (label) c.positives++;
    if (alerts[row]) {
      c.alerts++;
      if (label) c.trueAlerts++;
    }
  });
  const samples = { alertRate: [] as number[], sensitivity: [] as number[], ppv: [] as number[] };
  for (let r = 0; r < bootstrap.replicates; r++) {
    const multiplicity = bootstrap.replicate(r);
    const sum = { rows: 0, positives: 0, alerts: 0, trueAlerts: 0 };
    perPatient.forEach((c, k) => {
      const m = multiplicity[k] ?? 0;
      if (m === 0) return;
      sum.rows += m * c.rows;
      sum.positives += m * c.positives;
      sum.alerts += m * c.alerts;
      sum.trueAlerts += m * c.trueAlerts;
    });
    samples.alertRate.push(sum.rows === 0 ? Number.NaN : sum.alerts / sum.rows);
    samples.sensitivity.push(sum.positives === 0 ? Number.NaN : sum.trueAlerts / sum.positives);
    samples.ppv.push(sum.alerts === 0 ? Number.NaN : sum.trueAlerts / sum.alerts);
  }
  const point = alertStats(alerts, labels);
  return {
    alertRate: { value: point.alertRate, ...twoSided(samples.alertRate) },
    sensitivity: { value: point.sensitivity, ...twoSided(samples.sensitivity) },
    ppv: { value: point.ppv, ...twoSided(samples.ppv) },
    alerts: alerts.filter(Boolean).length,
  };
}

/** The score threshold that alerts on (about) `rate` of rows: the value at that upper quantile. */
export function thresholdForAlertRate(scores: readonly number[], rate: number): number {
  const sorted = [...scores].sort((x, y) => y - x);
  const k = Math.max(0, Math.min(sorted.length - 1, Math.round(rate * sorted.length) - 1));
  return sorted[k] ?? Number.NaN;
}

export interface Interval {
  value: number;
  lower: number;
  upper: number;
  /** 5th percentile: a one-sided 95 % lower bound. */
  lowerOneSided: number;
}

export interface PairedPpv {
  a: Interval;
  b: Interval;
  /** PPV(a) − PPV(b). */
  difference: Interval;
  replicates: number;
}

/**
 * PPV of two alert rules on the same rows, each and their difference, with 95 % percentile intervals
 * over the bootstrap's replicates: both rules see the same resampled patients, so the difference is
 * paired. A replicate where a rule raised no alert has no PPV and is left out.
 */
export function pairedPpvBootstrap(
  a: readonly boolean[],
  b: readonly boolean[],
  labels: readonly boolean[],
  bootstrap: PatientBootstrap,
): PairedPpv {
  // Per patient: alerts and true alerts of each rule; only patients with an alert matter to a PPV.
  const perPatient = new Map<number, { aAlerts: number; aTrue: number; bAlerts: number; bTrue: number }>();
  labels.forEach((label, row) => {
    if (!a[row] && !b[row]) return;
    const patient = bootstrap.rowPatient[row] ?? 0;
    const c = perPatient.get(patient) ?? { aAlerts: 0, aTrue: 0, bAlerts: 0, bTrue: 0 };
    perPatient.set(patient, c);
    if (a[row]) {
      c.aAlerts++;
      if (label) c.aTrue++;
    }
    if (b[row]) {
      c.bAlerts++;
      if (label) c.bTrue++;
    }
  });
  const alerting = [...perPatient.entries()];
  const samples = { a: [] as number[], b: [] as number[], difference: [] as number[] };
  for (let r = 0; r < bootstrap.replicates; r++) {
    const multiplicity = bootstrap.replicate(r);
    let aAlerts = 0;
    let aTrue = 0;
    let bAlerts = 0;
    let bTrue = 0;
    for (const [patient, c] of alerting) {
      const m = multiplicity[patient] ?? 0;
      aAlerts += m * c.aAlerts;
      aTrue += m * c.aTrue;
      bAlerts += m * c.bAlerts;
      bTrue += m * c.bTrue;
    }
    const ppvA = aAlerts === 0 ? Number.NaN : aTrue / aAlerts;
    const ppvB = bAlerts === 0 ? Number.NaN : bTrue / bAlerts;
    samples.a.push(ppvA);
    samples.b.push(ppvB);
    samples.difference.push(ppvA - ppvB);
  }
  const ppvA = alertStats(a, labels).ppv;
  const ppvB = alertStats(b, labels).ppv;
  return {
    a: { value: ppvA, ...percentileInterval(samples.a) },
    b: { value: ppvB, ...percentileInterval(samples.b) },
    difference: { value: ppvA - ppvB, ...percentileInterval(samples.difference) },
    replicates: bootstrap.replicates,
  };
}

function twoSided(samples: readonly number[]): { lower: number; upper: number } {
  const { lower, upper } = percentileInterval(samples);
  return { lower, upper };
}

/** The 2.5th, 97.5th (and 5th) percentiles of the finite samples (NaN when there are none). */
function percentileInterval(samples: readonly number[]): { lower: number; upper: number; lowerOneSided: number } {
  const sorted = samples.filter(Number.isFinite).sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))] ?? Number.NaN;
  return { lower: at(0.025), upper: at(0.975), lowerOneSided: at(0.05) };
}
