// Start-up with a busy day's audit trail: the real server, started as `npm start` starts it (the
// shipped model, auth off), on an empty data directory and on one holding a 300,000-record day (~230 MB),
// alternately, ROUNDS times each. Reported: time from spawn to the first 200 from /readyz, the
// server's own boot time (bootMs: configuration to listening), and resident memory once the issued
// cards have been rebuilt from the trail. The target (issue 13): ready in under a second after the
// start, on either directory; it fails when either median reaches it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAuditDay } from '../scripts/lib/audit-trail-fixture.js';
import { productionServerArgs } from './lib/production.js';
import { setTimeout as sleep } from 'node:timers/promises';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RECORDS = 300_000;
const READY_TARGET_MS = 1000;

interface Start {
  readyMs: number;
  bootMs: number;
  rssMb: number;
}

async function start(dataDir: string): Promise<Start> {
  const started = performance.now();
  const child = spawn(process.execPath, productionServerArgs(), {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      VIGIL_AUTH: 'off',
      VIGIL_LOG_LEVEL: 'info',
      VIGIL_DATA_DIR: dataDir,
      VIGIL_AUDIT_HMAC_KEY: 'bench-only-audit-key-0123456789abcdef',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const listening = await new Promise<{ address: string; bootMs: number }>((resolve, reject) => {
      let buffered = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        for (const line of buffered.split('\n')) {
          if (line.includes('"Vigil is listening"')) resolve(JSON.parse(line) as { address: string; bootMs: number });
        }
        buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
      });
      child.once('exit', (code) => reject(new Error(`the server exited (${code}): is it built? npm run build`)));
    });
    let readyMs = 0;
    for (let i = 0; i < 200 && readyMs === 0; i++) {
      const status = await fetch(new URL('/readyz', listening.address)).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) readyMs = performance.now() - started;
      else await sleep(25);
    }
    // Memory once the background rebuild of the issued cards has had time to finish.
    await sleep(4000);
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
    return { readyMs: Math.round(readyMs), bootMs: listening.bootMs, rssMb: Math.round(kb / 1024) };
  } finally {
    child.kill('SIGKILL');
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const empty = mkdtempSync(join(tmpdir(), 'vigil-bench-start-empty-'));
const busy = mkdtempSync(join(tmpdir(), 'vigil-bench-start-busy-'));
try {
  const now = new Date();
  const { bytes } = await writeAuditDay(busy, now.toISOString().slice(0, 10), RECORDS, now);
  const runs = { empty: [] as Start[], busy: [] as Start[] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.empty.push(await start(empty));
    runs.busy.push(await start(busy));
  }
  const summary = (r: Start[]) => ({
    readyMs: median(r.map((s) => s.readyMs)),
    bootMs: median(r.map((s) => s.bootMs)),
    rssMb: median(r.map((s) => s.rssMb)),
  });
  const result = {
    records: RECORDS,
    trailMb: Math.round(bytes / 1024 / 1024),
    rounds: ROUNDS,
    emptyTrail: summary(runs.empty),
    busyTrail: summary(runs.busy),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  const slower = result.busyTrail.readyMs - result.emptyTrail.readyMs;
  const verdict = `ready ${result.emptyTrail.readyMs} ms after the start, ${result.busyTrail.readyMs} ms with a ${RECORDS}-record day (${slower} ms later; target < ${READY_TARGET_MS} ms for both)`;
  if (Math.max(result.emptyTrail.readyMs, result.busyTrail.readyMs) >= READY_TARGET_MS) {
    process.stderr.write(`start-up target missed: ${verdict}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`start-up target met: ${verdict}\n`);
  }
} finally {
  rmSync(empty, { recursive: true, force: true });
  rmSync(busy, { recursive: true, force: true });
}
