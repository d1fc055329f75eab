// A CPU profile of the bundle `npm start` runs (dist/bundle/*.js), its frames named by the source
// files they were joined from: bench/profile.ts charges each frame to a stage of the request path by
// its file, and the bundle's chunk names name none. Read from the bundle's linked source maps
// (scripts/bundle.ts writes them) with node:module's SourceMap.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of a V8 CPU profile (`--cpu-prof`) this reads and renames. */
export interface ProfileFrames {
  nodes: { callFrame: { url: string; lineNumber?: number; columnNumber?: number } }[];
}

type SourceMapPayload = ConstructorParameters<typeof SourceMap>[0];

/**
 * Renames, in place, each frame of a file in a `dist/bundle/` folder after the file it came from, as
 * tsc's output under `root` names it: a function of `src/http/digest.ts` becomes
 * `<root>/dist/http/digest.js`, one of a package `<root>/node_modules/<package>/…`. Frames of other
 * files, and those the map does not cover (esbuild's own helpers), keep their names.
 */
export function nameBundleFrames<P extends ProfileFrames>(profile: P, root: string): P {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (path: string): SourceMap | undefined => {
    if (!maps.has(path)) {
      const file = `${path}.map`;
      maps.set(path, existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8')) as SourceMapPayload) : undefined);
    }
    return maps.get(path);
  };
  for (const { callFrame: frame } of profile.nodes) {
    if (!/\/dist\/bundle\/[^/]+\.js$/.test(frame.url)) continue;
    const path = frame.url.startsWith('file:') ? fileURLToPath(frame.url) : frame.url;
    // Where the function starts (0-based, as V8 gives it and findEntry takes it).
    const entry = mapOf(path)?.findEntry(frame.lineNumber ?? 0, frame.columnNumber ?? 0);
    if (entry === undefined || !('originalSource' in entry)) continue;
    const original = resolve(dirname(path), entry.originalSource);
    // A package first: some ship their TypeScript under a src/ of their own.
    const inPackage = /\/node_modules\/.+$/.exec(original);
    const inSrc = /\/src\/(.+)\.ts$/.exec(original);
    if (inPackage !== null) frame.url = join(root, inPackage[0]);
    else if (inSrc !== null) frame.url = join(root, 'dist', `${inSrc[1]!}.js`);
  }
  return profile;
}
