// The numbers of a validation report, from labelled scoring moments: the model, NEWS2 and the served
// rule side by side on the same rows. Discrimination (AUROC, AUPRC) and alert statistics per band
// carry 95 % intervals from one patient bootstrap (rows of a patient are correlated, so patients are
// resampled, and every score sees the same resampled patients); calibration is the model's (NEWS2 is
// not a probability). Pure: same rows and seed, same numbers.
import type { News2Risk } from '../fallback-rules/types.js';
import type { ModelBand } from '../models/scorer.js';
import {
  alertStats,
  alertStatsWithIntervals,
  calibrationInterceptSlope,
  calibrationTable,
  pairedBootstrapAurocDifference,
  patientBootstrap,
  rankingWithIntervals,
  rocCurve,
  thresholdForAlertRate,
  type AlertEstimates,
  type AlertStats,
  type CalibrationBin,
  type Estimate,
  type PairedBootstrap,
  type RocPoint,
} from './metrics.js';
import { ALERT_BANDS, bandAlerts, news2RiskAlerts, type AlertBand } from './served-rule.js';

/** Card colours that alert, as served-rule ranks: 0 no alert, 1 warning, 2 critical. */
export type Severity = 0 | 1 | 2;

export interface EvaluationRow {
  patient: string;
  /** The moment (epoch ms). */
  at: number;
  label: boolean;
  news2Total: number;
  news2Risk: News2Risk;
  probability: number;
  modelBand: ModelBand;
  /** Whether this band may raise the card's colour (an active model whose estimate is shown). */
  modelCounts: boolean;
  /** Audit trail only: the colour of the cards actually shown (0 none or info, 1 warning, 2 critical). */
  shown?: Severity;
}

export interface EvaluationOptions {
  bootstrapReplicates: number;
  seed: number;
}

export const SCORES = ['model', 'news2', 'served'] as const;
export type ScoreName = (typeof SCORES)[number] | 'shown';

export interface Ranking {
  auroc: Estimate;
  auprc: Estimate;
}

export interface BandResult {
  band: AlertBand;
  news2: AlertEstimates;
  model: AlertEstimates;
  served: AlertEstimates;
  shown?: AlertEstimates;
  /** Model alerts where NEWS2 stays below this band: what the model adds to NEWS2's alerts. */
  added: AlertEstimates;
}

export interface Histogram {
  /** Bin i holds values v with edges[i − 1] ≤ v < edges[i]; one bin more than edges. */
  edges: number[];
  /** Share of the positive rows (event in the window) in each bin. */
  positives: number[];
  /** Share of the negative rows in each bin. */
  negatives: number[];
}

export interface Evaluation {
  rows: number;
  patients: number;
  positives: number;
  prevalence: number;
  ranking: Partial<Record<ScoreName, Ranking>>;
  /** AUROC(model) − AUROC(NEWS2), paired over the same bootstrap patients. */
  aurocDifference: PairedBootstrap;
  calibration: { table: CalibrationBin[]; intercept: number; slope: number };
  bands: BandResult[];
  /** Ranking alone: the model at NEWS2's warning-or-above alert rate (threshold set on these same rows). */
  matched: { alertRate: number; threshold: number; model: AlertStats; news2: AlertStats };
  curves: Partial<Record<ScoreName, RocPoint[]>>;
  distributions: { model: Histogram; news2: Histogram };
  bootstrap: { replicates: number; seed: number };
}

const CALIBRATION_BINS = 10;
/** Enough corners to draw a smooth curve; the JSON stays small. */
const MAX_CURVE_POINTS = 200;
/** Probability bins for the distribution picture: finer where ward risks sit. */
const PROBABILITY_EDGES = [0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5];
const NEWS2_EDGES = Array.from({ length: 13 }, (_, i) => i + 1);

export function news2Severity(risk: News2Risk): Severity {
  return news2RiskAlerts(risk, 'critical') ? 2 : news2RiskAlerts(risk, 'warning') ? 1 : 0;
}

export function modelSeverity(band: ModelBand): Severity {
  return bandAlerts(band, 'critical') ? 2 : bandAlerts(band, 'warning') ? 1 : 0;
}

/** The served rule: the more severe of NEWS2's colour and the model band's, where the band counts. */
export function servedSeverity(row: Pick<EvaluationRow, 'news2Risk' | 'modelBand' | 'modelCounts'>): Severity {
  const news2 = news2Severity(row.news2Risk);
  const model = row.modelCounts ? modelSeverity(row.modelBand) : 0;
  return news2 >= model ? news2 : model;
}

const atLeast = (band: AlertBand) => (severity: Severity) => severity >= (band === 'critical' ? 2 : 1);

