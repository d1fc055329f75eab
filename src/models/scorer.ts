// The scoring seam: one interface that answers "how at risk is this patient?". The rules-only scorer
// (NEWS2 and qSOFA) always works; the ONNX model scorer wraps it and falls back to it whenever the
// model cannot answer, so a card is never lost to a model fault.
import type { News2Result, QsofaResult } from '../fallback-rules/types.js';
import type { PatientInputs } from '../domain/vital-signs.js';

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
  /**
   * What the model was trained on, from its metadata: "synthetic" for the shipped model (every card
   * that shows its estimate says so), a site's own word (e.g. "site") otherwise.
   */
  trainingData?: string;
  /** Probability of the outcome within the model's window (e.g. 24 h). */
  probability: number;
  outcomeWindowHours: number;
  outcome: string;
  band: ModelBand;
  /**
   * The bands this model may raise a card to. A band whose threshold is above 1 is switched off (its
   * added alerts were not shown to be as often right as NEWS2's on validation): none in use means the
   * model informs and never alerts on its own.
   */
  bandsInUse: ('medium' | 'high')[];
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

/** What a model may do (VIGIL_MODEL_MODE): not run, run unseen, or run and be shown on cards. */
export type ModelMode = 'off' | 'silent' | 'active';

/**
 * What the model did on one call, shown or not: for the audit trail and metrics, never for cards.
 * In silent mode this is the only trace of the model; in active mode `shown` says whether its
 * estimate reached the card (it does not when NEWS2 parameters had to be assumed normal).
 */
export interface ModelRecord {
  mode: Exclude<ModelMode, 'off'>;
  name: string;
  version: string;
  prediction?: ModelPrediction;
  status: ModelStatus;
  shown: boolean;
}

export interface RiskAssessment {
  /** `model` when the model's estimate is on the card; `rules` when NEWS2 answers alone. */
  path: 'model' | 'rules';
  news2: News2Result;
  qsofa: QsofaResult;
  /** The model's estimate as the card shows it (active mode, and usable). */
  model?: ModelPrediction;
  /** Why the card shows no model, when it shows none. `not-configured` for off and silent alike. */
  modelStatus: ModelStatus;
  /** The model's own record of the call (absent when no model runs). */
  modelRecord?: ModelRecord;
}

/** What a scorer says of itself (readiness, start-up log, the About page). */
export interface ScorerDescription {
  model: 'loaded' | 'fallback-only' | 'not-configured';
  mode?: ModelMode;
  detail?: string;
  /** The loaded model's identity and what it was trained on. */
  name?: string;
  version?: string;
  trainingData?: string;
}

export interface DeteriorationScorer {
  assess(inputs: PatientInputs): Promise<RiskAssessment>;
  /** For /readyz and start-up logs. */
  describe(): ScorerDescription;
  close(): Promise<void>;
}
