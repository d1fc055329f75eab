// Every setting Vigil reads, in one zod schema, parsed once at start-up from the environment.
// A bad value stops the start with a message listing every problem; the rest of the code receives a
// typed, frozen Config. The README's configuration table mirrors this file: keep them together.
import { z } from 'zod';

const boolFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const commaList = z
  .string()
  .transform((s) =>
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
  const bare = url !== undefined && (url.protocol === 'https:' || url.protocol === 'http:') && url.pathname === '/' &&
    url.search === '' && url.hash === '' && url.username === '' && url.password === '';
  if (!bare) {
    ctx.addIssue({ code: 'custom', message: `"${s}" is not an origin like https://ehr.example or http://127.0.0.1:8081` });
    return z.NEVER;
  }
  return url!.origin;
});

/** Schema over the raw environment: keys are the exact environment variable names. */
export const configSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Public base URL as clients call it (behind a proxy); default http://HOST:PORT. */
  VIGIL_PUBLIC_BASE_URL: z.url().optional(),
  VIGIL_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Origins allowed by CORS: `*` (any origin; the default, so the public CDS Hooks sandbox in a
   * person's browser can call a service on their own machine) or a comma-separated list.
   */
  VIGIL_CORS_ORIGINS: commaList.default(['*']),
  /** Vitals older than this many hours are stale: shown, never scored. */
  VIGIL_STALE_AFTER_HOURS: z.coerce.number().positive().max(24 * 30).default(24),
  /**
   * What a NEWS2 total of 1–4 with no single parameter scoring 3 produces: an `info` card, or no card.
   * A total of 0 produces a card only when this is `info` and VIGIL_CARD_FOR_ZERO is true.
   */
  VIGIL_LOW_SCORE_CARD: z.enum(['info', 'none']).default('info'),
  VIGIL_CARD_FOR_ZERO: boolFromEnv.default(false),
  /** Request body limit in bytes (413 beyond it). */
  VIGIL_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  // Fetching missing prefetch from the EHR's FHIR server (src/prefetch/fhir-fetcher.ts).
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
  /** Bundle pages followed per prefetch key (newest first, so later pages hold older data). */
  VIGIL_FHIR_MAX_PAGES: z.coerce.number().int().min(1).max(50).default(5),
  /** Largest FHIR response body read, in bytes; a bigger one is abandoned mid-stream. */
  VIGIL_FHIR_MAX_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(4 * 1024 * 1024),
  /** Per-origin breaker: opens when more than this % of requests in the window fail... */
  VIGIL_FHIR_BREAKER_ERROR_PERCENT: z.coerce.number().min(1).max(100).default(50),
  /** ...and at least this many requests were made in the window... */
  VIGIL_FHIR_BREAKER_MIN_REQUESTS: z.coerce.number().int().min(1).max(1000).default(5),
  /** ...the window being this long (ms); once open, it lets one request try again after VIGIL_FHIR_BREAKER_RESET_MS. */
  VIGIL_FHIR_BREAKER_WINDOW_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  VIGIL_FHIR_BREAKER_RESET_MS: z.coerce.number().int().min(10).max(600_000).default(10_000),
  /**
   * The ONNX early-warning model: a path to a `.onnx` file honouring the feature contract
   * (src/models/feature-contract.ts), `none` for NEWS2 only; unset means the model shipped in `models/`.
   */
  VIGIL_MODEL_PATH: z.string().min(1).optional(),
  /** Prediction cache (keyed by the feature vector, never the patient): entries and maximum age. */
  VIGIL_MODEL_CACHE_SIZE: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  VIGIL_MODEL_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(7 * 24 * 3600).default(3600),
  /** Model circuit breaker: per-call timeout, failure % that opens it, minimum calls, pause before a retry. */
  VIGIL_MODEL_TIMEOUT_MS: z.coerce.number().int().min(1).max(10_000).default(100),
  VIGIL_MODEL_ERROR_THRESHOLD_PERCENT: z.coerce.number().int().min(1).max(100).default(50),
  VIGIL_MODEL_VOLUME_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(5),
  VIGIL_MODEL_RESET_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
});

export type RawConfig = z.output<typeof configSchema>;

export interface Config extends RawConfig {
  /** Resolved public base URL, without a trailing slash. */
  publicBaseUrl: string;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses the environment once; throws ConfigError listing every bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  // Empty strings mean "unset" so `FOO= npm start` falls back to the default rather than failing.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`),
    );
  }
  const raw = parsed.data;
  const hostForUrl = raw.HOST.includes(':') ? `[${raw.HOST}]` : raw.HOST;
  const publicBaseUrl = (raw.VIGIL_PUBLIC_BASE_URL ?? `http://${hostForUrl}:${raw.PORT}`).replace(/\/+$/, '');
  return Object.freeze({ ...raw, publicBaseUrl });
}

/** True when HOST only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
