// Graceful shutdown on SIGTERM/SIGINT (Kubernetes sends SIGTERM, then SIGKILL after its grace
// period): stop accepting connections, let in-flight calls finish within a deadline, then close the
// app, whose onClose hooks release what the process holds (the ONNX session, store files) in order,
// and exit 0. Past the deadline the remaining connections are cut and the exit code is 1, so a
// cut-off call is visible.
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
  exit?: (code: number) => void;
}

/**
 * Releases what the process holds when the app closes, after the last call in flight: one Fastify
 * onClose hook per step, run in the order given; a failing step is logged and the next one still runs.
 */
export function releaseOnClose(app: FastifyInstance, log: Pick<FastifyBaseLogger, 'error'>, steps: readonly ReleaseStep[]): void {
  // Fastify runs one instance's onClose hooks last-added first.
  for (const step of [...steps].reverse()) {
    app.addHook('onClose', async () => {
      try {
        await step.run();
      } catch (err) {
        log.error({ step: step.name, err: { message: err instanceof Error ? err.message : String(err) } }, 'release step failed');
      }
    });
  }
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
      // Waits for the calls in flight, then runs the onClose hooks (releaseOnClose).
      await opts.app.close();
    } catch (err) {
      opts.log.error({ err: { message: err instanceof Error ? err.message : String(err) } }, 'closing the server failed');
    }
    clearTimeout(cut);
    clearTimeout(backstop);
    opts.log.info({ forced }, 'stopped');
    exit(forced ? 1 : 0);
  };

  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return shutdown;
}
