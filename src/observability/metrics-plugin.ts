// Exposes the metrics: `GET /metrics` in the Prometheus text format (no authentication: scrape it
// over the cluster network only, or from the admin port) and one duration observation per HTTP
// exchange, by route.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Metrics } from './metrics.js';

export interface MetricsPluginOptions {
  metrics: Metrics;
  /** Hosted service ids: only these become `service` label values. */
  serviceIds: readonly string[];
  /** Serve GET /metrics here too (false when an admin port serves it: src/health/admin-app.ts). */
  serveRoute?: boolean;
}

/** GET /metrics: the registry in Prometheus's text format. */
export function metricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}

async function metricsPlugin(app: FastifyInstance, opts: MetricsPluginOptions): Promise<void> {
  const known = new Set(opts.serviceIds);
  const { metrics } = opts;

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern (e.g. /cds-services/:id), never the raw URL: an unknown path is "(unmatched)".
    const route = request.routeOptions.url ?? '(unmatched)';
    const id = (request.params as { id?: unknown } | undefined)?.id;
    const service = typeof id === 'string' && known.has(id) ? id : '';
    metrics.httpRequest(route, service, reply.statusCode, reply.elapsedTime / 1000);
  });

  if (opts.serveRoute !== false) metricsRoute(app, metrics);
}

export default fp(metricsPlugin, { name: 'vigil-metrics' });
