// Where the time goes: the real server as `npm start` runs it (the bundle in dist/bundle/: the
// shipped model, metrics, the fsync'd audit trail; auth off) under load, sampled by V8's CPU profiler
// (`--cpu-prof`), every sample taken while the load ran charged to one stage of the request path by
// the innermost frame that names one (a builtin such as JSON.stringify is charged to its caller). The
// bundle's frames are named by the source files they were joined from, through its source map, so
// the stages read as they do in tsc's module-per-file output. Profile the bundle, not tsc's output:
// what the bundler adds shows only there (esbuild's keepNames cost ~5 % of the event loop's CPU per
// call, invisible in tsc's output; bench/RESULTS.md, eighteenth pass). Printed as a Markdown table,
// with the CPU per call on the main thread, for bench/RESULTS.md. The bare baseline
// (bench/target.ts) is profiled the same way. One process each, so the table is per call, not per core.
//
//   npm run bench:profile                         # 20,000 calls each, SYNTHETIC ward bodies
//   BENCH_PROFILE_CALLS=40000 BENCH_SCENARIO=order-select npm run bench:profile
//   BENCH_PROFILE_TOP=40 BENCH_PROFILE_KEEP=/tmp/prof npm run bench:profile   # top functions; keep the profiles
//   BENCH_SCENARIO=missing-prefetch BENCH_PROFILE_CALLS=3000 BENCH_PROFILE_WARMUP=500 npm run bench:profile
//     # no prefetch: Vigil fetches from the demo FHIR server (bench/lib/fhir-child.ts, its own process)
//   BENCH_VIGIL_DIST=dist BENCH_PROFILE_TARGETS=vigil npm run bench:profile   # tsc's output instead
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  orderSelectCall,
  patientViewCall,
  patientViewFetchCall,
  template,
  ward,
  withFreshInstance,
  type BodyTemplate,
} from './lib/ward.js';
import { runRound, spawnServer, type Server } from './lib/load.js';
import { nameBundleFrames } from './lib/bundle-frames.js';
import { productionServerArgs } from './lib/production.js';
import { startWardFhirServer } from './lib/ward-fhir.js';

