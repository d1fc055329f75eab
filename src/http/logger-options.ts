// The pino options server.ts boots with, in one module so the redaction test uses exactly them.
// Bearer tokens and the EHR's fhirAuthorization.access_token are secrets: whatever object shape a
// log line gives them (a header map, a request body, an error), they leave the process as "[redacted]".
import type { LoggerOptions } from 'pino';

/** pino redact paths (fast-redact syntax; `*` is one level, so common nestings are listed). */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  'token',
  '*.token',
  'fhirAuthorization',
  '*.fhirAuthorization',
  '*.*.fhirAuthorization',
  'access_token',
  '*.access_token',
  '*.*.access_token',
];

export function loggerOptions(level: string): LoggerOptions {
  return { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
}
