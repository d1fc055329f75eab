// A small tmpfs the test mounts itself, to meet a really full or read-only filesystem. Mounting needs
// root (or CAP_SYS_ADMIN): where the machine forbids it, `mountTmpfs` says why and the test skips.
import { execFileSync } from 'node:child_process';
import { errorCode } from '../../src/errors.js';

export type Mounted = { ok: true; dir: string; readOnly(ro: boolean): void; unmount(): void } | { ok: false; reason: string };

function run(args: string[]): void {
  execFileSync('mount', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function why(err: unknown): string {
  const output = err instanceof Error && 'stderr' in err ? err.stderr : undefined;
  const stderr = (typeof output === 'string' || Buffer.isBuffer(output) ? output.toString() : '').trim().split('\n')[0] ?? '';
  return stderr !== '' ? stderr : errorCode(err, err instanceof Error ? err.message : 'unknown');
}

export function mountTmpfs(dir: string, size: string): Mounted {
  try {
    run(['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  } catch (err) {
    return { ok: false, reason: why(err) };
  }
  return {
    ok: true,
    dir,
    readOnly: (ro) => run(['-o', `remount,${ro ? 'ro' : 'rw'}`, dir]),
    unmount: () => {
      try {
        execFileSync('umount', [dir], { stdio: 'ignore' });
      } catch {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      }
    },
  };
}

export function skipMessage(reason: string): string {
  return (
    `cannot mount a tmpfs on this machine (${reason}): the real full and read-only filesystem are not tested here; ` +
    'the same logic is tested with an injected failing file system (test/journal/daily-jsonl.test.ts, test/audit/audit-gate.test.ts)'
  );
}
