// Errors with stable codes, each answered with an HTTP status and a FHIR OperationOutcome decided in
// one place (errorAnswer below, sent by http/error-handler.ts). No handler formats its own error body.
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

export type IssueType =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'not-found'
  | 'not-supported'
  | 'too-costly'
  | 'security'
  | 'login'
  | 'throttled'
  | 'timeout'
  | 'transient'
  | 'incomplete'
  | 'exception';

export interface OperationOutcomeIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: IssueType;
  diagnostics?: string;
  /** FHIRPath-like location of the offending field, e.g. `context.selections[0]`. */
  expression?: string[];
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: OperationOutcomeIssue[];
}

export type VigilErrorCode =
  | 'VIGIL_INVALID_REQUEST'
  | 'VIGIL_UNAUTHORIZED'
  | 'VIGIL_UNKNOWN_SERVICE'
  | 'VIGIL_NOT_FOUND'
  | 'VIGIL_PRECONDITION_FAILED'
  | 'VIGIL_PAYLOAD_TOO_LARGE'
  | 'VIGIL_UNSUPPORTED_MEDIA_TYPE'
  | 'VIGIL_RATE_LIMITED'
  | 'VIGIL_INTERNAL'
  | 'VIGIL_AUDIT_UNAVAILABLE'
  | 'VIGIL_FEEDBACK_UNAVAILABLE'
  | 'VIGIL_STATE_UNAVAILABLE'
  | 'VIGIL_BUSY';

const STATUS: Record<VigilErrorCode, number> = {
  VIGIL_INVALID_REQUEST: 400,
  VIGIL_UNAUTHORIZED: 401,
  VIGIL_UNKNOWN_SERVICE: 404,
  VIGIL_NOT_FOUND: 404,
  VIGIL_PRECONDITION_FAILED: 412,
  VIGIL_PAYLOAD_TOO_LARGE: 413,
  VIGIL_UNSUPPORTED_MEDIA_TYPE: 415,
  VIGIL_RATE_LIMITED: 429,
  VIGIL_INTERNAL: 500,
  VIGIL_AUDIT_UNAVAILABLE: 503,
  VIGIL_FEEDBACK_UNAVAILABLE: 503,
  VIGIL_STATE_UNAVAILABLE: 503,
  VIGIL_BUSY: 503,
};

export interface VigilErrorOptions {
  /** Sent as Retry-After: when a client may try again (429, 503). */
  retryAfterSeconds?: number;
  /** A code naming the underlying failure (ENOSPC, ...), for the log line of a 5xx; never a message. */
  cause?: string;
  /** A refusal HTTP itself decided with another 4xx (414 from the router): kept, under VIGIL_INVALID_REQUEST. */
  statusCode?: number;
}

/** Every error answer Vigil gives: a stable code, its HTTP status and the OperationOutcome issues it sends. */
export class VigilError extends Error {
  readonly code: VigilErrorCode;
  readonly statusCode: number;
  readonly issues: OperationOutcomeIssue[];
  readonly retryAfterSeconds: number | undefined;

