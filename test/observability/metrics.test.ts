import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import { testApp } from '../support/app.js';
import { criticalCall, lowCall, type Call } from './hook-calls.js';

/** The value of one sample in Prometheus text format, 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('metrics', () => {
  let app: FastifyInstance;
  let metrics: Metrics;
  afterEach(async () => app?.close());

  const scrape = async () => {
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    return res.body;
  };
  const call = async (c: Call) => {
    const res = await app.inject({ method: 'POST', url: `/cds-services/${c.service}`, payload: c.body });
    expect(res.statusCode).toBe(200);
  };

  // An operations review (2026-11-29): calls refused 412 for want of vitals were missing from this
  // metric, so its panel showed nothing during the very outage it is there for.
  it('counts the prefetch sources of a call refused 412 too', async () => {
    metrics = createMetrics();
    app = await testApp({ metrics });
    const { prefetch: _prefetch, ...withoutPrefetch } = criticalCall().body;
    const res = await app.inject({ method: 'POST', url: '/cds-services/deterioration-risk', payload: withoutPrefetch });
    expect(res.statusCode).toBe(412);
    const text = await scrape();
    expect(sample(text, 'vigil_prefetch_source_total', { service: 'deterioration-risk', key: 'vitals', source: 'missing' })).toBe(1);
  });

  it('counts cards, scoring paths, prefetch sources and request durations, and they move with each call', async () => {
    metrics = createMetrics();
    app = await testApp({ metrics });
    const before = await scrape();
    expect(sample(before, 'vigil_cards_total', { indicator: 'critical' })).toBe(0);

    await call(criticalCall());
    const once = await scrape();
    expect(sample(once, 'vigil_cards_total', { service: 'deterioration-risk', indicator: 'critical' })).toBe(1);
    expect(sample(once, 'vigil_answers_total', { service: 'deterioration-risk', path: 'rules' })).toBe(1);
    expect(sample(once, 'vigil_news2_total_count', { service: 'deterioration-risk' })).toBe(1);
    expect(sample(once, 'vigil_news2_total_sum', { service: 'deterioration-risk' })).toBe(13);
    expect(sample(once, 'vigil_prefetch_source_total', { service: 'deterioration-risk', key: 'vitals', source: 'sent' })).toBe(1);
    expect(
      sample(once, 'vigil_http_request_duration_seconds_count', {
        route: '/cds-services/:id',
        service: 'deterioration-risk',
        status: '200',
      }),
    ).toBe(1);

    await call(criticalCall());
    await call(lowCall());
    const thrice = await scrape();
    expect(sample(thrice, 'vigil_cards_total', { indicator: 'critical' })).toBe(2);
    expect(sample(thrice, 'vigil_cards_total', { indicator: 'info' })).toBe(1);
    expect(sample(thrice, 'vigil_answers_total', { path: 'rules' })).toBe(3);
    expect(sample(thrice, 'vigil_news2_total_count')).toBe(3);
    // The scrape itself is timed too, as its own route.
    expect(sample(thrice, 'vigil_http_request_duration_seconds_count', { route: '/metrics', service: '' })).toBeGreaterThanOrEqual(2);
  });

  it('puts no patient id in any label', async () => {
    metrics = createMetrics();
    app = await testApp({ metrics });
    await call(criticalCall({ patientId: 'syn-label-leak-check-99' }));
    expect(await scrape()).not.toContain('syn-label-leak-check-99');
  });

  it('times unknown paths as "(unmatched)" rather than one series per URL', async () => {
    metrics = createMetrics();
    app = await testApp({ metrics });
    await app.inject({ method: 'GET', url: '/no/such/path/syn-123' });
    const text = await scrape();
    expect(sample(text, 'vigil_http_request_duration_seconds_count', { route: '(unmatched)', status: '404' })).toBe(1);
    expect(text).not.toContain('syn-123');
  });

  it('includes the default process metrics when asked', async () => {
    metrics = createMetrics({ processMetrics: true });
    app = await testApp({ metrics });
    expect(await scrape()).toContain('process_cpu_user_seconds_total');
  });
});

const ESTIMATE = { version: '2.1.0', mode: 'silent', probability: 0.42, band: 'medium' };

describe('the Telemetry implementation', () => {
  it.each([
    ['model inference', (m: Metrics) => m.telemetry.modelInference(0.000007), 'vigil_model_inference_duration_seconds_count', {}, 1],
    ['a cache hit', (m: Metrics) => m.telemetry.predictionCache(true), 'vigil_prediction_cache_total', { result: 'hit' }, 1],
    ['a cache miss', (m: Metrics) => m.telemetry.predictionCache(false), 'vigil_prediction_cache_total', { result: 'miss' }, 1],
    ['an open breaker as 2', (m: Metrics) => m.telemetry.breakerState('model', 'open'), 'vigil_breaker_state', { breaker: 'model' }, 2],
    [
      'a half-open breaker as 1',
      (m: Metrics) => m.telemetry.breakerState('fhir:https://ehr.example', 'half-open'),
      'vigil_breaker_state',
      { breaker: 'fhir:https://ehr.example' },
      1,
    ],
    ['a FHIR fetch', (m: Metrics) => m.telemetry.fhirFetch(0.02, 'ok'), 'vigil_fhir_fetch_duration_seconds_count', { outcome: 'ok' }, 1],
    [
      'a FHIR timeout as an error',
      (m: Metrics) => m.telemetry.fhirFetch(0.2, 'timeout'),
      'vigil_fhir_fetch_errors_total',
      { outcome: 'timeout' },
      1,
    ],
    [
      'a model probability, by version and mode',
      (m: Metrics) => m.telemetry.scored('deterioration-risk', 'model', 5, [ESTIMATE]),
      'vigil_model_probability_count',
      { service: 'deterioration-risk', model_version: '2.1.0', mode: 'silent' },
      1,
    ],
    [
      'a model estimate, by band',
      (m: Metrics) => m.telemetry.scored('deterioration-risk', 'model', 5, [ESTIMATE]),
      'vigil_model_estimates_total',
      { model_version: '2.1.0', mode: 'silent', band: 'medium' },
      1,
    ],
    [
      'a card, by the serving model version',
      (m: Metrics) => m.telemetry.card('deterioration-risk', 'critical', '2.1.0'),
      'vigil_cards_total',
      { indicator: 'critical', model_version: '2.1.0' },
      1,
    ],
    [
      'feedback on a known card, by its indicator and model version',
      (m: Metrics) =>
        m.telemetry.feedback('deterioration-risk', 'overridden', 'comfort-care', { indicator: 'critical', modelVersion: '2.0.0' }),
      'vigil_feedback_total',
      { indicator: 'critical', model_version: '2.0.0' },
      1,
    ],
    [
      'feedback on a card Vigil does not remember as "unknown"',
      (m: Metrics) => m.telemetry.feedback('deterioration-risk', 'accepted', undefined),
      'vigil_feedback_total',
      { indicator: 'unknown', model_version: 'unknown' },
      1,
    ],
    [
      'a model reload',
      (m: Metrics) => m.telemetry.modelReload('candidate', 'loaded'),
      'vigil_model_reloads_total',
      { role: 'candidate' },
      1,
    ],
    [
      'a refused model reload, by code',
      (m: Metrics) => m.telemetry.modelReload('primary', 'failed', 'VIGIL_MODEL_CORRUPT'),
      'vigil_model_reload_failures_total',
      { role: 'primary', code: 'VIGIL_MODEL_CORRUPT' },
      1,
    ],
    [
      'an authentication failure',
      (m: Metrics) => m.telemetry.authFailure('bad-signature'),
      'vigil_auth_failures_total',
      { reason: 'bad-signature' },
      1,
    ],
    [
      'feedback with a Vigil override code',
      (m: Metrics) => m.telemetry.feedback('deterioration-risk', 'overridden', 'comfort-care'),
      'vigil_feedback_total',
      { override_reason: 'comfort-care' },
      1,
    ],
    [
      'feedback with a foreign override code as "other"',
      (m: Metrics) => m.telemetry.feedback('deterioration-risk', 'overridden', 'free text 123'),
      'vigil_feedback_total',
      { override_reason: 'other' },
      1,
    ],
    [
      'accepted feedback as "none"',
      (m: Metrics) => m.telemetry.feedback('sedation-safety', 'accepted', undefined),
      'vigil_feedback_total',
      { outcome: 'accepted', override_reason: 'none' },
      1,
    ],
    [
      'an audit write failure, by code',
      (m: Metrics) => m.auditWriteFailed('ENOSPC'),
      'vigil_audit_write_failures_total',
      { code: 'ENOSPC' },
      1,
    ],
    [
      'an audit write failure with an unknown code as "other"',
      (m: Metrics) => m.auditWriteFailed('EWHATEVER'),
      'vigil_audit_write_failures_total',
      { code: 'other' },
      1,
    ],
    ['an unwritable audit trail as 0', (m: Metrics) => m.auditWritable(false), 'vigil_audit_writable', {}, 0],
  ] as const)('records %s', async (_what, act, name, labels, expected) => {
    const m = createMetrics();
    act(m);
    expect(sample(await m.registry.metrics(), name, labels)).toBe(expected);
  });

  it('a FHIR success is not an error', async () => {
    const m = createMetrics();
    m.telemetry.fhirFetch(0.02, 'ok');
    expect(sample(await m.registry.metrics(), 'vigil_fhir_fetch_errors_total')).toBe(0);
  });
});