const ROOT = join(import.meta.dirname, '..');
const CALLS = Number(process.env.BENCH_PROFILE_CALLS ?? 20_000);
/** As in bench/http.ts: past V8's compiling of the request path, so the profile shows the code that runs. */
const WARMUP = Number(process.env.BENCH_PROFILE_WARMUP ?? 15_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SCENARIO = process.env.BENCH_SCENARIO ?? 'patient-view';
/** USER_HZ: Linux reports CPU time in 1/100 s on every common architecture. */
const CLOCK_TICKS = 100;
const WHO = (process.env.BENCH_PROFILE_TARGETS ?? 'vigil,baseline').split(',');
/** With BENCH_PROFILE_TOP=n, also the n functions with the most self time (to find what to cut). */
const TOP = Number(process.env.BENCH_PROFILE_TOP ?? 0);

interface CallFrame {
  functionName: string;
  url: string;
  /** Where the function starts in `url` (0-based). */
  lineNumber?: number;
  columnNumber?: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Stages in the order the table shows them. */
export const STAGES = [
  'body JSON.parse',
  'request validation',
  'prefetch reading and normalisation',
  'NEWS2 and qSOFA',
  'model',
  'explanation and card building',
  'repeat-card rule',
  'serialisation',
  'audit trail',
  'metrics',
  'rate limiting and heavy lane',
  'logging',
  'authentication',
  'route handler (glue)',
  'HTTP, sockets, Fastify',
  'native (program)',
  'garbage collection',
] as const;
type Stage = (typeof STAGES)[number];

/** The stage a frame names, or undefined to look at its caller. */
function stageOf(frame: CallFrame): Stage | undefined {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)') return 'native (program)';
  if (url === '') return undefined; // builtins: charged to their caller
  const src = /\/dist\/(?:src\/)?([^/]+)\/([^/]+)\.js$/.exec(url);
  if (src !== null) {
    const [, folder, file] = src;
    switch (folder) {
      case 'cds-hooks':
        return 'request validation';
      case 'prefetch':
      case 'fhir':
      case 'fhir-client':
        return 'prefetch reading and normalisation';
      case 'fallback-rules':
        return 'NEWS2 and qSOFA';
      case 'models':
        return 'model';
      case 'explain':
      case 'cards':
      case 'sedation':
      case 'hooks':
      case 'domain':
        return 'explanation and card building';
      case 'suppression':
        return 'repeat-card rule';
      case 'audit':
        return 'audit trail';
      case 'auth':
        return 'authentication';
      case 'observability':
        return file === 'request-log' ? 'logging' : 'metrics';
      case 'http':
        if (file === 'rate-limit' || file === 'heavy-lane' || file === 'hardening') return 'rate limiting and heavy lane';
        if (file === 'cds-routes') return functionName === 'parseCall' ? 'request validation' : 'route handler (glue)';
        if (file === 'digest' && (functionName === 'parseJsonBody' || functionName === 'cannotBePoisoned')) return 'body JSON.parse';
        return 'HTTP, sockets, Fastify';
      case 'identity':
      case 'net':
        return undefined; // used by several stages: charged to the caller
      default:
        return 'route handler (glue)';
    }
  }
  if (/\/dist\/[^/]+\.js$/.test(url)) return 'route handler (glue)'; // app.ts, errors.ts, telemetry.ts
  if (url.includes('/node_modules/zod/')) return 'request validation';
  if (url.includes('/secure-json-parse/') || url.includes('/fastify/lib/content-type-parser')) return 'body JSON.parse';
  if (url.includes('/fast-json-stringify/') || (url.includes('/fastify/lib/reply') && /^(serialize|preSerialization)/.test(functionName)))
    return 'serialisation';
  if (url.includes('/prom-client/')) return 'metrics';
  if (url.includes('/pino/') || url.includes('/pino-std-serializers/') || url.includes('/sonic-boom/')) return 'logging';
  if (url.includes('/onnxruntime') || url.includes('/lru-cache/') || url.includes('/opossum/')) return 'model';
  if (url.includes('/fast-jwt/')) return 'authentication';
  return undefined;
}

/** Sampled milliseconds per stage within [fromUs, toUs] of the profile's clock, idle left out. */
export function stageTimes(profile: CpuProfile, fromUs: number, toUs: number): Map<Stage | 'other', number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageById = new Map<number, Stage | 'other' | 'idle'>();
  const resolve = (id: number): Stage | 'other' | 'idle' => {
    const known = stageById.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    let stage: Stage | 'other' | 'idle';
    if (node.callFrame.functionName === '(idle)' || node.callFrame.functionName === '(root)') stage = 'idle';
    else {
      const own = stageOf(node.callFrame);
      const up = parent.get(id);
      stage = own ?? (up === undefined ? 'other' : resolve(up));
      // Node's own internals (sockets, streams, timers) when nothing above them names a stage.
      if (stage === 'other' || stage === 'idle')
        stage =
          node.callFrame.url.startsWith('node:') || node.callFrame.url.includes('/node_modules/') ? 'HTTP, sockets, Fastify' : 'other';
    }
    stageById.set(id, stage);
    return stage;
  };
  const totals = new Map<Stage | 'other', number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    if (t < fromUs || t > toUs) continue;
    const stage = resolve(profile.samples[i]!);
    if (stage === 'idle') continue;
    // The time a sample stands for: the gap to the next one.
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    totals.set(stage, (totals.get(stage) ?? 0) + dt);
  }
  return totals;
}

