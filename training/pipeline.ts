// The whole training run as one pure function of its options: cohort → rows → patient-level split
// (train / validation / held-out) → fit on train → band thresholds chosen on validation for the rule
// Vigil serves → evaluation against NEWS2 on the held-out rows → ONNX bytes with metadata (reference
// histograms included) → model card text. Same options, same bytes (the determinism test holds it to that).
import { explanationLogit, sigmoid } from '../src/models/contributions.js';
import { FEATURE_CONTRACT_ID, MODEL_FEATURES } from '../src/models/feature-contract.js';
import type { AdditiveExplanation, ModelMetadata } from '../src/models/model-metadata.js';
import { generateCohort, OUTCOME, OUTCOME_WINDOW_HOURS, PHENOTYPES, type Phenotype } from './cohort.js';
import { scoredRows, type ScoredRow } from './dataset.js';
import { derangementEffects, type DerangementEffect } from './derangements.js';
import { FEATURE_BASIS } from './feature-basis.js';
import { fitHingedLogistic } from './logistic.js';
import {
  alertStats,
  auprc,
  auroc,
  calibrationInterceptSlope,
  calibrationTable,
  pairedBootstrapAurocDifference,
  patientBootstrap,
  thresholdForAlertRate,
  type AlertStats,
  type CalibrationBin,
  type PairedBootstrap,
} from '../src/validation/metrics.js';
import { writeOnnx } from './onnx-writer.js';
import { createRandom } from '../src/validation/random.js';
import { referenceDistributions } from './reference-distributions.js';
import { ALERT_BANDS, evaluateBand, news2Alerts, type BandEvaluation, type Moment } from '../src/validation/served-rule.js';
import { chooseThresholds, type ThresholdChoice } from './thresholds.js';

export const MODEL_NAME = 'vigil-deterioration';
export const DEFAULT_VERSION = '2.0.0';
export const DEFAULT_SEED = 20240611;
export const DEFAULT_PATIENTS = 6000;
export const DEFAULT_BOOTSTRAP = 1000;
/** What `vigil.training_data` says of a model trained on the synthetic cohort. */
export const TRAINING_DATA = 'synthetic';

/** L2 penalty on standardised coefficients: light, the cohort is large relative to 33 parameters. */
const LAMBDA = 1;
/** Patient-level split: fit on the first share, choose thresholds on the second, report on the rest. */
const SPLIT = { train: 0.6, validation: 0.2 } as const;
const CALIBRATION_BINS = 10;

export interface TrainingOptions {
  seed: number;
  patients: number;
  bootstrapReplicates: number;
  version: string;
}

export const DEFAULT_OPTIONS: TrainingOptions = {
  seed: DEFAULT_SEED,
  patients: DEFAULT_PATIENTS,
  bootstrapReplicates: DEFAULT_BOOTSTRAP,
  version: DEFAULT_VERSION,
};

interface SplitCounts {
  patients: number;
  rows: number;
  positives: number;
  /** Rows the model would not score (too many inputs missing), left out of every comparison. */
  excluded: number;
}

export interface Evaluation {
  split: { train: SplitCounts; validation: SplitCounts; test: SplitCounts };
  encounters: { total: number; withEvent: number; byPhenotype: Record<Phenotype, number> };
  aurocModel: number;
  aurocNews2: number;
  difference: PairedBootstrap;
  auprcModel: number;
  auprcNews2: number;
  prevalence: number;
  calibration: CalibrationBin[];
  calibrationFit: { intercept: number; slope: number };
  /** The thresholds, how they were chosen on validation, and the served rule on held-out rows per band. */
  choice: ThresholdChoice;
  bands: BandEvaluation[];
  /** Ranking alone: the model at NEWS2's warning-or-above alert rate, threshold set on validation. */
  matched: { threshold: number; news2: AlertStats; model: AlertStats };
  derangements: { normal: number; effects: DerangementEffect[] };
}

export interface TrainingResult {
  metadata: ModelMetadata & { explanation: AdditiveExplanation };
  onnx: Uint8Array;
  evaluation: Evaluation;
  options: TrainingOptions;
}

/** The command that reproduces a model byte for byte (the output path does not change the bytes). */
export function trainingCommand(options: TrainingOptions): string {
  return `npm run train -- --seed ${options.seed} --patients ${options.patients} --bootstrap ${options.bootstrapReplicates} --version ${options.version}`;
}

export type Part = 'train' | 'validation' | 'test';

/** Assigns each patient to one part, so every row of a patient falls on one side of every split. */
export function splitPatients(rows: readonly ScoredRow[], seed: number): Map<number, Part> {
  const patients = [...new Set(rows.map((r) => r.patientId))];
  const random = createRandom(seed ^ 0x5eed);
  for (let i = patients.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [patients[i], patients[j]] = [patients[j] ?? 0, patients[i] ?? 0];
  }
  const trainEnd = Math.round(patients.length * SPLIT.train);
  const validationEnd = Math.round(patients.length * (SPLIT.train + SPLIT.validation));
  return new Map(patients.map((p, i) => [p, i < trainEnd ? 'train' : i < validationEnd ? 'validation' : 'test']));
}

