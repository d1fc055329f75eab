// Keys, issuers files, a JWKS server and an app with authentication on, for the auth tests. Keys are
// generated per test run (node:crypto); nothing here is a real credential.
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createRulesScorer } from '../../src/models/rules-scorer.js';
import { signJwt, type AsymmetricAlg } from '../../src/auth/jws.js';
import { noTelemetry, type Telemetry } from '../../src/telemetry.js';
import type { ReplayGuard } from '../../src/auth/replay-store.js';

export const BASE = 'http://127.0.0.1:3000';
export const DISCOVERY = `${BASE}/cds-services`;

export interface TestKey {
  kid: string;
  alg: AsymmetricAlg;
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

export function ecKey(kid: string = randomUUID(), curve: 'P-256' | 'P-384' = 'P-384'): TestKey {
  const alg = curve === 'P-256' ? 'ES256' : 'ES384';
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  return { kid, alg, privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg } };
}

export function rsaKey(kid: string = randomUUID()): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, alg: 'RS384', privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' } };
}

export function jwks(...keys: TestKey[]): { keys: Record<string, unknown>[] } {
  return { keys: keys.map((k) => k.publicJwk) };
}

/** A controllable clock shared by the app and the tokens. */
export function testClock(start = Date.now()) {
  let ms = start;
  return {
    now: () => new Date(ms),
    seconds: () => Math.floor(ms / 1000),
    advance: (s: number) => {
      ms += s * 1000;
    },
  };
}

export interface TokenSpec {
  key: TestKey;
  iss: string;
  nowSeconds: number;
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  /** Remove these header fields / claims. */
  omitHeader?: string[];
  omitClaims?: string[];
}

/** A CDS Hooks token like the sandbox's, with any header field or claim overridden or removed. */
export function token(spec: TokenSpec): string {
  const header: Record<string, unknown> = { alg: spec.key.alg, typ: 'JWT', kid: spec.key.kid, ...spec.header };
  const claims: Record<string, unknown> = {
    iss: spec.iss,
    aud: DISCOVERY,
    exp: spec.nowSeconds + 300,
    iat: spec.nowSeconds,
    jti: randomUUID(),
    ...spec.claims,
  };
  for (const h of spec.omitHeader ?? []) delete header[h];
  for (const c of spec.omitClaims ?? []) delete claims[c];
  return signJwt(header as Record<string, unknown> & { alg: AsymmetricAlg }, claims, spec.key.privateKey);
}

/** An unsigned token with any header: for `alg: none` and HMAC forgeries. */
export function rawToken(header: Record<string, unknown>, claims: Record<string, unknown>, signature = ''): string {
  const base64url = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');
  return `${base64url(header)}.${base64url(claims)}.${signature}`;
}

export function writeIssuersFile(doc: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-auth-'));
  const path = join(dir, 'trusted-issuers.json');
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

/** Telemetry that records refusal reasons. */
export function recordingTelemetry(): Telemetry & { refusals: string[] } {
  const refusals: string[] = [];
  return { ...noTelemetry, authFailure: (reason: string) => refusals.push(reason), refusals };
}

export async function authApp(opts: {
  env: Record<string, string>;
  clock: () => Date;
  telemetry?: Telemetry;
  fetch?: typeof fetch;
  replayStore?: ReplayGuard;
  /** A logger to read what was logged (test/support/log-capture.ts); none by default. */
  logger?: FastifyBaseLogger;
}): Promise<FastifyInstance> {
  const config = loadConfig({
    VIGIL_LOG_LEVEL: 'silent',
    VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), 'vigil-data-')),
    // Configured issuers need the public URL their tokens' aud names.
    ...(opts.env.VIGIL_TRUSTED_ISSUERS !== undefined ? { VIGIL_PUBLIC_BASE_URL: BASE } : {}),
    ...opts.env,
  });
  const app = await buildApp({
    config,
    scorer: createRulesScorer(),
    clock: opts.clock,
    logger: opts.logger ?? false,
    telemetry: opts.telemetry ?? noTelemetry,
    ...(opts.fetch !== undefined ? { auth: { fetch: opts.fetch } } : {}),
    ...(opts.replayStore !== undefined ? { replayStore: opts.replayStore } : {}),
  });
  await app.ready();
  return app;
}

/** A JWKS server on 127.0.0.1 whose documents can change, counting requests per path. */
export async function jwksServer(): Promise<{
  url: (path: string) => string;
  serve: (path: string, doc: unknown) => void;
  hits: Map<string, number>;
  close: () => Promise<void>;
}> {
  const docs = new Map<string, unknown>();
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const doc = docs.get(path);
    if (doc === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    serve: (path, doc) => docs.set(path, doc),
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