  constructor(code: VigilErrorCode, message: string, issues?: OperationOutcomeIssue[], options: VigilErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'VigilError';
    this.code = code;
    this.statusCode = options.statusCode ?? STATUS[code];
    this.issues = issues ?? [{ severity: 'error', code: 'exception', diagnostics: message }];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** One issue: what most errors say. */
export function issue(code: IssueType, diagnostics: string, expression?: string): OperationOutcomeIssue[] {
  return [{ severity: 'error', code, diagnostics, ...(expression !== undefined ? { expression: [expression] } : {}) }];
}

/** 400: the request does not follow the CDS Hooks specification; each issue names a field. */
export class InvalidRequestError extends VigilError {
  constructor(issues: OperationOutcomeIssue[], options?: VigilErrorOptions) {
    super('VIGIL_INVALID_REQUEST', issues.map((i) => i.diagnostics).join('; '), issues, options);
  }

  /** A body that is JSON but not an object (an array, a string, null). */
  static notAnObject(): InvalidRequestError {
    return new InvalidRequestError(issue('structure', 'the request body must be a JSON object', '(body)'));
  }

  /**
   * JSON with a `__proto__` or `constructor.prototype` key: refused (it could change objects' prototypes),
   * and said so, where "not valid JSON" would send an integrator looking for a syntax error.
   */
  static forbiddenKey(): InvalidRequestError {
    return new InvalidRequestError(
      issue(
        'structure',
        'the request body has a "__proto__" or "constructor"."prototype" key, which no CDS Hooks call or FHIR resource has; such keys are refused',
      ),
    );
  }

  /** A body a zod schema refused: each field named, never its value. */
  static fromZod(issues: readonly z.core.$ZodIssue[], input: unknown): InvalidRequestError {
    return new InvalidRequestError(zodIssuesToOutcome(issues, input));
  }

  /** Rules broken across fields (a path and what is wrong), worded as zod's custom issues are. */
  static fromRules(issues: readonly { path: readonly PropertyKey[]; message: string }[]): InvalidRequestError {
    return new InvalidRequestError(
      issues.map((i) => ({
        severity: 'error',
        code: 'invalid',
        diagnostics: `${fieldPath(i.path)} ${i.message}`,
        expression: [fieldPath(i.path)],
      })),
    );
  }
}

/** 404: a CDS service id this Vigil does not host (hook calls, feedback, the About page). */
export class UnknownServiceError extends VigilError {
  constructor() {
    super('VIGIL_UNKNOWN_SERVICE', 'unknown service', issue('not-found', 'no CDS service with this id: see GET /cds-services'));
  }
}

/** 412: data the service requires is neither in prefetch nor obtainable from the FHIR server. */
export class PreconditionFailedError extends VigilError {
  /**
   * `missing`: each key, with why it could not be had when that is known, in words safe to show (no
   * patient data, no token): an integrator needs "not on VIGIL_FHIR_ALLOWED_ORIGINS" or "timed out", not
   * only that it failed (integration review, 2026-11-29). `sources`: where every key came from, so the
   * refused call is counted in the prefetch metric too (an operations review, 2026-11-29: during an
   * outage of the EHR's FHIR server the metric showed nothing, as only answered calls were counted).
   */
  constructor(
    missing: { key: string; problem?: string }[],
    why: string,
    readonly sources: Readonly<Record<string, string>> = {},
  ) {
    super(
      'VIGIL_PRECONDITION_FAILED',
      why,
      missing.map(({ key, problem }) => ({
        severity: 'error' as const,
        code: 'required' as const,
        diagnostics: `${why} (prefetch key "${key}"${problem !== undefined ? `: ${problem}` : ''})`,
        expression: [`prefetch.${key}`],
      })),
    );
  }
}

/** 429: over a rate limit (the request budgets) or an allowance (feedback per day). */
export class RateLimitedError extends VigilError {
  constructor(retryAfterSeconds: number, diagnostics = 'too many requests: slow down and retry later') {
    super('VIGIL_RATE_LIMITED', diagnostics, issue('throttled', diagnostics), { retryAfterSeconds });
  }
}

/** 404: no such endpoint (`diagnostics` says where to look instead). */
export class NotFoundError extends VigilError {
  constructor(diagnostics: string) {
    super('VIGIL_NOT_FOUND', 'no such endpoint', issue('not-found', diagnostics));
  }
}

/** The HTTP answer of an error, decided here only: status, headers and the OperationOutcome body. */
export function errorAnswer(error: VigilError): { statusCode: number; headers: Record<string, string>; body: OperationOutcome } {
  // A refused token is told nothing about why: the reason is counted and logged, never sent.
  if (error.code === 'VIGIL_UNAUTHORIZED') {
    return { statusCode: 401, headers: { 'www-authenticate': 'Bearer' }, body: operationOutcome(issue('login', 'unauthorized')) };
  }
  const headers: Record<string, string> = error.retryAfterSeconds !== undefined ? { 'retry-after': String(error.retryAfterSeconds) } : {};
  return { statusCode: error.statusCode, headers, body: operationOutcome(error.issues) };
}

/** Sends the answer errorAnswer decides (the error handler, and the admin port's 404). */
export function sendError(reply: FastifyReply, error: VigilError): FastifyReply {
  const answer = errorAnswer(error);
  return reply.code(answer.statusCode).headers(answer.headers).send(answer.body);
}

export function operationOutcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

/**
 * The code of an error from elsewhere (a POSIX code such as ENOSPC, a library's, or Vigil's): the one
 * place a foreign error's `code` is read. Never its message: messages carry paths and data.
 */
export function errorCode(err: unknown, fallback = 'UNKNOWN'): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? code : fallback;
}

// zod issues as OperationOutcome issues that name the offending field (as a FHIRPath-like
// expression) without echoing the value, which may be patient data.

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(body)' : out;
}

/**
 * The value at a zod issue's path in what was parsed. zod 4 leaves the offending value out of an issue
 * unless asked (`issue.input` is then always undefined), so "missing" is read from the input itself:
 * reading `issue.input` made `context: "x"` answer "context is required".
 */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function describe(issue: z.core.$ZodIssue, missing: boolean): string {
  if (issue.code === 'invalid_type' && missing) return 'is required';
  if (issue.code === 'invalid_type')
    return `must be ${issue.expected === 'object' || issue.expected === 'record' ? 'an object' : issue.expected === 'array' ? 'an array' : `a ${issue.expected}`}`;
  if (issue.code === 'invalid_value') return `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
  if (issue.code === 'invalid_union') return 'must be a FHIR resource, a Bundle or null';
  return issue.message;
}

/** `input`: what was parsed, to tell a missing field from one of the wrong type. */
export function zodIssuesToOutcome(issues: readonly z.core.$ZodIssue[], input: unknown): OperationOutcomeIssue[] {
  // Report each field once; zod can raise several issues for one bad value.
  const seen = new Set<string>();
  const out: OperationOutcomeIssue[] = [];
  for (const issue of issues) {
    const path = fieldPath(issue.path);
    const missing = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
    const diagnostics = `${path} ${describe(issue, missing)}`;
    if (seen.has(diagnostics)) continue;
    seen.add(diagnostics);
    out.push({
      severity: 'error',
      code: missing ? 'required' : 'invalid',
      diagnostics,
      expression: [path],
    });
    if (out.length >= 20) break;
  }
  return out;
}
