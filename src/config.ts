// Every setting Vigil reads, in one zod schema, parsed once at start-up from the environment.
// A bad value stops the start with a message listing every problem; the rest of the code receives a
// typed, frozen Config. The README's configuration table mirrors this file: keep them together.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { errorCode } from './errors.js';
import { isLoopbackHost } from './net/loopback.js';
import { withFields } from './lang/with-fields.js';

const boolFromEnv = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const commaList = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
);

/** An origin (scheme://host[:port], nothing after it but an optional slash), normalised by URL. */
const fhirOrigin = z.string().transform((s, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(s);
  } catch {
    url = undefined;
  }
  const bare =
    url !== undefined &&
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.pathname === '/' &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === '';
  if (!bare) {
    ctx.addIssue({ code: 'custom', message: `"${s}" is not an origin like https://ehr.example or http://127.0.0.1:8081` });
    return z.NEVER;
  }
  return url!.origin;
});

/** A proxy Fastify may trust: an IP address, a CIDR block, or one of proxy-addr's named ranges. */
const proxyAddress = z.string().refine(
  (s) => {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(s)) return true;
    const [address = '', prefix, extra] = s.split('/');
    if (extra !== undefined || isIP(address) === 0) return false;
    if (prefix === undefined) return true;
    return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (isIP(address) === 4 ? 32 : 128);
  },
  { message: 'each entry must be an IP address, a CIDR block (10.0.0.0/8) or loopback, linklocal, uniquelocal' },
);

