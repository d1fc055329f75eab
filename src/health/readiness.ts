// Whether this replica should receive traffic, as a pure function of what it knows about itself.
// The configuration was valid if the process got this far; the model must be loaded, or its absence
// declared (VIGIL_MODEL_PATH=none), or not matter (a silent model, or VIGIL_ALLOW_FALLBACK_ONLY for an
// active one: src/models/not-loaded-policy.ts); and every other check (the audit trail can be written,
// unless calls may be answered without it) passes.
// A model reload that was refused is reported but leaves the replica ready: the old model serves.
import { primaryNotLoadedVerdict } from '../models/not-loaded-policy.js';
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
    case 'fallback-only': {
      const verdict = primaryNotLoadedVerdict(model.mode, allowFallbackOnly);
      checks.push({ name: 'model', ok: verdict.ready, detail: `not loaded (${model.detail ?? 'unknown cause'}); ${verdict.why}` });
      break;
    }
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
