// How production starts Vigil, read from package.json's `start` script (the Dockerfile's CMD is held
// to the same by test/bench/production-start.test.ts): the benchmarks run the server exactly so.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** `node`'s arguments in `npm start`, the script made absolute: e.g. ['--max-semi-space-size=32', '--single-threaded-gc', '/…/dist/server.js']. */
export function productionServerArgs(): string[] {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const [node, ...args] = (scripts.start ?? '').trim().split(/\s+/);
  if (node !== 'node' || args.at(-1) !== 'dist/server.js')
    throw new Error(`package.json start is not "node [flags] dist/server.js": ${scripts.start}`);
  return args.map((a) => (a === 'dist/server.js' ? join(ROOT, a) : a));
}
