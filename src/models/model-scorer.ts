// The model scorer: NEWS2 and qSOFA from the rules on every call, plus the ONNX model's probability
// when it can answer: inputs checked against the contract, a prediction cache keyed by the feature
// vector (never the patient), and a circuit breaker around inference. Whenever the model cannot
// answer, the rules' assessment goes out with a reason a clinician can read.
import { LRUCache } from 'lru-cache';
import CircuitBreaker from 'opossum';
import { createRulesScorer } from '../fallback-rules/rules-scorer.js';
import type { PatientInputs } from '../prefetch/vital-signs.js';
import { noTelemetry, type Telemetry } from '../telemetry.js';
import { bandFor, contributionsFor } from './contributions.js';
import { toFeatureVector } from './feature-contract.js';
import type { InferFn, LoadedModel } from './onnx-model.js';
import type { DeteriorationScorer, ModelPrediction, ModelStatus, RiskAssessment } from './scorer.js';

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

function failureReason(error: unknown, timeoutMs: number): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'EOPENBREAKER') return 'paused after repeated model failures, retrying automatically';
  if (code === 'ETIMEDOUT') return `the model did not answer within ${timeoutMs} ms`;
  if (code === 'VIGIL_MODEL_BAD_OUTPUT') return 'the model gave an invalid result';
  return 'the model failed on this call';
}

export function createModelScorer(options: ModelScorerOptions): DeteriorationScorer {
  const { model, settings } = options;
  const rules = options.rules ?? createRulesScorer();
  const telemetry = options.telemetry ?? noTelemetry;
  const infer = options.infer ?? model.infer;
  const { metadata, references } = model;
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
  breaker.on('open', () => {
    telemetry.breakerState(BREAKER_NAME, 'open');
    options.log?.warn({ breaker: BREAKER_NAME, resetMs: settings.resetMs }, 'model circuit breaker open: NEWS2 only until a trial call succeeds');
  });
  breaker.on('halfOpen', () => telemetry.breakerState(BREAKER_NAME, 'half-open'));
  breaker.on('close', () => {
    telemetry.breakerState(BREAKER_NAME, 'closed');
    options.log?.info({ breaker: BREAKER_NAME }, 'model circuit breaker closed: model answering again');
  });
  telemetry.breakerState(BREAKER_NAME, 'closed');

  function prediction(probability: number, values: number[], imputed: boolean[]): ModelPrediction {
    const explained = metadata.explanation
      ? contributionsFor(metadata.explanation, references, values, imputed)
      : { contributions: [], baselineLogOdds: model.baselineLogOdds };
    return {
      name: metadata.name,
      version: metadata.version,
      probability,
      outcome: metadata.outcome,
      outcomeWindowHours: metadata.outcomeWindowHours,
      band: bandFor(probability, metadata.thresholds),
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
      if ('model' in answer) return { ...base, path: 'model', model: answer.model, modelStatus: { state: 'used' } };
      return { ...base, path: 'rules', modelStatus: answer.status };
    },
    describe() {
      const state = breaker.opened ? 'breaker open' : breaker.halfOpen ? 'breaker half-open' : 'breaker closed';
      return { model: 'loaded', detail: `${metadata.name} ${metadata.version} (${state})` };
    },
    async close() {
      breaker.shutdown();
      cache.clear();
      await model.release();
      await rules.close();
    },
  };
}

/** The scorer when the model could not be loaded: NEWS2 answers, and every assessment says why. */
export function createFallbackOnlyScorer(reason: string, rules: DeteriorationScorer = createRulesScorer()): DeteriorationScorer {
  return {
    async assess(inputs: PatientInputs): Promise<RiskAssessment> {
      const base = await rules.assess(inputs);
      return { ...base, path: 'rules', modelStatus: { state: 'unavailable', reason } };
    },
    describe: () => ({ model: 'fallback-only', detail: reason }),
    close: () => rules.close(),
  };
}
