// Fair rate limits: authenticated EHRs are counted by issuer and tenant, unauthenticated traffic by
// address in a far smaller budget that never starves a signed call, bodies cost by size, addresses
// come from X-Forwarded-For only through a trusted proxy, and a client that resets its connection is
// neither an error nor a way around the limits.
import { mkdtempSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createRulesScorer } from '../../src/models/rules-scorer.js';
import { MemoryWindowCounter, requestCost } from '../../src/http/rate-limit.js';
import { addressKey } from '../../src/net/client-address.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import { BASE, DISCOVERY, ecKey, jwks, testClock, token, writeIssuersFile } from '../auth/support.js';
import { criticalCall } from '../observability/hook-calls.js';
import { testApp } from '../support/app.js';
import { captureLog } from '../support/log-capture.js';

const INGRESS = '10.1.0.7';
const A = 'https://ehr-a.example';
const B = 'https://ehr-b.example';
const keyA = ecKey();
const keyB = ecKey();
const issuers = writeIssuersFile({
  issuers: [
    { iss: A, jwks: jwks(keyA) },
    { iss: B, jwks: jwks(keyB) },
  ],
});

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function securedApp(env: Record<string, string> = {}) {
  const clock = testClock();
  const metrics = createMetrics();
  const { log, lines } = captureLog();
  app = await buildApp({
    config: loadConfig({
      VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), 'vigil-limits-')),
      VIGIL_TRUSTED_ISSUERS: issuers,
      VIGIL_PUBLIC_BASE_URL: BASE,
      ...env,
    }),
    scorer: createRulesScorer(),
    clock: clock.now,
    logger: log,
    metrics,
  });
  await app.ready();
  const signed = (iss: string, claims: Record<string, unknown> = {}, remoteAddress = INGRESS) =>
    app!.inject({
      method: 'GET',
      url: '/cds-services',
      remoteAddress,
      headers: {
        authorization: `Bearer ${token({ key: iss === A ? keyA : keyB, iss, nowSeconds: clock.seconds(), claims: { aud: DISCOVERY, ...claims } })}`,
      },
    });
  const anonymous = (headers: Record<string, string> = {}, remoteAddress = INGRESS) =>
    app!.inject({ method: 'GET', url: '/cds-services', remoteAddress, headers });
  return { metrics, lines, signed, anonymous };
}

const metricValue = async (metrics: Metrics, line: string): Promise<number> => {
  const found = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(line));
  return found === undefined ? 0 : Number(found.split(' ').at(-1));
};

describe('behind one ingress address', () => {
  it('3,000 requests without a token cannot make the next signed calls answer 429', async () => {
    const t = await securedApp();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      const s = (await t.anonymous()).statusCode;
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
    }
    // The flood gets its own small budget (120 by default), then 429 before any other work...
    expect(statuses.get(401)).toBe(120);
    expect(statuses.get(429)).toBe(2880);
    // ...while every signed call from the same address is answered.
    const signed = await Promise.all(Array.from({ length: 10 }, () => t.signed(A)));
    expect(signed.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expect(await metricValue(t.metrics, 'vigil_rate_limited_total{budget="anonymous"}')).toBe(2880);
    // And the log says a few times that tokens were missing, not three thousand times.
    expect(t.lines.filter((l) => l.msg === 'authentication refused').length).toBeLessThanOrEqual(10);
  });

  it("refused tokens spend the address's anonymous budget too, and still never a signed call's", async () => {
    const t = await securedApp({ VIGIL_RATE_LIMIT_ANON_MAX: '20' });
    for (let i = 0; i < 30; i++) expect((await t.anonymous({ authorization: `Bearer ${'x'.repeat(20)}.e30.e30` })).statusCode).toBe(401);
    // Over budget: a request without a token is stopped at the door...
    expect((await t.anonymous()).statusCode).toBe(429);
    // ...one with a token is still verified, so a good one gets through and a bad one is still a 401.
    expect((await t.signed(A)).statusCode).toBe(200);
    expect((await t.anonymous({ authorization: 'Bearer a.b.c' })).statusCode).toBe(401);
  });

  it('counts CORS preflights as unauthenticated traffic', async () => {
    const t = await securedApp({ VIGIL_RATE_LIMIT_ANON_MAX: '3' });
    const preflight = () =>
      app!.inject({
        method: 'OPTIONS',
        url: '/cds-services/deterioration-risk',
        remoteAddress: INGRESS,
        headers: { origin: 'https://sandbox.cds-hooks.org', 'access-control-request-method': 'POST' },
      });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await preflight()).statusCode);
    expect(statuses).toEqual([204, 204, 204, 429]);
    expect((await t.signed(A)).statusCode).toBe(200);
  });

  it('another address keeps its own anonymous budget', async () => {
    const t = await securedApp({ VIGIL_RATE_LIMIT_ANON_MAX: '3' });
    for (let i = 0; i < 5; i++) await t.anonymous();
    expect((await t.anonymous()).statusCode).toBe(429);
    expect((await t.anonymous({}, '10.1.0.8')).statusCode).toBe(401);
  });
});

