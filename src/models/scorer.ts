// The scoring seam: one interface that answers "how at risk is this patient?". The rules-only scorer
// (NEWS2 and qSOFA) always works; the ONNX model scorer wraps it and falls back to it whenever the
// model cannot answer, so a card is never lost to a model fault.
import type { News2Result, QsofaResult } from '../fallback-rules/types.js';
import type { PatientInputs } from '../domain/vital-signs.js';
import type { DriftSnapshot } from './drift.js';

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
 * Which configured model: `primary` (VIGIL_MODEL_PATH) or `candidate` (VIGIL_CANDIDATE_MODEL_PATH, a
 * new version run beside it, silently or as a canary for some patients).
 */
export type ModelRole = 'primary' | 'candidate';

/** What a candidate does (VIGIL_CANDIDATE_MODE): scored unseen on every call, or in the primary's place for some patients. */
export type CandidateMode = 'silent' | 'canary';

/**
 * What the model did on one call, shown or not: for the audit trail and metrics, never for cards.
 * In silent mode this is the only trace of the model; in active mode `shown` says whether its
 * estimate reached the card (it does not when NEWS2 parameters had to be assumed normal).
 */
export interface ModelRecord {
  /** The mode the model ran in on this call (a canary candidate runs in the primary's mode for its patients). */
  mode: Exclude<ModelMode, 'off'>;
  role?: ModelRole;
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
  /**
   * The other configured model's record, when two run side by side (a candidate in shadow, or the
   * primary for a canary patient): always silent, never on the card.
   */
  shadowRecord?: ModelRecord;
}

/** Who the call is about, for choosing a canary: the keyed patient hash, never the id. */
export interface AssessContext {
  patientPseudonym?: string;
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
  /** Every configured model, for /readyz, discovery and the About page (absent: none configured). */
  models?: ModelDescription[];
  /** The last reload that failed, while no later one has succeeded: the models above still serve. */
  reloadFailure?: ReloadFailure;
}

/** One configured model as /readyz shows it. */
export interface ModelDescription {
  role: ModelRole;
  /** `loaded`, or `not loaded` with the reason (the service then runs without it). */
  state: 'loaded' | 'not loaded';
  name?: string;
  version?: string;
  /** The primary's mode; a candidate's is `silent` or `canary`. */
  mode: Exclude<ModelMode, 'off'> | CandidateMode;
  /** A canary candidate: the share of patients (by keyed patient hash) it serves in the primary's place. */
  canaryPercent?: number;
  trainingData?: string;
  detail: string;
}

export interface ReloadFailure {
  /** The model (`primary`, `candidate`) or `configuration` when the settings themselves were refused. */
  role: ModelRole | 'configuration';
  code: string;
  reason: string;
  at: string;
}

/** What metrics read of each model in service when scraped: identity, mode and drift. */
export interface ModelMonitor {
  role: ModelRole;
  name: string;
  version: string;
  mode: string;
  canaryPercent?: number;
  drift?: DriftSnapshot;
}

export interface DeteriorationScorer {
  /** `context` names the patient (keyed hash) so a canary can keep each patient on one model. */
  assess(inputs: PatientInputs, context?: AssessContext): Promise<RiskAssessment>;
  /** For /readyz and start-up logs. */
  describe(): ScorerDescription;
  /** The models in service, read when metrics are scraped (absent: no model). */
  monitor?(): ModelMonitor[];
  close(): Promise<void>;
}

/** The version of the model serving a call (the one whose mode the call ran in), as metric labels carry it. */
export function servingModelVersion(assessment: RiskAssessment | undefined): string {
  return assessment?.modelRecord?.version ?? 'none';
}
