// A server for the benchmark, run in a child process: `vigil` (the real app, auth off, no request
// logging, the shipped model) or `baseline` (bare Fastify that parses the same body and answers a
// body of the same size: the unavoidable work). Reports its port, then memory on request, over IPC.
import Fastify from 'fastify';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createScorer } from '../src/models/create-scorer.js';
import { pino } from 'pino';

const kind = process.argv[2];
const answerSize = Number(process.argv[3] ?? 2000);

async function start() {
  if (kind === 'baseline') {
    const app = Fastify({ logger: false });
    const body = JSON.stringify({ cards: [{ summary: 'x'.repeat(Math.max(0, answerSize - 30)) }] });
    app.post('/cds-services/:id', async (request, reply) => {
      if (typeof request.body !== 'object') throw new Error('no body');
      return reply.type('application/json').send(body);
    });
    return app;
  }
  const config = loadConfig({ ...process.env, VIGIL_AUTH: 'off', VIGIL_LOG_LEVEL: 'error', PORT: '0' });
  const log = pino({ level: 'error' });
  const scorer = await createScorer(config, log);
  return buildApp({ config, scorer, logger: log });
}

const app = await start();
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
process.on('message', (msg) => {
  if (msg === 'memory') {
    global.gc?.();
    process.send?.({ memory: process.memoryUsage() });
  }
  if (msg === 'stop') void app.close().then(() => process.exit(0));
});
