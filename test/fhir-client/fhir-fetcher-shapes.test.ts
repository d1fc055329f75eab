// A FHIR server's Bundles in shapes the specification does not allow (a string where `link` or `entry`
// must be a list, junk entries): the usable entries are kept, what was skipped is said in the log
// (as counts), and a call that needs the data is answered instead of refused with 412.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFhirFetcher, readPage } from '../../src/fhir-client/fhir-fetcher.js';
import { PATIENT_RISK_PREFETCH } from '../../src/prefetch/templates.js';
import { testApp } from '../support/app.js';
import { loadFixtures } from '../support/fixtures.js';
import { fetchConfig, hookCall, recorder } from './fhir-fetcher-support.js';

const fixture = loadFixtures().find((f) => f.name === 'deterioration-risk/news2-high-critical')!;
const prefetch = fixture.request.prefetch as { patient: object; vitals: { entry: object[] } };
const observation = (id: string) => ({ resourceType: 'Observation', id, status: 'final' });

/** What `page` of the vitals search answers with, by test; the patient read is always well formed. */
let vitalsPages: Record<string, unknown>[] = [];
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let body: unknown;
    if (url.pathname.startsWith('/fhir/Patient/')) body = prefetch.patient;
    else if (url.searchParams.get('category') === 'vital-signs') body = vitalsPages[Number(url.searchParams.get('page') ?? 0)] ?? {};
    else body = { resourceType: 'Bundle', type: 'searchset', link: 'not a list', entry: [] };
    res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('reading a Bundle page defensively', () => {
  it.each([
    [
      'a link that is a string',
      { link: 'next', entry: [{ resource: observation('a') }] },
      { kept: ['a'], skippedEntries: 0, skippedLinks: 1 },
    ],
    [
      'a link list with one broken item',
      { link: [42, { relation: 'self', url: 'x' }], entry: [] },
      { kept: [], skippedEntries: 0, skippedLinks: 1 },
    ],
    ['an entry that is an object, not a list', { entry: { resource: observation('a') } }, { kept: [], skippedEntries: 1, skippedLinks: 0 }],
    [
      'junk entries beside good ones',
      { entry: ['text', null, { resource: 'x' }, { resource: { id: 'no-type' } }, { resource: observation('b') }, { fullUrl: 'only' }] },
      { kept: ['b'], skippedEntries: 5, skippedLinks: 0 },
    ],
    [
      'a search warning (OperationOutcome entry), which is left out without counting',
      { entry: [{ resource: { resourceType: 'OperationOutcome' } }, { resource: observation('c') }] },
      { kept: ['c'], skippedEntries: 0, skippedLinks: 0 },
    ],
    [
      'a search error (an OperationOutcome entry with an error issue), left out and reported',
      {
        entry: [
          { resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] } },
          { resource: observation('d') },
        ],
      },
      { kept: ['d'], skippedEntries: 0, skippedLinks: 0, errorOutcome: true },
    ],
  ])('%s', (_what, parts, expected) => {
    const page = readPage({ resourceType: 'Bundle', type: 'searchset', ...parts });
    expect(page.resources.map((r) => r.id)).toEqual(expected.kept);
    expect(page.errorOutcome).toBe('errorOutcome' in expected);
    expect({ skippedEntries: page.skippedEntries, skippedLinks: page.skippedLinks }).toEqual({
      skippedEntries: expected.skippedEntries,
      skippedLinks: expected.skippedLinks,
    });
  });
});

describe('fetching Bundles with malformed parts', () => {
  const vitalsOnly = [{ key: 'vitals', template: PATIENT_RISK_PREFETCH.vitals }];

  it('keeps the entries of a page whose link is a string, and says what it skipped (counts only)', async () => {
    vitalsPages = [
      { resourceType: 'Bundle', type: 'searchset', link: `${origin}/fhir/Observation?page=1`, entry: [...prefetch.vitals.entry, 'junk'] },
    ];
    const rec = recorder();
    const fetcher = createFhirFetcher(fetchConfig([origin]), rec.log, rec.telemetry, { random: () => 0.5 });
    const results = await fetcher.fetchAll(hookCall(`${origin}/fhir`), vitalsOnly);
    fetcher.close();
    expect(results.vitals?.ok && results.vitals.resources).toHaveLength(prefetch.vitals.entry.length);
    const line = rec.lines.find((l) => l.includes('FHIR_BUNDLE_MALFORMED'));
    expect(line).toContain('"skippedEntries":1');
    expect(line).toContain('"skippedLinks":1');
    expect(line).not.toContain('syn-ward-05');
    expect(line).not.toContain(origin);
  });

  it('keeps the results of a search that reported an error beside them, and says they may be incomplete', async () => {
    const error = { resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] } };
    vitalsPages = [{ resourceType: 'Bundle', type: 'searchset', entry: [...prefetch.vitals.entry, error] }];
    const rec = recorder();
    const fetcher = createFhirFetcher(fetchConfig([origin]), rec.log, rec.telemetry, { random: () => 0.5 });
    const results = await fetcher.fetchAll(hookCall(`${origin}/fhir`), vitalsOnly);
    fetcher.close();
    expect(results.vitals).toEqual({
      ok: true,
      resources: prefetch.vitals.entry.map((e) => (e as { resource: unknown }).resource),
      problem: "the FHIR server's search reported an error, so what it returned may be incomplete",
    });
  });

  it('still follows a good next link beside a broken one', async () => {
    vitalsPages = [
      {
        resourceType: 'Bundle',
        link: [{ relation: 7 }, { relation: 'next', url: `${origin}/fhir/Observation?category=vital-signs&page=1` }],
        entry: [{ resource: observation('p0') }],
      },
      { resourceType: 'Bundle', entry: [{ resource: observation('p1') }] },
    ];
    const rec = recorder();
    const fetcher = createFhirFetcher(fetchConfig([origin]), rec.log, rec.telemetry, { random: () => 0.5 });
    const results = await fetcher.fetchAll(hookCall(`${origin}/fhir`), vitalsOnly);
    fetcher.close();
    expect(results.vitals?.ok && results.vitals.resources.map((r) => r.id)).toEqual(['p0', 'p1']);
  });

  it('answers the hook call with the usable vital signs instead of a 412', async () => {
    vitalsPages = [{ resourceType: 'Bundle', type: 'searchset', link: 'next', entry: [...prefetch.vitals.entry, 42] }];
    const config = fetchConfig([origin]);
    const rec = recorder();
    const app = await testApp(
      { fetcher: createFhirFetcher(config, rec.log, rec.telemetry, { random: () => 0.5 }) },
      {
        VIGIL_FHIR_ALLOWED_ORIGINS: origin,
        VIGIL_FHIR_ALLOW_HTTP_LOOPBACK: 'true',
      },
    );
    const { prefetch: _sent, ...withoutPrefetch } = fixture.request;
    const res = await app.inject({
      method: 'POST',
      url: `/cds-services/${fixture.service}`,
      payload: { ...withoutPrefetch, fhirServer: `${origin}/fhir` },
    });
    await app.close();
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().cards[0].indicator).toBe(fixture.expect.cards![0]!.indicator);
  });
});