/** The `n` functions with the most self time in the window, with the stage they are charged to. */
function topFunctions(profile: CpuProfile, fromUs: number, toUs: number, n: number): string {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    if (t < fromUs || t > toUs) continue;
    const f = byId.get(profile.samples[i]!)!.callFrame;
    if (f.functionName === '(idle)') continue;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}`;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, ms]) => `${((100 * ms) / total).toFixed(1).padStart(5)} %  ${k}`)
    .join('\n');
}

/** One kind of thread's stages (sampled ms in the window) and its CPU per call (ms, from the kernel). */
interface ThreadProfile {
  stages: Map<Stage | 'other', number>;
  cpuMs: number;
}

interface Profiled {
  main: ThreadProfile;
  /** The digest worker threads together (absent for the baseline). */
  digest?: ThreadProfile;
  /** CPU per call of every thread: main, digest threads, libuv (fsync, file writes), V8's GC helpers. */
  allMs: number;
  callsPerSecond: number;
}

async function profileOf(
  name: 'vigil' | 'baseline',
  bodies: BodyTemplate[],
  path: string,
  vigilEnv: Record<string, string> = {},
): Promise<Profiled> {
  const dir = mkdtempSync(join(tmpdir(), `vigil-profile-${name}-`));
  const profFlags = ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'prof')}`, '--cpu-prof-interval=200'];
  let server: Server;
  if (name === 'vigil') {
    // As `npm start` runs it (its node flags), unless BENCH_VIGIL_FLAGS says otherwise ('' for none:
    // code from before those flags, built into BENCH_VIGIL_DIST, for the before-and-after table).
    const flags = process.env.BENCH_VIGIL_FLAGS?.split(/\s+/).filter(Boolean) ?? productionServerArgs().slice(0, -1);
    server = await spawnServer([...profFlags, ...flags, join(process.env.BENCH_VIGIL_DIST ?? join(ROOT, 'dist', 'bundle'), 'server.js')], {
      VIGIL_AUTH: 'off',
      VIGIL_LOG_LEVEL: 'error',
      VIGIL_DATA_DIR: process.env.BENCH_DATA_DIR ?? join(dir, 'data'),
      VIGIL_RATE_LIMIT_MAX: '10000000',
      ...vigilEnv,
    });
  } else {
    server = await spawnServer([...profFlags, '--import', 'tsx', join(import.meta.dirname, 'target.ts')], {
      BASELINE_ANSWER_BYTES: '3000',
    });
  }
  const next = (i: number) => ({ path, body: withFreshInstance(bodies[i % bodies.length]!) });
  const warm = await runRound(server.port, CONNECTIONS, WARMUP, next);
  if (warm.errors.length > 0) throw new Error(`${name}: ${warm.errors[0]}`);
  const pid = server.child.pid!;
  const cpu0 = threadCpuSeconds(pid);
  const from = Number(process.hrtime.bigint() / 1000n);
  const run = await runRound(server.port, CONNECTIONS, CALLS, next);
  const to = Number(process.hrtime.bigint() / 1000n);
  const cpu1 = threadCpuSeconds(pid);
  if (run.errors.length > 0) throw new Error(`${name}: ${run.errors[0]}`);
  await server.stop();
  // One file per JS thread: CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile, thread 0 the main one.
  const files = readdirSync(join(dir, 'prof')).filter((f) => f.endsWith('.cpuprofile'));
  const isMain = (f: string) => f.split('.').at(-3) === '0';
  const read = (f: string) => nameBundleFrames(JSON.parse(readFileSync(join(dir, 'prof', f), 'utf8')) as CpuProfile, ROOT);
  const mainFile = files.find(isMain);
  if (mainFile === undefined) throw new Error(`${name}: no CPU profile of the main thread`);
  // The baseline runs through tsx, whose loader thread is no digest thread.
  const workerProfiles = name === 'vigil' ? files.filter((f) => !isMain(f)).map(read) : [];
  const mainProfile = read(mainFile);
  // BENCH_PROFILE_KEEP=<dir>: the .cpuprofile files kept there (open them in Chrome DevTools).
  if (process.env.BENCH_PROFILE_KEEP !== undefined)
    cpSync(join(dir, 'prof'), join(process.env.BENCH_PROFILE_KEEP, name), { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  if (TOP > 0) {
    process.stdout.write(`${name}, main thread: top functions by self time\n${topFunctions(mainProfile, from, to, TOP)}\n`);
    for (const w of workerProfiles.slice(0, 1))
      process.stdout.write(`${name}, a digest thread: top functions\n${topFunctions(w, from, to, TOP)}\n`);
  }
  // The kernel counts CPU per OS thread; the busiest ones besides the main thread are the digest threads.
  const deltas = [...cpu1.entries()].map(([tid, s]) => ({ tid, s: s - (cpu0.get(tid) ?? 0) }));
  const mainCpu = deltas.find((d) => d.tid === pid)?.s ?? 0;
  const others = deltas.filter((d) => d.tid !== pid).sort((a, b) => b.s - a.s);
  const digestCpu = others.slice(0, workerProfiles.length).reduce((a, d) => a + d.s, 0);
  const all = deltas.reduce((a, d) => a + d.s, 0);
  if (process.env.BENCH_PROFILE_THREADS === '1') {
    process.stdout.write(
      `${name}: CPU per call by OS thread (µs): ${deltas
        .sort((a, b) => b.s - a.s)
        .map((d) => Math.round((d.s * 1e6) / CALLS))
        .join(' ')}\n`,
    );
  }
  const merged = new Map<Stage | 'other', number>();
  for (const w of workerProfiles) for (const [k, v] of stageTimes(w, from, to)) merged.set(k, (merged.get(k) ?? 0) + v);
  return {
    main: { stages: stageTimes(mainProfile, from, to), cpuMs: (mainCpu * 1000) / CALLS },
    ...(workerProfiles.length > 0 ? { digest: { stages: merged, cpuMs: (digestCpu * 1000) / CALLS } } : {}),
    allMs: (all * 1000) / CALLS,
    callsPerSecond: CALLS / run.seconds,
  };
}

/** CPU seconds (user + system) of each thread of a process, by thread id, from /proc. */
function threadCpuSeconds(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // utime and stime are fields 14 and 15 of stat(5); after "pid (comm) " they are the 12th and 13th.
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS);
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return out;
}

