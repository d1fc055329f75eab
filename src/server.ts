// Boots Vigil: reads the configuration once, builds the app, listens, and shuts down gracefully.
import { pino } from 'pino';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { loggerOptions } from './http/logger-options.js';
import { createScorer, SHIPPED_MODEL_PATH } from './models/create-scorer.js';
import { readModelCardHeadline } from './about/model-card-headline.js';
import { createFhirFetcher } from './prefetch/fhir-fetcher.js';
import { openAuditTrail } from './audit/open-audit-trail.js';
import { resolveAuditKey } from './audit/patient-hash.js';
import { keyedHash } from './identity/keyed-hash.js';
import { openFileFeedbackStore } from './feedback/feedback-store.js';
import { buildAdminApp } from './health/admin-app.js';
import { installGracefulShutdown } from './health/graceful-shutdown.js';
import { createMetrics } from './observability/metrics.js';
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
  const metrics = createMetrics({ processMetrics: true });
  const telemetry = metrics.telemetry;
  const scorer = await createScorer(config, log, telemetry);
  const fetcher = createFhirFetcher(config, log, telemetry);
  // Where state lives: this process and VIGIL_DATA_DIR, or Redis and PostgreSQL shared by replicas.
  const shared = await openSharedState(config, log, { telemetry, onError: metrics.sharedStateError, onUp: metrics.sharedStateUp });
  log.info({ state: shared.where }, 'state opened');
  const audit = await openAuditTrail(config, log, {
    onWriteFailure: metrics.auditWriteFailed,
    onWritable: metrics.auditWritable,
    ...(shared.auditStore !== undefined ? { store: shared.auditStore } : {}),
    ...(shared.issued !== undefined ? { issued: shared.issued } : {}),
  });
  // The audit key also makes card uuids: the same card for the same data, across restarts.
  const headline = config.VIGIL_MODEL_PATH === 'none' ? undefined : await readModelCardHeadline(config.VIGIL_MODEL_PATH ?? SHIPPED_MODEL_PATH);
  const keyed = keyedHash(await resolveAuditKey(config.VIGIL_AUDIT_HMAC_KEY, config.VIGIL_DATA_DIR, log));
  const feedbackStore = shared.feedbackStore ?? (await openFileFeedbackStore(config.VIGIL_DATA_DIR));
  const readinessProbes = [() => audit.gate.readinessCheck(), ...shared.probes];
  const app = await buildApp({
    config,
    scorer,
    fetcher,
    telemetry,
    logger: log,
    metrics,
    recorder: audit.recorder,
    readinessProbes,
    feedbackStore,
    issuedCards: audit.issued,
    keyed,
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
  const admin =
    config.VIGIL_ADMIN_PORT === undefined
      ? undefined
      : await buildAdminApp({
          scorer,
          allowFallbackOnly: config.VIGIL_ALLOW_FALLBACK_ONLY,
          probes: [...readinessProbes, async () => ({ name: 'shutdown', ok: !closing, ...(closing ? { detail: 'shutting down' } : {}) })],
          metrics,
          logger: log,
        });

  // Calls in flight finish first; then the ONNX session and breakers are released, stores flushed,
  // and the admin port closed last.
  installGracefulShutdown({
    app,
    log,
    graceMs: config.VIGIL_SHUTDOWN_GRACE_MS,
    release: [
      { name: 'fhir-fetcher', run: () => fetcher.close() },
      { name: 'scorer', run: () => scorer.close() },
      { name: 'audit', run: () => audit.store.close() },
      { name: 'feedback', run: () => feedbackStore.close() },
      { name: 'shared-state', run: () => shared.close() },
      ...(admin !== undefined ? [{ name: 'admin-port', run: () => admin.close() }] : []),
    ],
  });

  const adminAddress = admin === undefined ? undefined : await admin.listen({ host: config.HOST, port: config.VIGIL_ADMIN_PORT! });
  const address = await app.listen({ host: config.HOST, port: config.PORT });
  // bootMs: from reading the configuration to listening (Vigil's own start-up, not Node's or module loading).
  const bootMs = Math.round(performance.now() - bootStarted);
  log.info({ address, ...(adminAddress !== undefined ? { adminAddress } : {}), url: config.publicBaseUrl, model: scorer.describe(), bootMs }, 'Vigil is listening');
}

main().catch((err: unknown) => {
  // A refusal decided while building the app (no trusted issuers off loopback): a message, not a stack.
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    process.stderr.write(
      `Vigil cannot listen on HOST/PORT or VIGIL_ADMIN_PORT (${String(code)}): another process holds the port, or the address is not this machine's. Set PORT, VIGIL_ADMIN_PORT or HOST.\n`,
    );
    process.exit(1);
  }
  throw err;
});
