// Builds the scorer for this process at start-up from the configuration: the model registry
// (model-registry.ts) with the primary model and any candidate, each behind a breaker with NEWS2 as
// its fallback, or the rules alone. A bad model does not stop the service: it serves without it and
// says so (logs, readiness, cards). The one refusal is a decision, not a fault: a model trained on
// synthetic data shown (active, or a canary of an active model) outside the development profile,
// which would put synthetic numbers in front of clinicians.
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import { noTelemetry, type Telemetry } from '../telemetry.js';
import { ModelRegistry, modelSettings, type RegistryOptions } from './model-registry.js';
import type { ScorerLog } from './model-runner.js';

/** The model `npm run train` writes; resolves the same from src/models and dist/models. */
export const SHIPPED_MODEL_PATH = fileURLToPath(new URL('../../models/vigil-deterioration.onnx', import.meta.url));

type ScorerConfig = Pick<
  Config,
  | 'VIGIL_MODEL_PATH'
  | 'VIGIL_MODEL_MODE'
  | 'VIGIL_CANDIDATE_MODEL_PATH'
  | 'VIGIL_CANDIDATE_MODE'
  | 'VIGIL_CANARY_PERCENT'
  | 'developmentProfile'
  | 'VIGIL_ALLOW_FALLBACK_ONLY'
  | 'VIGIL_MODEL_CACHE_SIZE'
  | 'VIGIL_MODEL_CACHE_TTL_SECONDS'
  | 'VIGIL_MODEL_TIMEOUT_MS'
  | 'VIGIL_MODEL_ERROR_THRESHOLD_PERCENT'
  | 'VIGIL_MODEL_VOLUME_THRESHOLD'
  | 'VIGIL_MODEL_RESET_MS'
  | 'VIGIL_DRIFT_WINDOW_CALLS'
  | 'VIGIL_DRIFT_MIN_CALLS'
>;

/** The models of the configuration, ready to serve and to be reloaded (src/models/model-reload.ts). */
export async function createScorer(
  config: Readonly<ScorerConfig>,
  log: ScorerLog,
  telemetry: Telemetry = noTelemetry,
  options: Pick<RegistryOptions, 'load' | 'clock'> = {},
): Promise<ModelRegistry> {
  const settings = modelSettings(config, SHIPPED_MODEL_PATH);
  if (settings.primary === undefined) log.info({ model: 'not-configured' }, 'no model (VIGIL_MODEL_PATH=none or VIGIL_MODEL_MODE=off): NEWS2 only');
  return ModelRegistry.start(settings, {
    settings: {
      cacheSize: config.VIGIL_MODEL_CACHE_SIZE,
      cacheTtlMs: config.VIGIL_MODEL_CACHE_TTL_SECONDS * 1000,
      timeoutMs: config.VIGIL_MODEL_TIMEOUT_MS,
      errorThresholdPercent: config.VIGIL_MODEL_ERROR_THRESHOLD_PERCENT,
      volumeThreshold: config.VIGIL_MODEL_VOLUME_THRESHOLD,
      resetMs: config.VIGIL_MODEL_RESET_MS,
    },
    drift: { windowCalls: config.VIGIL_DRIFT_WINDOW_CALLS, minCalls: config.VIGIL_DRIFT_MIN_CALLS },
    developmentProfile: config.developmentProfile,
    allowFallbackOnly: config.VIGIL_ALLOW_FALLBACK_ONLY,
    log,
    telemetry,
    ...options,
  });
}
