// The application as a Fastify instance that does not listen: rate limits first, then CORS and
// authentication, then error handling, then Vigil's routes. Tests build it and call it with `inject`; server.ts boots it.
import cors from '@fastify/cors';
import Fastify, { errorCodes, LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { SERVICES } from './hooks/index.js';
import type { CdsServiceDefinition } from './hooks/definition.js';
import { cdsRoutes, JSON_TYPES, jsonRefusal } from './http/cds-routes.js';
import { parseJsonBody } from './http/digest.js';
import type { Digester } from './http/digest-pool.js';
import type { CallObserver } from './observability/answered-call.js';
import { installErrorHandling } from './http/error-handler.js';
import type { DeteriorationScorer, ScorerDescription } from './models/scorer.js';
import { noFetcher, type PrefetchFetcher } from './prefetch/gather.js';
import { noTelemetry, type Telemetry } from './telemetry.js';
import cdsAuth, { type CdsAuthOptions } from './auth/cds-auth.js';
import type { ReplayGuard } from './auth/replay-store.js';
import hardening, { securityHeaders, serverTimeouts } from './http/hardening.js';
import { clientErrorHandler, frameworkErrorHandler } from './http/framework-errors.js';
import { HeavyLane } from './http/heavy-lane.js';
import { RateLimits } from './http/rate-limit.js';
import { IssuedCards, type IssuedCardStore } from './audit/issued-cards.js';
import { ephemeralKeyedHash, type KeyedHash } from './identity/keyed-hash.js';
import { feedbackRoutes } from './feedback/feedback-routes.js';
import { createMemoryFeedbackStore, type FeedbackStore } from './feedback/feedback-store.js';
import { healthRoutes, livenessRoute, OPERATIONS_ROUTES } from './health/health-routes.js';
import type { ReadinessProbe } from './health/readiness.js';
import { aboutRoutes } from './about/about-routes.js';
import type { AboutFacts } from './about/about-page.js';
import { createMemorySuppressionStore, type SuppressionStore } from './suppression/suppression-store.js';
import type { Metrics } from './observability/metrics.js';
import metricsPlugin from './observability/metrics-plugin.js';
import requestLog, { deferredChildLogger } from './observability/request-log.js';
import { NO_ROUTE_SCHEMAS } from './net/no-route-schemas.js';

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
  /** Must succeed before a hook call is answered (the audit trail's recorder); its error is the call's. */
  recorder?: CallObserver;
  /** Told when a hook call's handling starts that a record is coming (the audit trail gathers writes). */
  expectRecord?: () => () => void;
  /** Further readiness checks for /readyz (the audit trail's). */
  readinessProbes?: readonly ReadinessProbe[];
  /** Authentication seams for tests: who is trusted, how JWKS are fetched. */
  auth?: Pick<CdsAuthOptions, 'trust' | 'fetch'>;
  /** Prometheus metrics: times every request and observes every call; serves GET /metrics unless VIGIL_ADMIN_PORT does. */
  metrics?: Metrics;
  /** Where feedback goes; default in memory (tests). server.ts passes the durable store. */
  feedbackStore?: FeedbackStore;
  /** The cards Vigil issued, for feedback; the audit recorder fills it. Default: empty, in memory. */
  issuedCards?: IssuedCardStore;
  /**
   * Pseudonyms and stable card ids. server.ts passes one under the audit key, so card uuids survive a
   * restart; the default is a random key, stable for this app only (tests).
   */
  keyed?: KeyedHash;
  /** The model card's headline for the About page (server.ts reads it beside the model file). */
  modelCardHeadline?: string;
  /** Where the repeat-card rule remembers what it showed; default in this process (lru-cache). */
  suppressionStore?: SuppressionStore;
  /** Where hook call bodies are digested; server.ts passes worker threads, the default is inline (tests). */
  digester?: Digester;
  /** Where accepted JWTs are remembered against replay; default in this process (server.ts: on disk or Redis). */
  replayStore?: ReplayGuard;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const headers = securityHeaders(config.publicBaseUrl);
  // The rate limits, made below, before the app listens: refusals made before any route are charged too.
  const limitsLater: { current?: RateLimits } = {};
  const app = Fastify({
    // No log line per request: every call is in the audit trail and the metrics already, and two pino
    // lines per request would cost more than a cached call's own work. Errors still log.
    logController: new LogController({ disableRequestLogging: true }),
    // Each request's child logger is made when the request first writes a line, not before (request-log.ts).
    childLoggerFactory: deferredChildLogger,
    bodyLimit: config.VIGIL_BODY_LIMIT_BYTES,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    schemaController: NO_ROUTE_SCHEMAS,
    // X-Forwarded-For is believed only from these hops; otherwise the socket address is the client's.
    trustProxy: config.VIGIL_TRUSTED_PROXIES.length > 0 ? [...config.VIGIL_TRUSTED_PROXIES] : false,
    ...serverTimeouts(config),
    // Refusals before any route (a bad URL, an overlong path segment, unreadable HTTP) as OperationOutcomes.
    frameworkErrors: frameworkErrorHandler(headers, () => limitsLater.current?.beforeAuth),
    clientErrorHandler: clientErrorHandler(headers),
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
  }) as unknown as FastifyInstance;

  // Only JSON bodies: a text/plain POST (Fastify accepts it by default) gets 415.
  app.removeAllContentTypeParsers();
  // Fastify's refusals (an empty body, invalid JSON), except that a `__proto__` key is named as such.
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') return done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined);
    const parsed = parseJsonBody(body as string);
    return parsed.ok ? done(null, parsed.value) : done(jsonRefusal(parsed), undefined);
  });

  // Limits first, before CORS answers a preflight: the anonymous budget before authentication (a flood
  // without tokens costs no signature check), the verified client's budget after it (rate-limit.ts
  // says why). With an admin port, the public port's bare /healthz is ordinary unauthenticated traffic.
  const adminPort = config.VIGIL_ADMIN_PORT !== undefined;
  const limits = new RateLimits({
    config,
    exempt: (request) => !adminPort && request.routeOptions.url !== undefined && OPERATIONS_ROUTES.has(request.routeOptions.url),
    clientOf: (request) => request.cdsClient,
    ...(opts.metrics !== undefined ? { onLimited: opts.metrics.rateLimited, onAborted: opts.metrics.clientAborted } : {}),
  });
  limitsLater.current = limits;
  await app.register(hardening, { config, limits });

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
  if (config.VIGIL_AUTH === 'required') {
    await app.register(cdsAuth, {
      config,
      telemetry: opts.telemetry ?? opts.metrics?.telemetry ?? noTelemetry,
      clock: opts.clock ?? (() => new Date()),
      ...opts.auth,
      ...(opts.replayStore !== undefined ? { replay: opts.replayStore } : {}),
    });
    app.addHook('onRequest', limits.afterAuth);
  } else {
    app.log.warn('VIGIL_AUTH=off: every CDS call is accepted without a token; never run this way with real patient data');
  }

  // Large bodies queue for a slot before they are read, so a few of them cannot starve every other call.
  const lane = new HeavyLane(config, opts.metrics?.heavyRefused);
  app.addHook('preParsing', lane.admit);

  installErrorHandling(app);

  const services = opts.services ?? SERVICES;
  const serviceIds = services.map((s) => s.id);
  const telemetry = opts.telemetry ?? opts.metrics?.telemetry ?? noTelemetry;
  const clock = opts.clock ?? (() => new Date());
  if (opts.metrics !== undefined) {
    opts.metrics.watchModels(opts.scorer);
    await app.register(metricsPlugin, { metrics: opts.metrics, serviceIds, serveRoute: !adminPort });
  }
  await app.register(requestLog);
  if (adminPort) {
    // /readyz and /metrics live on the admin port (src/health/admin-app.ts); here only "it answers".
    await app.register(livenessRoute);
  } else {
    await app.register(healthRoutes, {
      scorer: opts.scorer,
      allowFallbackOnly: config.VIGIL_ALLOW_FALLBACK_ONLY,
      ...(opts.readinessProbes !== undefined ? { probes: opts.readinessProbes } : {}),
      ...(opts.metrics !== undefined ? { metrics: opts.metrics } : {}),
    });
  }

  const suppressionStore = opts.suppressionStore ?? createMemorySuppressionStore();
  if (opts.suppressionStore === undefined) app.addHook('onClose', () => suppressionStore.close());
  const repeat = {
    settings: { policy: config.VIGIL_REPEAT_CARD_POLICY, windowMs: config.VIGIL_REPEAT_CARD_WINDOW_MINUTES * 60_000 },
    store: suppressionStore,
  };
  await app.register(cdsRoutes, {
    repeat,
    services,
    deps: { config, scorer: opts.scorer, telemetry, keyed: opts.keyed ?? ephemeralKeyedHash() },
    fetcher: opts.fetcher ?? noFetcher,
    ...(opts.digester !== undefined ? { digester: opts.digester } : {}),
    ...(opts.recorder !== undefined ? { recorder: opts.recorder } : {}),
    ...(opts.expectRecord !== undefined ? { expectRecord: opts.expectRecord } : {}),
    observers: [...(opts.metrics !== undefined ? [opts.metrics.observer] : []), ...(opts.observers ?? [])],
    clock,
  });
  // The headline was read beside the model served at start-up: it describes that version only.
  const headline =
    opts.modelCardHeadline !== undefined ? { version: opts.scorer.describe().version, text: opts.modelCardHeadline } : undefined;
  await app.register(aboutRoutes, {
    facts: () => {
      const described = opts.scorer.describe();
      return aboutFacts(config, described, headline?.version === described.version ? headline?.text : undefined);
    },
  });
  await app.register(feedbackRoutes, {
    serviceIds,
    store: opts.feedbackStore ?? createMemoryFeedbackStore(),
    issued:
      opts.issuedCards ??
      new IssuedCards({ max: config.VIGIL_ISSUED_CARDS_MAX, maxAgeMs: config.VIGIL_ISSUED_CARDS_MAX_AGE_HOURS * 3600_000, clock }),
    telemetry,
    keepComments: config.VIGIL_FEEDBACK_KEEP_COMMENTS,
    dailyQuota: config.VIGIL_FEEDBACK_MAX_PER_CLIENT_PER_DAY,
    clock,
    repeat,
  });

  return app;
}

/** What the About page says, from the models in service now. */
function aboutFacts(config: Readonly<Config>, described: ScorerDescription, headline: string | undefined): AboutFacts {
  const staleAfterHours = config.VIGIL_STALE_AFTER_HOURS;
  if (described.model !== 'loaded' || described.name === undefined) return { staleAfterHours };
  const canary = described.models?.find(
    (m) => m.role === 'candidate' && m.mode === 'canary' && m.state === 'loaded' && (m.canaryPercent ?? 0) > 0,
  );
  return {
    staleAfterHours,
    model: {
      name: described.name,
      version: described.version ?? '',
      mode: described.mode ?? 'active',
      ...(described.trainingData !== undefined ? { trainingData: described.trainingData } : {}),
      ...(headline !== undefined ? { headline } : {}),
      ...(canary !== undefined
        ? {
            canary: {
              name: canary.name ?? '',
              version: canary.version ?? '',
              percent: canary.canaryPercent ?? 0,
              ...(canary.trainingData !== undefined ? { trainingData: canary.trainingData } : {}),
            },
          }
        : {}),
    },
  };
}
