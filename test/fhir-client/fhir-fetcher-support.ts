// Shared by the FHIR fetcher tests: a config with short deadlines, a hook call, a logger and a
// telemetry that remember what they were told (to prove no token or patient id reaches them).
import { loadConfig, type Config } from '../../src/config.js';
import type { HookCall } from '../../src/cds-hooks/request-schema.js';
import { createFhirFetcher, type FhirFetcher, type FetchLogger } from '../../src/fhir-client/fhir-fetcher.js';
import { noTelemetry, type BreakerState, type Telemetry } from '../../src/telemetry.js';

export const TOKEN = 'synthetic-access-token-0f9d2c';
export const PATIENT_ID = 'vigil-demo-medium';

/**
 * Deadlines for tests whose point is not timing: generous, so a loaded machine (other test files,
 * other work on both cores) still gets its answers. Tests that prove a deadline or timeout set short
 * ones themselves (SHORT_DEADLINE) and make the slow side far slower than that.
 */
export const ROOMY_DEADLINE = { VIGIL_FETCH_DEADLINE_MS: '4000', VIGIL_FHIR_REQUEST_TIMEOUT_MS: '2000' } as const;
export const SHORT_DEADLINE = { VIGIL_FETCH_DEADLINE_MS: '400', VIGIL_FHIR_REQUEST_TIMEOUT_MS: '300' } as const;

export function fetchConfig(origins: string[], env: Record<string, string> = {}): Readonly<Config> {
  return loadConfig({
    VIGIL_FHIR_ALLOWED_ORIGINS: origins.join(','),
    VIGIL_FHIR_ALLOW_HTTP_LOOPBACK: 'true',
    ...ROOMY_DEADLINE,
    VIGIL_FHIR_MAX_RETRIES: '2',
    VIGIL_FHIR_MAX_PAGES: '5',
    VIGIL_FHIR_MAX_BYTES: String(256 * 1024),
    ...env,
  });
}

export function hookCall(fhirServer: string | undefined, extra: Partial<HookCall> = {}, context: Record<string, unknown> = {}): HookCall {
  return {
    hook: 'patient-view',
    hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
    ...(fhirServer === undefined ? {} : { fhirServer }),
    fhirAuthorization: { access_token: TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'vigil' },
    context: { userId: 'Practitioner/COREPRACTITIONER1', patientId: PATIENT_ID, ...context },
    ...extra,
  } as HookCall;
}

export interface Recorder {
  log: FetchLogger;
  lines: string[];
  telemetry: Telemetry;
  fetches: { seconds: number; outcome: string }[];
  breakers: { breaker: string; state: BreakerState }[];
}

export function recorder(): Recorder {
  const lines: string[] = [];
  const fetches: Recorder['fetches'] = [];
  const breakers: Recorder['breakers'] = [];
  const write = (obj: object, msg: string) => lines.push(`${msg} ${JSON.stringify(obj)}`);
  return {
    lines,
    fetches,
    breakers,
    log: { warn: write, debug: write },
    telemetry: {
      ...noTelemetry,
      fhirFetch: (seconds, outcome) => fetches.push({ seconds, outcome }),
      breakerState: (breaker, state) => breakers.push({ breaker, state }),
    },
  };
}

/** A fetcher with fixed jitter, plus what it logged and reported. */
export function fetcherFor(origins: string[], env: Record<string, string> = {}): { fetcher: FhirFetcher; rec: Recorder } {
  const rec = recorder();
  const fetcher = createFhirFetcher(fetchConfig(origins, env), rec.log, rec.telemetry, { random: () => 0.5 });
  return { fetcher, rec };
}
