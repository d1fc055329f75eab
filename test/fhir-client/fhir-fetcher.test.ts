// The fetcher against a real HTTP FHIR server on 127.0.0.1 with switchable faults, a second server on
// another port (another origin) that must never see the access token, and a third that caps its pages
// at 4 entries whatever a search asks for, as EHRs cap page sizes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoResources } from '../../demo/patients.js';
import { startFhirServer, type FhirTestServer } from '../../demo/fhir-server.js';
import type { FetchRequest } from '../../src/prefetch/gather.js';
import type { FhirFetcher } from '../../src/fhir-client/fhir-fetcher.js';
import { PATIENT_RISK_PREFETCH } from '../../src/prefetch/templates.js';
import { fetcherFor, hookCall, PATIENT_ID, SHORT_DEADLINE, TOKEN, type Recorder } from './fhir-fetcher-support.js';

const NOW = new Date();
let ehr: FhirTestServer;
let other: FhirTestServer;
let capped: FhirTestServer;
let fetcher: FhirFetcher;
let rec: Recorder;

const requestsFor = (templates: Record<string, string>): FetchRequest[] =>
  Object.entries(templates).map(([key, template]) => ({ key, template }));
const ALL = requestsFor(PATIENT_RISK_PREFETCH);
const VITALS = requestsFor({ vitals: PATIENT_RISK_PREFETCH.vitals });
const VITALS_BY_4 = requestsFor({ vitals: 'Observation?patient={{context.patientId}}&category=vital-signs&_sort=-date&_count=4' });

