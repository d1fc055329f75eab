// The model scorer: NEWS2 and qSOFA from the rules on every call, plus one model's probability when it
// can answer (the model-runner.ts machinery: contract, cache, breaker). How a model's answer becomes
// the card's is decided here, once, for every model Vigil runs: silent never changes a card; active
// shows the estimate unless it rests on assumed NEWS2 parameters. Whenever the model cannot answer,
// the rules' assessment goes out with a reason a clinician can read.
import { createRulesScorer } from './rules-scorer.js';
import type { PatientInputs } from '../domain/vital-signs.js';
import type { Telemetry } from '../telemetry.js';
import { featureWords } from '../domain/labels.js';
import type { ModelMetadata } from './model-metadata.js';
import { createModelRunner, type ModelAnswer, type ModelScorerSettings, type ScorerLog } from './model-runner.js';
import type { InferFn, LoadedModel } from './onnx-model.js';
import type { DeteriorationScorer, ModelMode, ModelPrediction, ModelRecord, ModelRole, ModelStatus, RiskAssessment } from './scorer.js';
import { withFields } from '../lang/with-fields.js';

export { ModelOutputError, type ModelScorerSettings, type ScorerLog } from './model-runner.js';

export interface ModelScorerOptions {
  model: LoadedModel;
  settings: ModelScorerSettings;
  /** `active`: the estimate goes on cards; `silent`: scored and recorded only. Default active (tests). */
  mode?: Exclude<ModelMode, 'off'>;
  rules?: DeteriorationScorer;
  /** Replaces the model's own inference (tests make it slow, throwing or NaN). */
  infer?: InferFn;
  telemetry?: Telemetry;
  log?: ScorerLog;
}

/**
 * Model inputs that NEWS2 scores. When one was not charted, the model assumed a normal value for it;
 * NEWS2 reports the same parameter as missing. An estimate resting on an assumed-normal respiratory
 * rate is the reassurance the card must never give, so it is recorded but not shown.
 */
const NEWS2_SCORED_FEATURES: ReadonlySet<string> = new Set([
  'respiratoryRate',
  'spo2',
  'onOxygen',
  'systolicBP',
  'heartRate',
  'consciousnessNotAlert',
  'temperature',
]);

/** Why an estimate is not shown, when it rests on assumed-normal NEWS2 parameters; undefined when it may be. */
function notShownBecause(prediction: ModelPrediction): string | undefined {
  const assumed = prediction.contributions.filter((c) => c.imputed && NEWS2_SCORED_FEATURES.has(c.feature));
  if (assumed.length === 0) return undefined;
  const names = assumed.map((c) => featureWords(c.feature));
  return `${names.join(', ')} not charted: the model's estimate would rest on ${assumed.length === 1 ? 'an assumed normal value' : 'assumed normal values'}`;
}

/** The model a record is about. */
export interface RecordedModel {
  metadata: Pick<ModelMetadata, 'name' | 'version'>;
  role: ModelRole;
}

/** What one model did on one call, for the audit trail and metrics. */
export function modelRecord(model: RecordedModel, mode: Exclude<ModelMode, 'off'>, answer: ModelAnswer, shown = false): ModelRecord {
  const status: ModelStatus = 'model' in answer ? { state: 'used' } : answer.status;
  return {
    mode,
    role: model.role,
    name: model.metadata.name,
    version: model.metadata.version,
    status,
    shown,
    ...('model' in answer ? { prediction: answer.model } : {}),
  };
}

/**
 * The call's assessment from the rules' and one model's answer, in the mode that model serves in on
 * this call. Silent: the card is what it would be with no model at all.
 */
export function composeAssessment(base: RiskAssessment, model: RecordedModel, mode: Exclude<ModelMode, 'off'>, answer: ModelAnswer): RiskAssessment {
  if (mode === 'silent') return withFields(base, { path: 'rules', modelStatus: { state: 'not-configured' }, modelRecord: modelRecord(model, mode, answer) });
  if (!('model' in answer)) return withFields(base, { path: 'rules', modelStatus: answer.status, modelRecord: modelRecord(model, mode, answer) });
  const hidden = notShownBecause(answer.model);
  if (hidden !== undefined) {
    const status: ModelStatus = { state: 'insufficient-data', reason: hidden };
    return withFields(base, { path: 'rules', modelStatus: status, modelRecord: withFields(modelRecord(model, mode, answer), { status }) });
  }
  return withFields(base, { path: 'model', model: answer.model, modelStatus: { state: 'used' }, modelRecord: modelRecord(model, mode, answer, true) });
}

/** One model beside the rules, in one fixed mode (tests, the validation replay, the benchmark). */
export function createModelScorer(options: ModelScorerOptions): DeteriorationScorer {
  const rules = options.rules ?? createRulesScorer();
  const mode = options.mode ?? 'active';
  const runner = createModelRunner({
    model: options.model,
    settings: options.settings,
    ...(options.infer !== undefined ? { infer: options.infer } : {}),
    ...(options.telemetry !== undefined ? { telemetry: options.telemetry } : {}),
    ...(options.log !== undefined ? { log: options.log } : {}),
  });
  const { metadata } = runner;
  return {
    async assess(inputs: PatientInputs): Promise<RiskAssessment> {
      const [base, answer] = await Promise.all([rules.assess(inputs), runner.answer(inputs)]);
      return composeAssessment(base, runner, mode, answer);
    },
    describe() {
      return {
        model: 'loaded',
        mode,
        detail: `${metadata.name} ${metadata.version} (${runner.breakerState()})`,
        name: metadata.name,
        version: metadata.version,
        ...(metadata.trainingData !== undefined ? { trainingData: metadata.trainingData } : {}),
      };
    },
    async close() {
      await runner.close();
      await rules.close();
    },
  };
}

/**
 * The assessment when the model could not be loaded: NEWS2 answers, and says why (on the card when the
 * model was meant to be active; in the record only when it was meant to be silent).
 */
export function notLoadedAssessment(base: RiskAssessment, mode: Exclude<ModelMode, 'off'>, reason: string): RiskAssessment {
  const status: ModelStatus = { state: 'unavailable', reason };
  const modelRecord: ModelRecord = { mode, role: 'primary', name: 'not loaded', version: 'none', status, shown: false };
  return withFields(base, { path: 'rules', modelStatus: mode === 'silent' ? { state: 'not-configured' } : status, modelRecord });
}
