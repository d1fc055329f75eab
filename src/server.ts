// Boots Vigil: reads the configuration once, builds the app, listens, and shuts down gracefully.
import { pino } from 'pino';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createScorer } from './models/create-scorer.js';
import { createFhirFetcher } from './prefetch/fhir-fetcher.js';
import { noTelemetry } from './telemetry.js';

/** Never log a bearer token or the EHR's access token, wherever it appears. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'fhirAuthorization',
  '*.fhirAuthorization',
  'access_token',
  '*.access_token',
];

async function main(): Promise<void> {
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
  const log = pino({ level: config.VIGIL_LOG_LEVEL, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
  const telemetry = noTelemetry;
  const scorer = await createScorer(config, log, telemetry);
  const fetcher = createFhirFetcher(config, log, telemetry);
  const app = await buildApp({ config, scorer, fetcher, telemetry, logger: log });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    await app.close();
    fetcher.close();
    await scorer.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ host: config.HOST, port: config.PORT });
  log.info({ url: config.publicBaseUrl, model: scorer.describe() }, 'Vigil is listening');
}

void main();
