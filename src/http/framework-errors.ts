// Refusals Fastify and Node make before any route runs: a path that is not valid URL encoding, a path
// segment over the router's limit, and requests the HTTP parser cannot read (bad framing, headers too
// large, a request that took too long). Left to their defaults they answered in Fastify's own JSON,
// echoed the path, skipped the security headers and the anonymous budget (found by fuzzing,
// 2026-11-29). Here each is an OperationOutcome like every other refusal, with the same headers.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequestError, issue, operationOutcome, sendError, VigilError } from '../errors.js';

/** Fastify's `frameworkErrors` codes, as the refusal each is answered with. Never the path itself. */
function frameworkRefusal(error: FastifyError): VigilError {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return new InvalidRequestError(issue('too-costly', 'a segment of the request path is longer than this service accepts'), {
      statusCode: 414,
    });
  if (error.code === 'FST_ERR_BAD_URL') return new InvalidRequestError(issue('structure', 'the request path is not valid URL encoding'));
  return new VigilError('VIGIL_INTERNAL', 'internal error', issue('exception', 'internal error: the request was not processed'));
}

/**
 * Fastify's `frameworkErrors` option: such a request is charged to the anonymous budget first (it may
 * be answered 429 there), then refused with the security headers `headers`.
 */
export function frameworkErrorHandler(
  headers: Readonly<Record<string, string>>,
  beforeAuth: () => ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) | undefined,
) {
  const refuse = async (error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.headers(headers);
    await beforeAuth()?.(request, reply);
    if (reply.sent) return;
    await sendError(reply, frameworkRefusal(error));
  };
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    // The budget refuses by throwing (429, RateLimitedError), as it does in an onRequest hook.
    refuse(error, request, reply).catch((err: unknown) => {
      if (!reply.sent) void sendError(reply, err instanceof VigilError ? err : frameworkRefusal(err as FastifyError));
    });
  };
}

/** What the HTTP parser's refusals are answered with: status, and an OperationOutcome. */
function clientRefusal(code: string | undefined): {
  status: number;
  diagnostics: string;
  issueCode: 'structure' | 'timeout' | 'too-costly';
} {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, diagnostics: 'the request took too long to arrive', issueCode: 'timeout' };
  if (code === 'HPE_HEADER_OVERFLOW')
    return { status: 431, diagnostics: 'the request headers are larger than this service accepts', issueCode: 'too-costly' };
  return { status: 400, diagnostics: 'the request is not valid HTTP/1.1', issueCode: 'structure' };
}

/**
 * Fastify's `clientErrorHandler` option (Node's 'clientError'): as Fastify's default (nothing for a
 * reset or destroyed socket, an answer if it can still be written, then the socket closed), but the
 * answer is an OperationOutcome with the security headers.
 */
export function clientErrorHandler(headers: Readonly<Record<string, string>>) {
  const lines = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const { status, diagnostics, issueCode } = clientRefusal(err.code);
    const body = JSON.stringify(operationOutcome(issue(issueCode, diagnostics)));
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${lines}Connection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(err);
  };
}
