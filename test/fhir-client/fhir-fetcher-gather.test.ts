// Missing prefetch fetched from a real FHIR server through the real app: what the EHR sent is used,
// what it did not send (or failed to fetch) is fetched, and the hook answers by its deadline.
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFhirServer, type FhirTestServer } from '../../demo/fhir-server.js';
import { DEMO_PATIENTS, demoPatientResources } from '../../demo/patients.js';
import type { FhirFetcher } from '../../src/fhir-client/fhir-fetcher.js';
import { FIXED_NOW, testApp } from '../support/app.js';
import { fetcherFor, hookCall, SHORT_DEADLINE } from './fhir-fetcher-support.js';

const medium = DEMO_PATIENTS.find((p) => p.case === 'medium')!;
const resources = demoPatientResources(medium, FIXED_NOW);
const isVitalSign = (r: Record<string, unknown>) => JSON.stringify(r['category'] ?? '').includes('"vital-signs"');
const searchset = (entries: unknown[]) => ({ resourceType: 'Bundle', type: 'searchset', entry: entries.map((resource) => ({ resource })) });
const VITALS_SENT = searchset(resources.filter((r) => r.resourceType === 'Observation' && isVitalSign(r)));
const PATIENT_SENT = resources.find((r) => r.resourceType === 'Patient');
const FAILED = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: 'EHR fetch failed' }] };

let ehr: FhirTestServer;
let app: FastifyInstance;
let fetcher: FhirFetcher;

/** What the EHR was asked for: the resource type, and an Observation search's category or first code. */
const asked = () =>
  ehr.requests
    .map((r) => {
      const url = new URL(r.url, ehr.origin);
      const type = url.pathname.split('/')[2];
      const what = url.searchParams.get('category') ?? url.searchParams.get('code')?.split(',')[0]?.split('|')[1];
      return type === 'Observation' ? `${type} ${what}` : type;
    })
    .sort();

async function call(prefetch: Record<string, unknown> | undefined, fhirServer: string | null = ehr.baseUrl, on: FastifyInstance = app) {
  const body = hookCall(fhirServer ?? undefined, prefetch === undefined ? {} : ({ prefetch } as never), { patientId: medium.id });
  if (fhirServer === null) delete (body as { fhirAuthorization?: unknown }).fhirAuthorization;
  const started = performance.now();
  const res = await on.inject({ method: 'POST', url: '/cds-services/deterioration-risk', payload: body });
  return { res, ms: performance.now() - started };
}

beforeAll(async () => {
  ehr = await startFhirServer({ resources });
  ({ fetcher } = fetcherFor([ehr.origin]));
  app = await testApp({ fetcher });
});
afterEach(() => ehr.reset());
afterAll(async () => {
  await app.close();
  fetcher.close();
  await ehr.close();
});

describe('a hook call whose prefetch is incomplete', () => {
  it('fetches everything when the call has no prefetch at all, and scores it', async () => {
    const { res } = await call(undefined);
    expect(res.statusCode, res.body).toBe(200);
    expect(asked()).toEqual(['Goal', 'Observation 3151-8', 'Observation 67775-7', 'Observation vital-signs', 'Patient']);
    const [card] = res.json().cards;
    expect(card.indicator).toBe('warning');
    expect(card.extension['vigil.score']).toMatchObject({ news2: { total: 5, partial: false } });
  });

  it('fetches only the keys the EHR did not send', async () => {
    const { res } = await call({ vitals: VITALS_SENT, patient: PATIENT_SENT });
    expect(res.statusCode).toBe(200);
    expect(asked()).toEqual(['Goal', 'Observation 3151-8', 'Observation 67775-7']);
  });

  it('fetches a key the EHR sent as an OperationOutcome (its own fetch failed)', async () => {
    const { res } = await call({ vitals: FAILED, patient: PATIENT_SENT, consciousness: null, oxygen: null, spo2Target: null });
    expect(res.statusCode).toBe(200);
    expect(asked()).toEqual(['Observation vital-signs']);
    expect(res.json().cards[0].extension['vigil.score']).toMatchObject({ news2: { total: 5, missing: ['consciousness'] } });
  });

  it('fetches nothing the EHR said does not exist (null)', async () => {
    const { res } = await call({ vitals: VITALS_SENT, patient: PATIENT_SENT, consciousness: null, oxygen: null, spo2Target: null });
    expect(res.statusCode).toBe(200);
    expect(ehr.requests).toEqual([]);
  });

  it('answers before its deadline with what it has, and the card says what is missing', async () => {
    // The Goal read would take 8 s; the call answers at its 400 ms deadline (margin for a loaded machine).
    const { fetcher: short } = fetcherFor([ehr.origin], SHORT_DEADLINE);
    const shortApp = await testApp({ fetcher: short });
    ehr.fault({ kind: 'slow', ms: 8000, match: 'Goal' });
    const { res, ms } = await call(undefined, ehr.baseUrl, shortApp);
    await shortApp.close();
    short.close();
    expect(ms).toBeLessThan(3000);
    expect(res.statusCode).toBe(200);
    const [card] = res.json().cards;
    expect(card.extension['vigil.score']).toMatchObject({ news2: { total: 5 } });
    expect(card.detail).toContain('the EHR did not answer within 400 ms');
  });

  it('answers 412 with an OperationOutcome when the vital signs cannot be had at all', async () => {
    ehr.fault({ kind: 'status', status: 401, match: 'Observation' });
    const { res } = await call(undefined);
    expect(res.statusCode).toBe(412);
    expect(res.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'required', expression: ['prefetch.vitals'] }] });
    // Why, in words an integrator can act on (integration review, 2026-11-29): the same for every cause before.
    const [issue] = res.json().issue;
    expect(issue.diagnostics).toMatch(/prefetch key "vitals": .*401/);
    expect(issue.diagnostics).not.toMatch(/Bearer|eyJ/);
  });

  it('answers 412 when nothing was sent and there is no FHIR server to ask', async () => {
    const { res } = await call(undefined, null);
    expect(res.statusCode, res.body).toBe(412);
    expect(ehr.requests).toEqual([]);
    expect(res.json().issue[0].diagnostics).toContain('prefetch key "vitals": not sent in prefetch and no fhirServer to fetch it from');
  });
});
