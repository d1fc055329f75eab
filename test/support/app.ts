// Builds the real app for HTTP tests: rules-only scoring, no logger, a pinned clock, and
// authentication off unless a test turns it on (auth has its own tests).
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createRulesScorer } from '../../src/models/rules-scorer.js';

export const FIXED_NOW = new Date('2026-11-23T12:00:00Z');

export function testConfig(env: Record<string, string> = {}): Readonly<Config> {
  return loadConfig({ VIGIL_AUTH: 'off', VIGIL_LOG_LEVEL: 'silent', ...env });
}

/** The CORS preflight the CDS Hooks sandbox sends before it calls a service from a browser. */
export function sandboxPreflight(app: FastifyInstance) {
  return app.inject({
    method: 'OPTIONS',
    url: '/cds-services/deterioration-risk',
    headers: {
      origin: 'https://sandbox.cds-hooks.org',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    },
  });
}

export async function testApp(overrides: Partial<AppOptions> = {}, env: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await buildApp({
    config: testConfig(env),
    scorer: createRulesScorer(),
    clock: () => FIXED_NOW,
    logger: false,
    ...overrides,
  });
  await app.ready();
  return app;
}