const now = new Date();
const patients = ward(200, now);
const path = SCENARIO === 'order-select' ? '/cds-services/sedation-safety' : '/cds-services/deterioration-risk';
const results: Record<string, Profiled> = {};
if (SCENARIO === 'missing-prefetch') {
  // As bench/http.ts's scenario: the ward served by the demo FHIR server in its own process.
  const fhir = await startWardFhirServer(200);
  try {
    const bodies = patients.map((p) => template(patientViewFetchCall(p, fhir.base)));
    for (const who of WHO) results[who] = await profileOf(who as 'vigil' | 'baseline', bodies, path, fhir.vigilEnv);
  } finally {
    await fhir.server.stop();
  }
} else {
  const bodies = patients.map((p) => template(SCENARIO === 'order-select' ? orderSelectCall(p) : patientViewCall(p)));
  for (const who of WHO) results[who] = await profileOf(who as 'vigil' | 'baseline', bodies, path);
}

// Each thread's profile gives its stages' shares of its sampled time; the kernel's count of its CPU
// time gives the total. A sampled share times the measured CPU is that stage's cost per call there.
const perCall = (t: ThreadProfile | undefined, stage: Stage | 'other'): number => {
  if (t === undefined) return 0;
  const total = [...t.stages.values()].reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : ((t.stages.get(stage) ?? 0) / total) * t.cpuMs * 1000;
};
const columns = WHO.flatMap((c) => (results[c]!.digest !== undefined ? [`${c} main`, `${c} digest threads`, `${c} total`] : [c]));
const cells = (stage: Stage | 'other') =>
  WHO.flatMap((c) => {
    const r = results[c]!;
    const main = perCall(r.main, stage);
    if (r.digest === undefined) return [main];
    const digest = perCall(r.digest, stage);
    return [main, digest, main + digest];
  });
const lines = [`| stage (µs of CPU per call) | ${columns.join(' | ')} |`, `|---|${columns.map(() => '---:').join('|')}|`];
for (const stage of [...STAGES, 'other' as const]) {
  const row = cells(stage);
  if (row.every((v) => v < 0.5)) continue;
  lines.push(`| ${stage} | ${row.map((v) => Math.round(v)).join(' | ')} |`);
}
const totals = WHO.flatMap((c) => {
  const r = results[c]!;
  return r.digest === undefined ? [r.main.cpuMs] : [r.main.cpuMs, r.digest.cpuMs, r.main.cpuMs + r.digest.cpuMs];
});
lines.push(`| **JavaScript threads** | ${totals.map((v) => `**${Math.round(v * 1000)}**`).join(' | ')} |`);
lines.push(
  `| all threads (with libuv's fsync and writes, GC helpers) | ${WHO.flatMap((c) => (results[c]!.digest !== undefined ? ['', '', Math.round(results[c]!.allMs * 1000)] : [Math.round(results[c]!.allMs * 1000)])).join(' | ')} |`,
);
lines.push(
  `| calls/s while profiled | ${WHO.flatMap((c) => (results[c]!.digest !== undefined ? ['', '', Math.round(results[c]!.callsPerSecond)] : [Math.round(results[c]!.callsPerSecond)])).join(' | ')} |`,
);
process.stdout.write(
  `scenario ${SCENARIO} (SYNTHETIC ward bodies), ${CALLS} calls after ${WARMUP} warm-up, ${CONNECTIONS} connections, ${now.toISOString()}\n\n${lines.join('\n')}\n`,
);
