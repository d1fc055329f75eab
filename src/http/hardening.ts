// What keeps a hostile or broken client from taking Vigil down: server timeouts (a slow-header client is
// cut off in about a second), fair rate limits (rate-limit.ts: the anonymous budget here, before
// authentication; the client's budget after it, registered in app.ts) and security headers. Body
// limit, JSON-only parsing and prototype-poisoning refusal are set in app.ts.
import type { FastifyInstance } from 'fastify';
import type { ServerOptions } from 'node:http';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { issue, VigilError } from '../errors.js';
import type { RateLimits } from './rate-limit.js';

type TimeoutConfig = Pick<
  Config,
  'VIGIL_HEADERS_TIMEOUT_MS' | 'VIGIL_REQUEST_TIMEOUT_MS' | 'VIGIL_KEEP_ALIVE_TIMEOUT_MS' | 'VIGIL_CONNECTION_TIMEOUT_MS'
>;

/**
 * Server options for Fastify(): Node checks unfinished requests only every connectionsCheckingInterval
 * (30 s by default: Node.js http.createServer options), so headersTimeout alone would let a slow-header
 * client linger; checked every 100 ms, the cut-off lands within about 0.1 s of the timeout
 * (test/http/hardening.test.ts: a client trickling its headers is cut off in about a second).
 */
export interface ServerTimeouts {
  connectionTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  http: ServerOptions;
}

export function serverTimeouts(config: TimeoutConfig): ServerTimeouts {
  const requestTimeout = config.VIGIL_REQUEST_TIMEOUT_MS;
  // Node refuses headersTimeout > requestTimeout at server creation.
  const headersTimeout = Math.min(config.VIGIL_HEADERS_TIMEOUT_MS, requestTimeout);
  return {
    connectionTimeout: config.VIGIL_CONNECTION_TIMEOUT_MS,
    requestTimeout,
    keepAliveTimeout: config.VIGIL_KEEP_ALIVE_TIMEOUT_MS,
    http: { headersTimeout, requestTimeout, connectionsCheckingInterval: 100 },
  };
}

/** Headers every answer carries: JSON for machines, never framed, sniffed, cached or referred. */
export function securityHeaders(publicBaseUrl: string): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    ...(publicBaseUrl.startsWith('https:') ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

export interface HardeningOptions {
  config: Readonly<Config>;
  limits: RateLimits;
}

async function hardening(app: FastifyInstance, { config, limits }: HardeningOptions): Promise<void> {
  // A root onRequest hook: it also covers the 404 handler, so scanning for paths costs the scanner its
  // budget, and it runs before authentication, so a flood without tokens costs no signature check.
  app.addHook('onRequest', limits.beforeAuth);
  app.addHook('onResponse', limits.afterResponse);
  // A compressed body would be read as if it were not: gzip answered "not valid JSON", and any other
  // coding over a plain body was answered 200 as if unencoded (found by fuzzing, 2026-11-29).
  app.addHook('onRequest', async (request) => {
    const coding = request.headers['content-encoding'];
    if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') {
      throw new VigilError(
        'VIGIL_UNSUPPORTED_MEDIA_TYPE',
        'content coding',
        issue('not-supported', 'the request body must not be compressed (Content-Encoding is not supported)'),
      );
    }
  });

  const headers = securityHeaders(config.publicBaseUrl);
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(headers)) {
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
    return payload;
  });
}

export default fp(hardening, { name: 'vigil-hardening', fastify: '5.x' });
