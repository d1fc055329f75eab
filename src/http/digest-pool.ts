// Where hook call bodies are digested (digest.ts): on worker threads, so the JSON parsing, validation
// and normalisation that are most of a call's CPU run on the machine's other cores while the event
// loop keeps answering. Everything with state (models, audit trail, issued cards, replay cache,
// repeat-card state, rate limits, metrics) stays in this one process, so no store has to be shared
// across processes to stay correct. Small bodies are digested inline: below OFFLOAD_MIN_BYTES the
// round trip (a message each way: the body's memory handed over, the digest cloned back; a thread
// switch) costs more than it saves. A worker that dies fails only the calls it held (500, as any
// unexpected error) and is replaced; bodies still waiting go to its replacement or the event loop.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CdsServiceDefinition, PrepareSettings } from '../hooks/definition.js';
import { SERVICES } from '../hooks/index.js';
import { digestBytes, type Digest } from './digest.js';

export interface Digester {
  /** `body`: the call's bytes as received. A thread may take them over: the caller must not read them after. */
  digest(def: CdsServiceDefinition, body: Uint8Array, nowMs: number): Promise<Digest>;
  /** Waits for the calls being digested, then stops the threads. */
  close(): Promise<void>;
}

/** Digests on the calling thread: tests, and a deployment that asked for no threads. */
export function inlineDigester(settings: PrepareSettings): Digester {
  return {
    digest: async (def, body, nowMs) => digestBytes(def, body, nowMs, settings),
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
  /** The body's bytes, their memory handed over (transferred), not copied. */
  body: Uint8Array;
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

/**
 * Bodies a thread holds at once: the one it is digesting and the next, so it never waits for the event
 * loop to hand it work. The rest wait here, where the event loop can take one itself.
 */
export const HELD_PER_THREAD = 2;

/**
 * Bodies at most this large may be digested by the event loop when it has nothing else to do (~0.3 ms
 * for a 49 KiB patient-view body, ~1.5 ms for 193 KiB: 48 hours of hourly vital signs). Larger ones,
 * the heavy lane's by default (VIGIL_HEAVY_BODY_BYTES, 256 KiB), always wait for a thread: a megabyte
 * of JSON would hold the event loop, and every other caller, for several milliseconds. A lower bound
 * (128 KiB until the thirteenth pass) left bodies between it and the heavy lane to the one thread
 * while the event loop idled: 193 KiB bodies at 0.76× the bare server, 0.95× with this bound, p99
 * 1.23× → 1.00× (bench/RESULTS.md).
 */
export const SHARE_MAX_BYTES = 256 * 1024;

/**
 * The event loop takes the oldest waiting body of at most this size first, and a larger one only
 * when none waits. The event loop is the busier of the two (it does everything else a call needs),
 * so with calls of mixed sizes it takes the cheap ones and leaves the expensive ones to the thread.
 * Side by side on a mix of one 193 KiB call to three 49 KiB ones (bench/RESULTS.md, thirteenth
 * pass): the oldest whatever its size 0.80×, 0.88×, 0.85× the bare server; these first 0.90×, 0.90×;
 * the build that never shared bodies over 128 KiB 0.86–0.92×. On calls all of 193 KiB, 0.96× and
 * 0.97× either way. Ward-sized calls (~49 KiB) are all below it: taken oldest first, as before.
 */
export const SHARE_FIRST_MAX_BYTES = 128 * 1024;

interface Job {
  def: CdsServiceDefinition;
  body: Uint8Array;
  nowMs: number;
  resolve: (d: Digest) => void;
  reject: (e: Error) => void;
}

/**
 * Digest threads sharing one queue with the event loop. Each thread is handed at most HELD_PER_THREAD
 * bodies; the others wait in arrival order. Whenever the event loop has dealt with the events ready
 * for it (a `setImmediate`), it digests the oldest waiting body that is small enough itself. Calls
 * arrive in bursts (an audit write answers several at once, and their callers' next calls arrive
 * together): handing every body to the thread left it the busier of the two and cost a hand-over
 * each way per call. Measured side by side (bench/RESULTS.md, seventh pass): +0.03–0.04 of the bare
 * server's throughput, the p99 unchanged.
 */
export class DigestPool implements Digester {
  private readonly threads: Thread[] = [];
  private readonly settings: PrepareSettings;
  private readonly inline: Digester;
  private readonly waiting: Job[] = [];
  /** The largest body the event loop digests itself, and the largest it takes first. */
  private readonly shareMaxBytes: number;
  private readonly shareFirstMaxBytes: number;
  private shareScheduled = false;
  /** Bodies digested so far, by where: on a thread or on the event loop (its turn in the queue). */
  readonly digested = { threads: 0, eventLoop: 0 };
  private nextId = 1;
  private closing = false;

  /** `shareMaxBytes`: at most SHARE_MAX_BYTES (larger values are lowered to it). */
  constructor(options: { threads: number; settings: PrepareSettings; shareMaxBytes?: number }) {
    this.settings = options.settings;
    this.shareMaxBytes = Math.min(options.shareMaxBytes ?? SHARE_MAX_BYTES, SHARE_MAX_BYTES);
    this.shareFirstMaxBytes = Math.min(SHARE_FIRST_MAX_BYTES, this.shareMaxBytes);
    this.inline = inlineDigester(options.settings);
    for (let i = 0; i < options.threads; i++) this.threads.push(this.start());
  }

  get size(): number {
    return this.threads.length;
  }

  digest(def: CdsServiceDefinition, body: Uint8Array, nowMs: number): Promise<Digest> {
    // Small bodies, and services the threads do not host (a test's own), are digested here.
    if (this.threads.length === 0 || body.byteLength < OFFLOAD_MIN_BYTES || KNOWN.get(def.id) !== def)
      return this.inline.digest(def, body, nowMs);
    return new Promise<Digest>((resolve, reject) => {
      this.waiting.push({ def, body, nowMs, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    // Calls in flight finished before the app closed; anything still waiting or held is answered first.
    while (this.waiting.length > 0 || this.threads.some((t) => t.pending.size > 0)) await new Promise((r) => setTimeout(r, 5));
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  /** Hands waiting bodies to threads with room; leaves the rest for a thread or the event loop. */
  private dispatch(): void {
    for (const thread of this.threads) {
      while (thread.pending.size < HELD_PER_THREAD && this.waiting.length > 0) this.send(thread, this.waiting.shift()!);
    }
    // A turn only when a waiting body is one the event loop may take: with only larger ones waiting,
    // a turn would find nothing and schedule the next, spinning the event loop at full CPU (on the core
    // the thread needs) until the thread is free. Measured on 193 KiB bodies (bench/RESULTS.md,
    // thirteenth pass): the event loop's CPU per call 1,678 µs → 598 µs, 0.69× → 0.80× the bare server.
    if (!this.shareScheduled && this.waiting.some(this.isShareable)) {
      this.shareScheduled = true;
      setImmediate(this.share);
    }
  }

  /** True when the event loop may digest the body itself. */
  private readonly isShareable = (job: Job): boolean => job.body.byteLength <= this.shareMaxBytes;

  /** The event loop's turn: the oldest waiting body small enough (SHARE_FIRST_MAX_BYTES first), digested here. */
  private readonly share = (): void => {
    this.shareScheduled = false;
    const cheap = this.waiting.findIndex((job) => job.body.byteLength <= this.shareFirstMaxBytes);
    const i = cheap >= 0 ? cheap : this.waiting.findIndex(this.isShareable);
    if (i >= 0) {
      const job = this.waiting.splice(i, 1)[0]!;
      this.digested.eventLoop += 1;
      try {
        job.resolve(digestBytes(job.def, job.body, job.nowMs, this.settings));
      } catch (err) {
        job.reject(err instanceof Error ? err : new Error('digest failed'));
      }
    }
    this.dispatch();
  };

  private send(thread: Thread, job: Job): void {
    const id = this.nextId++;
    thread.pending.set(id, { resolve: job.resolve, reject: job.reject });
    const body: Uint8Array<ArrayBuffer> = ownsItsMemory(job.body) ? job.body : new Uint8Array(job.body);
    const request: DigestRequest = { id, service: job.def.id, body, nowMs: job.nowMs };
    // Handing the memory over costs ~10 µs of the event loop's time for a 49 KiB body; copying it as
    // text (what was sent before) ~20 µs, and decoding it to text first another ~8 (bench/RESULTS.md).
    thread.worker.postMessage(request, [body.buffer]);
  }

  private start(): Thread {
    const worker = newDigestThread(this.settings);
    const thread: Thread = { worker, pending: new Map() };
    worker.on('message', (reply: DigestReply) => {
      const pending = thread.pending.get(reply.id);
      if (pending === undefined) return;
      thread.pending.delete(reply.id);
      this.digested.threads += 1;
      if ('error' in reply) pending.reject(new Error(reply.error));
      else pending.resolve(reply.digest);
      this.dispatch();
    });
    const fail = (err: Error) => {
      for (const p of thread.pending.values()) p.reject(err);
      thread.pending.clear();
      const i = this.threads.indexOf(thread);
      if (i < 0) return;
      if (!this.closing) {
        this.threads[i] = this.start();
        // Bodies still waiting go to the new thread (or the event loop).
        this.dispatch();
        return;
      }
      // Dying while the pool closes: nothing more is sent to it, and what still waits fails with it
      // rather than keep `close` waiting for a thread that will not answer.
      this.threads.splice(i, 1);
      for (const job of this.waiting.splice(0)) job.reject(err);
    };
    // A reply the event loop cannot read (it recurses deeper than the event loop's stack allows: see
    // src/lang/nesting.ts) arrives as 'messageerror', which names no call. The thread answers in the
    // order it was sent bodies, so it is the oldest call this thread holds: that call fails (500, as
    // any unexpected error) instead of waiting for ever, and so does nothing else.
    worker.on('messageerror', () => {
      const oldest = thread.pending.keys().next();
      if (oldest.done === true) return;
      const pending = thread.pending.get(oldest.value)!;
      thread.pending.delete(oldest.value);
      pending.reject(new Error('digest reply could not be read'));
      this.dispatch();
    });
    worker.on('error', fail);
    // Also while closing: a thread that dies then must still fail what it held. The threads `close`
    // itself stops hold nothing by then.
    worker.on('exit', (code) => fail(new Error(`digest thread exited (${code})`)));
    // An idle pool must not keep the process alive on its own.
    worker.unref();
    return thread;
  }
}

/**
 * True when the bytes are the whole of their memory, so handing it to a thread takes nothing else
 * with it. A body Fastify gathered is (Buffer.concat allocates it); a view into a shared pool is not.
 */
function ownsItsMemory(bytes: Uint8Array): bytes is Uint8Array<ArrayBuffer> {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
}
