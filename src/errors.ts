// Errors with stable codes, mapped in one place (app.ts's error handler) to an HTTP status and a
// FHIR OperationOutcome. No handler formats its own error body.

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
  | 'VIGIL_UNKNOWN_SERVICE'
  | 'VIGIL_UNSUPPORTED_MEDIA_TYPE'
  | 'VIGIL_PAYLOAD_TOO_LARGE'
  | 'VIGIL_PRECONDITION_FAILED'
  | 'VIGIL_UNAUTHORIZED'
  | 'VIGIL_RATE_LIMITED'
  | 'VIGIL_NOT_READY'
  | 'VIGIL_AUDIT_UNAVAILABLE'
  | 'VIGIL_FEEDBACK_UNAVAILABLE'
  | 'VIGIL_STATE_UNAVAILABLE'
  | 'VIGIL_BUSY'
  | 'VIGIL_INTERNAL';

const STATUS: Record<VigilErrorCode, number> = {
  VIGIL_INVALID_REQUEST: 400,
  VIGIL_UNAUTHORIZED: 401,
  VIGIL_UNKNOWN_SERVICE: 404,
  VIGIL_PRECONDITION_FAILED: 412,
  VIGIL_PAYLOAD_TOO_LARGE: 413,
  VIGIL_UNSUPPORTED_MEDIA_TYPE: 415,
  VIGIL_RATE_LIMITED: 429,
  VIGIL_INTERNAL: 500,
  VIGIL_NOT_READY: 503,
  VIGIL_AUDIT_UNAVAILABLE: 503,
  VIGIL_FEEDBACK_UNAVAILABLE: 503,
  VIGIL_STATE_UNAVAILABLE: 503,
  VIGIL_BUSY: 503,
};

export class VigilError extends Error {
  readonly code: VigilErrorCode;
  readonly statusCode: number;
  readonly issues: OperationOutcomeIssue[];
  /** Sent as Retry-After: when a client may try again (429, 503). */
  retryAfterSeconds?: number;

  constructor(code: VigilErrorCode, message: string, issues?: OperationOutcomeIssue[]) {
    super(message);
    this.name = 'VigilError';
    this.code = code;
    this.statusCode = STATUS[code];
    this.issues = issues ?? [{ severity: 'error', code: 'exception', diagnostics: message }];
  }
}

/** 400: the request does not follow the CDS Hooks specification; each issue names a field. */
export class InvalidRequestError extends VigilError {
  constructor(issues: OperationOutcomeIssue[]) {
    super('VIGIL_INVALID_REQUEST', issues.map((i) => i.diagnostics).join('; '), issues);
  }
}

/** 412: data the service requires is neither in prefetch nor obtainable from the FHIR server. */
export class PreconditionFailedError extends VigilError {
  constructor(missing: string[], why: string) {
    super(
      'VIGIL_PRECONDITION_FAILED',
      why,
      missing.map((key) => ({
        severity: 'error' as const,
        code: 'required' as const,
        diagnostics: `${why} (prefetch key "${key}")`,
        expression: [`prefetch.${key}`],
      })),
    );
  }
}

export function operationOutcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

export function simpleOutcome(code: IssueType, diagnostics: string): OperationOutcome {
  return operationOutcome([{ severity: 'error', code, diagnostics }]);
}

/** An error's code (a POSIX code such as ENOSPC, or Vigil's), never its message: messages carry paths and data. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? code : 'UNKNOWN';
}
