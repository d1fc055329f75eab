// Every error answer comes from one error type: whatever is thrown on a request becomes a VigilError
// with a stable code, and errorAnswer alone decides its status, headers and OperationOutcome.
import { describe, expect, it } from 'vitest';
import { AuthRefusal } from '../../src/auth/refusal.js';
import { errorAnswer, RateLimitedError, UnknownServiceError, VigilError } from '../../src/errors.js';
import { asVigilError } from '../../src/http/error-handler.js';

const fastifyError = (code: string, statusCode: number, message = 'x') => Object.assign(new Error(message), { code, statusCode });

describe('what is thrown becomes a VigilError', () => {
  it.each([
    ['a body over the limit', fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413), 'VIGIL_PAYLOAD_TOO_LARGE', 413],
    ['a body that is not JSON', fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415), 'VIGIL_UNSUPPORTED_MEDIA_TYPE', 415],
    ['an empty JSON body', fastifyError('FST_ERR_CTP_EMPTY_JSON_BODY', 400), 'VIGIL_INVALID_REQUEST', 400],
    ['malformed JSON', new SyntaxError('Unexpected token'), 'VIGIL_INVALID_REQUEST', 400],
    ['an overlong route parameter (the router says 414)', fastifyError('FST_ERR_MAX_PARAM_LENGTH', 414), 'VIGIL_INVALID_REQUEST', 414],
    ['a bug', new TypeError('cannot read properties of undefined (reading patient 12345)'), 'VIGIL_INTERNAL', 500],
  ] as const)('%s: %s', (_what, thrown, code, status) => {
    const error = asVigilError(thrown);
    expect([error.code, errorAnswer(error).statusCode]).toEqual([code, status]);
  });

  it('keeps a VigilError as it is', () => {
    const error = new UnknownServiceError();
    expect(asVigilError(error)).toBe(error);
  });
});

describe('errorAnswer', () => {
  it('hides an internal error behind a fixed sentence', () => {
    const body = JSON.stringify(errorAnswer(asVigilError(new Error('ENOENT /var/lib/vigil/patient-12345'))).body);
    expect(body).not.toContain('12345');
    expect(body).toContain('internal error: the request was not processed');
  });

  it('tells a refused token nothing but "unauthorized", and asks for a Bearer token', () => {
    const answer = errorAnswer(new AuthRefusal('aud_mismatch'));
    expect(answer.statusCode).toBe(401);
    expect(answer.headers).toEqual({ 'www-authenticate': 'Bearer' });
    expect(JSON.stringify(answer.body)).not.toContain('aud_mismatch');
  });

  it('says when to retry a 429 or a 503', () => {
    expect(errorAnswer(new RateLimitedError(7)).headers).toEqual({ 'retry-after': '7' });
    expect(errorAnswer(new VigilError('VIGIL_BUSY', 'busy', undefined, { retryAfterSeconds: 1 })).headers).toEqual({ 'retry-after': '1' });
  });
});
