// Where hook call bodies are digested (digest.ts): on worker threads, so the JSON parsing, validation
// and normalisation that are most of a call's CPU run on the machine's other cores while the event
// loop keeps answering. Everything with state (models, audit trail, issued cards, replay cache,
// repeat-card state, rate limits, metrics) stays in this one process, so no store has to be shared
// across processes to stay correct. Small bodies are digested inline: below OFFLOAD_MIN_BYTES the
// round trip (two structured clones, a thread switch) costs more than it saves. A worker that dies
// fails only the calls it held (500, as any unexpected error) and is replaced.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CdsServiceDefinition, PrepareSettings } from '../hooks/definition.js';
import { SERVICES } from '../hooks/index.js';
import { digestCall, type Digest } from './digest.js';

export interface Digester {
  digest(def: CdsServiceDefinition, body: string, nowMs: number): Promise<Digest>;
  /** Waits for the calls being digested, then stops the threads. */
  close(): Promise<void>;
}

/** Digests on the calling thread: tests, and a deployment that asked for no threads. */
export function inlineDigester(settings: PrepareSettings): Digester {
  return {
    digest: async (def, body, nowMs) => digestCall(def, body, nowMs, settings),
    close: async () => {},
  };
}

/**
 * Bodies below this are digested inline. Measured on the SYNTHETIC ward bodies (bench/profile.ts): a
 * 49 KiB patient-view body costs ~0.45 ms to digest and ~0.04 ms to hand to a thread and back; a
 * 2 KiB order-select call without vitals costs less to digest than to hand over.
 */
export const OFFLOAD_MIN_BYTES = 8 * 1024;

/** `auto`: one thread per core beside the one running the event loop, at least one. */
export function digestThreads(setting: number | 'auto'): number {
  return setting === 'auto' ? Math.max(1, availableParallelism() - 1) : setting;
}

export interface DigestRequest {
  id: number;
  service: string;
  body: string;
  nowMs: number;
}

export type DigestReply = { id: number; digest: Digest } | { id: number; error: string };

interface Pending {
  resolve: (d: Digest) => void;
  reject: (e: Error) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * A digest thread beside this module: the built `.js` when run from dist/, or, when run from sources
 * through tsx (the tests' spawned servers, `npm run dev`), the `.ts` loaded through tsx's own API:
 * on Node 20 a worker does not take `--import tsx` from execArgv before its first module.
 */
function newDigestThread(settings: PrepareSettings): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  if (!fromSources) return new Worker(new URL('./digest-worker.js', import.meta.url), { workerData: { settings } });
  const script = new URL('./digest-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(script)}, ${JSON.stringify(import.meta.url)}));`;
  return new Worker(boot, { eval: true, workerData: { settings } });
}

const KNOWN = new Map(SERVICES.map((s) => [s.id, s]));

export class DigestPool implements Digester {
  private readonly threads: Thread[] = [];
  private readonly settings: PrepareSettings;
  private readonly inline: Digester;
  private nextId = 1;
  private closing = false;

  constructor(options: { threads: number; settings: PrepareSettings }) {
    this.settings = options.settings;
    this.inline = inlineDigester(options.settings);
    for (let i = 0; i < options.threads; i++) this.threads.push(this.start());
  }

  get size(): number {
    return this.threads.length;
  }

  digest(def: CdsServiceDefinition, body: string, nowMs: number): Promise<Digest> {
    // Small bodies, and services the threads do not host (a test's own), are digested here.
    if (this.threads.length === 0 || body.length < OFFLOAD_MIN_BYTES || KNOWN.get(def.id) !== def)
      return this.inline.digest(def, body, nowMs);
    const thread = this.leastBusy();
    const id = this.nextId++;
    return new Promise<Digest>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      const request: DigestRequest = { id, service: def.id, body, nowMs };
      thread.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    // Calls in flight finished before the app closed; anything still pending is answered first.
    await Promise.all(
      this.threads.map(async (t) => {
        while (t.pending.size > 0) await new Promise((r) => setTimeout(r, 5));
        await t.worker.terminate();
      }),
    );
  }

  private leastBusy(): Thread {
    let best = this.threads[0]!;
    for (const t of this.threads) if (t.pending.size < best.pending.size) best = t;
    return best;
  }

  private start(): Thread {
    const worker = newDigestThread(this.settings);
    const thread: Thread = { worker, pending: new Map() };
    worker.on('message', (reply: DigestReply) => {
      const pending = thread.pending.get(reply.id);
      if (pending === undefined) return;
      thread.pending.delete(reply.id);
      if ('error' in reply) pending.reject(new Error(reply.error));
      else pending.resolve(reply.digest);
    });
    const fail = (err: Error) => {
      for (const p of thread.pending.values()) p.reject(err);
      thread.pending.clear();
      const i = this.threads.indexOf(thread);
      if (i >= 0 && !this.closing) this.threads[i] = this.start();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closing) fail(new Error(`digest thread exited (${code})`));
    });
    // An idle pool must not keep the process alive on its own.
    worker.unref();
    return thread;
  }
}
