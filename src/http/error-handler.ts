// The one place errors become HTTP answers: a status and an OperationOutcome naming the problem.
// 5xx bodies never carry internals; 401 bodies never carry details.
import type { FastifyError, FastifyInstance } from 'fastify';
import { operationOutcome, simpleOutcome, VigilError, type IssueType } from '../errors.js';

const FASTIFY_CODES: Record<string, { status: number; code: IssueType; text: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'not-supported', text: 'the request body must be JSON (Content-Type: application/json)' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'too-costly', text: 'the request body is larger than this service accepts' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'structure', text: 'the request body is empty' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'structure', text: 'the Content-Length does not match the body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'structure', text: 'the request body is not valid JSON' },
};

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | VigilError, request, reply) => {
    if (error instanceof VigilError) {
      if (error.statusCode === 401) {
        return reply.code(401).header('www-authenticate', 'Bearer').send(simpleOutcome('login', 'unauthorized'));
      }
      if (error.statusCode >= 500) request.log.error({ err: { code: error.code } }, 'request failed');
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
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(simpleOutcome('exception', 'internal error: the request was not processed'));
  });

  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).send(simpleOutcome('not-found', 'no such endpoint: see GET /cds-services'));
  });
}
