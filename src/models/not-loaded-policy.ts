// Whether a replica whose primary model did not load should take traffic: one answer, read by
// /readyz (src/health/readiness.ts) and by the start-up log line, so the log can never say "serving"
// while the probe says "not ready", or the other way round.
import type { ModelMode } from './scorer.js';

export interface NotLoadedVerdict {
  ready: boolean;
  /** Why, in words an operator acts on. */
  why: string;
}

export function primaryNotLoadedVerdict(mode: ModelMode | undefined, allowFallbackOnly: boolean): NotLoadedVerdict {
  // A silent model changes no card: the cards NEWS2 gives without it are the cards clinicians would
  // see with it. Failing readiness would take every replica out of rotation (behind Kubernetes, no
  // ward gets any card) to protect nothing anyone sees.
  if (mode === 'silent' || mode === 'off') {
    return { ready: true, why: 'silent mode: the model changes no card, so NEWS2 cards are unchanged' };
  }
  if (allowFallbackOnly) return { ready: true, why: 'NEWS2 only allowed by VIGIL_ALLOW_FALLBACK_ONLY; cards say the model is unavailable' };
  // An active model is on the cards. A replica without it would show clinicians other cards than its
  // peers and than what was validated, without anyone deciding so; unready, a bad rollout stops at its
  // first pod while the old pods keep serving the model. If every replica lost the model, NEWS2 cards
  // beat no cards: that is the operator's decision to make, with VIGIL_ALLOW_FALLBACK_ONLY.
  return {
    ready: false,
    why: 'active mode: cards would lose the model; fix the model file, or set VIGIL_ALLOW_FALLBACK_ONLY=true to serve NEWS2 only',
  };
}