function useFetcher(env: Record<string, string> = {}): void {
  fetcher.close();
  ({ fetcher, rec } = fetcherFor([ehr.origin, other.origin, capped.origin], env));
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

beforeAll(async () => {
  ehr = await startFhirServer({ resources: demoResources(NOW) });
  other = await startFhirServer({ resources: demoResources(NOW) });
  capped = await startFhirServer({ resources: demoResources(NOW), maxCount: 4 });
  ({ fetcher, rec } = fetcherFor([ehr.origin, other.origin, capped.origin]));
});
afterEach(() => {
  ehr.reset();
  other.reset();
  capped.reset();
  useFetcher();
});
afterAll(async () => {
  fetcher.close();
  await Promise.all([ehr.close(), other.close(), capped.close()]);
});

describe('fetching missing prefetch from the FHIR server', () => {
  it('fetches every key with Accept: application/fhir+json and the bearer token', async () => {
    const results = await fetcher.fetchAll(hookCall(ehr.baseUrl), ALL);

    expect(Object.keys(results).sort()).toEqual(Object.keys(PATIENT_RISK_PREFETCH).sort());
    expect(results.patient).toEqual({ ok: true, resources: [expect.objectContaining({ resourceType: 'Patient', id: PATIENT_ID })] });
    const vitals = results.vitals?.ok ? results.vitals.resources : [];
    expect(vitals).toHaveLength(18); // six vital-sign observations (air charted as 21 % O2), charted three times
    expect(results.consciousness?.ok && results.consciousness.resources).toHaveLength(3);
    expect(results.oxygen?.ok && results.oxygen.resources).toHaveLength(3);
    expect(results.spo2Target).toEqual({ ok: true, resources: [] });
    expect(ehr.requests).toHaveLength(5);
    for (const r of ehr.requests) {
      expect(r.method).toBe('GET');
      expect(r.accept).toBe('application/fhir+json');
      expect(r.authorization).toBe(`Bearer ${TOKEN}`);
    }
  });

  it('sends no Authorization header when the call carries no fhirAuthorization', async () => {
    const results = await fetcher.fetchAll(hookCall(ehr.baseUrl, { fhirAuthorization: undefined }), ALL);
    expect(results.vitals?.ok).toBe(true);
    expect(ehr.requests.map((r) => r.authorization)).toEqual(ehr.requests.map(() => undefined));
  });

  it('asks for independent keys in parallel', async () => {
    // Each read is held 300 ms; a generous deadline so a loaded machine answers them all. In series at
    // most one would be open at a time: the server counts how many it held at once.
    ehr.fault({ kind: 'slow', ms: 300 });
    const value = await fetcher.fetchAll(hookCall(ehr.baseUrl), ALL);
    expect(Object.values(value).every((r) => r.ok)).toBe(true);
    expect(ehr.concurrency.max).toBe(Object.keys(PATIENT_RISK_PREFETCH).length);
  });

  it('follows Bundle next links from a server whose pages hold fewer than asked for, newest first', async () => {
    const results = await fetcher.fetchAll(hookCall(capped.baseUrl), VITALS);
    const vitals = results.vitals?.ok ? results.vitals.resources : [];
    expect(vitals).toHaveLength(18);
    expect(capped.requests).toHaveLength(5);
    const times = vitals.map((o) => Date.parse(String(o.effectiveDateTime)));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('stops at the page bound with the newest pages', async () => {
    useFetcher({ VIGIL_FHIR_MAX_PAGES: '2' });
    const results = await fetcher.fetchAll(hookCall(capped.baseUrl), VITALS);
    const vitals = results.vitals?.ok ? results.vitals.resources : [];
    expect(vitals).toHaveLength(8);
    expect(capped.requests).toHaveLength(2);
  });

  it('reads no page beyond the number its search asked for (_count): one request for the newest', async () => {
    const all = await fetcher.fetchAll(hookCall(ehr.baseUrl), VITALS);
    const newest = all.vitals?.ok ? all.vitals.resources.slice(0, 4).map((r) => r.id) : [];
    ehr.reset();
    const results = await fetcher.fetchAll(hookCall(ehr.baseUrl), VITALS_BY_4);
    // The server offered a next page (18 match); the 4 asked for were on the first.
    expect(results.vitals?.ok && results.vitals.resources.map((r) => r.id)).toEqual(newest);
    expect(ehr.requests).toHaveLength(1);
  });

  it('reads on when a page holds fewer than asked for, and stops once it has them', async () => {
    const results = await fetcher.fetchAll(
      hookCall(capped.baseUrl),
      requestsFor({ vitals: 'Observation?patient={{context.patientId}}&category=vital-signs&_sort=-date&_count=6' }),
    );
    // Pages of 4: the second brings 8, enough for the 6 asked for; the third is not read.
    expect(results.vitals?.ok && results.vitals.resources).toHaveLength(8);
    expect(capped.requests).toHaveLength(2);
  });

  it('fetches a template with an unresolvable token as a failure of that key only', async () => {
    const results = await fetcher.fetchAll(hookCall(ehr.baseUrl), [
      ...requestsFor({ encounter: 'Encounter/{{context.encounterId}}' }),
      ...requestsFor({ patient: PATIENT_RISK_PREFETCH.patient }),
    ]);
    expect(results.encounter).toEqual({ ok: false, problem: expect.stringMatching(/context.encounterId/) });
    expect(results.patient?.ok).toBe(true);
    expect(ehr.requests.map((r) => r.url)).toEqual([`/fhir/Patient/${PATIENT_ID}`]);
  });

  it.each([
    ['context.userId', 'Practitioner/{{context.userId}}'.replace('Practitioner/', ''), {}, '/fhir/Practitioner/COREPRACTITIONER1'],
    ['userPractitionerId', 'Practitioner/{{userPractitionerId}}', {}, '/fhir/Practitioner/COREPRACTITIONER1'],
    [
      'userPractitionerRoleId',
      'PractitionerRole/{{userPractitionerRoleId}}',
      { userId: 'PractitionerRole/r-1' },
      '/fhir/PractitionerRole/r-1',
    ],
    ['userPatientId', 'Patient/{{userPatientId}}', { userId: `Patient/${PATIENT_ID}` }, `/fhir/Patient/${PATIENT_ID}`],
    ['userRelatedPersonId', 'RelatedPerson/{{userRelatedPersonId}}', { userId: 'RelatedPerson/rp-1' }, '/fhir/RelatedPerson/rp-1'],
    ['context.encounterId', 'Encounter/{{context.encounterId}}', { encounterId: 'enc-1' }, '/fhir/Encounter/enc-1'],
    ['context.patientId', 'Goal?patient={{context.patientId}}', {}, `/fhir/Goal?patient=${PATIENT_ID}`],
  ])('asks the server for what {{%s}} names', async (_token, template, context, path) => {
    await fetcher.fetchAll(hookCall(ehr.baseUrl, {}, context), requestsFor({ k: template }));
    expect(ehr.requests.map((r) => r.url)).toEqual([path]);
  });
});

describe('faults of the FHIR server', () => {
  it('answers by the deadline with what it has when one read is slow beyond it', async () => {
    // The slow read would take 8 s; the 400 ms deadline ends the wait long before (the margin is for a
    // loaded machine, whose timers fire late, not for the fetcher).
    useFetcher(SHORT_DEADLINE);
    ehr.fault({ kind: 'slow', ms: 8000, match: 'Patient' });
    const { value, ms } = await timed(() => fetcher.fetchAll(hookCall(ehr.baseUrl), ALL));
    expect(ms).toBeLessThan(3000);
    expect(value.patient).toEqual({ ok: false, problem: 'the EHR did not answer within 400 ms' });
    // The other keys had the same 400 ms: on a loaded machine some may miss it too, but none waits for Patient.
    expect(value.vitals?.ok === true || value.vitals?.problem === 'the EHR did not answer within 400 ms').toBe(true);
  });

  it('retries a 500 and succeeds', async () => {
    capped.fault({ kind: 'status', status: 500, times: 1, match: 'Observation' });
    const results = await fetcher.fetchAll(hookCall(capped.baseUrl), VITALS);
    expect(results.vitals?.ok && results.vitals.resources).toHaveLength(18);
    expect(capped.requests).toHaveLength(6);
    expect(rec.fetches.map((f) => f.outcome)).toContain('http_5xx');
  });

  it('retries a timed-out request and succeeds', async () => {
    // The first read is held far beyond the 2 s request timeout; the 4 s deadline leaves room to retry.
    ehr.fault({ kind: 'slow', ms: 10_000, times: 1 });
    const results = await fetcher.fetchAll(hookCall(ehr.baseUrl), requestsFor({ patient: PATIENT_RISK_PREFETCH.patient }));
    expect(results.patient?.ok).toBe(true);
    expect(rec.fetches.map((f) => f.outcome)).toEqual(['timeout', 'ok']);
  });

  it('gives up after the retries allowed', async () => {
    ehr.fault({ kind: 'status', status: 503 });
    const results = await fetcher.fetchAll(hookCall(ehr.baseUrl), requestsFor({ patient: PATIENT_RISK_PREFETCH.patient }));
    expect(results.patient).toEqual({ ok: false, problem: "the EHR's FHIR server failed (HTTP 503)" });
    expect(ehr.requests).toHaveLength(3);
  });

  it('honours a short Retry-After on 429 and succeeds', async () => {
    ehr.fault({ kind: 'status', status: 429, retryAfter: '0', times: 1 });
    const results = await fetcher.fetchAll(hookCall(ehr.baseUrl), requestsFor({ patient: PATIENT_RISK_PREFETCH.patient }));
    expect(results.patient?.ok).toBe(true);
    expect(ehr.requests).toHaveLength(2);
  });

  it('fails at once when Retry-After is beyond the deadline instead of waiting past it', async () => {
    useFetcher(SHORT_DEADLINE);
    ehr.fault({ kind: 'status', status: 429, retryAfter: '5' });
    const { value, ms } = await timed(() =>
      fetcher.fetchAll(hookCall(ehr.baseUrl), requestsFor({ patient: PATIENT_RISK_PREFETCH.patient })),
    );
    // This problem is only said by the early refusal; waiting out the deadline would say "did not answer".
    expect(value.patient).toEqual({ ok: false, problem: expect.stringMatching(/429.*longer than the 400 ms deadline/) });
    expect(ehr.requests).toHaveLength(1);
    expect(ms).toBeLessThan(5000);
  });

  it.each([
    ['a 401', { kind: 'status', status: 401 } as const, "the EHR's FHIR server refused Vigil's access (HTTP 401)", 1],
    ['malformed JSON', { kind: 'malformed-json' } as const, "the EHR's FHIR server sent malformed JSON", 1],
    [
      'an HTML page with 200',
      { kind: 'html-error', status: 200 } as const,
      "the EHR's FHIR server answered with text/html, not FHIR JSON",
      1,
    ],
    ['an HTML error page with 502', { kind: 'html-error', status: 502 } as const, "the EHR's FHIR server failed (HTTP 502)", 3],
  ])('reports %s as the key missing', async (_name, fault, problem, asked) => {
    ehr.fault(fault);
    const results = await fetcher.fetchAll(hookCall(ehr.baseUrl), requestsFor({ patient: PATIENT_RISK_PREFETCH.patient }));
    expect(results.patient).toEqual({ ok: false, problem });
    expect(ehr.requests).toHaveLength(asked);
  });

  it('stops reading a huge Bundle at the size cap and hangs up', async () => {
    // The roomy deadline: no loaded machine reaches it while streaming 256 KiB, so only the size cap can stop it.
    ehr.fault({ kind: 'huge-bundle', bytes: 8 * 1024 * 1024 });
    const value = await fetcher.fetchAll(hookCall(ehr.baseUrl), VITALS_BY_4);
    expect(value.vitals).toEqual({ ok: false, problem: `the EHR's FHIR server's answer exceeded ${256 * 1024} bytes` });
    await expect.poll(() => ehr.hugeBundle.clientHungUp, { timeout: 5000 }).toBe(true);
    expect(ehr.hugeBundle.bytesSent).toBeLessThan(4 * 1024 * 1024);
  });

  it('refuses a Bundle whose declared length is over the size cap without reading it', async () => {
    ehr.fault({ kind: 'huge-bundle', bytes: 8 * 1024 * 1024, declareLength: true });
    const value = await fetcher.fetchAll(hookCall(ehr.baseUrl), VITALS_BY_4);
    expect(value.vitals).toEqual({ ok: false, problem: `the EHR's FHIR server's answer exceeded ${256 * 1024} bytes` });
    await expect.poll(() => ehr.hugeBundle.clientHungUp, { timeout: 5000 }).toBe(true);
    expect(ehr.hugeBundle.bytesSent).toBeLessThan(4 * 1024 * 1024);
  });

  it('asks for gzip and reads a gzip-compressed answer', async () => {
    ehr.fault({ kind: 'gzip' });
    const results = await fetcher.fetchAll(hookCall(ehr.baseUrl), requestsFor({ patient: PATIENT_RISK_PREFETCH.patient }));
    expect(results.patient?.ok && results.patient.resources.map((r) => `${r.resourceType}/${r.id}`)).toEqual([`Patient/${PATIENT_ID}`]);
    expect(ehr.requests[0]?.acceptEncoding).toBe('gzip');
  });

  it('stops inflating a compressed answer at the size cap', async () => {
    ehr.fault({ kind: 'gzip-bomb', bytes: 8 * 1024 * 1024 });
    const results = await fetcher.fetchAll(hookCall(ehr.baseUrl), VITALS_BY_4);
    expect(results.vitals).toEqual({ ok: false, problem: `the EHR's FHIR server's answer exceeded ${256 * 1024} bytes` });
  });

  it.each([
    ['a gzip answer that is not gzip', 'gzip', "the EHR's FHIR server sent a compressed answer that could not be read"],
    ['an encoding it did not ask for', 'br', "the EHR's FHIR server sent its answer in an encoding Vigil did not ask for"],
  ])('reports %s as the key missing, asked once', async (_name, encoding, problem) => {
    ehr.fault({ kind: 'garbled-encoding', encoding });
    const results = await fetcher.fetchAll(hookCall(ehr.baseUrl), requestsFor({ patient: PATIENT_RISK_PREFETCH.patient }));
    expect(results.patient).toEqual({ ok: false, problem });
    expect(ehr.requests).toHaveLength(1);
  });

  it('keeps its connections alive from one call to the next', async () => {
    // Without keep-alive each of ten calls would open a connection (a TLS handshake each with an EHR).
    // undici may open a second while the first is being handed back to its pool, never one per call.
    const patientOnly = requestsFor({ patient: PATIENT_RISK_PREFETCH.patient });
    for (let i = 0; i < 10; i++) expect((await fetcher.fetchAll(hookCall(ehr.baseUrl), patientOnly)).patient?.ok).toBe(true);
    expect(ehr.requests).toHaveLength(10);
    expect(ehr.connections.opened).toBeLessThanOrEqual(2);
  });

  it('stops at a next link that loops', async () => {
    capped.fault({ kind: 'looping-next' });
    const results = await fetcher.fetchAll(hookCall(capped.baseUrl), VITALS);
    expect(results.vitals?.ok && results.vitals.resources).toHaveLength(4);
    expect(capped.requests).toHaveLength(1);
  });
});

describe('the access token stays with the FHIR server it was issued for', () => {
  it('does not follow a redirect to another origin', async () => {
    ehr.fault({ kind: 'redirect', to: other.origin });
    const results = await fetcher.fetchAll(hookCall(ehr.baseUrl), ALL);
    for (const r of Object.values(results)) expect(r).toEqual({ ok: false, problem: expect.stringMatching(/redirected elsewhere/) });
    expect(other.requests).toEqual([]);
  });

  it('follows a redirect on the same origin with the token', async () => {
    ehr.fault({ kind: 'redirect', to: ehr.origin, times: 1, match: 'Patient' });
    const results = await fetcher.fetchAll(hookCall(`${ehr.origin}/fhir`), requestsFor({ patient: PATIENT_RISK_PREFETCH.patient }));
    expect(results.patient?.ok).toBe(true);
    expect(ehr.requests.map((r) => r.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });

  it('does not follow a next link to another origin, keeping the pages it had', async () => {
    capped.fault({ kind: 'foreign-next', to: other.baseUrl });
    const results = await fetcher.fetchAll(hookCall(capped.baseUrl), VITALS);
    expect(results.vitals?.ok && results.vitals.resources).toHaveLength(4);
    expect(other.requests).toEqual([]);
  });

  it('asks nothing of a server that is not on the allowlist', async () => {
    ({ fetcher, rec } = fetcherFor([ehr.origin]));
    const results = await fetcher.fetchAll(hookCall(other.baseUrl), ALL);
    for (const r of Object.values(results))
      expect(r).toEqual({ ok: false, problem: "the EHR's FHIR server is not on this service's allowlist" });
    expect(other.requests).toEqual([]);
  });

  it('never writes the token or the patient id to its log or metrics', async () => {
    ehr.fault({ kind: 'status', status: 500, times: 2 });
    ehr.fault({ kind: 'malformed-json', times: 1 });
    ehr.fault({ kind: 'redirect', to: other.origin, times: 1 });
    ehr.fault({ kind: 'foreign-next', to: other.baseUrl });
    await fetcher.fetchAll(hookCall(ehr.baseUrl), ALL);
    expect(rec.lines.length).toBeGreaterThan(0);
    const written = JSON.stringify([rec.lines, rec.fetches, rec.breakers]);
    expect(written).not.toContain(TOKEN);
    expect(written).not.toContain(PATIENT_ID);
  });
});
