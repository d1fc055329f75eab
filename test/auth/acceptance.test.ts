// Who gets in: ES384 and RS384 tokens from configured issuers, keys rotated behind an allowlisted jku,
// the loopback development profile, and the requests that never need a token.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevIssuer } from '../../src/auth/dev-issuer.js';
import { signCdsToken } from '../../src/auth/jws.js';
import { loadFixtures } from '../support/fixtures.js';
import { sandboxPreflight, testApp } from '../support/app.js';
import {
  authApp,
  BASE,
  DISCOVERY,
  ecKey,
  jwks,
  jwksServer,
  recordingTelemetry,
  rsaKey,
  testClock,
  token,
  writeIssuersFile,
} from './support.js';

const ES_ISS = 'https://ehr.example/es';
const RS_ISS = 'https://ehr.example/rs';
const JKU_ISS = 'https://ehr.example/jku';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('tokens from configured issuers', () => {
  const es = ecKey();
  const rs = rsaKey();
  const fixture = loadFixtures().find((f) => f.service === 'deterioration-risk' && f.expect.status === 200)!;
  const clock = testClock(Date.parse(fixture.now));
  let app: FastifyInstance;

  beforeAll(async () => {
    const issuers = writeIssuersFile({
      issuers: [
        { iss: ES_ISS, jwks: jwks(es) },
        { iss: RS_ISS, jwks: jwks(rs) },
      ],
    });
    app = await authApp({ env: { VIGIL_TRUSTED_ISSUERS: issuers }, clock: clock.now });
  });
  afterAll(() => app.close());

  it.each([
    ['ES384', es, ES_ISS],
    ['RS384', rs, RS_ISS],
  ] as const)('accepts %s on discovery and on a service call', async (_alg, key, iss) => {
    const discovery = await app.inject({
      method: 'GET',
      url: '/cds-services',
      headers: bearer(token({ key, iss, nowSeconds: clock.seconds() })),
    });
    const url = `/cds-services/${fixture.service}`;
    const callToken = token({ key, iss, nowSeconds: clock.seconds(), claims: { aud: BASE + url } });
    const call = await app.inject({ method: 'POST', url, headers: bearer(callToken), payload: fixture.request });
    expect(discovery.statusCode).toBe(200);
    expect(discovery.json().services.length).toBeGreaterThan(0);
    expect(call.statusCode, call.body).toBe(200);
    expect(call.json().cards.length).toBe(fixture.expect.cards?.length ?? 0);
  });

  it('tolerates the extra claims a major EHR sends (sub, nbf) and an aud array holding our URL', async () => {
    const t = token({
      key: rs,
      iss: RS_ISS,
      nowSeconds: clock.seconds(),
      claims: { sub: 'client-id-123', nbf: clock.seconds() - 5, aud: ['https://other.example/cds-services', DISCOVERY] },
    });
    const res = await app.inject({ method: 'GET', url: '/cds-services', headers: bearer(t) });
    expect(res.statusCode).toBe(200);
  });

  it('accepts the query string beside the path the token names', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/cds-services?x=1',
      headers: bearer(token({ key: es, iss: ES_ISS, nowSeconds: clock.seconds() })),
    });
    expect(res.statusCode).toBe(200);
  });

  it('answers a CORS preflight without a token', async () => {
    const res = await sandboxPreflight(app);
    expect(res.statusCode).toBe(204);
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
  });

  it('serves the liveness probe without a token', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
  });
});

describe('keys behind an allowlisted jku', () => {
  const first = ecKey();
  const second = ecKey();
  const clock = testClock();
  const telemetry = recordingTelemetry();
  let server: Awaited<ReturnType<typeof jwksServer>>;
  let app: FastifyInstance;
  let jku: string;

  beforeAll(async () => {
    server = await jwksServer();
    jku = server.url('/jwks.json');
    server.serve('/jwks.json', jwks(first));
    const issuers = writeIssuersFile({ issuers: [{ iss: JKU_ISS, jku: [jku] }] });
    app = await authApp({ env: { VIGIL_TRUSTED_ISSUERS: issuers, VIGIL_JWKS_MIN_REFRESH_SECONDS: '30' }, clock: clock.now, telemetry });
  });
  afterAll(async () => {
    await app.close();
    await server.close();
  });

  const call = (key: ReturnType<typeof ecKey>, withJku = true) =>
    app.inject({
      method: 'GET',
      url: '/cds-services',
      headers: bearer(token({ key, iss: JKU_ISS, nowSeconds: clock.seconds(), header: withJku ? { jku } : {} })),
    });

  it('fetches the JWKS once, then verifies from the cache', async () => {
    expect((await call(first)).statusCode).toBe(200);
    expect((await call(first, false)).statusCode).toBe(200);
    expect(server.hits.get('/jwks.json')).toBe(1);
  });

  it('follows a rotation: an unknown kid refreshes the JWKS, at most once per interval', async () => {
    server.serve('/jwks.json', jwks(second));
    clock.advance(31);
    expect((await call(second)).statusCode).toBe(200);
    expect(server.hits.get('/jwks.json')).toBe(2);

    // Made-up kids within the interval do not turn into requests.
    telemetry.refusals.length = 0;
    const unknown = { ...first, kid: 'made-up' };
    expect((await call(unknown)).statusCode).toBe(401);
    expect((await call(unknown)).statusCode).toBe(401);
    expect(server.hits.get('/jwks.json')).toBe(2);
    expect(telemetry.refusals).toEqual(['unknown_kid', 'unknown_kid']);
  });
});

describe('the loopback development profile (no VIGIL_TRUSTED_ISSUERS)', () => {
  it.each(['http://127.0.0.1:3000', 'http://localhost:3000', 'http://[::1]:3000'])(
    'trusts the `npm run token` key with aud %s/cds-services',
    async (base) => {
      const clock = testClock();
      const dataDir = mkdtempSync(join(tmpdir(), 'vigil-dev-'));
      const app = await authApp({ env: { VIGIL_DATA_DIR: dataDir }, clock: clock.now });
      const dev = loadOrCreateDevIssuer(dataDir);
      const t = signCdsToken({
        iss: dev.iss,
        kid: dev.kid,
        alg: 'ES384',
        aud: `${base}/cds-services`,
        privateKey: dev.privateKey,
        nowSeconds: clock.seconds(),
      });
      const res = await app.inject({ method: 'GET', url: '/cds-services', headers: bearer(t) });
      await app.close();
      expect(res.statusCode).toBe(200);
    },
  );
});

describe('VIGIL_AUTH=off', () => {
  it('lets a call through without a token (no auth hook at all)', async () => {
    const app = await testApp();
    const res = await app.inject({ method: 'GET', url: '/cds-services' });
    await app.close();
    expect(res.statusCode).toBe(200);
    expect(app.hasDecorator('jwt')).toBe(false);
  });
});