/** Schema over the raw environment: keys are the exact environment variable names. */
export const configSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Public base URL as clients call it (behind a proxy); default http://HOST:PORT. */
  VIGIL_PUBLIC_BASE_URL: z.url().optional(),
  /**
   * When set, /healthz, /readyz and /metrics are served on this port (on HOST), never rate limited,
   * and the public port keeps only a bare /healthz. Unset: all three on the public port.
   */
  VIGIL_ADMIN_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  VIGIL_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Origins allowed by CORS: `*` (any origin; the default, so the public CDS Hooks sandbox in a
   * person's browser can call a service on their own machine) or a comma-separated list.
   */
  VIGIL_CORS_ORIGINS: commaList.default(['*']),
  /**
   * Vitals older than this many hours are stale: shown with their value and age, never scored. 12 h is
   * the longest gap the RCP NEWS2 chart allows anyone (minimum observation frequency 12-hourly for a
   * score of 0: RCP NEWS2, 2017, chart 3), so an older value is out of date by the chart's own measure.
   */
  VIGIL_STALE_AFTER_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  /**
   * What a NEWS2 total of 1–4 with no single parameter scoring 3 produces: an `info` card, or no card.
   * A total of 0 produces a card only when this is `info` and VIGIL_CARD_FOR_ZERO is true.
   */
  VIGIL_LOW_SCORE_CARD: z.enum(['info', 'none']).default('info'),
  VIGIL_CARD_FOR_ZERO: boolFromEnv.default(false),
  /** Request body limit in bytes (413 beyond it). */
  VIGIL_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(1024 * 1024),
  // Fetching missing prefetch from the EHR's FHIR server (src/fhir-client/fhir-fetcher.ts).
  /**
   * FHIR server origins Vigil may fetch from (scheme://host[:port]). Empty by default, on loopback
   * too: an allowlist that trusts something unasked is not one. `npm run demo` sets its own server.
   */
  VIGIL_FHIR_ALLOWED_ORIGINS: commaList.pipe(z.array(fhirOrigin)).default([]),
  /** Development only: also allow plain http to an allowlisted loopback origin (127.x, ::1, localhost). */
  VIGIL_FHIR_ALLOW_HTTP_LOOPBACK: boolFromEnv.default(false),
  /** One deadline per hook call for all FHIR fetches, in ms; the call answers with what it has by then. */
  VIGIL_FETCH_DEADLINE_MS: z.coerce.number().int().min(10).max(5000).default(300),
  /** Timeout of one FHIR request (one attempt), in ms; never beyond what is left of the deadline. */
  VIGIL_FHIR_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(10).max(5000).default(200),
  /** Retries of one read on a network error, timeout, 429 or 5xx (backoff with jitter, within the deadline). */
  VIGIL_FHIR_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  /** Bundle pages followed per prefetch key (newest first, so later pages hold older data), and only until the key has its search's `_count`. */
  VIGIL_FHIR_MAX_PAGES: z.coerce.number().int().min(1).max(50).default(5),
  /** Largest FHIR response body read, in bytes (a gzip answer counted inflated); a bigger one is abandoned mid-stream. */
  VIGIL_FHIR_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(4 * 1024 * 1024),
  /**
   * Per-origin breaker, fed one sample per hook call (all of a call's requests and retries together:
   * src/fhir-client/fhir-fetcher.ts): opens when more than this % of calls in the window failed...
   */
  VIGIL_FHIR_BREAKER_ERROR_PERCENT: z.coerce.number().min(1).max(100).default(50),
  /** ...and at least this many calls fetched from it in the window... */
  VIGIL_FHIR_BREAKER_MIN_REQUESTS: z.coerce.number().int().min(1).max(1000).default(5),
  /** ...the window being this long (ms); once open, it lets one call try again after VIGIL_FHIR_BREAKER_RESET_MS. */
  VIGIL_FHIR_BREAKER_WINDOW_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  VIGIL_FHIR_BREAKER_RESET_MS: z.coerce.number().int().min(10).max(600_000).default(10_000),
  /**
   * The ONNX early-warning model: a path to a `.onnx` file honouring the feature contract
   * (src/models/feature-contract.ts), `none` for NEWS2 only; unset means the model shipped in `models/`.
   */
  VIGIL_MODEL_PATH: z.string().min(1).optional(),
  /**
   * What the model may do: `off` (not loaded), `silent` (scored and recorded in the audit trail and
   * metrics on every call, never shown, never changing a card) or `active` (its estimate appears on
   * cards, second to NEWS2, and may raise, never lower, the indicator). Silent by default: a model is
   * shown only where a site has chosen to. A model trained on synthetic data may be active only in the
   * development profile (loopback, no trusted issuers); elsewhere Vigil refuses to start.
   */
  VIGIL_MODEL_MODE: z.enum(['off', 'silent', 'active']).default('silent'),
  /** Prediction cache (keyed by a SHA-256 of the feature vector, never the patient): entries and maximum age. */
  VIGIL_MODEL_CACHE_SIZE: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  VIGIL_MODEL_CACHE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .default(3600),
  /** Model circuit breaker: per-call timeout, failure % that opens it, minimum calls, pause before a retry. */
  VIGIL_MODEL_TIMEOUT_MS: z.coerce.number().int().min(1).max(10_000).default(100),
  VIGIL_MODEL_ERROR_THRESHOLD_PERCENT: z.coerce.number().int().min(1).max(100).default(50),
  VIGIL_MODEL_VOLUME_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(5),
  VIGIL_MODEL_RESET_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /**
   * A candidate model (another version honouring the same contract) run beside the primary one:
   * `silent` (scored and recorded on every call, never shown) or `canary` (for VIGIL_CANARY_PERCENT of
   * patients, chosen by the keyed patient hash so a patient stays on one model, it takes the primary's
   * place and mode, the primary then running silently for them). Needs a primary model.
   */
  VIGIL_CANDIDATE_MODEL_PATH: z.string().min(1).optional(),
  VIGIL_CANDIDATE_MODE: z.enum(['silent', 'canary']).default('silent'),
  VIGIL_CANARY_PERCENT: z.coerce.number().int().min(0).max(100).default(10),
  /**
   * Reload the models when their files or VIGIL_CONFIG_FILE change (SIGHUP always reloads). The model
   * settings above are re-read then; a model that fails to load or its checks leaves the old one serving.
   */
  VIGIL_MODEL_WATCH: boolFromEnv.default(true),
  /** Drift: each model's inputs and scores over its last N calls, compared with its training population... */
  VIGIL_DRIFT_WINDOW_CALLS: z.coerce.number().int().min(10).max(1_000_000).default(1000),
  /** ...reported once this many values are in the window (fewer give a noisy PSI: src/models/drift.ts). */
  VIGIL_DRIFT_MIN_CALLS: z.coerce.number().int().min(1).max(1_000_000).default(200),
  // Authentication of CDS clients (src/auth) and request hardening (src/http/hardening.ts).
  /** `required` (default): every CDS call carries a JWT from a trusted issuer. `off`: no checks at all (warned). */
  VIGIL_AUTH: z.enum(['required', 'off']).default('required'),
  /** Path of the trusted-issuers JSON file (format in the README, "Authentication"). */
  VIGIL_TRUSTED_ISSUERS: z.string().min(1).optional(),
  /** Signature algorithms accepted; asymmetric only (HMAC and `none` are never accepted). */
  VIGIL_JWT_ALGORITHMS: commaList
    .pipe(z.array(z.enum(['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'])).min(1))
    .default(['ES384', 'RS384']),
  /** Tolerated clock difference with the client for `exp`, `nbf` and `iat`, in seconds. */
  VIGIL_JWT_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /** Longest accepted token lifetime (exp − now), in seconds: bounds how long a jti must be remembered. */
  VIGIL_JWT_MAX_LIFETIME_SECONDS: z.coerce.number().int().min(10).max(86_400).default(3600),
  /** jti values remembered against replay (each until its token expires). */
  VIGIL_JWT_REPLAY_CACHE_SIZE: z.coerce.number().int().min(1000).max(10_000_000).default(500_000),
  /** When set, a token's `tenant` claim must equal it. */
  VIGIL_TENANT: z.string().min(1).optional(),
  /** Fetching an issuer's JWKS from an allowlisted jku: timeout, cache age, and least time between refreshes on an unknown kid. */
  VIGIL_JWKS_TIMEOUT_MS: z.coerce.number().int().min(100).max(10_000).default(2000),
  VIGIL_JWKS_CACHE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(3600),
  VIGIL_JWKS_MIN_REFRESH_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /**
   * Cost units per authenticated client (token issuer and tenant) per window; with VIGIL_AUTH=off, per
   * client address. A request costs 1 unit plus 1 per VIGIL_RATE_LIMIT_COST_BYTES of body (429 beyond).
   */
  VIGIL_RATE_LIMIT_MAX: z.coerce.number().int().min(1).max(10_000_000).default(6000),
  /** Requests per client address per window without a valid token (none, refused, CORS preflight). */
  VIGIL_RATE_LIMIT_ANON_MAX: z.coerce.number().int().min(1).max(1_000_000).default(120),
  VIGIL_RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /** Body bytes that cost one more rate-limit unit. */
  VIGIL_RATE_LIMIT_COST_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(64 * 1024),
  /**
   * Proxies whose X-Forwarded-For is believed (addresses or CIDRs, comma-separated; also `loopback`,
   * `linklocal`, `uniquelocal`). Empty: the socket address is the client's.
   */
  VIGIL_TRUSTED_PROXIES: commaList.pipe(z.array(proxyAddress)).default([]),
  /**
   * Requests with a body larger than this (or of undeclared length) are heavy: at most
   * VIGIL_HEAVY_CONCURRENCY of them are processed at once; the others wait, body unread, up to
   * VIGIL_HEAVY_WAIT_MS (503 beyond it, or when VIGIL_HEAVY_QUEUE already wait). See src/http/heavy-lane.ts.
   */
  VIGIL_HEAVY_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(256 * 1024),
  VIGIL_HEAVY_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(1),
  VIGIL_HEAVY_WAIT_MS: z.coerce.number().int().min(10).max(60_000).default(2000),
  VIGIL_HEAVY_QUEUE: z.coerce.number().int().min(0).max(10_000).default(16),
  /** About this share of the time at most goes to heavy requests: after each, its slot rests in proportion (1: never rests). */
  VIGIL_HEAVY_SHARE: z.coerce.number().gt(0).max(1).default(0.25),
  /**
   * Worker threads that digest hook call bodies (JSON parsing, validation, normalisation: most of a
   * call's CPU) beside the event loop (src/http/digest-pool.ts). `auto`: one per core but one, at
   * least one; `0`: all on the event loop.
   */
  VIGIL_DIGEST_THREADS: z.union([z.literal('auto'), z.coerce.number().int().min(0).max(64)]).default('auto'),
  /** Whole request headers must arrive within this (ms): a slow-header client is cut off. */
  VIGIL_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  /** Whole request (headers and body) must arrive within this (ms). */
  VIGIL_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  /** An idle keep-alive connection is closed after this (ms); raise it above a load balancer's idle timeout. */
  VIGIL_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /**
   * A socket silent this long is closed (ms). This, not the headers timeout, is what ends a connection
   * that is opened and never sends a byte: Node's header timer starts with the first byte.
   */
  VIGIL_CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  // Operations (src/observability, src/health, src/audit, src/feedback, server.ts).
  /** A JSON file of these same settings (keys are the variable names); the environment wins over it. */
  VIGIL_CONFIG_FILE: z.string().min(1).optional(),
  /**
   * True: a model that failed to load still counts as ready (/readyz) and the service serves NEWS2
   * alone. False (default): such a replica stays out of rotation so the fault is noticed.
   */
  VIGIL_ALLOW_FALLBACK_ONLY: boolFromEnv.default(false),
  /** Where the audit trail and feedback are written (one directory per replica). */
  VIGIL_DATA_DIR: z.string().min(1).default('./data'),
  /**
   * Key of the HMAC that stands in for the patient id in the audit trail (at least 32 characters; give
   * it from a secret). Unset: a random key is created once in VIGIL_DATA_DIR (development only).
   */
  VIGIL_AUDIT_HMAC_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /**
   * What a hook call does when its audit record cannot be written (disk full, read-only, failing):
   * `refuse` (default) answers 503 and no card; `answer` answers anyway and counts the missing record.
   */
  VIGIL_AUDIT_ON_FAILURE: z.enum(['refuse', 'answer']).default('refuse'),
  /**
   * The longest (ms) a write of the embedded audit trail waits for the records of calls already being
   * handled, so one durable write serves several calls under load; 0: write at once. A call that
   * nothing else is in flight with never waits. 4 since issue 13's seventeenth pass: on a VM whose
   * durable write lasts ~1.2 ms under load, 4 ms against 1 ms cut CPU per call by 10-14 % (fewer
   * writes, thread wake-ups and run-queue waits) with the p50 unchanged at 1 and 3 connections
   * (bench/RESULTS.md).
   */
  VIGIL_AUDIT_GATHER_MS: z.coerce.number().int().min(0).max(20).default(4),
  /** How many issued card uuids are remembered (from the audit trail, across restarts) to recognise feedback. */
  VIGIL_ISSUED_CARDS_MAX: z.coerce.number().int().min(100).max(10_000_000).default(200_000),
  /** ...and for how long (hours): feedback on an older card is accepted and flagged unknown. */
  VIGIL_ISSUED_CARDS_MAX_AGE_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(72),
  /**
   * Alert fatigue (src/suppression/repeat-cards.ts): within the window, per patient and service (and
   * drug), a repeat card whose risk has not risen is `downgrade`d to info (the default: still shown,
   * quieter) or `suppress`ed; `off` shows every card. A rise in risk always shows at once; a critical
   * card stays loud unless a clinician overrode that same card with a reason.
   */
  VIGIL_REPEAT_CARD_POLICY: z.enum(['off', 'downgrade', 'suppress']).default('downgrade'),
  VIGIL_REPEAT_CARD_WINDOW_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
  /** Keep clinicians' free-text override comments in the feedback store (they may name a patient). */
  VIGIL_FEEDBACK_KEEP_COMMENTS: boolFromEnv.default(false),
  /**
   * Feedback items one client (token issuer and tenant; with VIGIL_AUTH=off, address) may store per UTC
   * day; a request that would pass it gets 429 and stores nothing. Bounds the disk feedback may take.
   */
  VIGIL_FEEDBACK_MAX_PER_CLIENT_PER_DAY: z.coerce.number().int().min(1).max(10_000_000).default(20_000),
  // Shared state for several replicas (src/shared-state; README, "Several replicas"). Unset: everything
  // stays in this process and under VIGIL_DATA_DIR, as on a single machine.
  /**
   * Redis (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS) for the state replicas must
   * agree on at once: the JWT replay store, the issued cards feedback is matched against, the
   * repeat-card suppression state. Give it from a secret: it may hold a password (never logged).
   */
  VIGIL_REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  /** Longest wait for one Redis command (and for connecting), in ms. */
  VIGIL_REDIS_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(250),
  /** Prefix of every key Vigil writes in Redis (several deployments may share one Redis). */
  VIGIL_REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{0,64}$/, 'letters, digits, : _ . - only, at most 64')
    .default('vigil:'),
  /**
   * PostgreSQL (`postgres://user:password@host:port/db`, `?sslmode=require` for TLS) for the durable
   * records: the audit trail and feedback, in place of the files under VIGIL_DATA_DIR. Migrations run at start-up.
   */
  VIGIL_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  /** Connections each replica keeps to PostgreSQL. */
  VIGIL_DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Longest wait for a PostgreSQL connection or statement, in ms. */
  VIGIL_DATABASE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** On SIGTERM/SIGINT: how long in-flight calls may take to finish before connections are cut (ms). */
  VIGIL_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
});

