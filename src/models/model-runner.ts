// One loaded model in service: its inputs checked against the contract, a prediction cache keyed by a
// digest of the feature vector (never the patient, never the values in clear), a circuit breaker
// around inference, and the drift window of the calls it saw. Whether its estimate is shown is
// decided elsewhere (model-scorer.ts): a runner only answers. It counts the calls in flight on it, so
// a model replaced by a reload is released only once the last call that started on it has finished.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import CircuitBreaker from 'opossum';
import { breakerRefusal, watchBreaker } from '../breakers.js';
import type { PatientInputs } from '../domain/vital-signs.js';
import { noTelemetry, type Telemetry } from '../telemetry.js';
import { bandFor, contributionsFor } from './contributions.js';
import { DriftWindow, type DriftSettings, type DriftSnapshot } from './drift.js';
import { rawFeatures, toFeatureVector } from './feature-contract.js';
import type { ModelMetadata } from './model-metadata.js';
import type { InferFn, LoadedModel } from './onnx-model.js';
import type { ModelPrediction, ModelRole, ModelStatus } from './scorer.js';

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
  /** For what leaves the replica unready; loggers without it (tests) get a warning instead. */
  error?(obj: object, msg: string): void;
}

/** Inference answered, but not with a probability: a failure for the breaker (NaN in gives NaN out). */
export class ModelOutputError extends Error {
  readonly code = 'VIGIL_MODEL_BAD_OUTPUT';
  constructor() {
    super('the model gave something other than a probability');
    this.name = 'ModelOutputError';
  }
}

/** What one model said about one patient: an estimate, or why there is none. */
export type ModelAnswer = { model: ModelPrediction } | { status: ModelStatus };

export interface ModelRunnerOptions {
  model: LoadedModel;
  settings: ModelScorerSettings;
  /** Which configured model this is (names its breaker); default primary. */
  role?: ModelRole;
  /** Replaces the model's own inference (tests make it slow, throwing or NaN). */
  infer?: InferFn;
  telemetry?: Telemetry;
  log?: ScorerLog;
  /** Keep a drift window (needs the model's reference distributions). */
  drift?: DriftSettings;
}

export interface ModelRunner {
  readonly metadata: ModelMetadata;
  readonly role: ModelRole;
  answer(inputs: PatientInputs): Promise<ModelAnswer>;
  /** `breaker closed`, `breaker open` or `breaker half-open`. */
  breakerState(): string;
  /** The drift window, when the model carries reference distributions. */
  drift(): DriftSnapshot | undefined;
  /** A call starts on this runner (pair with `release`). */
  acquire(): void;
  release(): void;
  /** No new call will start here: close once the calls in flight have finished. */
  retire(): Promise<void>;
  /** Close now (shutdown, after calls have finished). */
  close(): Promise<void>;
}

/** The breaker's name in metrics and logs: the primary keeps the name it always had. */
export const breakerName = (role: ModelRole): string => (role === 'primary' ? 'model' : `model:${role}`);

function failureReason(error: unknown, timeoutMs: number): string {
  const refusal = breakerRefusal(error);
  if (refusal === 'open') return 'paused after repeated model failures, retrying automatically';
  if (refusal === 'timeout') return `the model did not answer within ${timeoutMs} ms`;
  if (error instanceof ModelOutputError) return 'the model gave an invalid result';
  return 'the model failed on this call';
}

/**
 * The prediction cache's key for a feature vector: its SHA-256, so a patient's vital signs and age are
 * not kept in clear text as keys (~1 µs; two vectors that differ in any value have different keys).
 */
export function predictionCacheKey(values: readonly number[]): string {
  return createHash('sha256').update(values.join(',')).digest('base64url');
}

export function createModelRunner(options: ModelRunnerOptions): ModelRunner {
  const { model, settings } = options;
  const role = options.role ?? 'primary';
  const name = breakerName(role);
  const telemetry = options.telemetry ?? noTelemetry;
  const infer = options.infer ?? model.infer;
  const { metadata, references } = model;
  const cache = new LRUCache<string, number>({ max: settings.cacheSize, ttl: settings.cacheTtlMs });
  const reference = metadata.referenceDistributions;
  const window = options.drift !== undefined && reference !== undefined ? new DriftWindow(reference, options.drift) : undefined;
  let inFlight = 0;
  let retired = false;
  let closed: Promise<void> | undefined;
  let idle: (() => void) | undefined;

  // Inferences still running: a timed-out one goes on inside onnxruntime after the breaker gave up on
  // it, and the session must outlive it.
  const running = new Set<Promise<number>>();
  const breaker = new CircuitBreaker(
    async (features: Float32Array): Promise<number> => {
      const started = performance.now();
      const inference = infer(features);
      running.add(inference);
      void inference.finally(() => running.delete(inference)).catch(() => undefined);
      const p = await inference;
      telemetry.modelInference((performance.now() - started) / 1000);
      if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1) throw new ModelOutputError();
      return p;
    },
    {
      name,
      timeout: settings.timeoutMs,
      errorThresholdPercentage: settings.errorThresholdPercent,
      volumeThreshold: settings.volumeThreshold,
      resetTimeout: settings.resetMs,
    },
  );
  // A retired runner's breaker no longer speaks for the breaker of that name: its successor does.
  const log = options.log;
  watchBreaker(breaker, name, telemetry, {
    speaks: () => !retired,
    ...(log !== undefined
      ? {
          opened: { log: (o, m) => log.warn(o, m), msg: 'model circuit breaker open: NEWS2 only until a trial call succeeds', fields: { resetMs: settings.resetMs } },
          closed: { log: (o, m) => log.info(o, m), msg: 'model circuit breaker closed: model answering again' },
        }
      : {}),
  });
  telemetry.breakerState(name, 'closed');

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

  async function score(inputs: PatientInputs): Promise<ModelAnswer> {
    const vector = toFeatureVector(inputs, references);
    if (!vector.ok) return { status: { state: vector.state, reason: vector.reason } };
    const key = predictionCacheKey(vector.values);
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

  const close = (): Promise<void> => {
    closed ??= (async () => {
      breaker.shutdown();
      cache.clear();
      await Promise.allSettled([...running]);
      await model.release();
    })();
    return closed;
  };

  return {
    metadata,
    role,
    async answer(inputs) {
      const answer = await score(inputs);
      // The model's population is what it is sent: a patient on SpO2 scale 2 is outside it by contract.
      if (window !== undefined && inputs.spo2Scale !== 2) window.record(rawFeatures(inputs), 'model' in answer ? answer.model.probability : undefined);
      return answer;
    },
    breakerState: () => (breaker.opened ? 'breaker open' : breaker.halfOpen ? 'breaker half-open' : 'breaker closed'),
    drift: () => window?.snapshot(),
    acquire() {
      inFlight++;
    },
    release() {
      inFlight--;
      if (inFlight === 0 && idle !== undefined) idle();
    },
    retire() {
      retired = true;
      if (inFlight === 0) return close();
      return new Promise<void>((resolve) => {
        idle = () => void close().then(resolve);
      });
    },
    close,
  };
}
