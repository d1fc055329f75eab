// Boots Vigil: reads the configuration once, builds the app, listens, and shuts down gracefully.
import { pino } from 'pino';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, unknownSettings } from './config.js';
import { errorCode } from './errors.js';
import { loggerOptions } from './http/logger-options.js';
import { createScorer, SHIPPED_MODEL_PATH } from './models/create-scorer.js';
import { modelSettings } from './models/model-registry.js';
import { ModelReloader } from './models/model-reload.js';
import { readModelCardHeadline } from './about/model-card-headline.js';
import { createFhirFetcher } from './fhir-client/fhir-fetcher.js';
import { openAuditTrail } from './audit/open-audit-trail.js';
import { openFileFeedbackStore } from './feedback/feedback-store.js';
import { buildAdminApp } from './health/admin-app.js';
import { clientErrorHandler, frameworkErrorHandler } from './http/framework-errors.js';
import { securityHeaders } from './http/hardening.js';
import { installGracefulShutdown, releaseOnClose } from './health/graceful-shutdown.js';
import { createMetrics } from './observability/metrics.js';
import { defaultLogLimiter, limitedWarnings } from './observability/log-limiter.js';
import { DigestPool, digestThreads } from './http/digest-pool.js';
import { openSharedState } from './shared-state/open-shared-state.js';

