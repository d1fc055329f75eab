// How production starts Vigil, read from package.json's `start` script (the Dockerfile's CMD is held
// to the same by test/bench/production-start.test.ts): the benchmarks run the server exactly so.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
/** What `npm start` runs: the bundle `npm run build` writes (scripts/bundle.ts). */
const SCRIPT = 'dist/bundle/server.js';

/** `node`'s arguments in `npm start`, the script made absolute: e.g. ['--min-semi-space-size=32', '--max-semi-space-size=32', '--single-threaded-gc', '/…/dist/bundle/server.js']. */
export function productionServerArgs(): string[] {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const [node, ...args] = (scripts.start ?? '').trim().split(/\s+/);
  if (node !== 'node' || args.at(-1) !== SCRIPT) throw new Error(`package.json start is not "node [flags] ${SCRIPT}": ${scripts.start}`);
  return args.map((a) => (a === SCRIPT ? join(ROOT, a) : a));
}
