// For comparison only: Vigil as a node:cluster of N processes on one port (VIGIL_BENCH_PROCESSES,
// default 2), each the real `dist/server.js` with its own data directory (its own audit trail,
// replay store and issued cards) and no digest threads. Vigil does not ship this way: state kept in
// files is per process, so feedback and repeat cards would not be recognised across them (the
// shipped answer for both cores is digest threads; for several machines, Redis and PostgreSQL).
import cluster from 'node:cluster';
import { join } from 'node:path';
import { productionServerArgs } from './production.js';

const processes = Number(process.env.VIGIL_BENCH_PROCESSES ?? 2);
const dataDir = process.env.VIGIL_DATA_DIR ?? '/tmp/vigil-cluster';
const [script, ...flags] = productionServerArgs().reverse();
cluster.setupPrimary({ exec: script!, execArgv: flags.reverse() });
for (let i = 0; i < processes; i++) cluster.fork({ VIGIL_DATA_DIR: join(dataDir, `process-${i}`), VIGIL_DIGEST_THREADS: '0' });
process.on('SIGTERM', () => {
  const workers = Object.values(cluster.workers ?? {});
  let left = workers.length;
  for (const w of workers) {
    w?.once('exit', () => {
      if (--left === 0) process.exit(0);
    });
    w?.kill('SIGTERM');
  }
});
