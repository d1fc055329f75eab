// The server as `npm start` and the container run it: src/ joined into a few files by esbuild (the
// same transform that runs the sources under tsx in the tests), because Node 20 loads ES modules one
// file at a time. Started from tsc's dist/, Vigil opened ~840 .js and .json files before it was
// ready (Fastify, zod, prom-client, pino, onnxruntime-node and its own ~150 modules), joined ~155
// (most of them onnxruntime-node's and, after ready, undici's); ready 951 → 630 ms (medians of 9
// interleaved starts, 2-vCPU VM, 2026-11-28; bench/RESULTS.md, fifteenth pass).
//
// Layout, relied on by the modules that find files beside them (the shipped model, the PostgreSQL
// migrations, the digest thread's script): the bundle lives two levels below the repository root,
// in dist/bundle/, exactly as deep as dist/models/create-scorer.js, so `../../models` still means
// the repository's models/; the digest thread is an entry point of its own beside server.js.
//
// Left to Node's resolver in node_modules: onnxruntime-node (a native addon), and the clients that
// are imported only when used (undici for FHIR fetches, pg and ioredis for shared state): loaded
// after ready or never, they cost the start nothing.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..');

/** Where `npm run build` writes the bundle: package.json's `start` and the Dockerfile run server.js here. */
export const BUNDLE_DIR = join(ROOT, 'dist', 'bundle');

/** Packages loaded from node_modules at run time rather than joined into the bundle (see above). */
export const UNBUNDLED = [
  'onnxruntime-node',
  'undici',
  'pg',
  'ioredis',
  // Fastify requires these only when it compiles a route schema (Vigil declares none:
  // src/net/no-route-schemas.ts) or when a test calls `inject`; joined, they were ~40 % of the bundle.
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
  'light-my-request',
] as const;

export async function bundleServer(outdir: string = BUNDLE_DIR): Promise<void> {
  // Chunks are named by content hash: an earlier build's would stay beside the new ones.
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { server: join(ROOT, 'src', 'server.ts'), 'digest-worker': join(ROOT, 'src', 'http', 'digest-worker.ts') },
    outdir,
    bundle: true,
    // One chunk per lazily imported module, so what `import()` defers (the Redis and PostgreSQL
    // stores and their clients) stays deferred.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: [...UNBUNDLED],
    // CommonJS packages inside an ES module bundle `require` Node's built-ins through this.
    banner: { js: "import { createRequire as __vigilRequire } from 'node:module'; const require = __vigilRequire(import.meta.url);" },
    // No `keepNames`: it wraps every named function in a call to `__name`, an
    // Object.defineProperty run each time the function is created, and Fastify creates ~40 such
    // closures per request (its hook runners' `next`, `handleResolve`, ...): ~0.27 µs each, 5 % of
    // the event loop's CPU per call (side by side: 390 against 370 µs per call, as tsc's output;
    // bench/RESULTS.md, eighteenth pass). Names change only where two joined modules declare the
    // same one at the same level (esbuild then appends a digit): Vigil's plugins carry explicit
    // names (fastify-plugin's `name`), and the bundle's test holds every class of Vigil's to its
    // own name (pino gives an error's type in a log line by its constructor's name).
    keepNames: false,
    sourcemap: 'linked',
    // Licence notices of the joined packages are kept, at the end of each file.
    legalComments: 'eof',
    logLevel: 'warning',
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await bundleServer();
