// The README and the docs are what an integration engineer reads first: a link in them that leads
// nowhere (a heading renamed, a file moved) is a dead end for the reader. Every in-page link must name
// a heading of its own file, as GitHub spells heading anchors, and every relative link an existing file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const DOCUMENTS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Text outside fenced code blocks, where a `#` line is code, not a heading. */
function withoutFences(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/**
 * The anchors GitHub gives a document's headings: lower case, punctuation dropped (letters, digits,
 * spaces, hyphens and underscores kept), each space a hyphen, and a repeated anchor numbered -1, -2, ….
 */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, text] of withoutFences(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const base = text!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Link targets written as Markdown links `[text](target)` outside code blocks. */
function linkTargets(markdown: string): string[] {
  return [...withoutFences(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

describe('heading anchors', () => {
  it('are spelled as GitHub spells them', () => {
    const anchors = headingAnchors('# Vigil\n## The model, and bringing your own\n### `npm run bench` — speed\n## Notes\n## Notes\n');
    expect([...anchors]).toEqual(['vigil', 'the-model-and-bringing-your-own', 'npm-run-bench--speed', 'notes', 'notes-1']);
  });

  it('ignore `#` lines inside code blocks', () => {
    expect([...headingAnchors('```sh\n# not a heading\n```\n## Real\n')]).toEqual(['real']);
  });
});

describe.each(DOCUMENTS)('links in %s', (document) => {
  const markdown = readFileSync(join(ROOT, document), 'utf8');
  const targets = linkTargets(markdown);

  it('lead to a heading of the same document', () => {
    const anchors = headingAnchors(markdown);
    const broken = targets.filter((t) => t.startsWith('#') && !anchors.has(decodeURIComponent(t.slice(1))));
    expect(broken).toEqual([]);
  });

  it('lead to files that exist', () => {
    const local = targets.filter((t) => !t.startsWith('#') && !/^[a-z][a-z0-9+.-]*:/i.test(t));
    const missing = local
      .map((t) => join(dirname(join(ROOT, document)), decodeURIComponent(t.split('#')[0]!)))
      .filter((path) => !existsSync(path))
      .map((path) => relative(ROOT, path));
    expect(missing).toEqual([]);
  });
});
