// Whether this replica should receive traffic, as a pure function of what it knows about itself.
// The configuration was valid if the process got this far; the model must be loaded, or its absence
// declared (VIGIL_MODEL_PATH=none, or VIGIL_ALLOW_FALLBACK_ONLY for a model that failed to load); and
// every other check (the audit trail can be written, unless calls may be answered without it) passes.
// A model reload that was refused is reported but leaves the replica ready: the old model serves.
import type { DeteriorationScorer } from '../models/scorer.js';

export interface ReadinessCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface Readiness {
  ready: boolean;
  checks: ReadinessCheck[];
}

/** A check of something else the replica depends on (the audit trail), asked on each probe. */
export type ReadinessProbe = () => Promise<ReadinessCheck>;

export function readiness(
  model: ReturnType<DeteriorationScorer['describe']>,
  allowFallbackOnly: boolean,
  others: readonly ReadinessCheck[] = [],
): Readiness {
  const checks: ReadinessCheck[] = [{ name: 'configuration', ok: true }];
  switch (model.model) {
    case 'loaded':
      checks.push({ name: 'model', ok: true, detail: model.detail ?? 'loaded' });
      break;
    case 'not-configured':
      checks.push({ name: 'model', ok: true, detail: 'not configured: NEWS2 only, as declared' });
      break;
    case 'fallback-only':
      // A model that was meant to load and did not is a fault to notice, unless the operator said
      // NEWS2 alone is acceptable: then the replica serves, and cards say the model is unavailable.
      checks.push({
        name: 'model',
        ok: allowFallbackOnly,
        detail: `not loaded (${model.detail ?? 'unknown cause'}); ${allowFallbackOnly ? 'NEWS2 only allowed by VIGIL_ALLOW_FALLBACK_ONLY' : 'set VIGIL_ALLOW_FALLBACK_ONLY=true to serve NEWS2 only'}`,
      });
      break;
  }
  const failed = model.reloadFailure;
  if (failed !== undefined) {
    // Still ready: the models that served before the refused reload are serving now.
    checks.push({
      name: 'model-reload',
      ok: true,
      detail: `reload failed at ${failed.at} (${failed.role}, ${failed.code}: ${failed.reason}); the previous models keep serving`,
    });
  }
  checks.push(...others);
  return { ready: checks.every((c) => c.ok), checks };
}
