// The benchmark's baseline, run in a child process: bare Fastify that parses the same body and
// answers a body of the same size (the unavoidable work), no logging. Reports its port over IPC.
import Fastify from 'fastify';

const answerSize = Number(process.argv[3] ?? 2000);
const app = Fastify({ logger: false });
const body = JSON.stringify({ cards: [{ summary: 'x'.repeat(Math.max(0, answerSize - 30)) }] });
app.post('/cds-services/:id', async (request, reply) => {
  if (typeof request.body !== 'object' || request.body === null) throw new Error('no body');
  return reply.type('application/json').send(body);
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
process.on('message', (msg) => {
  if (msg === 'stop') void app.close().then(() => process.exit(0));
});