export type RawConfig = z.output<typeof configSchema>;

export interface Config extends RawConfig {
  /** Resolved public base URL, without a trailing slash. */
  publicBaseUrl: string;
  /**
   * The development profile: bound to loopback and trusting no configured issuer (the loopback
   * development trust profile of src/auth/trust.ts). Only here may a synthetic model be active.
   */
  developmentProfile: boolean;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Reads VIGIL_CONFIG_FILE: a JSON object whose keys are setting names. Values become the strings the
 * environment would hold (numbers, booleans; arrays joined by commas). Unknown keys are problems, so
 * a misspelt setting in a file is refused rather than silently ignored. Values never enter messages.
 */
function readConfigFile(path: string): { values: Record<string, string>; problems: string[] } {
  let json: unknown;
  try {
    json = readJsonSetting('VIGIL_CONFIG_FILE', path);
  } catch (err) {
    if (err instanceof ConfigError) return { values: {}, problems: err.problems };
    throw err;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { values: {}, problems: [`VIGIL_CONFIG_FILE: ${path} must hold a JSON object of settings`] };
  }
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(json)) {
    // Own keys only: `in` would also find what every object inherits (`constructor`, `toString`, `__proto__`).
    if (!Object.hasOwn(configSchema.shape, key) || key === 'VIGIL_CONFIG_FILE') {
      problems.push(`${key} (in ${path}): not a setting Vigil knows`);
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      values[key] = String(value);
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      values[key] = value.join(',');
    } else {
      problems.push(`${key} (in ${path}): must be a string, number, boolean or list of strings`);
    }
  }
  return { values, problems };
}

