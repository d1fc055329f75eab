// The shared-state benchmark: the same authenticated load (deterioration-risk, one fresh RS384 token
// per call, so the replay store is exercised) against three set-ups of the real server
// (as `npm start` runs it, NEWS2 only), each measured in alternating rounds on loopback:
//   single-files    one process, the single-machine default: audit and replay store fsync'd under VIGIL_DATA_DIR
//   single-shared   one process on Redis and PostgreSQL (what the engines cost one replica)
//   two-files       two processes each with its own files (no sharing: a token works once per replica)
//   two-shared      two processes on the same Redis and PostgreSQL, calls spread in turn between them
// Redis and PostgreSQL are real servers from Debian's packages (scripts/lib/local-servers.ts), with
// their durability on (Redis appendfsync always, PostgreSQL fsync). Everything shares the machine's
// cores with the load generator, so two replicas on two cores cannot show the gain of a second
// machine: two-files beside two-shared separates what a second process costs here from what sharing
// state costs. Fails on any non-2xx answer. Bounded: ROUNDS × REQUESTS per set-up.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { signCdsToken } from '../src/auth/jws.js';
import { fixtureRequestAt } from '../scripts/lib/fixture-time.js';
import { freePort, startPostgres, startRedis } from '../scripts/lib/local-servers.js';
import { median, percentile, postStatus, rssMbOf } from './support.js';
import { productionServerArgs } from './lib/production.js';

