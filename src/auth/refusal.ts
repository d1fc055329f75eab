// Why a call was refused authentication: one stable reason code per way to fail. The code is counted
// (telemetry.authFailure) and logged; the client only ever sees a bare 401.
import { VigilError } from '../errors.js';

export const REFUSAL_REASONS = [
  'missing_token',
  'duplicate_authorization',
  'malformed_header',
  'token_too_large',
  'malformed_token',
  'alg_not_allowed',
  'missing_kid',
  'unknown_issuer',
  'jku_not_allowed',
  'unknown_kid',
  'key_unavailable',
  'bad_signature',
  'missing_claim',
  'invalid_claim',
  'expired',
  'not_yet_valid',
  'iat_in_future',
  'lifetime_too_long',
  'aud_mismatch',
  'tenant_mismatch',
  'replayed_jti',
] as const;

export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** A 401. The message is the reason code only: never the token or any claim value. */
export class AuthRefusal extends VigilError {
  readonly reason: RefusalReason;
  constructor(reason: RefusalReason) {
    super('VIGIL_UNAUTHORIZED', `unauthorized: ${reason}`);
    this.name = 'AuthRefusal';
    this.reason = reason;
  }
}
