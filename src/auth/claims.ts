// The claim checks of a CDS Hooks JWT whose signature is already verified: required claims and their
// types, time (one injected clock, with a skew), the exact URL called as `aud`, and the tenant.
// Pure: `now` is a parameter. Extra claims (a major EHR adds `sub` and `nbf`) are tolerated.
import type { RefusalReason } from './refusal.js';

export interface CdsJwtClaims {
  iss: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  nbf?: number;
  tenant?: string;
  [extra: string]: unknown;
}

export interface ClaimExpectations {
  /** Every way of writing the URL called (normally exactly one). */
  audiences: readonly string[];
  tenant?: string | undefined;
  skewSeconds: number;
  maxLifetimeSeconds: number;
}

/** A jti is a nonce: a kilobyte of it is not one, and it is kept in memory. */
const MAX_JTI_CHARS = 256;
/** A tenant names a client's site; it keys rate limits and feedback quotas, and is stored with feedback. */
const MAX_TENANT_CHARS = 256;

const REQUIRED = ['iss', 'aud', 'exp', 'iat', 'jti'] as const;

function typesOk(c: Record<string, unknown>): boolean {
  const audOk =
    (typeof c.aud === 'string' && c.aud !== '') || (Array.isArray(c.aud) && c.aud.length > 0 && c.aud.every((a) => typeof a === 'string'));
  return (
    typeof c.iss === 'string' &&
    audOk &&
    Number.isFinite(c.exp) &&
    Number.isFinite(c.iat) &&
    typeof c.jti === 'string' &&
    c.jti.length > 0 &&
    c.jti.length <= MAX_JTI_CHARS &&
    (c.nbf === undefined || Number.isFinite(c.nbf)) &&
    (c.tenant === undefined || (typeof c.tenant === 'string' && c.tenant.length <= MAX_TENANT_CHARS))
  );
}

/** The first reason to refuse these claims, or undefined when they are acceptable at `now`. */
export function checkClaims(claims: Record<string, unknown>, expect: ClaimExpectations, now: Date): RefusalReason | undefined {
  if (REQUIRED.some((k) => claims[k] === undefined || claims[k] === null)) return 'missing_claim';
  if (!typesOk(claims)) return 'invalid_claim';
  const c = claims as CdsJwtClaims;
  const t = now.getTime() / 1000;
  const skew = expect.skewSeconds;
  if (t > c.exp + skew) return 'expired';
  if (c.exp - t > expect.maxLifetimeSeconds + skew) return 'lifetime_too_long';
  if (c.nbf !== undefined && t + skew < c.nbf) return 'not_yet_valid';
  if (c.iat > t + skew) return 'iat_in_future';
  const auds = Array.isArray(c.aud) ? c.aud : [c.aud];
  if (!auds.some((a) => expect.audiences.includes(a))) return 'aud_mismatch';
  if (expect.tenant !== undefined && c.tenant !== expect.tenant) return 'tenant_mismatch';
  return undefined;
}
