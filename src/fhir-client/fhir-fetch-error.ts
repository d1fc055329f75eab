// Why one FHIR read failed, with a stable code (logs, tests), a metric label, whether a retry may
// help, whether it says the EHR endpoint is sick (breaker), and a problem text safe to show on a card.

export type FhirFetchCode =
  | 'FHIR_TIMEOUT'
  | 'FHIR_DEADLINE'
  | 'FHIR_NETWORK'
  | 'FHIR_THROTTLED'
  | 'FHIR_SERVER_ERROR'
  | 'FHIR_UNAUTHORIZED'
  | 'FHIR_NOT_FOUND'
  | 'FHIR_HTTP_ERROR'
  | 'FHIR_NOT_JSON'
  | 'FHIR_BAD_JSON'
  | 'FHIR_BAD_ENCODING'
  | 'FHIR_NOT_FHIR'
  | 'FHIR_OUTCOME'
  | 'FHIR_TOO_LARGE'
  | 'FHIR_REDIRECT_REFUSED'
  | 'FHIR_BREAKER_OPEN';

interface Kind {
  outcome: string;
  retryable: boolean;
  /** Counts as a failure of the origin in its breaker: the endpoint is down, slow or overloaded. */
  sick: boolean;
  /**
   * For a sick kind: what the endpoint did, in the words its own problem uses, for the cards of calls
   * refused while the breaker it opened is open (a firewall or a down server reads "could not be
   * reached", an overloaded one "did not answer in time").
   */
  failing?: string;
}

const KINDS: Record<FhirFetchCode, Kind> = {
  FHIR_TIMEOUT: { outcome: 'timeout', retryable: true, sick: true, failing: 'did not answer in time' },
  FHIR_DEADLINE: { outcome: 'deadline', retryable: false, sick: true, failing: 'did not answer in time' },
  FHIR_NETWORK: { outcome: 'network', retryable: true, sick: true, failing: 'could not be reached' },
  FHIR_THROTTLED: { outcome: 'http_429', retryable: true, sick: true, failing: 'asked Vigil to slow down (HTTP 429)' },
  FHIR_SERVER_ERROR: { outcome: 'http_5xx', retryable: true, sick: true, failing: 'failed (HTTP 5xx)' },
  FHIR_UNAUTHORIZED: { outcome: 'unauthorized', retryable: false, sick: false },
  FHIR_NOT_FOUND: { outcome: 'http_404', retryable: false, sick: false },
  FHIR_HTTP_ERROR: { outcome: 'http_4xx', retryable: false, sick: false },
  FHIR_NOT_JSON: { outcome: 'not_json', retryable: false, sick: false },
  FHIR_BAD_JSON: { outcome: 'bad_json', retryable: false, sick: false },
  FHIR_BAD_ENCODING: { outcome: 'bad_encoding', retryable: false, sick: false },
  FHIR_NOT_FHIR: { outcome: 'not_fhir', retryable: false, sick: false },
  FHIR_OUTCOME: { outcome: 'outcome', retryable: false, sick: false },
  FHIR_TOO_LARGE: { outcome: 'too_large', retryable: false, sick: false },
  FHIR_REDIRECT_REFUSED: { outcome: 'redirect_refused', retryable: false, sick: false },
  FHIR_BREAKER_OPEN: { outcome: 'breaker_open', retryable: false, sick: false },
};

export class FhirFetchError extends Error {
  readonly code: FhirFetchCode;
  /** Shown to clinicians as why data is missing: no patient data, no token, no URL. */
  readonly problem: string;
  readonly retryAfterMs: number | undefined;

  constructor(code: FhirFetchCode, problem: string, retryAfterMs?: number) {
    super(problem);
    this.name = 'FhirFetchError';
    this.code = code;
    this.problem = problem;
    this.retryAfterMs = retryAfterMs;
  }

  get outcome(): string {
    return KINDS[this.code].outcome;
  }
  get retryable(): boolean {
    return KINDS[this.code].retryable;
  }
  get sick(): boolean {
    return KINDS[this.code].sick;
  }
}

/**
 * Why a call was not sent to an origin whose breaker is open, in the words of what opened it (the
 * origin's last failure), so a card or 412 still tells "could not be reached" from "did not answer in time".
 */
export function breakerOpenError(lastFailure: FhirFetchError | undefined): FhirFetchError {
  const words = lastFailure !== undefined ? KINDS[lastFailure.code].failing : undefined;
  return new FhirFetchError(
    'FHIR_BREAKER_OPEN',
    `the EHR's FHIR server has been failing${words !== undefined ? ` (${words})` : ''}; Vigil is not asking it again for a few seconds`,
  );
}
