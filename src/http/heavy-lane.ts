// A few expensive calls must not starve the rest. Node answers on one event loop, and a 1 MiB hook call
// costs ~15–20 ms of it (parsing, validating and normalising some 1,200 observations) in blocks that
// nothing else can interleave with; four clients sending such calls back to back pushed every other
// caller's median from ~3 ms to ~65 ms (npm run bench:heavy). So requests with a large body (more than
// VIGIL_HEAVY_BODY_BYTES, or of unknown length) take one of VIGIL_HEAVY_CONCURRENCY slots before their
// body is read, and wait for one, body unread, otherwise. A slot alone still let large calls run back
// to back (median ~18 ms): so after each, its slot rests in proportion to how long it was held, which
// keeps large calls to about VIGIL_HEAVY_SHARE of the time. A waiting request that gets no slot within
// VIGIL_HEAVY_WAIT_MS, or finds VIGIL_HEAVY_QUEUE others already waiting, is answered 503 with
// Retry-After. Ordinary calls never wait here.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { VigilError } from '../errors.js';

/** 503: too many large requests at once; the body was not read. */
export class BusyError extends VigilError {
  constructor() {
    super(
      'VIGIL_BUSY',
      'too many large requests at once',
      [
        {
          severity: 'error',
          code: 'too-costly',
          diagnostics: 'too many large requests are being processed: retry shortly, or send less data',
        },
      ],
      { retryAfterSeconds: 1 },
    );
  }
}

export type HeavyLaneConfig = Pick<
  Config,
  'VIGIL_HEAVY_BODY_BYTES' | 'VIGIL_HEAVY_CONCURRENCY' | 'VIGIL_HEAVY_WAIT_MS' | 'VIGIL_HEAVY_QUEUE' | 'VIGIL_HEAVY_SHARE'
>;

/** How long a slot rests after being held `heldMs`, so that holding stays about `share` of the time. */
export function restAfter(heldMs: number, share: number): number {
  return share >= 1 ? 0 : (heldMs * (1 - share)) / share;
}

/** True when the request's body is larger than `maxBytes`, or its length is not declared (chunked). */
export function isHeavy(headers: FastifyRequest['headers'], maxBytes: number): boolean {
  const length = headers['content-length'];
  if (length === undefined) return headers['transfer-encoding'] !== undefined;
  const bytes = Number(length);
  return !Number.isFinite(bytes) || bytes > maxBytes;
}

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout;
}

export class HeavyLane {
  private readonly config: HeavyLaneConfig;
  private inUse = 0;
  private readonly waiting: Waiter[] = [];
  private readonly onBusy: (() => void) | undefined;

  constructor(config: HeavyLaneConfig, onBusy?: () => void) {
    this.config = config;
    this.onBusy = onBusy;
  }

  /** Slots in use and requests waiting, for tests and metrics. */
  get state(): { inUse: number; waiting: number } {
    return { inUse: this.inUse, waiting: this.waiting.length };
  }

  /** preParsing: large bodies take a slot first (waiting if need be); the slot is freed when the exchange ends. */
  readonly admit = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!isHeavy(request.headers, this.config.VIGIL_HEAVY_BODY_BYTES)) return;
    await this.acquire(request);
    // The rest is for the event loop's time, which starts once the body is in: the time a client
    // takes to send it is not. Counted from the slot's grant, a 6 KB body trickled over 9 s shut
    // large calls out for ~36 s (found by fuzzing, 2026-11-29); the slot is still held while it arrives.
    let workSince = performance.now();
    request.raw.once('end', () => (workSince = performance.now()));
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const rest = restAfter(performance.now() - workSince, this.config.VIGIL_HEAVY_SHARE);
      if (rest < 1) this.release();
      else setTimeout(() => this.release(), rest).unref();
    };
    // 'close' fires once the answer is sent or the connection is gone, whichever comes first.
    reply.raw.once('close', release);
    if (reply.raw.destroyed) release();
  };

  private acquire(request: FastifyRequest): Promise<void> {
    if (this.inUse < this.config.VIGIL_HEAVY_CONCURRENCY) {
      this.inUse += 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.config.VIGIL_HEAVY_QUEUE) {
      this.onBusy?.();
      return Promise.reject(new BusyError());
    }
    return new Promise<void>((resolve, reject) => {
      const leave = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        clearTimeout(waiter.timer);
        request.raw.socket?.off('close', gone);
      };
      const gone = () => {
        leave();
        reject(new BusyError()); // nobody is left to read it; the error is never sent
      };
      const waiter: Waiter = {
        grant: () => {
          leave();
          resolve();
        },
        timer: setTimeout(() => {
          leave();
          this.onBusy?.();
          reject(new BusyError());
        }, this.config.VIGIL_HEAVY_WAIT_MS),
      };
      this.waiting.push(waiter);
      request.raw.socket?.once('close', gone);
    });
  }

  private release(): void {
    const next = this.waiting[0];
    if (next !== undefined)
      next.grant(); // the slot passes straight on
    else this.inUse -= 1;
  }
}
