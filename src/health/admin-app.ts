// The admin port (VIGIL_ADMIN_PORT): `/healthz`, `/readyz` and `/metrics` on their own Fastify instance,
// for the kubelet and Prometheus only. Nothing here is rate limited or needs a token, so a flood on the
// public port can never get a replica restarted or taken out of rotation by starving its probes; and
// none of it is reachable through the public ingress. The public port then keeps a bare `/healthz`.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { NotFoundError, sendError } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import { metricsRoute } from '../observability/metrics-plugin.js';
import { healthRoutes, type HealthRouteOptions } from './health-routes.js';
import { NO_ROUTE_SCHEMAS } from '../net/no-route-schemas.js';

export interface AdminAppOptions extends HealthRouteOptions {
  metrics?: Metrics;
  logger?: FastifyBaseLogger | false;
  /**
   * How refusals before any route are answered (a path that is not URL encoding, HTTP that cannot be
   * read): passed in by the server from the public port's handlers (src/http/framework-errors.ts), so
   * both ports answer them as OperationOutcomes (the health layer sits below http).
   */
  refusals?: Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'>;
}

export async function buildAdminApp(opts: AdminAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logController: new LogController({ disableRequestLogging: true }),
    // Probes and scrapes send no body; a short request timeout closes anything else quickly.
    bodyLimit: 1024,
    schemaController: NO_ROUTE_SCHEMAS,
    requestTimeout: 5000,
    connectionTimeout: 10_000,
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    ...(opts.refusals ?? {}),
  }) as unknown as FastifyInstance;
  await app.register(healthRoutes, {
    scorer: opts.scorer,
    allowFallbackOnly: opts.allowFallbackOnly,
    ...(opts.probes !== undefined ? { probes: opts.probes } : {}),
    ...(opts.metrics !== undefined ? { metrics: opts.metrics } : {}),
  });
  if (opts.metrics !== undefined) metricsRoute(app, opts.metrics);
  app.setNotFoundHandler((_request, reply) => sendError(reply, new NotFoundError('the admin port serves /healthz, /readyz and /metrics')));
  await app.ready();
  return app;
}
