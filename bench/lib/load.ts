// The benchmarks' load generator and server handling. The generator is lean on purpose: it shares the
// machine's two cores with the servers it measures, so each connection is a raw keep-alive socket
// that writes a request and reads one Content-Length answer at a time (no http.Agent, no
// IncomingMessage per call). Every answer is timed from write to its last byte, in fractional ms,
// and its status checked: anything but 2xx, an error or a timeout fails the run.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Server {
  child: ChildProcess;
  port: number;
  /** Every process serving (a cluster's primary and workers), for memory. */
  pids(): number[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Child pids of a process (a cluster's workers), from /proc. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Resident memory of a process, in MiB. */
export function rssMb(pid: number): number {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

/** GET `path` until it answers 200 (or `ms` passes); resolves with the time waited. */
export async function waitFor200(port: number, path: string, ms = 15_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < ms) {
    const status = await fetch(`http://127.0.0.1:${port}${path}`).then(
      (r) => r.arrayBuffer().then(() => r.status),
      () => 0,
    );
    if (status === 200) return performance.now() - started;
    await sleep(20);
  }
  throw new Error(`no 200 from ${path} on port ${port} within ${ms} ms`);
}

/** Spawns `args` (node flags and a script) with `env`, waits for `readyPath` to answer 200. */
export async function spawnServer(args: string[], env: Record<string, string>, readyPath = '/healthz'): Promise<Server> {
  // A caller that must know the port before the start (a token's audience names it) passes PORT.
  const port = env.PORT !== undefined ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', process.env.BENCH_SERVER_STDOUT === '1' ? 'inherit' : 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([
      waitFor200(port, readyPath),
      exited.then(() => Promise.reject(new Error(`${args.join(' ')} exited before it was ready`))),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    child,
    port,
    pids: () => [child.pid!, ...childrenOf(child.pid!)],
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

export interface Call {
  path: string;
  body: string;
  headers?: Record<string, string>;
}

export interface RoundResult {
  calls: number;
  seconds: number;
  /** Per call, fractional ms. */
  latencies: Float64Array;
  /** Size of the last answer's body. */
  bytes: number;
  /** Status of each non-2xx answer, or the error; empty when every call succeeded. */
  errors: string[];
}

/** One keep-alive connection: sends a request, resolves with the answer's status and body. */
class Connection {
  private socket: net.Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting:
    { resolve: (a: { status: number; body: Buffer }) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;
  private closed: Error | undefined;

  constructor(port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
  }

  request(port: number, call: Call, body: string): Promise<{ status: number; body: Buffer }> {
    if (this.closed !== undefined) return Promise.reject(this.closed);
    let head = `POST ${call.path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
    for (const [k, v] of Object.entries(call.headers ?? {})) head += `${k}: ${v}\r\n`;
    this.socket.write(`${head}\r\n${body}`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error('timeout (10 s)')), 10_000);
      this.waiting = { resolve, reject, timer };
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0 || this.waiting === undefined) return;
    const head = this.buffer.toString('latin1', 0, end);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (length === null) return this.fail(new Error('answer without content-length'));
    const total = end + 4 + Number(length[1]);
    if (this.buffer.length < total) return;
    const status = Number(head.slice(9, 12));
    const body = this.buffer.subarray(end + 4, total);
    this.buffer = this.buffer.length > total ? this.buffer.subarray(total) : Buffer.alloc(0);
    const w = this.waiting;
    this.waiting = undefined;
    clearTimeout(w.timer);
    w.resolve({ status, body });
  }

  private fail(err: Error): void {
    this.closed ??= err;
    const w = this.waiting;
    this.waiting = undefined;
    if (w !== undefined) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }

  close(): void {
    this.closed ??= new Error('closed');
    this.socket.destroy();
  }
}

/**
 * `count` calls over `connections` keep-alive connections, each connection sending its next call as
 * soon as its answer is in. `next(i)` gives the i-th call (a fresh hookInstance, a token, ...);
 * `onAnswer(i, body)`, when given, receives the i-th call's answer (the smoke test checks them).
 */
export async function runRound(
  port: number,
  connections: number,
  count: number,
  next: (i: number) => Call,
  onAnswer?: (i: number, body: Buffer) => void,
): Promise<RoundResult> {
  const latencies = new Float64Array(count);
  const errors: string[] = [];
  let issued = 0;
  let done = 0;
  let bytes = 0;
  const conns = Array.from({ length: connections }, () => new Connection(port));
  const started = performance.now();
  const worker = async (conn: Connection) => {
    while (issued < count && errors.length === 0) {
      const i = issued++;
      const call = next(i);
      const t0 = performance.now();
      try {
        const answer = await conn.request(port, call, call.body);
        latencies[done++] = performance.now() - t0;
        bytes = answer.body.length;
        onAnswer?.(i, answer.body);
        if (answer.status < 200 || answer.status >= 300) errors.push(`HTTP ${answer.status}: ${answer.body.toString('utf8', 0, 300)}`);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
  };
  await Promise.all(conns.map(worker));
  const seconds = (performance.now() - started) / 1000;
  for (const c of conns) c.close();
  return { calls: done, seconds, latencies: latencies.subarray(0, done), bytes, errors };
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export function sortedLatencies(rounds: readonly RoundResult[]): Float64Array {
  const all = new Float64Array(rounds.reduce((n, r) => n + r.latencies.length, 0));
  let at = 0;
  for (const r of rounds) {
    all.set(r.latencies, at);
    at += r.latencies.length;
  }
  return all.sort();
}
