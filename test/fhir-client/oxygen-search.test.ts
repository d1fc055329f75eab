// Air or oxygen charted the NHS way: a code-only SNOMED CT Observation ("Breathing room air",
// 722742002), often with no category, so the vital-signs search does not find it. The fifth clinical
// safety review (2026-11-29) found the `oxygen` search asked for LOINC flow and concentration only, so
// such a site read "air or oxygen not charted" on every card. Fetched here from a FHIR server, as when
// the EHR sends no prefetch.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirServer, type FhirTestServer } from '../../demo/fhir-server.js';
import { createFhirFetcher, type FhirFetcher } from '../../src/fhir-client/fhir-fetcher.js';
import { noTelemetry } from '../../src/telemetry.js';
import { testApp, testConfig } from '../support/app.js';
import { minutesAgo, normalSet, NOW, patient } from '../support/fhir-examples.js';

let fhir: FhirTestServer;
let app: FastifyInstance;
let fetcher: FhirFetcher;

const withoutCategory = (o: Record<string, unknown>) => {
  const { category: _category, ...rest } = o;
  return rest;
};

beforeAll(async () => {
  // A normal set whose room-air statement sits outside the vital-signs category.
  const set = normalSet(minutesAgo(30)).map((o) => (JSON.stringify(o['code']).includes('722742002') ? withoutCategory(o) : o));
  fhir = await startFhirServer({ resources: [patient('1950-01-01'), ...set] as never });
  const env = {
    VIGIL_FHIR_ALLOWED_ORIGINS: fhir.origin,
    VIGIL_FHIR_ALLOW_HTTP_LOOPBACK: 'true',
    VIGIL_CARD_FOR_ZERO: 'true',
    // How fast the test server answers on a busy machine is not what this test checks.
    VIGIL_FHIR_REQUEST_TIMEOUT_MS: '5000',
    VIGIL_FETCH_DEADLINE_MS: '5000',
  };
  fetcher = createFhirFetcher(testConfig(env), { warn: () => {}, debug: () => {} }, noTelemetry);
  app = await testApp({ fetcher, clock: () => NOW }, env);
});
afterAll(async () => {
  await app.close();
  fetcher.close();
  await fhir.close();
});

describe('air or oxygen coded by SNOMED CT outside the vital-signs category', () => {
  it('is found by the oxygen search and scored, not read as not charted', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/cds-services/deterioration-risk',
      payload: {
        hook: 'patient-view',
        hookInstance: '3a1f5c2e-8b7d-4e6f-9a0b-1c2d3e4f5a6b',
        fhirServer: fhir.baseUrl,
        context: { userId: 'Practitioner/1', patientId: 'example' },
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    const [card] = res.json().cards;
    expect(card.extension['vigil.score'].news2).toMatchObject({ total: 0, partial: false });
    expect(card.summary).not.toMatch(/not charted|incomplete/);
  });
});
