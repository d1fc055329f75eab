// What the log says about a refused token, so an operator can fix the set-up without the token: the
// issuer and audience it presented, its key id and algorithm, and for a clock refusal how far apart
// the clocks are. Read from the token's header and payload as sent (unverified: it was refused), and
// only claims that name systems and keys, never a subject or user (which could be patient or staff
// data). A string is kept only in the shape it should have (a URL or URN, a key id), made printable
// and cut short, so a crafted token cannot write anything else into the log.
import type { RefusalReason } from './refusal.js';

export interface RefusalFacts {
  iss?: string;
  aud?: string[];
  kid?: string;
  alg?: string;
  /** `expired`: how long ago the token expired, by Vigil's clock (a few minutes: a slow EHR clock). */
  expiredSecondsAgo?: number;
  /** `not_yet_valid`: how far ahead `nbf` is of Vigil's clock. */
  nbfAheadSeconds?: number;
  /** `iat_in_future`: how far ahead `iat` is of Vigil's clock (the EHR's clock is fast). */
  iatAheadSeconds?: number;
}

/** Longest string kept from a claim: an issuer or audience URL fits; a payload smuggled in does not. */
export const MAX_FACT_CHARS = 200;
const MAX_AUDIENCES = 3;

/** Reasons that are a set-up fault (an issuer, key, audience or clock to fix), logged at warn. */
export const CONFIGURATION_REFUSALS: ReadonlySet<RefusalReason> = new Set([
  'unknown_issuer',
  'aud_mismatch',
  'unknown_kid',
  'key_unavailable',
  'jku_not_allowed',
  'alg_not_allowed',
  'expired',
  'not_yet_valid',
  'iat_in_future',
  'lifetime_too_long',
  'tenant_mismatch',
]);

function segment(token: string, index: number): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Printable ASCII only, cut to MAX_FACT_CHARS (with a mark when cut). */
function printable(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, '?');
  return clean.length <= MAX_FACT_CHARS ? clean : `${clean.slice(0, MAX_FACT_CHARS - 3)}...`;
}

/** A URL (http, https) or URN, as issuers and audiences are; anything else is said to be other. */
function systemName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /^(https?:\/\/|urn:)/i.test(value) ? printable(value) : '(not a URL or URN)';
}

const whole = (n: unknown): number | undefined => (typeof n === 'number' && Number.isFinite(n) ? Math.round(n) : undefined);

export function refusalFacts(token: string | undefined, reason: RefusalReason, now: Date): RefusalFacts {
  if (token === undefined) return {};
  const header = segment(token, 0) ?? {};
  const claims = segment(token, 1) ?? {};
  const facts: RefusalFacts = {};
  const iss = systemName(claims['iss']);
  if (iss !== undefined) facts.iss = iss;
  const audiences = (Array.isArray(claims['aud']) ? claims['aud'] : [claims['aud']]).slice(0, MAX_AUDIENCES).map(systemName);
  const aud = audiences.filter((a): a is string => a !== undefined);
  if (aud.length > 0) facts.aud = aud;
  if (typeof header['kid'] === 'string') facts.kid = printable(header['kid']);
  if (typeof header['alg'] === 'string') facts.alg = printable(header['alg']).slice(0, 16);
  // Whole seconds, as the claims are (RFC 7519 NumericDate).
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const exp = whole(claims['exp']);
  const nbf = whole(claims['nbf']);
  const iat = whole(claims['iat']);
  if (reason === 'expired' && exp !== undefined) facts.expiredSecondsAgo = nowSeconds - exp;
  if (reason === 'not_yet_valid' && nbf !== undefined) facts.nbfAheadSeconds = nbf - nowSeconds;
  if (reason === 'iat_in_future' && iat !== undefined) facts.iatAheadSeconds = iat - nowSeconds;
  return facts;
}