async function main(): Promise<void> {
  const bootStarted = performance.now();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  // Redaction of tokens lives with the options (src/http/logger-options.ts) so its test uses the same.
  const log = pino(loggerOptions(config.VIGIL_LOG_LEVEL));
  for (const unknown of unknownSettings()) log.warn(unknown);
  const metrics = createMetrics({ processMetrics: true });
  const telemetry = metrics.telemetry;
  const scorer = await createScorer(config, log, telemetry);
  // SIGHUP, or a changed model file or VIGIL_CONFIG_FILE, reloads the models without a restart.
  const reloader = new ModelReloader({
    registry: scorer,
    readSettings: () => modelSettings(loadConfig(), SHIPPED_MODEL_PATH),
    ...(config.VIGIL_CONFIG_FILE !== undefined ? { configFile: config.VIGIL_CONFIG_FILE } : {}),
    watch: config.VIGIL_MODEL_WATCH,
    log,
    signal: true,
  }).start();
  // A failing EHR fails every call that fetches: its warnings are limited per code (the metrics count all).
  const fetcher = createFhirFetcher(config, limitedWarnings(log, defaultLogLimiter(), 'fhir'), telemetry);
  // Where state lives: this process and VIGIL_DATA_DIR, or Redis and PostgreSQL shared by replicas.
  const shared = await openSharedState(config, log, { telemetry, onError: metrics.sharedStateError, onUp: metrics.sharedStateUp });
  log.info({ state: shared.where }, 'state opened');
  // The issued cards are read back from the day's trail once the service listens: hook calls first.
  let listening!: () => void;
  const rebuildAfter = new Promise<void>((resolve) => (listening = resolve));
  const audit = await openAuditTrail(config, log, {
    rebuildAfter,
    onWriteFailure: metrics.auditWriteFailed,
    onWritable: metrics.auditWritable,
    onDurable: metrics.auditRecordWait,
    ...(shared.auditStore !== undefined ? { store: shared.auditStore } : {}),
    ...(shared.issued !== undefined ? { issued: shared.issued } : {}),
  });
  const headline =
    config.VIGIL_MODEL_PATH === 'none' ? undefined : await readModelCardHeadline(config.VIGIL_MODEL_PATH ?? SHIPPED_MODEL_PATH);
  const feedbackStore = shared.feedbackStore ?? (await openFileFeedbackStore(config.VIGIL_DATA_DIR));
  const readinessProbes = [() => audit.gate.readinessCheck(), ...shared.probes];
  // Bodies are parsed, validated and normalised on the other cores; everything with state stays here.
  const digester = new DigestPool({
    threads: digestThreads(config.VIGIL_DIGEST_THREADS),
    settings: { staleAfterHours: config.VIGIL_STALE_AFTER_HOURS },
    // Heavy bodies are rationed (src/http/heavy-lane.ts) and never held by the event loop.
    shareMaxBytes: config.VIGIL_HEAVY_BODY_BYTES,
  });
  const app = await buildApp({
    config,
    scorer,
    fetcher,
    telemetry,
    logger: log,
    metrics,
    recorder: audit.recorder,
    expectRecord: audit.expectRecord,
    readinessProbes,
    feedbackStore,
    issuedCards: audit.issued,
    // The audit key also makes card uuids (the same card for the same data, across restarts) and the
    // patient pseudonym each audit record keeps.
    keyed: audit.keyed,
    digester,
    replayStore: shared.replay,
    ...(shared.suppression !== undefined ? { suppressionStore: shared.suppression } : {}),
    ...(headline !== undefined ? { modelCardHeadline: headline } : {}),
  });

  // The admin port answers probes and scrapes apart from the public traffic; once shutdown begins its
  // /readyz says so, so endpoints drain while calls in flight finish.
  let closing = false;
  app.addHook('preClose', () => {
    closing = true;
  });
  const adminHeaders = securityHeaders(config.publicBaseUrl);
  const admin =
    config.VIGIL_ADMIN_PORT === undefined
      ? undefined
      : await buildAdminApp({
          scorer,
          allowFallbackOnly: config.VIGIL_ALLOW_FALLBACK_ONLY,
          probes: [...readinessProbes, async () => ({ name: 'shutdown', ok: !closing, ...(closing ? { detail: 'shutting down' } : {}) })],
          metrics,
          logger: log,
          // The same answers as the public port's for what is refused before any route; no rate budget here.
          refusals: {
            frameworkErrors: frameworkErrorHandler(adminHeaders, () => undefined),
            clientErrorHandler: clientErrorHandler(adminHeaders),
          },
        });

  // When the app closes, after the calls in flight: the model watcher, breakers and the ONNX session
  // are released, stores flushed, and the admin port closed last.
  releaseOnClose(app, log, [
    { name: 'model-reload', run: () => reloader.close() },
    { name: 'fhir-fetcher', run: () => fetcher.close() },
    { name: 'digest-threads', run: () => digester.close() },
    { name: 'scorer', run: () => scorer.close() },
    { name: 'audit', run: () => audit.store.close() },
    { name: 'feedback', run: () => feedbackStore.close() },
    { name: 'shared-state', run: () => shared.close() },
    ...(admin !== undefined ? [{ name: 'admin-port', run: () => admin.close() }] : []),
  ]);
  installGracefulShutdown({ app, log, graceMs: config.VIGIL_SHUTDOWN_GRACE_MS });

  const adminAddress = admin === undefined ? undefined : await admin.listen({ host: config.HOST, port: config.VIGIL_ADMIN_PORT! });
  const address = await app.listen({ host: config.HOST, port: config.PORT });
  listening();
  // bootMs: from reading the configuration to listening (Vigil's own start-up, not Node's or module loading).
  const bootMs = Math.round(performance.now() - bootStarted);
  log.info(
    {
      address,
      ...(adminAddress !== undefined ? { adminAddress } : {}),
      url: config.publicBaseUrl,
      model: scorer.describe(),
      digestThreads: digester.size,
      bootMs,
    },
    'Vigil is listening',
  );
  // The FHIR client is loaded once the service is listening, not before (fhir-fetcher.ts), so the
  // first call without prefetch does not wait for it either.
  fetcher.warm().catch((err: unknown) => log.error({ code: errorCode(err) }, 'the FHIR client could not be loaded'));
}

main().catch((err: unknown) => {
  // A refusal decided while building the app (no trusted issuers off loopback): a message, not a stack.
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const code = errorCode(err);
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    process.stderr.write(
      `Vigil cannot listen on HOST/PORT or VIGIL_ADMIN_PORT (${code}): another process holds the port, or the address is not this machine's. Set PORT, VIGIL_ADMIN_PORT or HOST.\n`,
    );
    process.exit(1);
  }
  throw err;
});
