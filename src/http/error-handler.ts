// The one place errors become HTTP answers: a status and an OperationOutcome naming the problem.
// 5xx bodies never carry internals; 401 bodies never carry details.
import type { FastifyError, FastifyInstance } from 'fastify';
import { operationOutcome, simpleOutcome, VigilError, type IssueType } from '../errors.js';
import { defaultLogLimiter, type LogLimiter } from '../observability/log-limiter.js';

const FASTIFY_CODES: Record<string, { status: number; code: IssueType; text: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'not-supported', text: 'the request body must be JSON (Content-Type: application/json)' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'too-costly', text: 'the request body is larger than this service accepts' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'structure', text: 'the request body is empty' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'structure', text: 'the Content-Length does not match the body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'structure', text: 'the request body is not valid JSON' },
};

export function installErrorHandling(app: FastifyInstance, limiter: LogLimiter = defaultLogLimiter()): void {
  app.setErrorHandler((error: FastifyError | VigilError, request, reply) => {
    const route = request.routeOptions.url ?? '(unmatched)';
    if (error instanceof VigilError) {
      if (error.statusCode === 401) {
        return reply.code(401).header('www-authenticate', 'Bearer').send(simpleOutcome('login', 'unauthorized'));
      }
      // A full disk fails every call the same way: a few lines a minute say so, metrics count them all.
      if (error.statusCode >= 500) {
        const err = { code: error.code, ...(typeof error.cause === 'string' ? { cause: error.cause } : {}) };
        limiter.log(request.log, 'error', `${error.code}:${err.cause ?? ''}:${route}`, { err }, 'request failed');
      }
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      return reply.code(error.statusCode).send(operationOutcome(error.issues));
    }
    const known = error.code !== undefined ? FASTIFY_CODES[error.code] : undefined;
    if (known !== undefined) return reply.code(known.status).send(simpleOutcome(known.code, known.text));
    if (error instanceof SyntaxError || (error as { type?: string }).type === 'entity.parse.failed') {
      return reply.code(400).send(simpleOutcome('structure', 'the request body is not valid JSON'));
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status === 429) return reply.code(429).send(simpleOutcome('throttled', 'too many requests: slow down and retry later'));
    if (status >= 400 && status < 500) {
      // Fastify's own 4xx messages (prototype poisoning, bad URL) are generic and carry no data.
      return reply.code(status).send(simpleOutcome('invalid', error.message || 'bad request'));
    }
    limiter.log(request.log, 'error', `unhandled:${errorKind(error)}:${route}`, { err: error }, 'unhandled error');
    return reply.code(500).send(simpleOutcome('exception', 'internal error: the request was not processed'));
  });

  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).send(simpleOutcome('not-found', 'no such endpoint: see GET /cds-services'));
  });
}

/** An error's code or class name, for grouping log lines: never its message (which may carry data). */
function errorKind(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' ? name : 'Error';
}
