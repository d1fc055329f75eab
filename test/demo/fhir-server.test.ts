// The demo FHIR server answers every prefetch template of every service for every demo patient, in
// the shapes a FHIR client expects, and lets a browser (the CDS Hooks sandbox) reach it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirServer, type FhirTestServer } from '../../demo/fhir-server.js';
import { DEMO_PATIENTS, demoResources } from '../../demo/patients.js';
import { SERVICES } from '../../src/hooks/index.js';
import { resolveTemplate } from '../../src/fhir-client/resolve-template.js';

let fhir: FhirTestServer;
const get = (path: string, init?: RequestInit) => fetch(`${fhir.baseUrl}/${path}`, init);
const json = async (path: string, init?: RequestInit) => (await get(path, init)).json() as Promise<Record<string, any>>;

beforeAll(async () => {
  fhir = await startFhirServer({ resources: demoResources(new Date()), cors: true, defaultCount: 5 });
});
afterAll(() => fhir.close());

describe('the demo FHIR server', () => {
  it('describes itself at /metadata as FHIR R4', async () => {
    const res = await get('metadata');
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(await res.json()).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
  });

  const templates = SERVICES.flatMap((s) => Object.entries(s.prefetch ?? {}).map(([key, t]) => [`${s.id}.${key}`, t] as const));
  const cases = DEMO_PATIENTS.flatMap((p) => templates.map(([name, t]) => [p.id, name, t] as const));
  it.each(cases)('answers %s: %s', async (patientId, _name, template) => {
    const resolved = resolveTemplate(template, { context: { patientId, userId: 'Practitioner/COREPRACTITIONER1' } });
    expect(resolved.ok).toBe(true);
    const res = await get(resolved.ok ? resolved.query : '');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    if (template.startsWith('Patient/')) return expect(body).toMatchObject({ resourceType: 'Patient', id: patientId });
    expect(body).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    for (const e of body.entry) expect(e.resource.subject.reference).toBe(`Patient/${patientId}`);
  });

  it('finds observations by category, by code token list, newest first', async () => {
    const byCategory = await json('Observation?patient=vigil-demo-high&category=vital-signs&_sort=-date&_count=100');
    expect(byCategory.total).toBe(18);
    const times = byCategory.entry.map((e: any) => Date.parse(e.resource.effectiveDateTime));
    expect(times).toEqual([...times].sort((a: number, b: number) => b - a));
    const byCode = await json('Observation?patient=vigil-demo-high&code=http://loinc.org|3151-8,http://loinc.org|3150-0');
    expect(byCode.entry.map((e: any) => e.resource.code.coding[0].code).sort()).toEqual(['3150-0', '3150-0', '3151-8']);
    expect(await json('Observation?patient=vigil-demo-high&code=http://snomed.info/sct|3151-8')).toMatchObject({ total: 0 });
  });

  it('finds exactly the patient named, however it is named (patient, subject, a list of two)', async () => {
    const resources = demoResources(new Date());
    const [a, b] = DEMO_PATIENTS.map((p) => p.id);
    const count = (ids: string[]) =>
      resources.filter(
        (r) => r.resourceType === 'Observation' && ids.some((id) => (r.subject as { reference?: string })?.reference === `Patient/${id}`),
      ).length;
    const totalOf = async (query: string) => (await json(`Observation?${query}&_count=1`)).total as number;
    expect(count([a!])).toBeGreaterThan(0);
    expect(await totalOf(`patient=${a}`)).toBe(count([a!]));
    expect(await totalOf(`subject=Patient/${a}`)).toBe(count([a!]));
    expect(await totalOf(`patient=${a},${b}`)).toBe(count([a!, b!]));
    expect(await totalOf(`patient=${a}&subject=Patient/${b}`)).toBe(0);
    expect(await totalOf('patient=no-such-patient')).toBe(0);
  });

  it('pages with next links that walk every match once', async () => {
    const seen: string[] = [];
    let url: string | undefined = `${fhir.baseUrl}/Observation?patient=vigil-demo-low&category=vital-signs&_sort=-date`;
    let pages = 0;
    while (url !== undefined && pages < 10) {
      const page = (await (await fetch(url)).json()) as Record<string, any>;
      seen.push(...page.entry.map((e: any) => e.resource.id));
      url = page.link.find((l: any) => l.relation === 'next')?.url;
      pages += 1;
    }
    expect(pages).toBe(4); // 18 matches, 5 a page
    expect(new Set(seen).size).toBe(18);
  });

  it('answers POST _search with a form-encoded body like the same GET', async () => {
    const query = 'patient=vigil-demo-scale-2&lifecycle-status=active,accepted';
    const posted = await json('Goal/_search', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: query,
    });
    expect(posted).toEqual(await json(`Goal?${query}`));
    expect(posted.total).toBe(1);
  });

  it('answers a read of an unknown patient with 404 and an OperationOutcome', async () => {
    const res = await get('Patient/nobody');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ resourceType: 'OperationOutcome' });
  });

  it('lets a browser page call it, including Chrome’s Private Network Access preflight', async () => {
    const res = await get('Patient/vigil-demo-high', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://sandbox.cds-hooks.org',
        'access-control-request-method': 'GET',
        'access-control-request-private-network': 'true',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-private-network')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });

  it('records each request with its Authorization header', async () => {
    fhir.reset();
    await get('Patient/vigil-demo-high', { headers: { authorization: 'Bearer synthetic' } });
    expect(fhir.requests).toEqual([
      expect.objectContaining({ method: 'GET', url: '/fhir/Patient/vigil-demo-high', authorization: 'Bearer synthetic' }),
    ]);
  });
});
