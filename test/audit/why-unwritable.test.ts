// A data directory that cannot be written is refused at start-up with the file system's own errno:
// Node's recursive mkdir says ENOENT on a read-only volume, which sends an operator looking for a
// missing path instead of a read-only mount.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openAuditTrail } from '../../src/audit/open-audit-trail.js';
import { whyUnwritable } from '../../src/audit/why-unwritable.js';
import { testConfig } from '../support/app.js';
import { mountTmpfs, skipMessage, type Mounted } from '../support/tmpfs.js';

const quiet = { warn() {}, error() {}, info() {} };
let dir: string | undefined;
let mounted: Mounted | undefined;
afterEach(async () => {
  if (mounted?.ok === true) mounted.unmount();
  mounted = undefined;
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('a data directory that cannot be written', () => {
  it('on a read-only volume is refused as EROFS, read-only file system, not ENOENT', async (ctx) => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-ro-'));
    mounted = mountTmpfs(dir, '1m');
    if (!mounted.ok) return ctx.skip(skipMessage(mounted.reason));
    mounted.readOnly(true);
    const refused = openAuditTrail(testConfig({ VIGIL_DATA_DIR: dir }), quiet);
    await expect(refused).rejects.toThrow(/VIGIL_DATA_DIR: cannot write the audit trail under .* \(EROFS: read-only file system at /);
    await expect(refused).rejects.not.toThrow(/ENOENT/);
  });

  it('through a file where a directory belongs is refused as ENOTDIR, naming where', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-notdir-'));
    await writeFile(join(dir, 'volume'), 'a file, not a directory');
    const why = await whyUnwritable(join(dir, 'volume', 'data', 'audit'), Object.assign(new Error('x'), { code: 'ENOENT' }));
    expect(why).toEqual({
      code: 'ENOTDIR',
      description: `ENOTDIR: a part of the path is a file, not a directory at ${join(dir, 'volume')}`,
    });
  });

  it('keeps the first error when the nearest directory can be written after all, and leaves nothing behind', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-ok-'));
    await mkdir(join(dir, 'data'));
    const why = await whyUnwritable(join(dir, 'data', 'audit'), Object.assign(new Error('x'), { code: 'EMFILE' }));
    expect(why.code).toBe('EMFILE');
    expect(await readdir(join(dir, 'data'))).toEqual([]);
  });
});