const ROOT = join(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const FIXTURE = 'deterioration-risk/news2-high-critical';
const PATH = '/cds-services/deterioration-risk';
/** The public URL every replica answers as (tokens' aud); nothing listens there: calls go to the replicas. */
const PUBLIC = 'http://vigil.bench.invalid';
const KEY = 'bench-only-audit-key-0123456789abcdef0123';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = randomUUID();
const ISS = 'https://ehr.bench.example';
const work = mkdtempSync(join(tmpdir(), 'vigil-bench-replicas-'));
const issuersFile = join(work, 'trusted-issuers.json');
writeFileSync(
  issuersFile,
  JSON.stringify({ issuers: [{ iss: ISS, jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS384' }] } }] }),
);
/** Signed before a round, so the client's signing does not share the measured time. */
const tokens = (n: number) =>
  Array.from({ length: n }, () =>
    signCdsToken({
      iss: ISS,
      kid,
      alg: 'RS384',
      aud: `${PUBLIC}${PATH}`,
      privateKey,
      nowSeconds: Math.floor(Date.now() / 1000),
      lifetimeSeconds: 600,
    }),
  );

interface Replica {
  child: ChildProcess;
  port: number;
}

async function startVigil(env: Record<string, string>): Promise<Replica> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(work, 'data-'));
  const child = spawn(process.execPath, productionServerArgs(), {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      VIGIL_LOG_LEVEL: 'error',
      VIGIL_MODEL_PATH: 'none',
      VIGIL_DATA_DIR: dataDir,
      VIGIL_TRUSTED_ISSUERS: issuersFile,
      VIGIL_PUBLIC_BASE_URL: PUBLIC,
      VIGIL_JWT_ALGORITHMS: 'RS384',
      VIGIL_AUDIT_HMAC_KEY: KEY,
      VIGIL_RATE_LIMIT_MAX: '10000000',
      // Every call is the same patient: keep the repeat rule from turning the answers into info cards.
      VIGIL_REPEAT_CARD_POLICY: 'off',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 200; i += 1) {
    const ready = await new Promise<boolean>((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: '/readyz' }, (res) => (res.resume(), resolve(res.statusCode === 200)))
        .on('error', () => resolve(false));
    });
    if (ready) return { child, port };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('Vigil was not ready within 20 s (is it built? npm run build)');
}

async function stop(replica: Replica): Promise<void> {
  const exited = new Promise((r) => replica.child.once('exit', r));
  replica.child.kill('SIGTERM');
  await exited;
}

/** REQUESTS calls over CONNECTIONS keep-alive connections, call i to replica i mod n. */
async function round(replicas: Replica[], body: string, count: number): Promise<{ seconds: number; latencies: number[] }> {
  const agents = replicas.map(() => new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS }));
  const signed = tokens(count);
  const latencies: number[] = [];
  let sent = 0;
  const started = performance.now();
  async function worker() {
    while (sent < count) {
      const i = sent++;
      const target = i % replicas.length;
      const t0 = performance.now();
      const status = await postStatus(agents[target]!, replicas[target]!.port, PATH, body, { authorization: `Bearer ${signed[i]}` });
      if (status !== 200) throw new Error(`non-2xx answer: ${status}`);
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  for (const a of agents) a.destroy();
  return { seconds: (performance.now() - started) / 1000, latencies };
}

const fixture = JSON.parse(readFileSync(join(ROOT, 'cards-fixtures', `${FIXTURE}.json`), 'utf8')) as {
  now: string;
  request: Record<string, unknown>;
};
const body = JSON.stringify(fixtureRequestAt(fixture, new Date()));
/** Redis's persistence: `always` (every write fsync'd, as the audit files are) or `everysec`. */
const REDIS_FSYNC = process.env.BENCH_REDIS_FSYNC === 'everysec' ? 'everysec' : 'always';
const [redis, postgres] = await Promise.all([startRedis({ appendfsync: REDIS_FSYNC }), startPostgres()]);
const shared = { VIGIL_REDIS_URL: redis.url, VIGIL_DATABASE_URL: postgres.url };
const setups: Record<string, Replica[]> = {
  'single-files': [await startVigil({})],
  'single-shared': [await startVigil(shared)],
  'two-files': [await startVigil({}), await startVigil({})],
  'two-shared': [await startVigil(shared), await startVigil(shared)],
};

try {
  for (const replicas of Object.values(setups)) await round(replicas, body, 300); // warm-up, not measured
  const measured = Object.fromEntries(Object.keys(setups).map((name) => [name, { rps: [] as number[], latencies: [] as number[] }]));
  for (let r = 0; r < ROUNDS; r += 1) {
    for (const [name, replicas] of Object.entries(setups)) {
      const { seconds, latencies } = await round(replicas, body, REQUESTS);
      measured[name]!.rps.push(REQUESTS / seconds);
      measured[name]!.latencies.push(...latencies);
    }
  }
  // Every call answered has its audit row (the shared set-ups write to the same database).
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  const rows = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM vigil_audit')).rows[0]!.n;
  const batches = (await client.query<{ n: number }>('SELECT count(DISTINCT written_at)::int AS n FROM vigil_audit')).rows[0]!.n;
  await client.end();
  const expectedRows = (ROUNDS * REQUESTS + 300) * 2;
  const result = {
    fixture: FIXTURE,
    rounds: ROUNDS,
    requestsPerRound: REQUESTS,
    connections: CONNECTIONS,
    redisAppendfsync: REDIS_FSYNC,
    setups: Object.fromEntries(
      Object.entries(measured).map(([name, m]) => {
        const sorted = [...m.latencies].sort((a, b) => a - b);
        return [
          name,
          {
            rps: Math.round(median(m.rps)),
            p50Ms: +percentile(sorted, 50).toFixed(2),
            p99Ms: +percentile(sorted, 99).toFixed(2),
            rssMb: setups[name]!.map((x) => rssMbOf(x.child.pid!)),
          },
        ];
      }),
    ),
    postgres: { auditRows: rows, expectedRows, commits: batches, recordsPerCommit: +(rows / batches).toFixed(1) },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (rows !== expectedRows) {
    process.stderr.write(`audit rows ${rows} != answered calls ${expectedRows}\n`);
    process.exitCode = 1;
  }
} finally {
  for (const replicas of Object.values(setups)) for (const r of replicas) await stop(r);
  await redis.close();
  await postgres.close();
  rmSync(work, { recursive: true, force: true });
}
