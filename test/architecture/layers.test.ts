// The layout is the architecture: src/ is a stack of folders, and a module imports only from its own
// folder and from the folders below it. Read from the code's own import statements (TypeScript's
// pre-processor, so `import type`, `export … from` and dynamic imports all count), so a shared kind
// that lands in the wrong place, or a new folder nobody placed, fails here rather than in a review.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Top to bottom, down the request path. Folders in one row are peers: neither imports the other.
 * A root file (app.ts, config.ts, ...) is named without its extension. README "Development" says the same.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['server', 'validation'],
  ['app'],
  ['shared-state'],
  ['http'],
  ['feedback'],
  ['audit', 'auth', 'about'],
  ['health'],
  ['observability'],
  ['hooks'],
  ['cards', 'suppression'],
  ['sedation'],
  ['explain'],
  ['models'],
  ['fallback-rules'],
  ['fhir-client'],
  ['prefetch'],
  ['cds-hooks'],
  ['fhir'],
  ['config', 'breakers', 'journal'],
  ['errors', 'telemetry', 'identity'],
  ['net'],
  ['domain'],
  ['lang'],
];

const ROOT = resolve(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The layer a file of src/ belongs to: its top folder, or a root file's name. */
function unitOf(file: string): string {
  const [first = '', second] = relative(SRC, file).split(sep);
  return second === undefined ? first.replace(/\.(ts|json)$/, '') : first;
}

/** Relative imports of one file, resolved to files (`.js` specifiers name the `.ts` source). */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name.replace(/\.js$/, '.ts')));
}

const FILES = sourceFiles(SRC);
const EDGES = FILES.flatMap((from) => importsOf(from).map((to) => ({ from, to })));
const rank = new Map(LAYERS.flatMap((row, i) => row.map((unit) => [unit, i] as const)));
const show = (file: string) => relative(ROOT, file);

describe('the layers of src/', () => {
  it('names every folder and root module of src/ exactly once', () => {
    const units = [...new Set(FILES.map(unitOf))].sort();
    expect(units).toEqual([...LAYERS.flat()].sort());
  });

  it('has every import point at the same folder or a folder below it (never up, never sideways)', () => {
    const wrong = EDGES.filter(({ from, to }) => {
      const [a, b] = [unitOf(from), unitOf(to)];
      return a !== b && !(rank.get(a)! < rank.get(b)!);
    }).map(({ from, to }) => `${show(from)} (${unitOf(from)}) imports ${show(to)} (${unitOf(to)})`);
    expect(wrong).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const next = new Map<string, string[]>();
    for (const { from, to } of EDGES) next.set(from, [...(next.get(from) ?? []), to]);
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map(show).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const to of next.get(file) ?? []) visit(to, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of FILES) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('is the order the README gives newcomers', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- layers: [^>]*-->\n```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const rows = block
      .trim()
      .split('\n')
      .map((line) =>
        line
          .replace(/\s+#.*$/, '')
          .split(/,\s*/)
          .map((s) => s.trim().replace(/\/$/, '').replace(/\.ts$/, '')),
      );
    expect(rows).toEqual(LAYERS);
  });
});
