// Exposes the metrics: `GET /metrics` in the Prometheus text format (no authentication: scrape it
// over the cluster network only) and one duration observation per HTTP exchange, by route.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Metrics } from './metrics.js';

export interface MetricsPluginOptions {
  metrics: Metrics;
  /** Hosted service ids: only these become `service` label values. */
  serviceIds: readonly string[];
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

  app.get('/metrics', async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}

export default fp(metricsPlugin, { name: 'vigil-metrics' });
