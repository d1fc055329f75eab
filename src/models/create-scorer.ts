// Chooses the scorer for this process at start-up: the ONNX model behind a breaker with NEWS2 as its
// fallback when the model loads and honours the contract, or the rules alone. A bad model does not
// stop the service: it serves NEWS2 only and says so (logs, readiness, cards). The one refusal is a
// decision, not a fault: a model trained on synthetic data set to `active` outside the development
// profile, which would put synthetic numbers in front of clinicians.
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import { ConfigError, type Config } from '../config.js';
import { createRulesScorer } from './rules-scorer.js';
import { noTelemetry, type Telemetry } from '../telemetry.js';
import { createFallbackOnlyScorer, createModelScorer } from './model-scorer.js';
import { loadOnnxModel, ModelLoadError } from './onnx-model.js';
import type { DeteriorationScorer } from './scorer.js';

/** The model `npm run train` writes; resolves the same from src/models and dist/models. */
export const SHIPPED_MODEL_PATH = fileURLToPath(new URL('../../models/vigil-deterioration.onnx', import.meta.url));

/** Shown on cards when the model never loaded; the log line carries the technical cause. */
const NOT_LOADED_REASON = 'the model could not be loaded at start-up';

type ScorerConfig = Pick<
  Config,
  | 'VIGIL_MODEL_PATH'
  | 'VIGIL_MODEL_MODE'
  | 'developmentProfile'
  | 'VIGIL_MODEL_CACHE_SIZE'
  | 'VIGIL_MODEL_CACHE_TTL_SECONDS'
  | 'VIGIL_MODEL_TIMEOUT_MS'
  | 'VIGIL_MODEL_ERROR_THRESHOLD_PERCENT'
  | 'VIGIL_MODEL_VOLUME_THRESHOLD'
  | 'VIGIL_MODEL_RESET_MS'
>;

export async function createScorer(
  config: Readonly<ScorerConfig>,
  log: Pick<FastifyBaseLogger, 'info' | 'warn'>,
  telemetry: Telemetry = noTelemetry,
): Promise<DeteriorationScorer> {
  if (config.VIGIL_MODEL_PATH === 'none' || config.VIGIL_MODEL_MODE === 'off') {
    log.info({ model: 'not-configured' }, 'no model (VIGIL_MODEL_PATH=none or VIGIL_MODEL_MODE=off): NEWS2 only');
    return createRulesScorer();
  }
  const mode = config.VIGIL_MODEL_MODE;
  const path = config.VIGIL_MODEL_PATH ?? SHIPPED_MODEL_PATH;
  const started = performance.now();
  let model;
  try {
    model = await loadOnnxModel(path);
  } catch (error) {
    const code = error instanceof ModelLoadError ? error.code : 'VIGIL_MODEL_CORRUPT';
    const cause = error instanceof Error ? error.message : String(error);
    log.warn({ code, path, cause, mode }, 'early-warning model not loaded: serving NEWS2 only');
    return createFallbackOnlyScorer(NOT_LOADED_REASON, mode);
  }
  const trainingData = model.metadata.trainingData;
  if (trainingData === 'synthetic' && mode === 'active' && !config.developmentProfile) {
    await model.release();
    throw new ConfigError([
      `VIGIL_MODEL_MODE: ${model.metadata.name} ${model.metadata.version} was trained on synthetic data and may be active only in the ` +
        'development profile (loopback, no VIGIL_TRUSTED_ISSUERS). Use VIGIL_MODEL_MODE=silent to score it unseen, or deploy a locally validated model.',
    ]);
  }
  const loadMs = Math.round((performance.now() - started) * 10) / 10;
  log.info({ model: model.metadata.name, version: model.metadata.version, trainingData, mode, path, loadMs }, 'early-warning model loaded');
  return createModelScorer({
    model,
    mode,
    telemetry,
    log,
    settings: {
      cacheSize: config.VIGIL_MODEL_CACHE_SIZE,
      cacheTtlMs: config.VIGIL_MODEL_CACHE_TTL_SECONDS * 1000,
      timeoutMs: config.VIGIL_MODEL_TIMEOUT_MS,
      errorThresholdPercent: config.VIGIL_MODEL_ERROR_THRESHOLD_PERCENT,
      volumeThreshold: config.VIGIL_MODEL_VOLUME_THRESHOLD,
      resetMs: config.VIGIL_MODEL_RESET_MS,
    },
  });
}