/** A JSON file a setting names, parsed; a ConfigError naming the setting and why (never the content) when it cannot be. */
export function readJsonSetting(setting: string, path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([`${setting}: cannot read ${path} (${errorCode(err, 'not valid JSON')})`]);
  }
}

/** Parses the environment (over VIGIL_CONFIG_FILE, if set) once; throws ConfigError listing every bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  // Empty strings mean "unset" so `FOO= npm start` falls back to the default rather than failing.
  // A Kubernetes service link that lands on a setting's name (VIGIL_ADMIN_PORT=tcp://… for a Service named
  // vigil-admin) is the platform's, not a setting: ignored, and named at start-up (unknownSettings).
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => v !== undefined && v !== '' && !(k.startsWith('VIGIL_') && SERVICE_LINK_VALUE.test(v))),
  );
  const file = cleaned.VIGIL_CONFIG_FILE === undefined ? { values: {}, problems: [] } : readConfigFile(cleaned.VIGIL_CONFIG_FILE);
  const parsed = configSchema.safeParse(withFields(file.values, cleaned));
  const problems = [
    ...file.problems,
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`)),
  ];
  // Replicas that share state must hash patients and cards alike: one key, given to all of them.
  if (
    parsed.success &&
    (parsed.data.VIGIL_REDIS_URL !== undefined || parsed.data.VIGIL_DATABASE_URL !== undefined) &&
    parsed.data.VIGIL_AUDIT_HMAC_KEY === undefined
  ) {
    problems.push('VIGIL_AUDIT_HMAC_KEY: required with VIGIL_REDIS_URL or VIGIL_DATABASE_URL (every replica must share the key)');
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const raw = parsed.data;
  const crossProblems = crossChecks(raw);
  if (crossProblems.length > 0) throw new ConfigError(crossProblems);
  const hostForUrl = raw.HOST.includes(':') ? `[${raw.HOST}]` : raw.HOST;
  const publicBaseUrl = (raw.VIGIL_PUBLIC_BASE_URL ?? `http://${hostForUrl}:${raw.PORT}`).replace(/\/+$/, '');
  // Beyond loopback by its public URL (a proxy or tunnel others reach), it is no development machine.
  const publicHost = raw.VIGIL_PUBLIC_BASE_URL === undefined ? raw.HOST : new URL(publicBaseUrl).hostname;
  const developmentProfile = isLoopbackHost(raw.HOST) && raw.VIGIL_TRUSTED_ISSUERS === undefined && isLoopbackHost(publicHost);
  return Object.freeze(withFields(raw, { publicBaseUrl, developmentProfile }));
}

/**
 * `VIGIL_*` variables Vigil does not read, each with the setting it most likely meant: a misspelt
 * setting is otherwise silently ignored (integration review, 2026-11-29: `VIGIL_PORT` and `VIGIL_HOST`
 * for `PORT` and `HOST`, a misspelt `VIGIL_TRUSTED_ISSUERS`). Said at start-up, never a refusal: other
 * tools may share the prefix.
 */
