// The seam between the request path and metrics: modules report what happened through this
// interface and never import prom-client themselves. `noTelemetry` is the default everywhere, so a
// module and its tests work without a metrics registry. Arguments are never patient data.

export type BreakerState = 'closed' | 'open' | 'half-open';

/** One model's estimate on one call, as metrics see it: which version, in which mode, what it said. */
export interface ModelEstimate {
  version: string;
  mode: string;
  probability: number;
  band: string;
}

export interface Telemetry {
  /** Seconds spent in one model inference (cache misses only). */
  modelInference(seconds: number): void;
  /** A prediction-cache lookup. */
  predictionCache(hit: boolean): void;
  /** A circuit breaker changed state; `breaker` names it (e.g. "model", "fhir:https://ehr.example"). */
  breakerState(breaker: string, state: BreakerState): void;
  /** Where one prefetch key's data came from for one call. */
  prefetchSource(service: string, key: string, source: string): void;
  /** One FHIR request to the EHR, by outcome ("ok", "timeout", "http_5xx", "refused", ...). */
  fhirFetch(seconds: number, outcome: string): void;
  /** One scored call: which path answered, NEWS2, and each model's estimate (shown or silent). */
  scored(service: string, path: 'model' | 'rules', news2Total: number | undefined, estimates: readonly ModelEstimate[]): void;
  /** One card issued, by indicator and the version of the model serving the call ("none" without one). */
  card(service: string, indicator: string, modelVersion: string): void;
  /** An authentication refusal, by reason code (never the token). */
  authFailure(reason: string): void;
  /** One feedback item stored; `card` is what Vigil remembers of the card (undefined: not one it knows). */
  feedback(
    service: string,
    outcome: string,
    overrideReason: string | undefined,
    card?: { indicator?: string; modelVersion?: string },
  ): void;
  /** A repeat card suppressed or downgraded (alert fatigue rule), and why. */
  cardQuietened(service: string, action: string, why: string): void;
  /** The suppression store failed (the card was shown: fail open). */
  suppressionStoreError(): void;
  /**
   * A model reload: `loaded` when a new model file took over, `failed` (with a code) when it was
   * refused and the previous one kept serving. `role`: primary, candidate or configuration.
   */
  modelReload(role: string, result: 'loaded' | 'failed', code?: string): void;
}

const noop = () => {};
export const noTelemetry: Telemetry = {
  modelInference: noop,
  predictionCache: noop,
  breakerState: noop,
  prefetchSource: noop,
  fhirFetch: noop,
  scored: noop,
  card: noop,
  authFailure: noop,
  feedback: noop,
  cardQuietened: noop,
  suppressionStoreError: noop,
  modelReload: noop,
};
