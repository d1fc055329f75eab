// The benchmarks' bare baseline: Fastify that does only the unavoidable work of a CDS service (parse
// the same JSON body, with Fastify's default prototype-poisoning checks, and answer a body of the
// same size), no logging. With BASELINE_VERIFY=<public key PEM file> it also checks each call's
// bearer token the cheapest correct way (fast-jwt, the algorithm pinned, signature and expiry):
// the floor for an authenticated call. BASELINE_WORKERS > 1 runs that many node:cluster workers
// on one port, for the two-process comparison. Listens on HOST:PORT like the server.
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createVerifier } from 'fast-jwt';
import Fastify from 'fastify';

const workers = Number(process.env.BASELINE_WORKERS ?? 1);
if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const answerSize = Number(process.env.BASELINE_ANSWER_BYTES ?? 3000);
  const verifyKey = process.env.BASELINE_VERIFY;
  const verify =
    verifyKey === undefined
      ? undefined
      : createVerifier({ key: readFileSync(verifyKey, 'utf8'), algorithms: [process.env.BASELINE_ALG as 'ES384' | 'RS384'], cache: false });
  const app = Fastify({ logger: false });
  const body = JSON.stringify({ cards: [{ summary: 'x'.repeat(Math.max(0, answerSize - 24)) }] });
  const answer = async (
    request: { body: unknown; headers: Record<string, string | string[] | undefined> },
    reply: { code(n: number): unknown; type(t: string): { send(b: string): unknown } },
  ) => {
    if (verify !== undefined) {
      const auth = request.headers.authorization;
      if (typeof auth !== 'string' || !auth.startsWith('Bearer ')) return reply.code(401);
      verify(auth.slice(7));
    }
    if (typeof request.body !== 'object' || request.body === null) throw new Error('no body');
    return reply.type('application/json').send(body);
  };
  app.post('/cds-services/:id', answer);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async () => ({ status: 'ok' }));
  await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