export function unknownSettings(env: NodeJS.ProcessEnv = process.env): string[] {
  const known = Object.keys(configSchema.shape);
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('VIGIL_')) continue;
    if (known.includes(name)) {
      if (SERVICE_LINK_VALUE.test(value ?? ''))
        out.push(
          `${name} holds a Kubernetes service link (a Service named after it?), not a setting (ignored): set enableServiceLinks: false or rename the Service`,
        );
      continue;
    }
    if (isServiceLink(name, value)) continue;
    const bare = name.slice('VIGIL_'.length);
    const meant = known.includes(bare) ? bare : known.find((k) => editDistance(k, name) <= 2);
    out.push(
      meant === undefined ? `${name} is not a Vigil setting (ignored)` : `${name} is not a Vigil setting (ignored): did you mean ${meant}?`,
    );
  }
  return out;
}

/**
 * Kubernetes' service links for a Service named `vigil` or `vigil-…` (VIGIL_SERVICE_HOST, VIGIL_PORT=tcp://…,
 * VIGIL_REDIS_PORT_6379_TCP_ADDR…): set by the platform, not by anyone configuring Vigil.
 */
function isServiceLink(name: string, value: string | undefined): boolean {
  // VIGIL_SERVICE_HOST, VIGIL_SERVICE_PORT[_NAME], VIGIL_PORT_3000_TCP[_ADDR…], VIGIL_PORT=tcp://…; the same
  // for any Service whose name starts vigil- (vigil-redis: VIGIL_REDIS_SERVICE_HOST, VIGIL_REDIS_PORT=tcp://…).
  if (/^VIGIL_(?:[A-Z0-9_]+_)?(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT_\d+_(TCP|UDP|SCTP)(_[A-Z]+)?)$/.test(name)) return true;
  return /_PORT$/.test(name) && SERVICE_LINK_VALUE.test(value ?? '');
}

/** The value of a Kubernetes service link: `tcp://10.0.0.7:3000`. No setting of Vigil's takes one. */
const SERVICE_LINK_VALUE = /^(tcp|udp|sctp):\/\//;

/** Levenshtein distance, for "did you mean": names are short, so the plain table is enough. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Settings that are valid alone but not together. */
function crossChecks(raw: RawConfig): string[] {
  const problems: string[] = [];
  if (raw.VIGIL_CANDIDATE_MODEL_PATH !== undefined && (raw.VIGIL_MODEL_PATH === 'none' || raw.VIGIL_MODEL_MODE === 'off')) {
    problems.push(
      'VIGIL_CANDIDATE_MODEL_PATH: a candidate runs beside a primary model; set VIGIL_MODEL_PATH and a VIGIL_MODEL_MODE other than off',
    );
  }
  if (raw.VIGIL_DRIFT_MIN_CALLS > raw.VIGIL_DRIFT_WINDOW_CALLS) {
    problems.push('VIGIL_DRIFT_MIN_CALLS: must not exceed VIGIL_DRIFT_WINDOW_CALLS, or drift is never reported');
  }
  return problems;
}
