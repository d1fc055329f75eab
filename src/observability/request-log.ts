// Binds each hook call's log lines to its `hookInstance`, the id the EHR and the audit trail know
// the call by. Fastify's genReqId runs before the body is read, so this is a preHandler instead.
// At debug level it also says when a request's headers have arrived (route pattern only, never the
// URL a client typed): an operator tracing a stuck call, and the shutdown test, see it begin.
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Bindings, ChildLoggerOptions } from 'pino';
import { hookInstance as hookInstanceSchema } from '../cds-hooks/request-schema.js';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
type Args = [obj: unknown, msg?: string, ...rest: unknown[]];

/**
 * A child logger made only when a line is written at an enabled level. pino's child() serialises its
 * bindings at once (~25 µs of every hook call, measured under load), while most calls log nothing.
 */
class DeferredChild implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
  ) {}

  private real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings));
  }

  /** Whether a line at `level` would be written: asked of the parent while no child exists. */
  private enabled(level: Level): boolean {
    if (this.made !== undefined) return true;
    const parent = this.parent as { isLevelEnabled?: (level: string) => boolean };
    return parent.isLevelEnabled?.(level) ?? true;
  }

  get level(): string {
    return (this.made ?? this.parent).level;
  }

  set level(level: string) {
    this.real().level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }

  fatal(...args: Args): void {
    if (this.enabled('fatal')) this.real().fatal(...args);
  }
  error(...args: Args): void {
    if (this.enabled('error')) this.real().error(...args);
  }
  warn(...args: Args): void {
    if (this.enabled('warn')) this.real().warn(...args);
  }
  info(...args: Args): void {
    if (this.enabled('info')) this.real().info(...args);
  }
  debug(...args: Args): void {
    if (this.enabled('debug')) this.real().debug(...args);
  }
  trace(...args: Args): void {
    if (this.enabled('trace')) this.real().trace(...args);
  }
  silent(...args: Args): void {
    this.real().silent(...args);
  }
}

/**
 * Fastify's childLoggerFactory: the request's logger (bound to its reqId) made only when it writes.
 * A route with its own level or serializers gets its child at once, as Fastify would make it.
 */
export function deferredChildLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return Object.keys(options).length === 0 ? new DeferredChild(logger, bindings) : logger.child(bindings, options);
}

/** From here on, the request's log lines carry this hookInstance (a UUID the caller has checked). */
export function bindHookInstance(request: FastifyRequest, hookInstance: string): void {
  request.log = new DeferredChild(request.log, { hookInstance });
}

async function requestLog(app: FastifyInstance): Promise<void> {
  // The level is fixed at start-up, so the hook costs nothing unless debug was asked for.
  // (Fastify's placeholder logger, used when logging is off, has no isLevelEnabled.)
  const log = app.log as { isLevelEnabled?: (level: string) => boolean };
  if (log.isLevelEnabled?.('debug') === true) {
    app.addHook('onRequest', async (request) => {
      request.log.debug({ method: request.method, route: request.routeOptions.url ?? '(unmatched)' }, 'request received');
    });
  }
  app.addHook('preHandler', async (request) => {
    const body = request.body as { hookInstance?: unknown } | undefined;
    const hookInstance = typeof body === 'object' && body !== null ? body.hookInstance : undefined;
    // Only a UUID is bound: whatever else a client puts there must not reach the logs.
    if (typeof hookInstance === 'string' && hookInstanceSchema.safeParse(hookInstance).success) bindHookInstance(request, hookInstance);
  });
}

export default fp(requestLog, { name: 'vigil-request-log' });
