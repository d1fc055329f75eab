// The benchmark's CPU accounting (bench/lib/cpu.ts): what it reads from /proc must name the thread
// that did the work. Asserted on CPU time the test's own threads burn, counted by the kernel, never
// on wall time.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { cpuOfStatLine, cpuPerCall, cpuSnapshot } from '../../bench/lib/cpu.js';

/** This thread's CPU so far, in clock ticks (/proc/thread-self is the thread that reads it). */
function ownTicks(): number {
  return cpuOfStatLine(readFileSync('/proc/thread-self/stat', 'utf8')) / 10_000;
}

/**
 * A thread of this process that, when told a number of clock ticks, spins until its own counter shows
 * that many more, then says so. With `stay`, it waits for more; without, it ends. The thread runs
 * plain JavaScript (eval), not this TypeScript, so it reads its counter as cpuOfStatLine does, inline.
 */
async function spinner(stay: boolean): Promise<Worker> {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const { readFileSync } = require('node:fs');
     const own = () => { const f = readFileSync('/proc/thread-self/stat', 'utf8'); const x = f.slice(f.lastIndexOf(')') + 2).split(' '); return Number(x[11]) + Number(x[12]); };
     parentPort.${stay ? 'on' : 'once'}('message', (ticks) => { const start = own(); while (own() - start < ticks); parentPort.postMessage('done'); });`,
    { eval: true },
  );
  await new Promise((resolve) => worker.once('online', resolve));
  return worker;
}

async function spin(worker: Worker, ticks: number): Promise<void> {
  worker.postMessage(ticks);
  await new Promise((resolve) => worker.once('message', resolve));
}

describe('CPU per call from /proc', () => {
  it('reads utime and stime from a stat line whose command holds spaces and parentheses', () => {
    // Fields after the command: state, ppid, pgrp, session, tty, tpgid, flags, minflt, cminflt, majflt, cmajflt, utime, stime.
    const line = '4242 (node (digest) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 7 0 123';
    expect(cpuOfStatLine(line)).toBe((250 + 75) * 10_000);
  });

  it('names the thread that did the work as the busiest, and counts every thread in the server', async () => {
    const busy = await spinner(true);
    try {
      const before = cpuSnapshot([process.pid]);
      const started = performance.now();
      await spin(busy, 20); // 200 ms on the worker
      const mine = ownTicks();
      while (ownTicks() - mine < 10); // then 100 ms on this thread
      const perCall = cpuPerCall(before, cpuSnapshot([process.pid]), 2, (performance.now() - started) / 1000);

      // Two "calls": per call, half of the worker's 200 ms (not the whole process's 300 ms and more) ...
      expect(perCall.busiestThread).toBeGreaterThanOrEqual(100_000);
      expect(perCall.busiestThread).toBeLessThan(140_000);
      // ... and the server all of its threads: this thread's 100 ms as well.
      expect(perCall.server - perCall.busiestThread).toBeGreaterThanOrEqual(45_000);
      // This process is the generator too here: its own clock counts every thread of it.
      expect(perCall.generator).toBeGreaterThanOrEqual(perCall.server * 0.9);
      expect(perCall.busiestShare).toBeGreaterThan(0);
      expect(perCall.busiestShare).toBeLessThanOrEqual(1.1);
      expect(perCall.machineIdle).toBeGreaterThanOrEqual(0);
    } finally {
      await busy.terminate();
    }
  });

  it('keeps the time of a thread that ended between the two readings in the server', async () => {
    const brief = await spinner(false);
    const ended = new Promise((resolve) => brief.once('exit', resolve));
    const before = cpuSnapshot([process.pid]);
    await spin(brief, 20);
    await ended;
    const perCall = cpuPerCall(before, cpuSnapshot([process.pid]), 1, 1);
    expect(perCall.server).toBeGreaterThanOrEqual(200_000);
    // It is no longer a thread to name.
    expect(perCall.busiestThread).toBeLessThan(200_000);
  });
});
