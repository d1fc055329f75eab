// A digest thread (digest-pool.ts): digests the hook call bodies it is sent, one at a time, and
// answers with the digest. Holds no state between calls.
import { parentPort, workerData } from 'node:worker_threads';
import type { PrepareSettings } from '../hooks/definition.js';
import { SERVICES } from '../hooks/index.js';
import { digestBytes } from './digest.js';
import type { DigestReply, DigestRequest } from './digest-pool.js';

const services = new Map(SERVICES.map((s) => [s.id, s]));
const { settings } = workerData as { settings: PrepareSettings };

parentPort?.on('message', (request: DigestRequest) => {
  let reply: DigestReply;
  try {
    const def = services.get(request.service);
    if (def === undefined) throw new Error('unknown service');
    reply = { id: request.id, digest: digestBytes(def, request.body, request.nowMs, settings) };
  } catch (err) {
    // Answered as any unexpected error is (500); the name only, never data from the body.
    reply = { id: request.id, error: `digest failed: ${err instanceof Error ? err.name : 'error'}` };
  }
  parentPort?.postMessage(reply);
});
