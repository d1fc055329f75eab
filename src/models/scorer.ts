// The scoring seam: one interface that answers "how at risk is this patient?". The rules-only scorer
// (NEWS2 and qSOFA) always works; the ONNX model scorer wraps it and falls back to it whenever the
// model cannot answer, so a card is never lost to a model fault.
import type { News2Result, QsofaResult } from '../fallback-rules/types.js';
import type { PatientInputs } from '../prefetch/vital-signs.js';

/** One feature's share of the model's logit, for explanations. */
export interface Contribution {
  feature: string;
  /** The value the model saw, in the feature's unit (after imputation, if any). */
  value: number;
  unit?: string;
  /** Contribution in log-odds relative to the model's reference ("normal physiology") values. */
  logOdds: number;
  /** True when the value was missing and the reference value was used in its place. */
  imputed: boolean;
}

export type ModelBand = 'low' | 'medium' | 'high';

export interface ModelPrediction {
  name: string;
  version: string;
  /** Probability of the outcome within the model's window (e.g. 24 h). */
  probability: number;
  outcomeWindowHours: number;
  outcome: string;
  band: ModelBand;
  contributions: Contribution[];
  /** Logit at the reference values: contributions add to the logit from here. */
  baselineLogOdds: number;
}

/** Why the model did not answer, in words a clinician can read on a card. */
export type ModelStatus =
  | { state: 'used' }
  | { state: 'not-configured' }
  | { state: 'unavailable'; reason: string }
  | { state: 'insufficient-data'; reason: string };

export interface RiskAssessment {
  path: 'model' | 'rules';
  news2: News2Result;
  qsofa: QsofaResult;
  model?: ModelPrediction;
  modelStatus: ModelStatus;
}

export interface DeteriorationScorer {
  assess(inputs: PatientInputs): Promise<RiskAssessment>;
  /** For /readyz and start-up logs. */
  describe(): { model: 'loaded' | 'fallback-only' | 'not-configured'; detail?: string };
  close(): Promise<void>;
}
