// Why a directory cannot be made or written, in the errno of the real cause. Node's recursive mkdir
// reports ENOENT for a directory on a read-only file system (Node 20.20: a plain mkdir or a write in
// the same place reports EROFS), which sends an operator looking for a missing path; so on failure the
// nearest ancestor that exists is probed with a plain mkdir, whose errno is the file system's own.
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errorCode } from '../errors.js';

/** The errno codes an operator meets here, in words. */
const WORDS: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is a file, not a directory',
  ENOENT: 'no such file or directory',
  EIO: 'input/output error',
};

export interface Unwritable {
  code: string;
  /** "EROFS: read-only file system at /data", with the uid for a permission fault. */
  description: string;
}

async function nearestExisting(dir: string): Promise<string> {
  for (let at = dir; ; at = dirname(at)) {
    const exists = await stat(at).then(
      () => true,
      () => false,
    );
    if (exists || dirname(at) === at) return at;
  }
}

export async function whyUnwritable(dir: string, failure: unknown): Promise<Unwritable> {
  let code = errorCode(failure, 'unknown error');
  const at = await nearestExisting(dir);
  const probe = join(at, `.vigil-write-probe-${process.pid}`);
  try {
    await mkdir(probe);
    await rmdir(probe);
  } catch (err) {
    code = errorCode(err, code);
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const who = (code === 'EACCES' || code === 'EPERM') && uid !== undefined ? ` as uid ${uid}` : '';
  return { code, description: `${code}: ${WORDS[code] ?? 'see the errno'}${who} at ${at}` };
}
