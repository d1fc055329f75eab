// The model scorer: NEWS2 and qSOFA from the rules on every call, plus the ONNX model's probability
// when it can answer: inputs checked against the contract, a prediction cache keyed by the feature
// vector (never the patient), and a circuit breaker around inference. Whenever the model cannot
// answer, the rules' assessment goes out with a reason a clinician can read.
import { LRUCache } from 'lru-cache';
import CircuitBreaker from 'opossum';
import { breakerRefusal, watchBreaker } from '../breakers.js';
import { featureWords } from '../domain/labels.js';
import { createRulesScorer } from './rules-scorer.js';
import type { PatientInputs } from '../domain/vital-signs.js';
import { noTelemetry, type Telemetry } from '../telemetry.js';
import { bandFor, contributionsFor } from './contributions.js';
import { toFeatureVector } from './feature-contract.js';
import type { InferFn, LoadedModel } from './onnx-model.js';
import type { DeteriorationScorer, ModelMode, ModelPrediction, ModelRecord, ModelStatus, RiskAssessment } from './scorer.js';

export interface ModelScorerSettings {
  cacheSize: number;
  cacheTtlMs: number;
  timeoutMs: number;
  errorThresholdPercent: number;
  /** Calls in the rolling window before the breaker may open at all. */
  volumeThreshold: number;
  /** How long the breaker stays open before one trial call (half-open). */
  resetMs: number;
}

/** The subset of a pino/Fastify logger the scorer uses; lines never carry patient data. */
export interface ScorerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

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

/** Inference answered, but not with a probability: a failure for the breaker (NaN in gives NaN out). */
export class ModelOutputError extends Error {
  readonly code = 'VIGIL_MODEL_BAD_OUTPUT';
  constructor() {
    super('the model gave something other than a probability');
    this.name = 'ModelOutputError';
  }
}

const BREAKER_NAME = 'model';

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

function failureReason(error: unknown, timeoutMs: number): string {
  const refusal = breakerRefusal(error);
  if (refusal === 'open') return 'paused after repeated model failures, retrying automatically';
  if (refusal === 'timeout') return `the model did not answer within ${timeoutMs} ms`;
  if (error instanceof ModelOutputError) return 'the model gave an invalid result';
  return 'the model failed on this call';
}

