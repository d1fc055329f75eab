// The benchmarks' bare baseline: Fastify that does only the unavoidable work of a CDS service (parse
// the same JSON body, with Fastify's default prototype-poisoning checks, and answer a body of the
// same size), no logging. With BASELINE_VERIFY=<public key PEM file> it also checks each call's
// bearer token the cheapest correct way (fast-jwt, the algorithm pinned, signature and expiry):
// the floor for an authenticated call. BASELINE_WORKERS > 1 runs that many node:cluster workers
// on one port, for the two-process comparison. With BASELINE_FETCH=true it also makes, per call, the
// FHIR searches Vigil makes when a call carries no prefetch (the patient-view templates, resolved
// for the call's patient, against the call's fhirServer, in parallel through undici's `request` on
// a keep-alive Agent, as src/fhir-client/fhir-fetcher.ts does) and parses each answer: the floor for
// the missing-prefetch scenario, which the plain bare server (fetching nothing) is not.
// Listens on HOST:PORT like the server.
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createVerifier } from 'fast-jwt';
import Fastify from 'fastify';
import { Agent } from 'undici';
import { PATIENT_RISK_PREFETCH } from '../src/prefetch/templates.js';

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
  const fetchSearches = process.env.BASELINE_FETCH === 'true' ? fetcher() : undefined;
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
    if (fetchSearches !== undefined) await fetchSearches(request.body);
    return reply.type('application/json').send(body);
  };
  app.post('/cds-services/:id', answer);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async () => ({ status: 'ok' }));
  await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

interface FetchCall {
  fhirServer?: unknown;
  context?: { patientId?: unknown };
}

/** Every patient-view search for the call's patient, in parallel; each answer read and parsed. */
function fetcher(): (call: FetchCall) => Promise<void> {
  const agent = new Agent();
  const templates = Object.values(PATIENT_RISK_PREFETCH);
  const search = async (base: URL, path: string): Promise<void> => {
    const res = await agent.request({
      origin: base.origin,
      path: `${base.pathname}/${path}`,
      method: 'GET',
      headers: { accept: 'application/fhir+json', authorization: 'Bearer bench-token' },
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`FHIR search answered ${res.statusCode}`);
    JSON.parse(text);
  };
  return async (call) => {
    if (typeof call.fhirServer !== 'string' || typeof call.context?.patientId !== 'string') throw new Error('no fhirServer or patientId');
    const base = new URL(call.fhirServer);
    const patientId = encodeURIComponent(call.context.patientId);
    // As Vigil sends them: a token search's bar encoded (src/fhir-client/resolve-template.ts queryUrl).
    await Promise.all(templates.map((t) => search(base, t.replaceAll('{{context.patientId}}', patientId).replaceAll('|', '%7C'))));
  };
}
