// deploy/grafana/vigil.json and deploy/prometheus/alerts.yaml ask only for metrics Vigil exports: every
// query's metric names are looked up in what a built app serves on /metrics (models loaded, a
// candidate beside the primary), and the dashboard covers what an operator watches.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createScorer } from '../../src/models/create-scorer.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { criticalCall } from '../observability/hook-calls.js';
import { tempDir, writeVariant } from '../models/variants.js';
import { testApp, testConfig } from '../support/app.js';
import { exportedNames, metricNames } from './promql.js';

const ROOT = join(import.meta.dirname, '..', '..');

interface Panel {
  title?: string;
  type: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string }[];
  panels?: Panel[];
}

const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/vigil.json'), 'utf8')) as { panels: Panel[]; templating: { list: { name: string; type: string }[] } };
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title ?? '(untitled)', expr: t.expr })));
const alerts = (parse(readFileSync(join(ROOT, 'deploy/prometheus/alerts.yaml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules);

/** Series Prometheus makes itself, not Vigil. */
const PROMETHEUS_OWN = new Set(['up']);

let exported: Set<string>;
beforeAll(async () => {
  const dir = await tempDir();
  const candidate = await writeVariant(dir, 'candidate.onnx', { version: '2.1.0' });
  const env = { VIGIL_MODEL_MODE: 'active', VIGIL_CANDIDATE_MODEL_PATH: candidate, VIGIL_CANDIDATE_MODE: 'canary' };
  const scorer = await createScorer(testConfig(env), { info: () => {}, warn: () => {} });
  const metrics = createMetrics({ processMetrics: true });
  const app = await testApp({ scorer, metrics });
  const call = criticalCall();
  await app.inject({ method: 'POST', url: `/cds-services/${call.service}`, payload: call.body });
  exported = exportedNames((await app.inject({ method: 'GET', url: '/metrics' })).body);
  await app.close();
  await scorer.close();
  await rm(dir, { recursive: true, force: true });
});

describe('reading metric names from PromQL', () => {
  it.each([
    ['sum by (service) (rate(vigil_answers_total[$__rate_interval]))', ['vigil_answers_total']],
    ['histogram_quantile(0.99, sum by (le) (rate(vigil_http_request_duration_seconds_bucket{route="/cds-services/:id"}[5m])))', ['vigil_http_request_duration_seconds_bucket']],
    ['sum(increase(a_total{x="by (y)"}[7d])) / sum without (z) (increase(b_total[7d])) > 0.25', ['a_total', 'b_total']],
    ['max(vigil_not_exported) == 1', ['vigil_not_exported']],
  ])('%s reads %j', (expr, names) => {
    expect(metricNames(expr).sort()).toEqual(names);
  });

  it('would catch a query on a metric Vigil does not export', () => {
    expect(exported.has('vigil_model_probability_bucket')).toBe(true);
    expect(metricNames('rate(vigil_model_probabilities_bucket[5m])').filter((n) => !exported.has(n))).toEqual(['vigil_model_probabilities_bucket']);
  });
});

describe('the Grafana dashboard', () => {
  it('is a dashboard JSON model with a Prometheus data source variable that every panel uses', () => {
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource' }));
    for (const p of panels) expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
    expect(queries.length).toBeGreaterThan(20);
  });

  it.each(queries.map((q) => [q.panel, q.expr]))('%s: %s asks only for exported metrics', (_panel, expr) => {
    const names = metricNames(expr);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !exported.has(n))).toEqual([]);
  });

  it.each([
    ['latency', 'vigil_http_request_duration_seconds_bucket'],
    ['call rate and path (model / rules)', 'vigil_answers_total'],
    ['breaker state', 'vigil_breaker_state'],
    ['model versions and modes', 'vigil_model_info'],
    ['drift PSI', 'vigil_model_drift_psi'],
    ['missing-input rates', 'vigil_model_input_missing_ratio'],
    ['override rates', 'vigil_feedback_total'],
    ['readiness', 'vigil_ready'],
    ['the failing readiness check', 'vigil_readiness_check'],
    ['refused authentications', 'vigil_auth_failures_total'],
    ['shared state', 'vigil_shared_state_up'],
    ['models loaded', 'vigil_model_loaded'],
  ])('shows %s (%s)', (_what, metric) => {
    expect(queries.some((q) => metricNames(q.expr).includes(metric))).toBe(true);
  });

  it('counts refused hook calls in "Call rate by service" (during an outage it must not fall to zero)', () => {
    const rate = queries.filter((q) => q.panel === 'Call rate by service');
    expect(rate).toHaveLength(1);
    // vigil_answers_total leaves out calls answered 401, 412 and 503; the HTTP histogram counts every one.
    expect(metricNames(rate[0]!.expr)).toEqual(['vigil_http_request_duration_seconds_count']);
    expect(rate[0]!.expr).toContain('route="/cds-services/:id"');
    expect(rate[0]!.expr).not.toContain('status=');
  });
});

describe('the Prometheus alert rules', () => {
  it.each(alerts.map((a) => [a.alert, a.expr]))('%s: %s asks only for exported metrics', (_alert, expr) => {
    expect(metricNames(expr).filter((n) => !exported.has(n) && !PROMETHEUS_OWN.has(n))).toEqual([]);
  });

  it.each([
    ['a replica not ready, from the readiness gauges (not from `up`, which a not-ready replica keeps at 1)', 'vigil_readiness_check'],
    ['no replica ready at all', 'vigil_ready'],
    ['a configured model not loaded', 'vigil_model_loaded'],
    ['Redis or PostgreSQL not answering', 'vigil_shared_state_up'],
    ['refused tokens', 'vigil_auth_failures_total'],
    ['hook calls refused 401, 412 or 503', 'vigil_http_request_duration_seconds_count'],
    ['an open FHIR breaker', 'vigil_breaker_state'],
  ])('page on %s (%s)', (_what, metric) => {
    expect(alerts.some((a) => metricNames(a.expr).includes(metric))).toBe(true);
  });

  it('count 401, 412 and 503 answers to hook calls as refused', () => {
    const refused = alerts.find((a) => a.alert === 'VigilHookCallsRefused');
    expect(refused?.expr).toMatch(/route="\/cds-services\/:id",status=~"401\|412\|503"/);
  });

  it('warn at a PSI above 0.1 and act above 0.25', () => {
    const drift = alerts.filter((a) => metricNames(a.expr).includes('vigil_model_drift_psi')).map((a) => a.expr.replace(/\s+/g, ' '));
    expect(drift).toEqual([expect.stringMatching(/vigil_model_drift_psi\) > 0\.1$/), expect.stringMatching(/vigil_model_drift_psi\) > 0\.25$/)]);
  });
});
