// The one place errors become HTTP answers. Everything thrown on a request (Vigil's own errors,
// Fastify's refusals of a body or a URL, anything unexpected) becomes a VigilError, and errorAnswer
// (errors.ts) decides its status, headers and OperationOutcome. 5xx bodies never carry internals;
// 401 bodies never carry details.
import type { FastifyError, FastifyInstance } from 'fastify';
import { errorCode, InvalidRequestError, issue, NotFoundError, RateLimitedError, sendError, VigilError } from '../errors.js';
import { defaultLogLimiter, type LogLimiter } from '../observability/log-limiter.js';

/** Fastify's refusals of a request, by its error code, as the VigilError each is answered with. */
const FASTIFY_REFUSALS: Readonly<Record<string, () => VigilError>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new VigilError(
      'VIGIL_UNSUPPORTED_MEDIA_TYPE',
      'not JSON',
      issue('not-supported', 'the request body must be JSON (Content-Type: application/json)'),
    ),
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    new VigilError(
      'VIGIL_PAYLOAD_TOO_LARGE',
      'body too large',
      issue('too-costly', 'the request body is larger than this service accepts'),
    ),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new InvalidRequestError(issue('structure', 'the request body is empty')),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new InvalidRequestError(issue('structure', 'the Content-Length does not match the body')),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new InvalidRequestError(issue('structure', 'the request body is not valid JSON')),
};

/** Whatever was thrown, as the VigilError it is answered with. */
export function asVigilError(error: FastifyError | Error): VigilError {
  if (error instanceof VigilError) return error;
  const refusal = FASTIFY_REFUSALS[errorCode(error)];
  if (refusal !== undefined) return refusal();
  if (error instanceof SyntaxError) return new InvalidRequestError(issue('structure', 'the request body is not valid JSON'));
  const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (status === 429) return new RateLimitedError(1);
  // Fastify's own other 4xx (prototype poisoning, a bad URL, an overlong parameter) are generic and carry no data.
  if (status >= 400 && status < 500)
    return new InvalidRequestError(issue('invalid', error.message || 'bad request'), { statusCode: status });
  return new VigilError('VIGIL_INTERNAL', 'internal error', issue('exception', 'internal error: the request was not processed'), {
    cause: errorCode(error, error.name),
  });
}

export function installErrorHandling(app: FastifyInstance, limiter: LogLimiter = defaultLogLimiter()): void {
  app.setErrorHandler((thrown: FastifyError | Error, request, reply) => {
    const error = asVigilError(thrown);
    if (error.statusCode >= 500) {
      // A full disk fails every call the same way: a few lines a minute say so, metrics count them all.
      const route = request.routeOptions.url ?? '(unmatched)';
      const cause = typeof error.cause === 'string' ? error.cause : undefined;
      const unexpected = error.code === 'VIGIL_INTERNAL';
      limiter.log(
        request.log,
        'error',
        `${unexpected ? 'unhandled' : error.code}:${cause ?? ''}:${route}`,
        unexpected ? { err: thrown } : { err: { code: error.code, ...(cause !== undefined ? { cause } : {}) } },
        unexpected ? 'unhandled error' : 'request failed',
      );
    }
    return sendError(reply, error);
  });

  app.setNotFoundHandler((_request, reply) => sendError(reply, new NotFoundError('no such endpoint: see GET /cds-services')));
}
