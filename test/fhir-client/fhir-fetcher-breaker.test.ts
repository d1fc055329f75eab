// The per-origin breaker: a sick FHIR endpoint is left alone for a while, then tried once, then
// trusted again; a healthy origin beside it is not affected. One hook call is one sample, so a single
// call does not open it, and what opened it (unreachable, or too slow) is said while it is open.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirServer, type FhirTestServer } from '../../demo/fhir-server.js';
import { demoResources } from '../../demo/patients.js';
import { PATIENT_RISK_PREFETCH } from '../../src/prefetch/templates.js';
import { fetcherFor, hookCall, SHORT_DEADLINE } from './fhir-fetcher-support.js';

let sick: FhirTestServer;
let healthy: FhirTestServer;
const PATIENT = [{ key: 'patient', template: PATIENT_RISK_PREFETCH.patient }];

beforeAll(async () => {
  sick = await startFhirServer({ resources: demoResources(new Date()) });
  healthy = await startFhirServer({ resources: demoResources(new Date()) });
});
afterAll(async () => {
  await Promise.all([sick.close(), healthy.close()]);
});

it('opens after repeated failures, fails fast while open, and closes again once the EHR recovers', async () => {
  const { fetcher, rec } = fetcherFor([sick.origin, healthy.origin], {
    VIGIL_FHIR_MAX_RETRIES: '0',
    VIGIL_FHIR_BREAKER_MIN_REQUESTS: '3',
    VIGIL_FHIR_BREAKER_ERROR_PERCENT: '50',
    VIGIL_FHIR_BREAKER_RESET_MS: '3000', // long enough that a loaded machine still sees it open
  });
  try {
    sick.fault({ kind: 'status', status: 500 });
    for (let i = 0; i < 3; i++) await fetcher.fetchAll(hookCall(sick.baseUrl), PATIENT);
    expect(sick.requests).toHaveLength(3);
    expect(fetcher.breakerState(sick.origin)).toBe('open');
    expect(rec.breakers).toContainEqual({ breaker: `fhir:${sick.origin}`, state: 'open' });

    // Open: the EHR is not asked at all, and the call does not wait out its 4 s deadline.
    const started = performance.now();
    const whileOpen = await fetcher.fetchAll(hookCall(sick.baseUrl), PATIENT);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(whileOpen.patient).toEqual({ ok: false, problem: expect.stringMatching(/has been failing/) });
    expect(sick.requests).toHaveLength(3);

    // Another origin has its own breaker.
    expect((await fetcher.fetchAll(hookCall(healthy.baseUrl), PATIENT)).patient?.ok).toBe(true);

    // The EHR recovers; after the reset time one trial request closes the breaker.
    sick.reset();
    await expect.poll(() => fetcher.breakerState(sick.origin), { timeout: 10_000, interval: 20 }).toBe('half-open');
    expect((await fetcher.fetchAll(hookCall(sick.baseUrl), PATIENT)).patient?.ok).toBe(true);
    expect(fetcher.breakerState(sick.origin)).toBe('closed');
    expect(rec.breakers.map((b) => b.state)).toEqual(['open', 'half-open', 'closed']);
  } finally {
    fetcher.close();
  }
});

it('is not opened by answers that say nothing about the endpoint’s health (401, 404, malformed JSON)', async () => {
  const { fetcher } = fetcherFor([sick.origin], { VIGIL_FHIR_BREAKER_MIN_REQUESTS: '2', VIGIL_FHIR_MAX_RETRIES: '0' });
  try {
    sick.reset();
    sick.fault({ kind: 'status', status: 401, times: 2 });
    sick.fault({ kind: 'malformed-json', times: 2 });
    for (let i = 0; i < 4; i++) await fetcher.fetchAll(hookCall(sick.baseUrl), PATIENT);
    await fetcher.fetchAll(hookCall(sick.baseUrl, {}, { patientId: 'no-such-patient' }), PATIENT);
    expect(fetcher.breakerState(sick.origin)).toBe('closed');
    expect((await fetcher.fetchAll(hookCall(sick.baseUrl), PATIENT)).patient?.ok).toBe(true);
  } finally {
    fetcher.close();
  }
});

/** An allowlistable loopback origin where nothing listens: connections are refused. */
async function unreachableOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const ALL_KEYS = Object.entries(PATIENT_RISK_PREFETCH).map(([key, template]) => ({ key, template }));