type Usable = ScoredRow & { features: number[]; imputed: boolean[] };
const usable = (r: ScoredRow): r is Usable => r.features !== undefined && r.imputed !== undefined;

function counts(all: readonly ScoredRow[], used: readonly Usable[]): SplitCounts {
  return {
    patients: new Set(all.map((r) => r.patientId)).size,
    rows: used.length,
    positives: used.filter((r) => r.label).length,
    excluded: all.length - used.length,
  };
}

export function runTraining(options: TrainingOptions): TrainingResult {
  const encounters = generateCohort({ seed: options.seed, patients: options.patients });
  const references = FEATURE_BASIS.map((b) => b.reference);
  const rows = scoredRows(encounters, references);
  const part = splitPatients(rows, options.seed);
  const inPart = (p: Part) => rows.filter((r) => part.get(r.patientId) === p);
  const all = { train: inPart('train'), validation: inPart('validation'), test: inPart('test') };
  const train = all.train.filter(usable);
  const validation = all.validation.filter(usable);
  const test = all.test.filter(usable);

  const explanation = fitHingedLogistic(
    train.map((r) => r.features),
    train.map((r) => r.label),
    FEATURE_BASIS,
    { lambda: LAMBDA },
  );
  const predict = (r: Usable) => sigmoid(explanationLogit(explanation, references, r.features));
  const moments = (set: readonly Usable[]): Moment[] =>
    set.map((r) => ({ patientId: r.patientId, label: r.label, news2Risk: r.news2Risk, probability: predict(r) }));
  const validationMoments = moments(validation);
  const testMoments = moments(test);

  const bootstrapOver = (set: readonly Moment[], salt: number) =>
    patientBootstrap(
      set.map((m) => m.patientId),
      options.bootstrapReplicates,
      options.seed ^ salt,
    );
  const choice = chooseThresholds(validationMoments, bootstrapOver(validationMoments, 0x7a1d));
  const testBootstrap = bootstrapOver(testMoments, 0xb00);
  const bands = ALERT_BANDS.map((band) => evaluateBand(testMoments, band, choice.thresholds, testBootstrap));

  const labels = testMoments.map((m) => m.label);
  const probabilities = testMoments.map((m) => m.probability);
  const news2 = test.map((r) => r.news2Total);
  const news2Rate = validationMoments.filter((m) => news2Alerts(m, 'warning')).length / validationMoments.length;
  const matchedThreshold = thresholdForAlertRate(
    validationMoments.map((m) => m.probability),
    news2Rate,
  );
  const byPhenotype = Object.fromEntries(PHENOTYPES.map((p) => [p, encounters.filter((e) => e.phenotype === p).length])) as Record<
    Phenotype,
    number
  >;

  const evaluation: Evaluation = {
    split: {
      train: counts(all.train, train),
      validation: counts(all.validation, validation),
      test: counts(all.test, test),
    },
    encounters: { total: encounters.length, withEvent: encounters.filter((e) => e.eventHour !== undefined).length, byPhenotype },
    aurocModel: auroc(probabilities, labels),
    aurocNews2: auroc(news2, labels),
    difference: pairedBootstrapAurocDifference(
      probabilities,
      news2,
      labels,
      testMoments.map((m) => m.patientId),
      options.bootstrapReplicates,
      options.seed ^ 0xb007,
    ),
    auprcModel: auprc(probabilities, labels),
    auprcNews2: auprc(news2, labels),
    prevalence: labels.filter(Boolean).length / labels.length,
    calibration: calibrationTable(probabilities, labels, CALIBRATION_BINS),
    calibrationFit: calibrationInterceptSlope(probabilities, labels),
    choice,
    bands,
    matched: {
      threshold: matchedThreshold,
      news2: alertStats(
        testMoments.map((m) => news2Alerts(m, 'warning')),
        labels,
      ),
      model: alertStats(
        probabilities.map((p) => p >= matchedThreshold),
        labels,
      ),
    },
    derangements: derangementEffects(explanation, references),
  };

  const metadata = {
    contract: FEATURE_CONTRACT_ID,
    name: MODEL_NAME,
    version: options.version,
    features: MODEL_FEATURES.map((f, i) => ({ name: f.name, unit: f.unit, reference: references[i] ?? 0 })),
    outcome: OUTCOME,
    outcomeWindowHours: OUTCOME_WINDOW_HOURS,
    thresholds: choice.thresholds,
    explanation,
    trainingCommand: trainingCommand(options),
    seed: String(options.seed),
    trainingData: TRAINING_DATA,
    referenceDistributions: referenceDistributions(
      train.map((r) => ({ features: r.features, imputed: r.imputed, probability: predict(r) })),
      `training rows (${TRAINING_DATA})`,
    ),
  };
  return { metadata, onnx: writeOnnx(metadata), evaluation, options };
}
