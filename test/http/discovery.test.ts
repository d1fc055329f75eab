import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sandboxPreflight, testApp } from '../support/app.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await testApp();
});
afterAll(async () => app.close());

describe('GET /cds-services', () => {
  it('lists deterioration-risk on patient-view and sedation-safety on order-select', async () => {
    const res = await app.inject({ method: 'GET', url: '/cds-services' });
    expect(res.statusCode).toBe(200);
    const { services } = res.json();
    expect(services.map((s: { id: string; hook: string }) => [s.id, s.hook])).toEqual([
      ['deterioration-risk', 'patient-view'],
      ['sedation-safety', 'order-select'],
    ]);
    for (const s of services) {
      expect(typeof s.description).toBe('string');
      expect(s.description.length).toBeGreaterThan(20);
      expect(typeof s.title).toBe('string');
    }
  });

  it('asks for the patient, recent vitals newest first, consciousness, oxygen and the SpO2 target', async () => {
    const { services } = (await app.inject({ method: 'GET', url: '/cds-services' })).json();
    const prefetch = services[0].prefetch;
    expect(prefetch.patient).toBe('Patient/{{context.patientId}}');
    expect(prefetch.vitals).toMatch(/^Observation\?patient=\{\{context\.patientId\}\}&category=vital-signs&_sort=-date&_count=\d+$/);
    expect(prefetch.consciousness).toContain('67775-7');
    expect(prefetch.oxygen).toContain('3151-8');
    expect(prefetch.spo2Target).toMatch(/^Goal\?patient=/);
  });

  it('answers a CORS preflight allowing Authorization and Content-Type', async () => {
    const res = await sandboxPreflight(app);
    expect(res.statusCode).toBeLessThan(300);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('content-type');
  });

  it('allows a public page to call a service on a private address (Private Network Access)', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/cds-services',
      headers: {
        origin: 'https://sandbox.cds-hooks.org',
        'access-control-request-method': 'GET',
        'access-control-request-private-network': 'true',
      },
    });
    expect(res.headers['access-control-allow-private-network']).toBe('true');
  });

  it('restricts CORS to configured origins when locked down', async () => {
    const locked = await testApp({}, { VIGIL_CORS_ORIGINS: 'https://ehr.hospital.example' });
    const allowed = await locked.inject({ method: 'GET', url: '/cds-services', headers: { origin: 'https://ehr.hospital.example' } });
    const refused = await locked.inject({ method: 'GET', url: '/cds-services', headers: { origin: 'https://evil.example' } });
    await locked.close();
    expect(allowed.headers['access-control-allow-origin']).toBe('https://ehr.hospital.example');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });
});