describe('authenticated budgets', () => {
  it('counts each issuer apart: one EHR over its budget does not slow another', async () => {
    const t = await securedApp({ VIGIL_RATE_LIMIT_MAX: '5' });
    const a = [];
    for (let i = 0; i < 6; i++) a.push((await t.signed(A)).statusCode);
    expect(a).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await t.signed(A);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(limited.json().issue[0].code).toBe('throttled');
    expect((await t.signed(B)).statusCode).toBe(200);
    expect(await metricValue(t.metrics, 'vigil_rate_limited_total{budget="client"}')).toBe(2);
  });

  it('counts each tenant of one issuer apart', async () => {
    const t = await securedApp({ VIGIL_RATE_LIMIT_MAX: '2' });
    await t.signed(A, { tenant: 'north' });
    await t.signed(A, { tenant: 'north' });
    expect((await t.signed(A, { tenant: 'north' })).statusCode).toBe(429);
    expect((await t.signed(A, { tenant: 'south' })).statusCode).toBe(200);
  });

  it('does not care which address a signed call comes from', async () => {
    const t = await securedApp({ VIGIL_RATE_LIMIT_MAX: '2' });
    await t.signed(A, {}, '10.0.0.1');
    await t.signed(A, {}, '10.0.0.2');
    expect((await t.signed(A, {}, '10.0.0.3')).statusCode).toBe(429);
  });
});

describe('cost by size', () => {
  it.each([
    [undefined, 1],
    ['0', 1],
    ['65535', 1],
    ['65536', 2],
    [String(1024 * 1024), 17],
    ['not a number', 1],
  ])('a body of %s bytes costs %i units (64 KiB each beyond the first)', (length, units) => {
    expect(requestCost(length, 64 * 1024)).toBe(units);
  });

  it('counts a declared length only up to the body limit (a larger body is refused, never read)', () => {
    expect(requestCost('393216000', 64 * 1024, 1024 * 1024)).toBe(17);
  });

  it('does not let one request that declares a huge body spend the whole budget', async () => {
    app = await testApp({}, { VIGIL_RATE_LIMIT_MAX: '40', VIGIL_RATE_LIMIT_COST_BYTES: '65536' });
    const call = criticalCall();
    const liar = await app.inject({
      method: 'POST',
      url: `/cds-services/${call.service}`,
      payload: '{}',
      headers: { 'content-type': 'application/json', 'content-length': '393216000' },
    });
    expect([400, 413]).toContain(liar.statusCode);
    const next = await app.inject({ method: 'POST', url: `/cds-services/${call.service}`, payload: call.body });
    expect(next.statusCode).toBe(200);
  });

  it('charges a large call by its size against the same budget', async () => {
    app = await testApp({}, { VIGIL_RATE_LIMIT_MAX: '8', VIGIL_RATE_LIMIT_COST_BYTES: '65536' });
    const big = criticalCall();
    big.body.padding = 'x'.repeat(200 * 1024); // unknown fields are tolerated, and cost what they weigh
    const statuses = [];
    for (let i = 0; i < 2; i++)
      statuses.push((await app.inject({ method: 'POST', url: `/cds-services/${big.service}`, payload: big.body })).statusCode);
    statuses.push((await app.inject({ method: 'GET', url: '/cds-services' })).statusCode);
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe('client addresses', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::7', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    [undefined, undefined],
  ])('counts %s as %s', (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });

  it('believes X-Forwarded-For only from a configured trusted proxy', async () => {
    app = await testApp({}, { VIGIL_RATE_LIMIT_MAX: '1', VIGIL_TRUSTED_PROXIES: '10.1.0.0/16' });
    const via = (remoteAddress: string, forwardedFor: string) =>
      app!.inject({ method: 'GET', url: '/cds-services', remoteAddress, headers: { 'x-forwarded-for': forwardedFor } });
    // Through the trusted ingress, two clients are two clients.
    expect((await via(INGRESS, '198.51.100.1')).statusCode).toBe(200);
    expect((await via(INGRESS, '198.51.100.2')).statusCode).toBe(200);
    expect((await via(INGRESS, '198.51.100.1')).statusCode).toBe(429);
    // From anywhere else the header is the client's own claim, ignored: the socket address counts.
    expect((await via('192.0.2.50', '198.51.100.3')).statusCode).toBe(200);
    expect((await via('192.0.2.50', '198.51.100.4')).statusCode).toBe(429);
  });

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    app = await testApp({}, { VIGIL_RATE_LIMIT_MAX: '1' });
    const via = (forwardedFor: string) =>
      app!.inject({ method: 'GET', url: '/cds-services', remoteAddress: INGRESS, headers: { 'x-forwarded-for': forwardedFor } });
    expect((await via('198.51.100.1')).statusCode).toBe(200);
    expect((await via('198.51.100.2')).statusCode).toBe(429);
  });

  it('refuses a trusted-proxy setting that is not an address or block', () => {
    expect(() => loadConfig({ VIGIL_TRUSTED_PROXIES: '10.0.0.0/8,ingress.local' })).toThrow(/VIGIL_TRUSTED_PROXIES/);
    expect(loadConfig({ VIGIL_TRUSTED_PROXIES: '10.0.0.0/8, fd00::/8, loopback' }).VIGIL_TRUSTED_PROXIES).toEqual([
      '10.0.0.0/8',
      'fd00::/8',
      'loopback',
    ]);
  });

  it('holds a bounded number of addresses, however many an attacker rotates through', () => {
    const counter = new MemoryWindowCounter(60_000, 3);
    for (let i = 0; i < 50; i++) counter.charge(`10.0.0.${i}`, 1, i);
    expect(counter.size).toBe(3);
    // Expired windows go first, and a new window starts from zero.
    expect(counter.charge('10.0.0.49', 1, 100).total).toBe(2);
    expect(counter.charge('10.0.0.49', 1, 60_100).total).toBe(1);
  });
});

