// `GET /healthz` (the process answers: liveness) and `GET /readyz` (it should get traffic:
// readiness). Neither needs authentication nor touches patient data; both are cheap enough to probe
// every few seconds.
import type { FastifyInstance } from 'fastify';
import type { DeteriorationScorer } from '../models/scorer.js';
import type { Metrics } from '../observability/metrics.js';
import { readiness, type ReadinessProbe } from './readiness.js';

/**
 * The operations endpoints (these two, and /metrics from observability/metrics-plugin.ts): never
 * authenticated; never rate limited where they are served in full (probes and Prometheus must get
 * through a flood).
 */
export const OPERATIONS_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export interface HealthRouteOptions {
  scorer: Pick<DeteriorationScorer, 'describe'>;
  allowFallbackOnly: boolean;
  /** Further checks asked on each /readyz (the audit trail). */
  probes?: readonly ReadinessProbe[];
  /** Given the same evaluation, to export on each scrape (vigil_ready). */
  metrics?: Pick<Metrics, 'watchReadiness'>;
}

/** Liveness: the process answers. Nothing else is said: no checks, no versions, no timings. */
export async function livenessRoute(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
}

export async function healthRoutes(app: FastifyInstance, opts: HealthRouteOptions): Promise<void> {
  await livenessRoute(app);

  const evaluate = async () => {
    const others = await Promise.all((opts.probes ?? []).map((probe) => probe()));
    const described = opts.scorer.describe();
    return { described, result: readiness(described, opts.allowFallbackOnly, others) };
  };
  opts.metrics?.watchReadiness(async () => (await evaluate()).result);

  app.get('/readyz', async (_request, reply) => {
    const { described, result } = await evaluate();
    // Each model's role, name, version and mode: what a pilot or a canary is running, at a glance.
    return reply
      .code(result.ready ? 200 : 503)
      .send({ status: result.ready ? 'ready' : 'not-ready', checks: result.checks, models: described.models ?? [] });
  });
}
