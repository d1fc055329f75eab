// What a hostile or broken client cannot do: hold a connection open by sending headers slowly, flood
// any path (404s included), or get a non-JSON, oversized or prototype-poisoning body parsed.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { testApp } from '../support/app.js';

describe('slow clients', () => {
  it('cuts off a client that never finishes its headers in about a second', async () => {
    const app = await testApp({}, { VIGIL_HEADERS_TIMEOUT_MS: '1000' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const started = performance.now();
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('GET /cds-services HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
        // Keep trickling a byte every 200 ms, as a slow-header attacker does, so only headersTimeout can end it.
        const drip = setInterval(() => socket.write('a'), 200);
        socket.on('close', () => {
          clearInterval(drip);
          resolve(performance.now() - started);
        });
      });
      socket.on('error', () => undefined);
      setTimeout(() => reject(new Error('still open after 8 s')), 8000).unref();
    });
    await app.close();
    // Node alone would check every 30 s, and the trickle keeps the 10 s connection timeout from firing:
    // closing within a few seconds proves the 1 s headers timeout did it (the margin is for a loaded machine).
    expect(closedAfter).toBeGreaterThan(900);
    expect(closedAfter).toBeLessThan(4000);
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After once a client spends its budget, on unknown paths too', async () => {
    const app = await testApp({}, { VIGIL_RATE_LIMIT_MAX: '5' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await app.inject({ method: 'GET', url: `/no-such-path-${i}` })).statusCode);
    const limited = await app.inject({ method: 'GET', url: '/cds-services' });
    const probe = await app.inject({ method: 'GET', url: '/healthz' });
    await app.close();
    expect(statuses).toEqual([404, 404, 404, 404, 404]);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.json().issue[0].code).toBe('throttled');
    expect(probe.statusCode).toBe(200);
  });

  it('counts each client address separately', async () => {
    const app = await testApp({}, { VIGIL_RATE_LIMIT_MAX: '2' });
    const from = (ip: string) => app.inject({ method: 'GET', url: '/cds-services', remoteAddress: ip });
    const a = [(await from('10.0.0.1')).statusCode, (await from('10.0.0.1')).statusCode, (await from('10.0.0.1')).statusCode];
    const b = (await from('10.0.0.2')).statusCode;
    await app.close();
    expect(a).toEqual([200, 200, 429]);
    expect(b).toBe(200);
  });
});

describe('request bodies and headers', () => {
  const call = '/cds-services/deterioration-risk';

  it.each([
    ['a text/plain body', { 'content-type': 'text/plain' }, 'hello', 415],
    ['a body over the limit', { 'content-type': 'application/json' }, JSON.stringify({ pad: 'x'.repeat(1100 * 1024) }), 413],
    ['a __proto__ key', { 'content-type': 'application/json' }, '{"hook":"patient-view","__proto__":{"admin":true}}', 400],
    ['a constructor.prototype key', { 'content-type': 'application/json' }, '{"constructor":{"prototype":{"admin":true}}}', 400],
    ['invalid JSON', { 'content-type': 'application/json' }, '{"hook":', 400],
  ])('refuses %s', async (_name, headers, payload, status) => {
    const app = await testApp();
    const res = await app.inject({ method: 'POST', url: call, headers, payload });
    await app.close();
    expect(res.statusCode).toBe(status);
    expect(res.json().resourceType).toBe('OperationOutcome');
    expect(res.body).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
  });

  it('names a forbidden key in feedback too (a route Fastify parses), and keeps an empty body "empty"', async () => {
    const app = await testApp();
    const url = '/cds-services/deterioration-risk/feedback';
    const headers = { 'content-type': 'application/json' };
    const poisoned = await app.inject({ method: 'POST', url, headers, payload: '{"feedback":[],"__proto__":{"admin":true}}' });
    const empty = await app.inject({ method: 'POST', url, headers, payload: '' });
    await app.close();
    expect(poisoned.statusCode).toBe(400);
    expect(poisoned.json().issue[0].diagnostics).toContain('"__proto__"');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().issue[0].diagnostics).toBe('the request body is empty');
  });

  it('sends security headers on every answer, errors included', async () => {
    const app = await testApp();
    const ok = await app.inject({ method: 'GET', url: '/cds-services' });
    const missing = await app.inject({ method: 'GET', url: '/nope' });
    await app.close();
    for (const res of [ok, missing]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
    expect(ok.headers['strict-transport-security']).toBeUndefined();
  });

  it('adds HSTS when the public URL is https', async () => {
    const app = await testApp({}, { VIGIL_PUBLIC_BASE_URL: 'https://vigil.hospital.example' });
    const res = await app.inject({ method: 'GET', url: '/cds-services' });
    await app.close();
    expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
  });
});

describe('silent connections', () => {
  it('closes a connection that never sends a byte after VIGIL_CONNECTION_TIMEOUT_MS', async () => {
    const app = await testApp({}, { VIGIL_CONNECTION_TIMEOUT_MS: '800' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const started = performance.now();
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('close', () => resolve(performance.now() - started));
      socket.on('error', () => undefined);
      setTimeout(() => reject(new Error('still open after 8 s')), 8000).unref();
    });
    await app.close();
    // Without the connection timeout a silent socket is never closed; the margin is for a loaded machine.
    expect(closedAfter).toBeGreaterThan(700);
    expect(closedAfter).toBeLessThan(4000);
  });
});