export function createModelScorer(options: ModelScorerOptions): DeteriorationScorer {
  const { model, settings } = options;
  const rules = options.rules ?? createRulesScorer();
  const telemetry = options.telemetry ?? noTelemetry;
  const infer = options.infer ?? model.infer;
  const { metadata, references } = model;
  const mode = options.mode ?? 'active';
  const cache = new LRUCache<string, number>({ max: settings.cacheSize, ttl: settings.cacheTtlMs });

  const breaker = new CircuitBreaker(
    async (features: Float32Array): Promise<number> => {
      const started = performance.now();
      const p = await infer(features);
      telemetry.modelInference((performance.now() - started) / 1000);
      if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1) throw new ModelOutputError();
      return p;
    },
    {
      name: BREAKER_NAME,
      timeout: settings.timeoutMs,
      errorThresholdPercentage: settings.errorThresholdPercent,
      volumeThreshold: settings.volumeThreshold,
      resetTimeout: settings.resetMs,
    },
  );
  const log = options.log;
  watchBreaker(breaker, BREAKER_NAME, telemetry, {
    ...(log !== undefined
      ? {
          opened: { log: (o, m) => log.warn(o, m), msg: 'model circuit breaker open: NEWS2 only until a trial call succeeds', fields: { resetMs: settings.resetMs } },
          closed: { log: (o, m) => log.info(o, m), msg: 'model circuit breaker closed: model answering again' },
        }
      : {}),
  });
  telemetry.breakerState(BREAKER_NAME, 'closed');

  function prediction(probability: number, values: number[], imputed: boolean[]): ModelPrediction {
    const explained = metadata.explanation
      ? contributionsFor(metadata.explanation, references, values, imputed)
      : { contributions: [], baselineLogOdds: model.baselineLogOdds };
    const trainingData = metadata.trainingData;
    return {
      name: metadata.name,
      version: metadata.version,
      ...(trainingData !== undefined ? { trainingData } : {}),
      probability,
      outcome: metadata.outcome,
      outcomeWindowHours: metadata.outcomeWindowHours,
      band: bandFor(probability, metadata.thresholds),
      bandsInUse: (['medium', 'high'] as const).filter((b) => metadata.thresholds[b] <= 1),
      ...explained,
    };
  }

  async function modelAnswer(inputs: PatientInputs): Promise<{ model: ModelPrediction } | { status: ModelStatus }> {
    const vector = toFeatureVector(inputs, references);
    if (!vector.ok) return { status: { state: vector.state, reason: vector.reason } };
    const key = vector.values.join(',');
    let probability = cache.get(key);
    telemetry.predictionCache(probability !== undefined);
    if (probability === undefined) {
      try {
        probability = await breaker.fire(Float32Array.from(vector.values));
      } catch (error) {
        return { status: { state: 'unavailable', reason: failureReason(error, settings.timeoutMs) } };
      }
      cache.set(key, probability);
    }
    return { model: prediction(probability, vector.values, vector.imputed) };
  }

  return {
    async assess(inputs: PatientInputs): Promise<RiskAssessment> {
      const [base, answer] = await Promise.all([rules.assess(inputs), modelAnswer(inputs)]);
      const record = (status: ModelStatus, shown: boolean, prediction?: ModelPrediction): ModelRecord => ({
        mode,
        name: metadata.name,
        version: metadata.version,
        status,
        shown,
        ...(prediction !== undefined ? { prediction } : {}),
      });
      if (mode === 'silent') {
        // Never shown, never changing a card: the card is what it would be with no model at all.
        const status: ModelStatus = 'model' in answer ? { state: 'used' } : answer.status;
        const modelRecord = record(status, false, 'model' in answer ? answer.model : undefined);
        return { ...base, path: 'rules', modelStatus: { state: 'not-configured' }, modelRecord };
      }
      if (!('model' in answer)) return { ...base, path: 'rules', modelStatus: answer.status, modelRecord: record(answer.status, false) };
      const hidden = notShownBecause(answer.model);
      if (hidden !== undefined) {
        const status: ModelStatus = { state: 'insufficient-data', reason: hidden };
        return { ...base, path: 'rules', modelStatus: status, modelRecord: record(status, false, answer.model) };
      }
      const used: ModelStatus = { state: 'used' };
      return { ...base, path: 'model', model: answer.model, modelStatus: used, modelRecord: record(used, true, answer.model) };
    },
    describe() {
      const state = breaker.opened ? 'breaker open' : breaker.halfOpen ? 'breaker half-open' : 'breaker closed';
      return {
        model: 'loaded',
        mode,
        detail: `${metadata.name} ${metadata.version} (${state})`,
        name: metadata.name,
        version: metadata.version,
        ...(metadata.trainingData !== undefined ? { trainingData: metadata.trainingData } : {}),
      };
    },
    async close() {
      breaker.shutdown();
      cache.clear();
      await model.release();
      await rules.close();
    },
  };
}

/**
 * The scorer when the model could not be loaded: NEWS2 answers, and every assessment says why (on
 * the card when the model was meant to be active; in the record only when it was meant to be silent).
 */
export function createFallbackOnlyScorer(
  reason: string,
  mode: Exclude<ModelMode, 'off'> = 'active',
  rules: DeteriorationScorer = createRulesScorer(),
): DeteriorationScorer {
  const status: ModelStatus = { state: 'unavailable', reason };
  return {
    async assess(inputs: PatientInputs): Promise<RiskAssessment> {
      const base = await rules.assess(inputs);
      const modelRecord: ModelRecord = { mode, name: 'not loaded', version: 'none', status, shown: false };
      return { ...base, path: 'rules', modelStatus: mode === 'silent' ? { state: 'not-configured' } : status, modelRecord };
    },
    describe: () => ({ model: 'fallback-only', mode, detail: reason }),
    close: () => rules.close(),
  };
}