describe('an EHR that cannot be reached', () => {
  it('is named as such by one call, which does not open the breaker alone (one call is one sample)', async () => {
    const origin = await unreachableOrigin();
    // The defaults: five breaker samples, two retries per read; one patient-view call asks for five keys.
    const { fetcher, rec } = fetcherFor([origin], { VIGIL_FHIR_BREAKER_MIN_REQUESTS: '5', VIGIL_FHIR_MAX_RETRIES: '2' });
    try {
      const results = await fetcher.fetchAll(hookCall(`${origin}/fhir`), ALL_KEYS);
      for (const { key } of ALL_KEYS)
        expect(results[key], key).toEqual({ ok: false, problem: "the EHR's FHIR server could not be reached" });
      expect(fetcher.breakerState(origin)).toBe('closed');
      const logged = rec.lines.filter((l) => l.startsWith('prefetch key not fetched'));
      expect(logged).toHaveLength(ALL_KEYS.length);
      for (const line of logged) expect(line).toContain('"code":"FHIR_NETWORK"');
      expect(rec.lines.join('\n')).not.toContain('FHIR_BREAKER_OPEN');
    } finally {
      fetcher.close();
    }
  });

  it('opens the breaker after enough failing calls, says what opened it, and says so on the calls it refuses', async () => {
    const origin = await unreachableOrigin();
    const { fetcher, rec } = fetcherFor([origin], {
      VIGIL_FHIR_BREAKER_MIN_REQUESTS: '3',
      VIGIL_FHIR_MAX_RETRIES: '0',
      VIGIL_FHIR_BREAKER_RESET_MS: '5000',
    });
    try {
      await fetcher.fetchAll(hookCall(`${origin}/fhir`), ALL_KEYS);
      await fetcher.fetchAll(hookCall(`${origin}/fhir`), ALL_KEYS);
      expect(fetcher.breakerState(origin)).toBe('closed');
      await fetcher.fetchAll(hookCall(`${origin}/fhir`), ALL_KEYS);
      expect(fetcher.breakerState(origin)).toBe('open');
      const opened = rec.lines.find((l) => l.startsWith('FHIR breaker opened'));
      expect(opened).toContain('"lastCode":"FHIR_NETWORK"');
      expect(opened).toContain('"lastOutcome":"network"');

      const refused = await fetcher.fetchAll(hookCall(`${origin}/fhir`), ALL_KEYS);
      expect(refused.vitals).toEqual({
        ok: false,
        problem: "the EHR's FHIR server has been failing (could not be reached); Vigil is not asking it again for a few seconds",
      });
      const line = rec.lines.find((l) => l.startsWith('FHIR breaker open:'));
      expect(line).toContain('"code":"FHIR_BREAKER_OPEN"');
      expect(line).toContain('"lastCode":"FHIR_NETWORK"');
    } finally {
      fetcher.close();
    }
  });
});

it('tells an EHR that answers too slowly from one that cannot be reached, before and after the breaker opens', async () => {
  const { fetcher, rec } = fetcherFor([sick.origin], {
    ...SHORT_DEADLINE,
    VIGIL_FHIR_MAX_RETRIES: '0',
    VIGIL_FHIR_BREAKER_MIN_REQUESTS: '2',
    VIGIL_FHIR_BREAKER_RESET_MS: '5000',
  });
  try {
    sick.reset();
    sick.fault({ kind: 'slow', ms: 3000 });
    const first = await fetcher.fetchAll(hookCall(sick.baseUrl), PATIENT);
    expect(first.patient).toEqual({ ok: false, problem: expect.stringMatching(/^the EHR did not answer/) });
    await fetcher.fetchAll(hookCall(sick.baseUrl), PATIENT);
    expect(fetcher.breakerState(sick.origin)).toBe('open');
    expect(rec.lines.find((l) => l.startsWith('FHIR breaker opened'))).toMatch(/"lastCode":"FHIR_(TIMEOUT|DEADLINE)"/);
    const refused = await fetcher.fetchAll(hookCall(sick.baseUrl), PATIENT);
    expect(refused.patient).toEqual({ ok: false, problem: expect.stringContaining('has been failing (did not answer in time)') });
  } finally {
    fetcher.close();
    sick.reset();
  }
});