describe('clients that reset their connection', () => {
  it.each([
    ['with authentication', { VIGIL_TRUSTED_ISSUERS: issuers, VIGIL_PUBLIC_BASE_URL: BASE }],
    ['without authentication', { VIGIL_AUTH: 'off' }],
  ])('are not errors %s: no 500, no error line, no work done for them', async (_what, env) => {
    const metrics = createMetrics();
    const { log, lines } = captureLog();
    app = await buildApp({
      config: loadConfig({ VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), 'vigil-limits-')), ...env }),
      scorer: createRulesScorer(),
      logger: log,
      metrics,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const requests = [
      'GET /cds-services HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /no-such-path HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /cds-services/deterioration-risk HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{"hook":',
    ];
    const resets = Array.from(
      { length: 300 },
      (_, i) =>
        new Promise<void>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.write(requests[i % requests.length]!);
            socket.resetAndDestroy();
          });
          socket.on('close', () => resolve());
          socket.on('error', () => undefined);
        }),
    );
    await Promise.all(resets);
    // Every reset connection is gone from the server's side before we look.
    await expect.poll(() => new Promise<number>((r) => app!.server.getConnections((_e, n) => r(n))), { timeout: 10_000 }).toBe(0);
    const probe = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(probe.status).toBe(200);

    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
    const text = await metrics.registry.metrics();
    expect(text).not.toMatch(/status="5\d\d"/);
  });

  it('are not errors when they hang up half-way through sending a body', async () => {
    const metrics = createMetrics();
    const { log, lines } = captureLog();
    app = await buildApp({ config: loadConfig({ VIGIL_AUTH: 'off' }), scorer: createRulesScorer(), logger: log, metrics });
    let reading!: () => void;
    const bodyStarted = new Promise<void>((resolve) => (reading = resolve));
    app.addHook('preParsing', async (_request, _reply, payload) => {
      reading();
      return payload;
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const closed = new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          'POST /cds-services/deterioration-risk HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{"hook":',
        );
        void bodyStarted.then(() => socket.resetAndDestroy());
      });
      socket.on('close', () => resolve());
      socket.on('error', () => undefined);
    });
    await closed;
    await expect.poll(() => new Promise<number>((r) => app!.server.getConnections((_e, n) => r(n))), { timeout: 10_000 }).toBe(0);
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
    expect(await metrics.registry.metrics()).not.toMatch(/status="5\d\d"/);
  });
});
