// The whole training run as one pure function of its options: cohort → rows → patient-level split →
// fit → evaluation against NEWS2 on the same rows → ONNX bytes with metadata → model card text.
// Same options, same bytes (the training-determinism test holds it to that).
import { explanationLogit, sigmoid } from '../src/models/contributions.js';
import { FEATURE_CONTRACT_ID, MODEL_FEATURES } from '../src/models/feature-contract.js';
import type { AdditiveExplanation, ModelMetadata } from '../src/models/model-metadata.js';
import { generateCohort, OUTCOME, OUTCOME_WINDOW_HOURS } from './cohort.js';
import { scoredRows, type ScoredRow } from './dataset.js';
import { fitHingedLogistic, type FeatureBasis } from './logistic.js';
import {
  alertStats,
  auprc,
  auroc,
  calibrationInterceptSlope,
  calibrationTable,
  pairedBootstrapAurocDifference,
  thresholdForAlertRate,
  type AlertStats,
  type CalibrationBin,
  type PairedBootstrap,
} from './metrics.js';
import { writeOnnx } from './onnx-writer.js';
import { createRandom } from './random.js';

export const MODEL_NAME = 'vigil-deterioration';
export const MODEL_VERSION = '1.0.0';
export const DEFAULT_SEED = 20240611;
export const DEFAULT_PATIENTS = 4000;

const below = (knot: number) => ({ side: 'below' as const, knot });
const above = (knot: number) => ({ side: 'above' as const, knot });

/**
 * Reference values ("normal physiology", what an explanation is relative to) sit in the middle of each
 * NEWS2 zero band (RCP 2017, chart 1); hinges at the reference and at the band edges where NEWS2 adds
 * points, so risk rises away from normal and steepens where NEWS2 does. Systolic BP is the exception:
 * the zero band 111–219 is so wide its middle (165) is not normal, so the reference is 120 mmHg. Age has
 * no band: 60 years, linear. Knots are whole numbers so they are exact in float32.
 */
export const FEATURE_BASIS: readonly FeatureBasis[] = [
  { name: 'respiratoryRate', reference: 16, linear: false, hinges: [below(16), below(12), above(16), above(20)] },
  { name: 'spo2', reference: 98, linear: false, hinges: [below(98), below(96), below(92)] },
  { name: 'onOxygen', reference: 0, linear: true, hinges: [] },
  { name: 'systolicBP', reference: 120, linear: false, hinges: [below(120), below(111), below(101), above(219)] },
  { name: 'heartRate', reference: 70, linear: false, hinges: [below(70), below(51), above(70), above(90), above(110)] },
  { name: 'consciousnessNotAlert', reference: 0, linear: true, hinges: [] },
  { name: 'temperature', reference: 37, linear: false, hinges: [below(37), below(36), above(37), above(38)] },
  { name: 'ageYears', reference: 60, linear: true, hinges: [] },
];

/** L2 penalty on standardised coefficients: light, the cohort is large relative to 23 parameters. */
const LAMBDA = 1;
const TRAIN_FRACTION = 0.7;
const CALIBRATION_BINS = 10;

export interface TrainingOptions {
  seed: number;
  patients: number;
  bootstrapReplicates: number;
}

export interface Evaluation {
  rows: { train: number; test: number; testExcluded: number; testPositives: number; testPatients: number };
  encounters: { total: number; withEvent: number };
  aurocModel: number;
  aurocNews2: number;
  difference: PairedBootstrap;
  auprcModel: number;
  auprcNews2: number;
  prevalence: number;
  calibration: CalibrationBin[];
  calibrationFit: { intercept: number; slope: number };
  news2AtFive: AlertStats;
  modelAtMatchedRate: AlertStats & { threshold: number };
}

export interface TrainingResult {
  metadata: ModelMetadata & { explanation: AdditiveExplanation };
  onnx: Uint8Array;
  evaluation: Evaluation;
  options: TrainingOptions;
}

export function trainingCommand(options: TrainingOptions): string {
  return `npm run train -- --seed ${options.seed} --patients ${options.patients} --bootstrap ${options.bootstrapReplicates}`;
}

