// With VIGIL_ADMIN_PORT, probes and metrics are served by their own app: never rate limited, never a
// token, and /metrics without a version banner. The public port then keeps a bare /healthz, counted
// like any other unauthenticated request, and no /readyz or /metrics.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildAdminApp } from '../../src/health/admin-app.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createRulesScorer } from '../../src/models/rules-scorer.js';
import { testApp } from '../support/app.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

describe('the admin app', () => {
  it('serves /healthz, /readyz and /metrics without a token, and nothing else', async () => {
    const admin = await buildAdminApp({
      scorer: createRulesScorer(),
      allowFallbackOnly: false,
      metrics: createMetrics({ processMetrics: true }),
    });
    apps.push(admin);
    expect((await admin.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await admin.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.map((c: { name: string }) => c.name)).toContain('model');
    const metrics = await admin.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
    expect((await admin.inject({ method: 'GET', url: '/cds-services' })).statusCode).toBe(404);
  });

  it('never rate limits a probe, however many come', async () => {
    const admin = await buildAdminApp({ scorer: createRulesScorer(), allowFallbackOnly: false });
    apps.push(admin);
    const statuses = new Set<number>();
    for (let i = 0; i < 500; i++)
      statuses.add((await admin.inject({ method: 'GET', url: '/readyz', remoteAddress: '10.1.0.7' })).statusCode);
    expect([...statuses]).toEqual([200]);
  });

  it('says when a readiness probe fails (the audit trail, shutting down)', async () => {
    const admin = await buildAdminApp({
      scorer: createRulesScorer(),
      allowFallbackOnly: false,
      probes: [async () => ({ name: 'shutdown', ok: false, detail: 'shutting down' })],
    });
    apps.push(admin);
    const res = await admin.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks).toContainEqual({ name: 'shutdown', ok: false, detail: 'shutting down' });
  });
});

describe('/metrics', () => {
  it('shows no Node version', async () => {
    const admin = await buildAdminApp({
      scorer: createRulesScorer(),
      allowFallbackOnly: false,
      metrics: createMetrics({ processMetrics: true }),
    });
    apps.push(admin);
    const body = (await admin.inject({ method: 'GET', url: '/metrics' })).body;
    expect(body).not.toContain(process.version);
    expect(body).not.toContain('nodejs_version_info');
  });
});

describe('the public port when an admin port is configured', () => {
  it('keeps a bare /healthz and serves no /readyz or /metrics', async () => {
    const app = await testApp({ metrics: createMetrics() }, { VIGIL_ADMIN_PORT: '9090' });
    apps.push(app);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
  });

  it('counts its /healthz like any unauthenticated request: a flood of it is throttled', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-admin-'));
    const app = await testApp(
      {},
      { VIGIL_ADMIN_PORT: '9090', VIGIL_AUTH: 'required', VIGIL_DATA_DIR: dataDir, VIGIL_RATE_LIMIT_ANON_MAX: '3' },
    );
    apps.push(app);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.inject({ method: 'GET', url: '/healthz' })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('without an admin port, keeps all three on the public port, never rate limited', async () => {
    const app = await testApp({ metrics: createMetrics() }, { VIGIL_RATE_LIMIT_MAX: '1' });
    apps.push(app);
    for (let i = 0; i < 5; i++) {
      for (const url of ['/healthz', '/readyz', '/metrics']) expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
  });
});
