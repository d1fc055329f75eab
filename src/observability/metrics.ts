// Prometheus metrics for Vigil: the prom-client implementation of the Telemetry seam, the observer
// that turns each answered hook call into counters and score histograms, and the HTTP histogram.
// Every label value comes from a closed set Vigil defines (services, paths, indicators, override
// codes, outcomes); nothing a client sends free-form, and never patient data, becomes a label.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LEGACY_OVERRIDE_CODES, OVERRIDE_REASONS } from '../cards/common.js';
import type { CallObserver } from './answered-call.js';
import { servingModelVersion, type ModelRecord, type RiskAssessment } from '../models/scorer.js';
import { bounded, registerModelGauges, type ModelSource } from './model-metrics.js';
import { registerReadinessGauges, type ReadinessSource } from './readiness-metrics.js';
import type { BreakerState, ModelEstimate, Telemetry } from '../telemetry.js';

export interface Metrics {
  registry: Registry;
  telemetry: Telemetry;
  /** Counts cards, scoring paths, score distributions and prefetch sources of each answered call. */
  observer: CallObserver;
  /** One HTTP exchange; `service` is a hosted service id or "" (discovery, health, ...). */
  httpRequest: (route: string, service: string, status: number, seconds: number) => void;
  /** An audit record could not be written, by error code (ENOSPC, EROFS, ...). */
  auditWriteFailed: (code: string) => void;
  /** Whether the audit trail can currently be written. */
  auditWritable: (writable: boolean) => void;
  /** Seconds an answered call waited for its audit record to be durable. */
  auditRecordWait: (seconds: number) => void;
  /** A request answered 429, by the budget it exceeded (`anonymous`: per address; `client`: per issuer). */
  rateLimited: (budget: 'anonymous' | 'client') => void;
  /** A request whose client had hung up before it was handled (not an error, not a 5xx). */
  clientAborted: () => void;
  /** A large request answered 503 because the heavy lane was full. */
  heavyRefused: () => void;
  /**
   * Reads the models in service on every scrape (identity, mode, drift, a failing reload), so their
   * gauges are always current and a replaced model's series disappear with it.
   */
  watchModels: (scorer: ModelSource) => void;
  /** Evaluates readiness as /readyz does on every scrape: vigil_ready and vigil_readiness_check. */
  watchReadiness: (evaluate: ReadinessSource) => void;
  /** A command to Redis or PostgreSQL failed, by engine and what the state was for. */
  sharedStateError: (engine: string, use: string) => void;
  /** Whether Redis or PostgreSQL answered the last command or probe. */
  sharedStateUp: (engine: string, up: boolean) => void;
}

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, event-loop lag, GC). Off in most tests: they start timers. */
  processMetrics?: boolean;
}

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };
const INDICATORS = new Set(['info', 'warning', 'critical']);
const KNOWN_OVERRIDE_CODES = new Set<string>([...OVERRIDE_REASONS.map((r) => r.code), ...LEGACY_OVERRIDE_CODES]);
/** Error codes an audit write is known to fail with; anything else is counted as `other`. */
const AUDIT_ERROR_CODES = new Set([
  'ENOSPC',
  'EDQUOT',
  'EROFS',
  'EACCES',
  'EPERM',
  'EIO',
  'ENOENT',
  'EBADF',
  'EMFILE',
  'VIGIL_SHORT_WRITE',
  'VIGIL_POSTGRES_UNAVAILABLE',
]);