function thin(points: RocPoint[]): RocPoint[] {
  if (points.length <= MAX_CURVE_POINTS) return points;
  const step = (points.length - 1) / (MAX_CURVE_POINTS - 1);
  return Array.from({ length: MAX_CURVE_POINTS }, (_, i) => points[Math.round(i * step)] ?? points[points.length - 1]!);
}

function histogram(values: readonly number[], labels: readonly boolean[], edges: readonly number[]): Histogram {
  const counts = { positives: new Array<number>(edges.length + 1).fill(0), negatives: new Array<number>(edges.length + 1).fill(0) };
  values.forEach((v, i) => {
    let bin = 0;
    while (bin < edges.length && v >= (edges[bin] ?? Infinity)) bin++;
    const side = labels[i] ? counts.positives : counts.negatives;
    side[bin] = (side[bin] ?? 0) + 1;
  });
  const share = (xs: number[]) => {
    const total = xs.reduce((a, b) => a + b, 0);
    return xs.map((x) => (total === 0 ? 0 : x / total));
  };
  return { edges: [...edges], positives: share(counts.positives), negatives: share(counts.negatives) };
}

/** Rows must come in a stable order (the callers sort by patient, then time): the bootstrap follows it. */
export function evaluate(rows: readonly EvaluationRow[], options: EvaluationOptions): Evaluation {
  const index = new Map<string, number>();
  const clusters = rows.map((r) => {
    let k = index.get(r.patient);
    if (k === undefined) {
      k = index.size;
      index.set(r.patient, k);
    }
    return k;
  });
  const labels = rows.map((r) => r.label);
  const probability = rows.map((r) => r.probability);
  const news2 = rows.map((r) => r.news2Total);
  const served = rows.map(servedSeverity);
  const shown = rows.every((r) => r.shown !== undefined) && rows.length > 0 ? rows.map((r) => r.shown ?? 0) : undefined;
  const bootstrap = patientBootstrap(clusters, options.bootstrapReplicates, options.seed);

  const scores: [ScoreName, number[]][] = [
    ['model', probability],
    ['news2', news2],
    ['served', served],
    ...(shown !== undefined ? ([['shown', shown]] as [ScoreName, number[]][]) : []),
  ];
  const ranking: Partial<Record<ScoreName, Ranking>> = {};
  const curves: Partial<Record<ScoreName, RocPoint[]>> = {};
  for (const [name, values] of scores) {
    ranking[name] = rankingWithIntervals(values, labels, bootstrap);
    curves[name] = thin(rocCurve(values, labels));
  }

  const bands = ALERT_BANDS.map((band): BandResult => {
    const alerts = atLeast(band);
    const news2Alerts = rows.map((r) => alerts(news2Severity(r.news2Risk)));
    const modelAlerts = rows.map((r) => alerts(modelSeverity(r.modelBand)));
    const servedAlerts = served.map(alerts);
    const result: BandResult = {
      band,
      news2: alertStatsWithIntervals(news2Alerts, labels, bootstrap),
      model: alertStatsWithIntervals(modelAlerts, labels, bootstrap),
      served: alertStatsWithIntervals(servedAlerts, labels, bootstrap),
      added: alertStatsWithIntervals(
        servedAlerts.map((a, i) => a && !news2Alerts[i]),
        labels,
        bootstrap,
      ),
    };
    if (shown !== undefined) result.shown = alertStatsWithIntervals(shown.map(alerts), labels, bootstrap);
    return result;
  });

  const news2WarningRate = rows.length === 0 ? Number.NaN : rows.filter((r) => news2Severity(r.news2Risk) >= 1).length / rows.length;
  const threshold = thresholdForAlertRate(probability, news2WarningRate);
  const fit = calibrationInterceptSlope(probability, labels);
  const positives = labels.filter(Boolean).length;
  return {
    rows: rows.length,
    patients: index.size,
    positives,
    prevalence: rows.length === 0 ? Number.NaN : positives / rows.length,
    ranking,
    aurocDifference: pairedBootstrapAurocDifference(
      probability,
      news2,
      labels,
      clusters,
      options.bootstrapReplicates,
      options.seed ^ 0xd1ff,
    ),
    calibration: { table: calibrationTable(probability, labels, CALIBRATION_BINS), intercept: fit.intercept, slope: fit.slope },
    bands,
    matched: {
      alertRate: news2WarningRate,
      threshold,
      model: alertStats(
        probability.map((p) => p >= threshold),
        labels,
      ),
      news2: alertStats(
        rows.map((r) => news2Severity(r.news2Risk) >= 1),
        labels,
      ),
    },
    curves,
    distributions: {
      model: histogram(probability, labels, PROBABILITY_EDGES),
      news2: histogram(news2, labels, NEWS2_EDGES),
    },
    bootstrap: { replicates: options.bootstrapReplicates, seed: options.seed },
  };
}
