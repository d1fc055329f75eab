// Binds each hook call's log lines to its `hookInstance`, the id the EHR and the audit trail know
// the call by. Fastify's genReqId runs before the body is read, so this is a preHandler instead.
// At debug level it also says when a request's headers have arrived (route pattern only, never the
// URL a client typed): an operator tracing a stuck call, and the shutdown test, see it begin.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hookInstance as hookInstanceSchema } from '../cds-hooks/request-schema.js';

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
    if (hookInstanceSchema.safeParse(hookInstance).success) {
      request.log = request.log.child({ hookInstance });
    }
  });
}

export default fp(requestLog, { name: 'vigil-request-log' });
