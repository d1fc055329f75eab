// Graceful shutdown on SIGTERM/SIGINT (Kubernetes sends SIGTERM, then SIGKILL after its grace
// period): stop accepting connections, let in-flight calls finish within a deadline, then release
// what the process holds (the ONNX session, store files) in order and exit 0. Past the deadline the
// remaining connections are cut and the exit code is 1, so a cut-off call is visible.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

export interface ReleaseStep {
  name: string;
  run(): Promise<void> | void;
}

export interface ShutdownOptions {
  app: FastifyInstance;
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  /** How long in-flight calls may take to finish (VIGIL_SHUTDOWN_GRACE_MS). */
  graceMs: number;
  /** Run in order once no call is in flight; a failing step is logged and the next one still runs. */
  release: ReleaseStep[];
  exit?: (code: number) => void;
}

/** Releasing resources gets this long after the grace period before the process gives up on it. */
const RELEASE_BACKSTOP_MS = 5_000;

/** Returns the shutdown function (also bound to SIGTERM and SIGINT); a second signal is ignored. */
export function installGracefulShutdown(opts: ShutdownOptions): (signal: string) => Promise<void> {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let started = false;

  const shutdown = async (signal: string): Promise<void> => {
    if (started) return;
    started = true;
    opts.log.info({ signal, graceMs: opts.graceMs }, 'shutting down: no new connections, finishing calls in flight');
    let forced = false;
    const cut = setTimeout(() => {
      forced = true;
      opts.log.warn({ graceMs: opts.graceMs }, 'grace period over: closing the connections still open');
      opts.app.server.closeAllConnections();
    }, opts.graceMs);
    const backstop = setTimeout(() => {
      opts.log.error({}, 'shutdown did not complete: exiting anyway');
      exit(1);
    }, opts.graceMs + RELEASE_BACKSTOP_MS);
    backstop.unref();
    try {
      await opts.app.close();
    } catch (err) {
      opts.log.error({ err: { message: (err as Error).message } }, 'closing the server failed');
    }
    clearTimeout(cut);
    for (const step of opts.release) {
      try {
        await step.run();
      } catch (err) {
        opts.log.error({ step: step.name, err: { message: (err as Error).message } }, 'release step failed');
      }
    }
    clearTimeout(backstop);
    opts.log.info({ forced }, 'stopped');
    exit(forced ? 1 : 0);
  };

  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return shutdown;
}
