// Where a round's CPU went, per call, read from Linux's /proc: every thread of the server's processes
// (a cluster's workers too), the busiest of those threads, this process (the load generator, which
// shares the cores with the server it measures), and what the machine left idle. The busiest thread
// is the one that bounds a server that cannot spread its work: when it is near 100 % busy while the
// machine still has idle time, a call's path on that thread, not the number of cores, sets the
// throughput (bench/RESULTS.md, sixteenth pass). Counters are in clock ticks (1/100 s), so a round
// should last a few seconds for these to mean much.
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: Linux reports CPU time in 1/100 s on every common architecture. */
const MICROSECONDS_PER_TICK = 10_000;

/** Cumulative CPU at one moment, in µs. */
export interface CpuSnapshot {
  /** Per process of the server, threads that have ended included. */
  processes: Map<number, number>;
  /** Per live thread of the server's processes, keyed `pid/tid`. */
  threads: Map<string, number>;
  /** This process (the load generator), user and system. */
  generator: number;
  /** Idle and I/O-wait time of every core together. */
  machineIdle: number;
}

/** A round's CPU per call, in µs; `busiestShare` is the busiest thread's CPU over the round's wall time. */
export interface CpuPerCall {
  server: number;
  busiestThread: number;
  busiestShare: number;
  generator: number;
  machineIdle: number;
}

/** utime + stime of a /proc `stat` line, in µs (fields 14 and 15, counted after the command's closing parenthesis). */
export function cpuOfStatLine(line: string): number {
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * MICROSECONDS_PER_TICK;
}

/** The /proc `stat` file's CPU, or undefined when the process or thread has gone. */
function cpuOfStatFile(path: string): number | undefined {
  try {
    return cpuOfStatLine(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function threadsOf(pid: number, into: Map<string, number>): void {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return; // the process has gone
  }
  for (const tid of tids) {
    const used = cpuOfStatFile(`/proc/${pid}/task/${tid}/stat`);
    if (used !== undefined) into.set(`${pid}/${tid}`, used);
  }
}

function machineIdle(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
  return (Number(cpu[4]) + Number(cpu[5])) * MICROSECONDS_PER_TICK;
}

export function cpuSnapshot(serverPids: readonly number[]): CpuSnapshot {
  const processes = new Map<number, number>();
  const threads = new Map<string, number>();
  for (const pid of serverPids) {
    const used = cpuOfStatFile(`/proc/${pid}/stat`);
    if (used !== undefined) processes.set(pid, used);
    threadsOf(pid, threads);
  }
  const own = process.cpuUsage();
  return { processes, threads, generator: own.user + own.system, machineIdle: machineIdle() };
}

/**
 * What happened between two snapshots, per call. The server's total counts threads that ended in
 * between (a process's own counter keeps them); the busiest thread is one still alive at the end.
 */
export function cpuPerCall(before: CpuSnapshot, after: CpuSnapshot, calls: number, seconds: number): CpuPerCall {
  let server = 0;
  for (const [pid, end] of after.processes) server += end - (before.processes.get(pid) ?? 0);
  let busiest = 0;
  for (const [key, end] of after.threads) busiest = Math.max(busiest, end - (before.threads.get(key) ?? 0));
  return {
    server: server / calls,
    busiestThread: busiest / calls,
    busiestShare: busiest / (seconds * 1e6),
    generator: (after.generator - before.generator) / calls,
    machineIdle: (after.machineIdle - before.machineIdle) / calls,
  };
}
