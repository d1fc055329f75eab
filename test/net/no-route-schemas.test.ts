// Fastify without its schema compilers (src/net/no-route-schemas.ts): answers are still serialised as
// JSON, and a route that declares a schema stops the start with a message that says why.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { NO_ROUTE_SCHEMAS } from '../../src/net/no-route-schemas.js';

describe('a server that declares no route schemas', () => {
  it('answers objects as JSON and parses JSON bodies', async () => {
    const app = Fastify({ schemaController: NO_ROUTE_SCHEMAS });
    app.post('/echo', async (request) => ({ got: request.body }));
    const res = await app.inject({ method: 'POST', url: '/echo', payload: { a: [1, 'two'] } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ got: { a: [1, 'two'] } });
    await app.close();
  });

  it('refuses to start with a route that declares a schema, saying requests are checked with zod', async () => {
    const app = Fastify({ schemaController: NO_ROUTE_SCHEMAS });
    app.post('/checked', { schema: { body: { type: 'object' } } }, async () => ({}));
    await expect(app.ready()).rejects.toThrow(/no Fastify route schemas: requests are checked with zod/);
    await app.close().catch(() => {});
  });
});
