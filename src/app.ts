// The application as a Fastify instance that does not listen: external plugins first (CORS), then
// error handling, then Vigil's routes. Tests build it and call it with `inject`; server.ts boots it.
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { SERVICES } from './hooks/index.js';
import type { CdsServiceDefinition } from './hooks/definition.js';
import { cdsRoutes, type CallObserver } from './http/cds-routes.js';
import { installErrorHandling } from './http/error-handler.js';
import type { DeteriorationScorer } from './models/scorer.js';
import { noFetcher, type PrefetchFetcher } from './prefetch/gather.js';
import { noTelemetry, type Telemetry } from './telemetry.js';

export interface AppOptions {
  config: Readonly<Config>;
  scorer: DeteriorationScorer;
  fetcher?: PrefetchFetcher;
  telemetry?: Telemetry;
  observers?: CallObserver[];
  /** The clock every "now" comes from; tests pin it. */
  clock?: () => Date;
  /** A pino logger, or false for none (tests). */
  logger?: FastifyBaseLogger | false;
  services?: readonly CdsServiceDefinition[];
}

/** Content types a CDS client may use for a JSON body. */
const JSON_TYPES = ['application/json', 'application/fhir+json'];

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    // One log line per request costs ~28 % of throughput (performance.md): off at info; errors still log.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.VIGIL_BODY_LIMIT_BYTES,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  // Only JSON bodies: a text/plain POST (Fastify accepts it by default) gets 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  // Chrome asks before a public page (the CDS Hooks sandbox) calls a service on a private or loopback
  // address (Private Network Access): answer yes, or the sandbox cannot reach a service on a laptop.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS' && request.headers['access-control-request-private-network'] === 'true') {
      reply.header('access-control-allow-private-network', 'true');
    }
  });

  await app.register(cors, {
    origin: config.VIGIL_CORS_ORIGINS.includes('*') ? '*' : config.VIGIL_CORS_ORIGINS,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600,
  });

  installErrorHandling(app);

  await app.register(cdsRoutes, {
    services: opts.services ?? SERVICES,
    deps: { config, scorer: opts.scorer, telemetry: opts.telemetry ?? noTelemetry },
    fetcher: opts.fetcher ?? noFetcher,
    observers: opts.observers ?? [],
    clock: opts.clock ?? (() => new Date()),
  });

  return app;
}
