// The per-origin breaker: a sick FHIR endpoint is left alone for a while, then tried once, then
// trusted again; a healthy origin beside it is not affected.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFhirServer, type FhirTestServer } from '../../demo/fhir-server.js';
import { demoResources } from '../../demo/patients.js';
import { PATIENT_RISK_PREFETCH } from '../../src/prefetch/templates.js';
import { fetcherFor, hookCall } from './fhir-fetcher-support.js';

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
