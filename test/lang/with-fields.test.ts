// withFields is `{ ...base, ...fields }` for the request path: the same object, and (the reason it
// exists) objects built by it from bases of one shape share one V8 hidden class, call after call.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withFields } from '../../src/lang/with-fields.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('withFields', () => {
  it('is the spread: base first, fields added or replacing, the base left as it was', () => {
    const base = { service: 'deterioration-risk', indicator: 'critical', summary: 'NEWS2 7' };
    const out = withFields(base, { indicator: 'info', uuid: 'c-1' });
    expect(out).toEqual({ ...base, indicator: 'info', uuid: 'c-1' });
    expect(JSON.stringify(out)).toBe(JSON.stringify({ ...base, indicator: 'info', uuid: 'c-1' }));
    expect(base).toEqual({ service: 'deterioration-risk', indicator: 'critical', summary: 'NEWS2 7' });
    expect(out).not.toBe(base);
  });

  it('gives every result built from one shape of base the same hidden class (V8 natives, in a child process)', () => {
    // %HaveSameMap is V8's own answer to "same hidden class?"; it needs --allow-natives-syntax, so the
    // check runs in a child node. 2,000 calls: a spread-then-field literal makes ~2,000 classes here.
    const script = `
      import { withFields } from ${JSON.stringify(join(ROOT, 'src', 'lang', 'with-fields.ts'))};
      const make = (i) => withFields({ service: 's', model_version: 'v' + (i % 3), mode: 'active' }, { band: 'low' });
      const first = make(0);
      let distinct = 0;
      for (let i = 1; i < 2000; i++) if (!%HaveSameMap(first, make(i))) distinct++;
      process.stdout.write(String(distinct));
    `;
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(Number(out)).toBe(0);
  });
});