const significant = (v: number) => Number(v.toPrecision(3));

export function runTraining(options: TrainingOptions): TrainingResult {
  const encounters = generateCohort({ seed: options.seed, patients: options.patients });
  const references = FEATURE_BASIS.map((b) => b.reference);
  const rows = scoredRows(encounters, references);

  // Patient-level split: every row of a patient falls on one side.
  const patients = [...new Set(rows.map((r) => r.patientId))];
  const random = createRandom(options.seed ^ 0x5eed);
  for (let i = patients.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [patients[i], patients[j]] = [patients[j] ?? 0, patients[i] ?? 0];
  }
  const trainPatients = new Set(patients.slice(0, Math.round(patients.length * TRAIN_FRACTION)));
  const usable = (r: ScoredRow): r is ScoredRow & { features: number[] } => r.features !== undefined;
  const train = rows.filter((r) => trainPatients.has(r.patientId)).filter(usable);
  const testAll = rows.filter((r) => !trainPatients.has(r.patientId));
  const test = testAll.filter(usable);

  const explanation = fitHingedLogistic(
    train.map((r) => r.features),
    train.map((r) => r.label),
    FEATURE_BASIS,
    { lambda: LAMBDA },
  );
  const predict = (r: { features: number[] }) => sigmoid(explanationLogit(explanation, references, r.features));

  // Bands: "medium" alerts as often as NEWS2 ≥ 5 and "high" as often as NEWS2 ≥ 7, on training rows.
  const trainProbabilities = train.map(predict);
  const thresholds = {
    medium: significant(thresholdForAlertRate(trainProbabilities, train.filter((r) => r.news2Total >= 5).length / train.length)),
    high: significant(thresholdForAlertRate(trainProbabilities, train.filter((r) => r.news2Total >= 7).length / train.length)),
  };

  const labels = test.map((r) => r.label);
  const probabilities = test.map(predict);
  const news2 = test.map((r) => r.news2Total);
  const news2Alerts = news2.map((s) => s >= 5);
  const news2AtFive = alertStats(news2Alerts, labels);
  const matchedThreshold = thresholdForAlertRate(probabilities, news2AtFive.alertRate);
  const evaluation: Evaluation = {
    rows: {
      train: train.length,
      test: test.length,
      testExcluded: testAll.length - test.length,
      testPositives: labels.filter(Boolean).length,
      testPatients: new Set(test.map((r) => r.patientId)).size,
    },
    encounters: { total: encounters.length, withEvent: encounters.filter((e) => e.eventHour !== undefined).length },
    aurocModel: auroc(probabilities, labels),
    aurocNews2: auroc(news2, labels),
    difference: pairedBootstrapAurocDifference(
      probabilities,
      news2,
      labels,
      test.map((r) => r.patientId),
      options.bootstrapReplicates,
      options.seed ^ 0xb007,
    ),
    auprcModel: auprc(probabilities, labels),
    auprcNews2: auprc(news2, labels),
    prevalence: labels.filter(Boolean).length / labels.length,
    calibration: calibrationTable(probabilities, labels, CALIBRATION_BINS),
    calibrationFit: calibrationInterceptSlope(probabilities, labels),
    news2AtFive,
    modelAtMatchedRate: { ...alertStats(probabilities.map((p) => p >= matchedThreshold), labels), threshold: matchedThreshold },
  };

  const metadata = {
    contract: FEATURE_CONTRACT_ID,
    name: MODEL_NAME,
    version: MODEL_VERSION,
    features: MODEL_FEATURES.map((f, i) => ({ name: f.name, unit: f.unit, reference: references[i] ?? 0 })),
    outcome: OUTCOME,
    outcomeWindowHours: OUTCOME_WINDOW_HOURS,
    thresholds,
    explanation,
    trainingCommand: trainingCommand(options),
    seed: String(options.seed),
    trainingData: 'SYNTHETIC cohort (training/cohort.ts); not clinically validated',
  };
  return { metadata, onnx: writeOnnx(metadata), evaluation, options };
}