// Hook calls are answered in well under a millisecond from prefetch and up to the FHIR deadline
// (default 300 ms) when fetching, so buckets span 0.5 ms to 2.5 s.
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
// One inference of the shipped 8-feature model takes ~11 µs median (npm run bench:model, README
// "Performance"); the breaker's timeout is 100 ms.
const INFERENCE_BUCKETS = [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.001, 0.005, 0.025, 0.1];
const FHIR_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5];
/** NEWS2 totals are integers 0–20: one bucket per point up to 12, where every band has been passed. */
const NEWS2_BUCKETS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20];
const PROBABILITY_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics === true) {
    collectDefaultMetrics({ register: registry });
    // A version banner tells a scanner which Node vulnerabilities to try, and an operator nothing the
    // deployment does not already say.
    registry.removeSingleMetric('nodejs_version_info');
  }
  const registers = [registry];

  const http = new Histogram({
    name: 'vigil_http_request_duration_seconds',
    help: 'HTTP request duration, by route, CDS service and status code',
    labelNames: ['route', 'service', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers,
  });
  const inference = new Histogram({
    name: 'vigil_model_inference_duration_seconds',
    help: 'Duration of one model inference (prediction-cache misses only)',
    buckets: INFERENCE_BUCKETS,
    registers,
  });
  const cache = new Counter({
    name: 'vigil_prediction_cache_total',
    help: 'Prediction-cache lookups, by result (hit or miss)',
    labelNames: ['result'] as const,
    registers,
  });
  const breaker = new Gauge({
    name: 'vigil_breaker_state',
    help: 'Circuit breaker state, by breaker: 0 closed, 1 half-open, 2 open',
    labelNames: ['breaker'] as const,
    registers,
  });
  const prefetch = new Counter({
    name: 'vigil_prefetch_source_total',
    help: 'Where each prefetch key of a hook call came from (sent, fetched, none, missing), calls refused 412 included',
    labelNames: ['service', 'key', 'source'] as const,
    registers,
  });
  const fhir = new Histogram({
    name: 'vigil_fhir_fetch_duration_seconds',
    help: 'Duration of FHIR requests to the EHR, by outcome',
    labelNames: ['outcome'] as const,
    buckets: FHIR_BUCKETS,
    registers,
  });
  const fhirErrors = new Counter({
    name: 'vigil_fhir_fetch_errors_total',
    help: 'FHIR requests to the EHR that did not succeed, by outcome',
    labelNames: ['outcome'] as const,
    registers,
  });
  const answers = new Counter({
    name: 'vigil_answers_total',
    help: 'Answered hook calls, by service and the path that scored them (model, rules, none)',
    labelNames: ['service', 'path'] as const,
    registers,
  });
  const news2 = new Histogram({
    name: 'vigil_news2_total',
    help: 'NEWS2 totals of scored calls, by service (watch for drift)',
    labelNames: ['service'] as const,
    buckets: NEWS2_BUCKETS,
    registers,
  });
  const probability = new Histogram({
    name: 'vigil_model_probability',
    help: 'Model probabilities of calls each model answered, shown or silent, by service, model version and the mode it ran in',
    labelNames: ['service', 'model_version', 'mode'] as const,
    buckets: PROBABILITY_BUCKETS,
    registers,
  });
  const estimates = new Counter({
    name: 'vigil_model_estimates_total',
    help: "Model estimates by service, model version, the mode it ran in and the model's band (its alert rate, version beside version)",
    labelNames: ['service', 'model_version', 'mode', 'band'] as const,
    registers,
  });
  const quietened = new Counter({
    name: 'vigil_cards_quietened_total',
    help: 'Repeat cards suppressed or downgraded to info by the alert-fatigue rule, by action and why',
    labelNames: ['service', 'action', 'why'] as const,
    registers,
  });
  const suppressionErrors = new Counter({
    name: 'vigil_suppression_store_errors_total',
    help: 'Suppression-store failures; the card was shown (fail open)',
    registers,
  });
  const cards = new Counter({
    name: 'vigil_cards_total',
    help: 'Cards returned, by service, indicator and the version of the model serving the call ("none" without one)',
    labelNames: ['service', 'indicator', 'model_version'] as const,
    registers,
  });
  const auth = new Counter({
    name: 'vigil_auth_failures_total',
    help: 'Refused authentications, by reason code',
    labelNames: ['reason'] as const,
    registers,
  });
  const feedback = new Counter({
    name: 'vigil_feedback_total',
    help: 'Feedback items stored, by service, the card\'s indicator and model version ("unknown" for a card Vigil does not remember), outcome and override reason code',
    labelNames: ['service', 'indicator', 'model_version', 'outcome', 'override_reason'] as const,
    registers,
  });
  const auditFailures = new Counter({
    name: 'vigil_audit_write_failures_total',
    help: 'Audit records that could not be written, by error code: the call was refused (503), or answered without a record under VIGIL_AUDIT_ON_FAILURE=answer',
    labelNames: ['code'] as const,
    registers,
  });
  const auditWritable = new Gauge({
    name: 'vigil_audit_writable',
    help: '1 while the audit trail can be written, 0 from a failed write until one succeeds again',
    registers,
  });
  auditWritable.set(1);
  // Measured on a 2-vCPU VM's ext4 volume under load: ~2-3 ms, about half gathering and half the
  // write and the busy event loop seeing it done (bench/RESULTS.md, eleventh and seventeenth
  // passes); a failing or overloaded disk shows here before calls time out.
  const auditWait = new Histogram({
    name: 'vigil_audit_record_wait_seconds',
    help: 'Seconds each answered hook call waited for its audit record to be durable (gathering, the write or commit, the event loop seeing it done): the audit trail in the answer latency',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const limited = new Counter({
    name: 'vigil_rate_limited_total',
    help: 'Requests answered 429, by budget: anonymous (per client address) or client (per token issuer and tenant)',
    labelNames: ['budget'] as const,
    registers,
  });
  const heavy = new Counter({
    name: 'vigil_heavy_refused_total',
    help: 'Large requests answered 503 because too many were already processed or waiting (VIGIL_HEAVY_*)',
    registers,
  });
  const aborted = new Counter({
    name: 'vigil_client_aborts_total',
    help: 'Requests whose client hung up before Vigil handled them: dropped without an answer, not counted as errors',
    registers,
  });

  const reloads = new Counter({
    name: 'vigil_model_reloads_total',
    help: 'Model files that took over on a reload (file change or SIGHUP), by role (primary, candidate)',
    labelNames: ['role'] as const,
    registers,
  });
  const reloadFailures = new Counter({
    name: 'vigil_model_reload_failures_total',
    help: 'Reloads refused (unreadable or corrupt file, contract or self-check failed, a rule broken, invalid settings), by role and code; the previous model kept serving',
    labelNames: ['role', 'code'] as const,
    registers,
  });

  // Read from the models in service when scraped: nothing on the request path, and no stale series.
  let watched: ModelSource | undefined;
  registerModelGauges(registry, () => watched);
  let readiness: ReadinessSource | undefined;
  registerReadinessGauges(registry, () => readiness);

  const sharedErrors = new Counter({
    name: 'vigil_shared_state_errors_total',
    help: 'Failed commands to Redis or PostgreSQL, by engine and use (replay: call refused 503; suppression, issued-cards: went on without; audit, feedback: per their policy)',
    labelNames: ['engine', 'use'] as const,
    registers,
  });
  const sharedUp = new Gauge({
    name: 'vigil_shared_state_up',
    help: '1 while Redis or PostgreSQL answered the last command or probe, 0 from a failure until one succeeds',
    labelNames: ['engine'] as const,
    registers,
  });

  const telemetry: Telemetry = {
    modelInference: (seconds) => inference.observe(seconds),
    predictionCache: (hit) => cache.inc({ result: hit ? 'hit' : 'miss' }),
    breakerState: (name, state) => breaker.set({ breaker: bounded(name) }, BREAKER_VALUE[state]),
    prefetchSource: (service, key, source) => prefetch.inc({ service, key: bounded(key), source: bounded(source) }),
    fhirFetch(seconds, outcome) {
      fhir.observe({ outcome: bounded(outcome) }, seconds);
      if (outcome !== 'ok') fhirErrors.inc({ outcome: bounded(outcome) });
    },
    scored(service, path, news2Total, modelEstimates) {
      answers.inc({ service, path });
      if (news2Total !== undefined) news2.observe({ service }, news2Total);
      for (const e of modelEstimates) {
        const model_version = bounded(e.version);
        probability.observe({ service, model_version, mode: e.mode }, e.probability);
        estimates.inc({ service, model_version, mode: e.mode, band: e.band });
      }
    },
    card: (service, indicator, modelVersion) => cards.inc({ service, indicator, model_version: bounded(modelVersion) }),
    authFailure: (reason) => auth.inc({ reason: bounded(reason) }),
    feedback(service, outcome, overrideReason, card) {
      const code = overrideReason === undefined ? 'none' : KNOWN_OVERRIDE_CODES.has(overrideReason) ? overrideReason : 'other';
      const indicator = card?.indicator !== undefined && INDICATORS.has(card.indicator) ? card.indicator : 'unknown';
      feedback.inc({ service, indicator, model_version: bounded(card?.modelVersion ?? 'unknown'), outcome, override_reason: code });
    },
    cardQuietened: (service, action, why) => quietened.inc({ service, action, why }),
    suppressionStoreError: () => suppressionErrors.inc(),
    modelReload(role, result, code) {
      if (result === 'loaded') reloads.inc({ role });
      else reloadFailures.inc({ role, code: bounded(code ?? 'unknown') });
    },
  };

  const observer: CallObserver = (call) => {
    const { assessment } = call.facts;
    if (assessment === undefined) answers.inc({ service: call.service, path: call.facts.path });
    // A silent model's probability counts too: the histogram watches every model, shown or not.
    else telemetry.scored(call.service, assessment.path, assessment.news2.total, estimatesOf(assessment));
    const version = servingModelVersion(assessment);
    for (const card of call.cards) telemetry.card(call.service, card.indicator, version);
    for (const q of call.quietened ?? []) telemetry.cardQuietened(call.service, q.action, q.why);
    for (const [key, source] of Object.entries(call.sources)) telemetry.prefetchSource(call.service, key, source);
  };

  return {
    registry,
    telemetry,
    observer,
    httpRequest: (route, service, status, seconds) => http.observe({ route, service, status: String(status) }, seconds),
    auditWriteFailed: (code) => auditFailures.inc({ code: AUDIT_ERROR_CODES.has(code) ? code : 'other' }),
    auditWritable: (writable) => auditWritable.set(writable ? 1 : 0),
    auditRecordWait: (seconds) => auditWait.observe(seconds),
    rateLimited: (budget) => limited.inc({ budget }),
    clientAborted: () => aborted.inc(),
    heavyRefused: () => heavy.inc(),
    watchModels(scorer) {
      watched = scorer;
    },
    watchReadiness(evaluate) {
      readiness = evaluate;
    },
    sharedStateError: (engine, use) => sharedErrors.inc({ engine: bounded(engine), use: bounded(use) }),
    sharedStateUp: (engine, up) => sharedUp.set({ engine: bounded(engine) }, up ? 1 : 0),
  };
}

/** Every model's estimate on a call: the serving model's and a shadow's. */
function estimatesOf(assessment: RiskAssessment): ModelEstimate[] {
  return [assessment.modelRecord, assessment.shadowRecord].flatMap((r: ModelRecord | undefined) =>
    r?.prediction === undefined
      ? []
      : [{ version: r.version, mode: r.mode, probability: r.prediction.probability, band: r.prediction.band }],
  );
}
