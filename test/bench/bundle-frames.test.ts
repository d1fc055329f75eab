// bench/profile.ts profiles the bundle `npm start` runs and charges each frame to a stage of the
// request path by the source file it came from: the names nameBundleFrames gives the bundle's frames
// from its source map. Held here on a small bundle built the way scripts/bundle.ts builds Vigil's.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nameBundleFrames } from '../../bench/lib/bundle-frames.js';

describe("a bundle's profile frames, named by their sources", () => {
  let dir: string;
  let bundle: string;
  let text: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-bundle-frames-'));
    await mkdir(join(dir, 'src', 'http'), { recursive: true });
    await mkdir(join(dir, 'node_modules', 'left-pad'), { recursive: true });
    await writeFile(
      join(dir, 'src', 'http', 'digest.ts'),
      'export function parseJsonBody(text: string): unknown {\n  return JSON.parse(text);\n}\n',
    );
    await writeFile(join(dir, 'node_modules', 'left-pad', 'package.json'), '{"name":"left-pad","main":"index.js"}');
    await writeFile(join(dir, 'node_modules', 'left-pad', 'index.js'), 'export function leftPad(s, n) {\n  return s.padStart(n);\n}\n');
    await writeFile(
      join(dir, 'src', 'server.ts'),
      "import { parseJsonBody } from './http/digest.js';\nimport { leftPad } from 'left-pad';\nconsole.log(leftPad(String(parseJsonBody('1')), 3));\n",
    );
    await build({
      entryPoints: [join(dir, 'src', 'server.ts')],
      outdir: join(dir, 'dist', 'bundle'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      sourcemap: 'linked',
      logLevel: 'silent',
    });
    bundle = join(dir, 'dist', 'bundle', 'server.js');
    text = await readFile(bundle, 'utf8');
  });

  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** A frame as V8 gives it: the function's start in the bundle, 0-based. */
  function frameOf(fn: string) {
    const at = text.indexOf(`function ${fn}(`);
    expect(at, fn).toBeGreaterThanOrEqual(0);
    const before = text.slice(0, at).split('\n');
    return { functionName: fn, url: pathToFileURL(bundle).href, lineNumber: before.length - 1, columnNumber: before.at(-1)!.length };
  }

  it("names Vigil's functions as tsc's output does, and a package's by its folder in node_modules", () => {
    const builtin = { functionName: 'writev', url: '', lineNumber: -1, columnNumber: -1 };
    const internal = { functionName: 'emit', url: 'node:events', lineNumber: 470, columnNumber: 4 };
    const profile = { nodes: [frameOf('parseJsonBody'), frameOf('leftPad'), builtin, internal].map((callFrame) => ({ callFrame })) };
    const named = nameBundleFrames(profile, '/repo').nodes.map((n) => n.callFrame.url);
    expect(named).toEqual(['/repo/dist/http/digest.js', '/repo/node_modules/left-pad/index.js', '', 'node:events']);
  });

  it('leaves a bundle without its source map as it is', async () => {
    await rm(`${bundle}.map`);
    const frame = { functionName: 'x', url: pathToFileURL(join(dir, 'dist', 'bundle', 'server.js')).href, lineNumber: 1, columnNumber: 0 };
    expect(nameBundleFrames({ nodes: [{ callFrame: { ...frame } }] }, '/repo').nodes[0]!.callFrame).toEqual(frame);
  });
});
