// A real redis-server and a real PostgreSQL on loopback ports, each in a throwaway directory, for the
// shared-state tests, the two-replica benchmark and `npm run local-state`. They use Debian's packages
// (`apt-get install redis-server postgresql`); nothing is downloaded. PostgreSQL refuses to run as
// root, so as root its directory is given to the `postgres` user and its tools run through `runuser`.
// Both can be stopped and started again on the same port with their data (Redis with its append-only
// file), which is how the tests take them away mid-run and bring them back.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The servers' environment: ours without libfaketime. They stand for servers a hospital runs on their
 * own clocks (and redis-server does not start under libfaketime); what Vigil sends them is relative
 * (expiries in ms) or its own timestamps, so the suite's clock moved ahead (.ci/run) still holds.
 */
function serverEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'LD_PRELOAD' && !name.startsWith('FAKETIME')));
}

const execFileAsync = promisify(execFile);
const run = (file: string, args: string[]) => execFileAsync(file, args, { env: serverEnvironment() });

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Resolves once something accepts TCP connections on the port, or rejects after `ms`. */
async function waitForPort(port: number, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, binary);
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Debian installs PostgreSQL's server tools under /usr/lib/postgresql/<version>/bin, off PATH: the newest. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], 'bin');
  }
  const initdb = onPath('initdb');
  return initdb === undefined ? undefined : join(initdb, '..');
}

/** Why the servers cannot be started here, or undefined when they can. */
export function missingServers(): string | undefined {
  const missing = [
    onPath('redis-server') === undefined ? 'redis-server' : '',
    postgresBinDir() === undefined ? 'PostgreSQL (initdb, pg_ctl)' : '',
  ].filter(Boolean);
  return missing.length === 0
    ? undefined
    : `${missing.join(' and ')} not installed: apt-get install redis-server postgresql (.ci/run does)`;
}

/**
 * Servers still running when this process exits (a test that failed before its cleanup, an
 * interrupted benchmark) are stopped then, so none outlives the run that started it.
 */
const atExit = new Map<string, () => void>();
process.once('exit', () => {
  for (const stop of atExit.values()) {
    try {
      stop();
    } catch {
      // Best effort: the process is ending.
    }
  }
});

export interface LocalRedis {
  port: number;
  url: string;
  /** Stops it: SIGTERM, or SIGKILL for a crash. Its data stays in the append-only file. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

/**
 * `appendfsync`: `always` (the default here: a stop or crash loses nothing, as the tests need) or
 * `everysec` (Redis's own default with an append-only file: at most about a second lost in a crash).
 */
export async function startRedis(options: { appendfsync?: 'always' | 'everysec' } = {}): Promise<LocalRedis> {
  const binary = onPath('redis-server');
  if (binary === undefined) throw new Error(missingServers());
  const dir = await mkdtemp(join(tmpdir(), 'vigil-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    if (child !== undefined && child.exitCode === null) return; // already running
    const started = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        options.appendfsync ?? 'always',
        '--dir',
        dir,
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore', env: serverEnvironment() },
    );
    child = started;
    atExit.set(dir, () => {
      started.kill('SIGKILL');
      execFileSync('rm', ['-rf', dir]);
    });
    try {
      await waitForPort(port, 10_000, 'redis-server');
    } catch (err) {
      started.kill('SIGKILL');
      throw err;
    }
  };
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    async close() {
      await stop('SIGKILL');
      atExit.delete(dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface LocalPostgres {
  port: number;
  url: string;
  /** `fast`: disconnects clients and shuts down cleanly; `immediate`: as after a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The user PostgreSQL runs as when we are root (initdb refuses root). */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export async function startPostgres(): Promise<LocalPostgres> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error(missingServers());
  const user = await postgresUser();
  const dir = await mkdtemp(join(tmpdir(), 'vigil-pg-'));
  if (user !== undefined) await chown(dir, user.uid, user.gid);
  const tool = (name: string, args: string[]) =>
    user === undefined ? run(join(bin, name), args) : run('runuser', ['-u', 'postgres', '--', join(bin, name), ...args]);
  const data = join(dir, 'data');
  const port = await freePort();
  await tool('initdb', ['-D', data, '-A', 'trust', '-U', 'vigil', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const ctl = join(bin, 'pg_ctl');
  atExit.set(dir, () => {
    const args = ['-D', data, '-m', 'immediate', 'stop'];
    execFileSync(user === undefined ? ctl : 'runuser', user === undefined ? args : ['-u', 'postgres', '--', ctl, ...args], {
      stdio: 'ignore',
      env: serverEnvironment(),
    });
    execFileSync('rm', ['-rf', dir]);
  });
  const start = async () => {
    await tool('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      'start',
    ]);
    await waitForPort(port, 10_000, 'PostgreSQL');
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await tool('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']).catch(() => {});
  };
  await start();
  return {
    port,
    url: `postgres://vigil@127.0.0.1:${port}/postgres`,
    stop,
    start,
    async close() {
      await stop('immediate');
      atExit.delete(dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
