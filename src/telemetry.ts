// The seam between the request path and metrics: modules report what happened through this
// interface and never import prom-client themselves. `noTelemetry` is the default everywhere, so a
// module and its tests work without a metrics registry. Arguments are never patient data.

export type BreakerState = 'closed' | 'open' | 'half-open';

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
  /** One scored call: which path answered and the scores (for drift histograms). */
  scored(service: string, path: 'model' | 'rules', news2Total: number | undefined, probability: number | undefined): void;
  /** One card issued, by indicator. */
  card(service: string, indicator: string): void;
  /** An authentication refusal, by reason code (never the token). */
  authFailure(reason: string): void;
  /** One feedback item stored. */
  feedback(service: string, outcome: string, overrideReason: string | undefined): void;
  /** A repeat card suppressed or downgraded (alert fatigue rule), and why. */
  cardQuietened(service: string, action: string, why: string): void;
  /** The suppression store failed (the card was shown: fail open). */
  suppressionStoreError(): void;
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
};
