// Refusals made before any route runs (src/http/framework-errors.ts): each an OperationOutcome with the
// security headers, never Fastify's own JSON or an echo of the path (found by fuzzing, 2026-11-29).
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await testApp();
  await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => app.close());

/** Raw bytes to the server, and everything it answers before it closes the connection. */
function raw(request: string): Promise<string> {
  const { port } = app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer in 5 s')));
  });
}

describe('refusals before any route', () => {
  it('answers a path that is not valid URL encoding with an OperationOutcome that does not echo it', async () => {
    const res = await app.inject({ method: 'GET', url: '/cds-services/%ff' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'structure', diagnostics: 'the request path is not valid URL encoding' }],
    });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).not.toContain('%ff');
  });

  it("charges such a request to the caller's budget like any other", async () => {
    const limited = await testApp({}, { VIGIL_RATE_LIMIT_MAX: '2' });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await limited.inject({ method: 'GET', url: '/cds-services/%ff' })).statusCode);
      expect(statuses).toEqual([400, 400, 429]);
    } finally {
      await limited.close();
    }
  });

  it('answers an overlong path segment with 414 and an OperationOutcome', async () => {
    const res = await app.inject({ method: 'POST', url: `/cds-services/${'x'.repeat(150)}/feedback`, payload: {} });
    expect(res.statusCode).toBe(414);
    expect(res.json().resourceType).toBe('OperationOutcome');
    expect(res.body).not.toContain('xxxx');
  });

  it.each([
    ['a header line without a colon', 'GET /healthz HTTP/1.1\r\nHost: x\r\nnonsense\r\n\r\n'],
    [
      'both Content-Length and Transfer-Encoding',
      'POST /cds-services/deterioration-risk HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    ['a bad chunk size', 'POST /cds-services/deterioration-risk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
  ])('answers unreadable HTTP (%s) with 400 and an OperationOutcome, then closes', async (_case, request) => {
    const answer = await raw(request);
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toContain('x-content-type-options: nosniff');
    expect(answer).toContain('Connection: close');
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { resourceType: string; issue: { diagnostics: string }[] };
    expect(body).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'structure', diagnostics: 'the request is not valid HTTP/1.1' }],
    });
  });

  it('answers headers larger than Node accepts with 431 and an OperationOutcome', async () => {
    const answer = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('"resourceType":"OperationOutcome"');
  });
});
