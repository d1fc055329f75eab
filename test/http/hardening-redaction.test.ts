// Tokens never reach the logs: the logger options server.ts boots with, a request whose bearer token
// is refused, and a call carrying fhirAuthorization.access_token that makes Vigil fetch from a failing
// FHIR server (warnings, then 412) or fail itself (a 500 is logged) — the secrets appear in no line.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { loggerOptions } from '../../src/http/logger-options.js';
import type { DeteriorationScorer } from '../../src/models/scorer.js';
import { createFhirFetcher } from '../../src/fhir-client/fhir-fetcher.js';
import { noTelemetry } from '../../src/telemetry.js';
import { DISCOVERY, ecKey, jwks, testClock, token, writeIssuersFile } from '../auth/support.js';
import { loadFixtures } from '../support/fixtures.js';

const ACCESS_TOKEN = 'ehr-access-token-6f1d0c9e-NEVER-LOG-ME';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, log: pino(loggerOptions('trace'), stream) };
}

const failingScorer: DeteriorationScorer = {
  assess: async () => {
    throw new Error('scorer exploded');
  },
  describe: () => ({ model: 'not-configured' }),
  close: async () => undefined,
};

describe('redaction', () => {
  it('redacts bearer tokens and access tokens in whatever shape a log line holds them', () => {
    const { lines, log } = capture();
    const bearer = 'Bearer eyJhbGciOiJFUzM4NCJ9.secret-payload.secret-signature';
    log.info({ headers: { authorization: bearer } }, 'headers');
    log.info({ req: { headers: { authorization: bearer, cookie: 'session=secret-cookie' } } }, 'req');
    log.info({ body: { fhirAuthorization: { access_token: ACCESS_TOKEN, token_type: 'Bearer' } } }, 'body');
    log.error({ request: { body: { fhirAuthorization: { access_token: ACCESS_TOKEN } } } }, 'nested body');
    log.warn({ fhirAuthorization: { access_token: ACCESS_TOKEN } }, 'bare');
    log.debug({ access_token: ACCESS_TOKEN, token: bearer }, 'flat');
    const out = lines.join('');
    expect(lines).toHaveLength(6);
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(6);
    for (const secret of [ACCESS_TOKEN, 'secret-payload', 'secret-cookie']) expect(out).not.toContain(secret);
  });

  it('keeps both tokens out of every line of a refused call, a failing FHIR fetch and a 500', async () => {
    let seenByFhir: string | undefined;
    const fhir = createServer((req, res) => {
      seenByFhir = req.headers.authorization;
      res.writeHead(500, { 'content-type': 'application/fhir+json' }).end('{}');
    });
    await new Promise<void>((r) => fhir.listen(0, '127.0.0.1', r));
    const fhirBase = `http://127.0.0.1:${(fhir.address() as AddressInfo).port}`;

    const key = ecKey();
    const iss = 'https://ehr.example/redaction';
    const fixture = loadFixtures().find((f) => f.service === 'deterioration-risk' && f.expect.status === 200)!;
    const clock = testClock(Date.parse(fixture.now));
    const config = loadConfig({
      VIGIL_LOG_LEVEL: 'trace',
      VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), 'vigil-redaction-')),
      VIGIL_TRUSTED_ISSUERS: writeIssuersFile({ issuers: [{ iss, jwks: jwks(key) }] }),
      VIGIL_PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
      VIGIL_FHIR_ALLOWED_ORIGINS: fhirBase,
      VIGIL_FHIR_ALLOW_HTTP_LOOPBACK: 'true',
      VIGIL_FHIR_MAX_RETRIES: '0',
      // Room for a busy machine: the 200 ms / 300 ms defaults once ended the fetch before the server saw it.
      VIGIL_FHIR_REQUEST_TIMEOUT_MS: '5000',
      VIGIL_FETCH_DEADLINE_MS: '5000',
    });
    const { lines, log } = capture();
    const app = await buildApp({
      config,
      scorer: failingScorer,
      fetcher: createFhirFetcher(config, log, noTelemetry),
      logger: log,
      clock: clock.now,
    });
    await app.ready();

    const url = `/cds-services/${fixture.service}`;
    const accepted = token({ key, iss, nowSeconds: clock.seconds(), claims: { aud: `http://127.0.0.1:3000${url}` } });
    const refused = token({ key, iss, nowSeconds: clock.seconds(), claims: { aud: `${DISCOVERY}/elsewhere` } });
    const body = {
      ...fixture.request,
      prefetch: undefined,
      fhirServer: fhirBase,
      fhirAuthorization: { access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'vigil' },
    };
    const withPrefetch = { ...body, prefetch: fixture.request.prefetch };
    const refusedRes = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${refused}` }, payload: body });
    const fetchFailedRes = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${accepted}` }, payload: body });
    const accepted2 = token({ key, iss, nowSeconds: clock.seconds(), claims: { aud: `http://127.0.0.1:3000${url}` } });
    const failedRes = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${accepted2}` }, payload: withPrefetch });
    await app.close();
    await new Promise<void>((r) => fhir.close(() => r()));

    const out = lines.join('');
    // The paths that log did run: a refusal, the FHIR server was called with the access token, a 500.
    expect(refusedRes.statusCode).toBe(401);
    expect(out).toContain('authentication refused');
    expect(seenByFhir).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(fetchFailedRes.statusCode).toBe(412);
    expect(out).toContain('prefetch key not fetched from the FHIR server');
    expect(failedRes.statusCode).toBe(500);
    expect(out).toContain('scorer exploded');
    // And no line holds either secret, whole or as its signature.
    for (const secret of [ACCESS_TOKEN, accepted, accepted2, refused, ...[accepted, accepted2, refused].map((t) => t.split('.')[2]!)]) {
      expect(out).not.toContain(secret);
    }
  });
});
