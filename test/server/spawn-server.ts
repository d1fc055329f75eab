// Starts the real server (src/server.ts through tsx, or a built script) as a child process on 127.0.0.1 and a free
// port, and follows its JSON log lines, for the tests that need a real process: signals, exit codes.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export interface RunningServer {
  child: ChildProcess;
  /** JSON log lines so far. */
  lines: Record<string, unknown>[];
  stderr: () => string;
  /** Resolves with the first log line whose msg matches (rejects after `ms`). */
  waitFor(msg: RegExp, ms?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/**
 * What the child inherits besides PATH: libfaketime's settings, so that when the suite runs with its
 * clock moved (`.ci/run` runs it a second time with FAKETIME=+400d), the server lives in the same
 * time as the test that calls it.
 */
function clockEnvironment(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && (e[0] === 'LD_PRELOAD' || e[0].startsWith('FAKETIME')),
    ),
  );
}

/**
 * `nodeArgs`: what node runs, by default the sources through tsx; the bundle's test passes npm start's
 * flags and the bundle's server.js.
 */
export function startServer(
  // A setting given as undefined is left unset (Node's spawn skips it): e.g. VIGIL_MODEL_PATH, for the shipped model.
  env: Record<string, string | undefined>,
  nodeArgs: string[] = ['--import', 'tsx', join(ROOT, 'src', 'server.ts')],
): RunningServer {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ...clockEnvironment(),
      HOST: '127.0.0.1',
      PORT: '0',
      VIGIL_AUTH: 'off',
      VIGIL_MODEL_PATH: 'none',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: { msg: RegExp; resolve: (l: Record<string, unknown>) => void }[] = [];
  let buffered = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const text = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.msg.test(String(line.msg))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    stderr: () => err,
    exited,
    waitFor(msg, ms = 15_000) {
      const seen = lines.find((l) => msg.test(String(l.msg)));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no log line ${msg} within ${ms} ms; stderr: ${err}`)), ms);
        waiters.push({ msg, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void exited.then(() => reject(new Error(`server exited before ${msg}; stderr: ${err}`)));
      });
    },
  };
}
