// The heavy-lane benchmark: what four clients sending 1 MiB hook calls (valid ones: ~1,200 charted
// observations each) do to everyone else's latency, with the heavy lane off (VIGIL_HEAVY_CONCURRENCY
// high enough never to queue) and on (the default: one large call at a time). The real server (as
// `npm start` runs it: its node flags and dist/bundle/server.js; auth off, rate limits out of the
// way) runs in a child process per setting; normal callers' latency is timed per response in
// fractional ms, alone and beside the heavy callers, in alternating rounds (off, on, off, on). Fails
// on any non-2xx answer to a normal caller, and when the lane does not keep the normal callers'
// median within the target. Bounded: ROUNDS x 2 settings x 2 conditions x SECONDS.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fixtureRequestAt } from '../scripts/lib/fixture-time.js';
import { postStatus } from './support.js';
import { productionServerArgs } from './lib/production.js';

const ROOT = join(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const NORMAL_CONNECTIONS = 4;
const HEAVY_CONNECTIONS = 4;
const HEAVY_BYTES = 1000 * 1024;
/** With the lane on, normal callers' median beside the heavy callers stays within this many times their median alone. */
const TARGET_P50_RATIO = 3;

type Fixture = { now: string; request: { prefetch: { vitals: { entry: { resource: Record<string, unknown> }[] } } } };

/** A valid call of about `bytes`: the fixture's vital signs charted again every minute back in time. */
function heavyBody(base: Fixture['request'], bytes: number): string {
  const request = structuredClone(base);
  const entries = request.prefetch.vitals.entry;
  const originals = [...entries];
  const newest = Date.now() - 12 * 60_000;
  for (let i = 0; JSON.stringify(request).length < bytes; i++) {
    const entry = structuredClone(originals[i % originals.length]!);
    entry.resource.id = `bench-heavy-${i}`;
    entry.resource.effectiveDateTime = new Date(newest - (i + 1) * 60_000).toISOString();
    entries.push(entry);
  }
  return JSON.stringify(request);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function startVigil(env: Record<string, string>, dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, productionServerArgs(), {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      VIGIL_AUTH: 'off',
      VIGIL_LOG_LEVEL: 'error',
      VIGIL_DATA_DIR: dataDir,
      VIGIL_RATE_LIMIT_MAX: '10000000',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 100; i += 1) {
    const up = await new Promise<boolean>((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: '/healthz' }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        })
        .on('error', () => resolve(false));
    });
    if (up) return { child, port };
    await sleep(100);
  }
  child.kill();
  throw new Error('Vigil did not start within 10 s (is it built? npm run build)');
}

function post(agent: http.Agent, port: number, body: string): Promise<number> {
  return postStatus(agent, port, '/cds-services/deterioration-risk', body);
}

interface Load {
  normal: number[];
  heavyDone: number;
  heavyBusy: number;
}

/** Normal callers (and, when asked, heavy callers) for `seconds`; normal latencies in fractional ms. */
async function load(port: number, normalBody: string, heavy: string | undefined, seconds: number): Promise<Load> {
  const until = performance.now() + seconds * 1000;
  const result: Load = { normal: [], heavyDone: 0, heavyBusy: 0 };
  const normalAgent = new http.Agent({ keepAlive: true, maxSockets: NORMAL_CONNECTIONS });
  const heavyAgent = new http.Agent({ keepAlive: true, maxSockets: HEAVY_CONNECTIONS });
  const normalCaller = async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const status = await post(normalAgent, port, normalBody);
      if (status < 200 || status >= 300) throw new Error(`a normal caller got ${status}`);
      result.normal.push(performance.now() - t0);
    }
  };
  const heavyCaller = async (body: string) => {
    while (performance.now() < until) {
      const status = await post(heavyAgent, port, body);
      if (status === 503) {
        result.heavyBusy += 1; // the lane turned it away: by design, with Retry-After
        await sleep(100);
      } else if (status >= 200 && status < 300) {
        result.heavyDone += 1;
      } else {
        throw new Error(`a heavy caller got ${status}`);
      }
    }
  };
  await Promise.all([
    ...Array.from({ length: NORMAL_CONNECTIONS }, normalCaller),
    ...(heavy === undefined ? [] : Array.from({ length: HEAVY_CONNECTIONS }, () => heavyCaller(heavy))),
  ]);
  normalAgent.destroy();
  heavyAgent.destroy();
  return result;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(2);
};

const fixture = JSON.parse(readFileSync(join(ROOT, 'cards-fixtures', 'deterioration-risk', 'news2-high-critical.json'), 'utf8')) as Fixture;
// The server reads the real clock: the fixture's times are moved to now.
const request = fixtureRequestAt(fixture, new Date());
const normalBody = JSON.stringify(request);
const heavy = heavyBody(request, HEAVY_BYTES);

const settings = { off: { VIGIL_HEAVY_CONCURRENCY: '1000', VIGIL_HEAVY_QUEUE: '1000', VIGIL_HEAVY_SHARE: '1' }, on: {} } as const;
const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-heavy-'));
const servers = {
  off: await startVigil(settings.off, join(dataDir, 'off')),
  on: await startVigil(settings.on, join(dataDir, 'on')),
};
const samples = {
  off: { alone: [] as number[], beside: [] as number[], heavyDone: 0, heavyBusy: 0 },
  on: { alone: [] as number[], beside: [] as number[], heavyDone: 0, heavyBusy: 0 },
};
try {
  for (const name of ['off', 'on'] as const) await load(servers[name].port, normalBody, heavy, 1); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of ['off', 'on'] as const) {
      const alone = await load(servers[name].port, normalBody, undefined, SECONDS);
      const beside = await load(servers[name].port, normalBody, heavy, SECONDS);
      samples[name].alone.push(...alone.normal);
      samples[name].beside.push(...beside.normal);
      samples[name].heavyDone += beside.heavyDone;
      samples[name].heavyBusy += beside.heavyBusy;
    }
  }
} finally {
  for (const s of Object.values(servers)) s.child.kill('SIGTERM');
  await Promise.all(Object.values(servers).map((s) => new Promise((r) => s.child.once('exit', r))));
  rmSync(dataDir, { recursive: true, force: true });
}

const summary = (name: 'off' | 'on') => {
  const s = samples[name];
  return {
    normalAlone: { p50Ms: pct(s.alone, 50), p99Ms: pct(s.alone, 99), calls: s.alone.length },
    normalBesideHeavy: { p50Ms: pct(s.beside, 50), p99Ms: pct(s.beside, 99), calls: s.beside.length },
    heavyAnsweredPerSecond: +(s.heavyDone / (ROUNDS * SECONDS)).toFixed(1),
    heavyTurnedAway503: s.heavyBusy,
  };
};
const result = {
  heavyBodyBytes: heavy.length,
  normalConnections: NORMAL_CONNECTIONS,
  heavyConnections: HEAVY_CONNECTIONS,
  rounds: ROUNDS,
  secondsPerCondition: SECONDS,
  laneOff: summary('off'),
  laneOn: summary('on'),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
const ratio = result.laneOn.normalBesideHeavy.p50Ms / result.laneOn.normalAlone.p50Ms;
if (ratio > TARGET_P50_RATIO) {
  process.stderr.write(
    `target missed: with the heavy lane on, normal p50 beside heavy callers is ${ratio.toFixed(1)}x alone (target ${TARGET_P50_RATIO}x)\n`,
  );
  process.exit(1);
}
process.stdout.write(`heavy lane target met: normal p50 beside heavy callers ${ratio.toFixed(1)}x alone (target ≤ ${TARGET_P50_RATIO}x)\n`);
