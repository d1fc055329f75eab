import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildAdminApp } from '../../src/health/admin-app.js';
import { readiness } from '../../src/health/readiness.js';
import { createScorer } from '../../src/models/create-scorer.js';
import type { DeteriorationScorer } from '../../src/models/scorer.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createRulesScorer } from '../../src/models/rules-scorer.js';
import { testApp, testConfig } from '../support/app.js';

type Described = ReturnType<DeteriorationScorer['describe']>;

/** A scorer that answers like the rules but describes itself as told. */
function describedAs(description: Described): DeteriorationScorer {
  return { ...createRulesScorer(), describe: () => description };
}

const silent = { info: () => {}, warn: () => {} };

describe('readiness', () => {
  it.each<[string, Described, boolean, boolean]>([
    ['a loaded model', { model: 'loaded', detail: 'vigil 1.0 (breaker closed)' }, false, true],
    ['a loaded model whose breaker is open (NEWS2 still answers)', { model: 'loaded', detail: 'vigil 1.0 (breaker open)' }, false, true],
    ['no model, declared with VIGIL_MODEL_PATH=none', { model: 'not-configured' }, false, true],
    ['an active model that failed to load', { model: 'fallback-only', mode: 'active', detail: 'VIGIL_MODEL_MISSING' }, false, false],
    [
      'an active model that failed to load, NEWS2 only allowed',
      { model: 'fallback-only', mode: 'active', detail: 'VIGIL_MODEL_MISSING' },
      true,
      true,
    ],
    // Silent, the model changes no card: an unready replica would only take NEWS2 cards away from the wards.
    ['a silent model that failed to load', { model: 'fallback-only', mode: 'silent', detail: 'VIGIL_MODEL_MISSING' }, false, true],
  ])('with %s is ready: %s', (_what, described, allowFallbackOnly, ready) => {
    expect(readiness(described, allowFallbackOnly).ready).toBe(ready);
  });
});

describe('GET /healthz and /readyz', () => {
  let app: FastifyInstance | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await app?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('healthz answers 200 whatever the model', async () => {
    app = await testApp({ scorer: describedAs({ model: 'fallback-only', detail: 'broken' }) });
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('is not ready with a broken active model file, and says why', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-ready-'));
    const broken = join(dir, 'broken.onnx');
    await writeFile(broken, 'this is not an ONNX model');
    const scorer = await createScorer(testConfig({ VIGIL_MODEL_PATH: broken, VIGIL_MODEL_MODE: 'active' }), silent);
    app = await testApp({ scorer });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().status).toBe('not-ready');
    expect(res.json().checks).toContainEqual(
      expect.objectContaining({
        name: 'model',
        ok: false,
        detail: expect.stringMatching(/VIGIL_MODEL_CORRUPT.*VIGIL_ALLOW_FALLBACK_ONLY=true/),
      }),
    );
  });

  it('is ready with a missing model file in silent mode (the default), and says why', async () => {
    const scorer = await createScorer(testConfig({ VIGIL_MODEL_PATH: join(tmpdir(), 'vigil-no-such-dir', 'model.onnx') }), silent);
    app = await testApp({ scorer });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json().checks).toContainEqual(
      expect.objectContaining({ name: 'model', ok: true, detail: expect.stringMatching(/VIGIL_MODEL_MISSING.*ENOENT.*silent mode/) }),
    );
  });

  it('is ready with the same broken active model when fallback-only is declared', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-ready-'));
    const broken = join(dir, 'broken.onnx');
    await writeFile(broken, 'this is not an ONNX model');
    const env = { VIGIL_MODEL_PATH: broken, VIGIL_MODEL_MODE: 'active', VIGIL_ALLOW_FALLBACK_ONLY: 'true' };
    const scorer = await createScorer(testConfig(env), silent);
    app = await testApp({ scorer }, env);
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('ready');
  });

  it('is ready with no model configured (NEWS2 only, as declared)', async () => {
    const scorer = await createScorer(testConfig({ VIGIL_MODEL_PATH: 'none' }), silent);
    app = await testApp({ scorer });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('needs no token when authentication is required, while feedback does', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-ready-'));
    app = await testApp({ metrics: createMetrics() }, { VIGIL_AUTH: 'required', VIGIL_DATA_DIR: dir });
    for (const url of ['/healthz', '/readyz', '/metrics']) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
    const feedback = await app.inject({
      method: 'POST',
      url: '/cds-services/deterioration-risk/feedback',
      payload: { card: 'c1', outcome: 'overridden', outcomeTimestamp: '2026-11-23T12:00:00Z' },
    });
    expect(feedback.statusCode).toBe(401);
  });

  it('exports readiness and each check as gauges, scraped while /readyz says 503', async () => {
    const metrics = createMetrics();
    const scorer = describedAs({ model: 'fallback-only', mode: 'active', detail: 'VIGIL_MODEL_MISSING' });
    const audit = async () => ({ name: 'audit', ok: true });
    app = await testApp({ scorer, metrics, readinessProbes: [audit] });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    const scraped = await app.inject({ method: 'GET', url: '/metrics' });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toMatch(/^vigil_ready 0$/m);
    expect(scraped.body).toContain('vigil_readiness_check{check="model"} 0');
    expect(scraped.body).toContain('vigil_readiness_check{check="audit"} 1');
  });

  it('exports them from the admin port too, where a failing probe reads 0 and a ready replica 1', async () => {
    const metrics = createMetrics();
    let writable = false;
    const audit = async () => ({ name: 'audit', ok: writable });
    app = await buildAdminApp({ scorer: createRulesScorer(), allowFallbackOnly: false, probes: [audit], metrics });
    const unready = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(unready).toMatch(/^vigil_ready 0$/m);
    expect(unready).toContain('vigil_readiness_check{check="audit"} 0');
    writable = true;
    // A later scrape evaluates again (the two gauges of one scrape share one evaluation).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/^vigil_ready 1$/m);
  });
});
