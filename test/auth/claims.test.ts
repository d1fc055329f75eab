// Claim checks at both sides of every time boundary (30 s skew, 3600 s longest lifetime), aud in its
// string and array forms, tenant, required claims and their types.
import { describe, expect, it } from 'vitest';
import { checkClaims, type ClaimExpectations } from '../../src/auth/claims.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const T = NOW.getTime() / 1000;
const AUD = 'https://vigil.example/cds-services/deterioration-risk';
const expect30: ClaimExpectations = { audiences: [AUD], skewSeconds: 30, maxLifetimeSeconds: 3600 };
const base = { iss: 'https://ehr.example', aud: AUD, exp: T + 300, iat: T, jti: 'a1' };

describe('checkClaims', () => {
  it.each([
    ['exp 30 s ago (within the skew)', { exp: T - 30 }, undefined],
    ['exp 31 s ago', { exp: T - 31 }, 'expired'],
    ['exp one lifetime plus the skew ahead', { exp: T + 3630 }, undefined],
    ['exp beyond one lifetime plus the skew', { exp: T + 3631 }, 'lifetime_too_long'],
    ['iat 30 s ahead (within the skew)', { iat: T + 30 }, undefined],
    ['iat 31 s ahead', { iat: T + 31 }, 'iat_in_future'],
    ['nbf 30 s ahead (within the skew)', { nbf: T + 30 }, undefined],
    ['nbf 31 s ahead', { nbf: T + 31 }, 'not_yet_valid'],
    ['an aud array holding our URL', { aud: ['https://x.example', AUD] }, undefined],
    ['an aud with a trailing slash', { aud: `${AUD}/` }, 'aud_mismatch'],
    ['an aud array without our URL', { aud: ['https://x.example'] }, 'aud_mismatch'],
    ['an empty aud array', { aud: [] }, 'invalid_claim'],
    ['a numeric exp given as a string', { exp: String(T + 300) }, 'invalid_claim'],
    ['a jti of 257 characters', { jti: 'j'.repeat(257) }, 'invalid_claim'],
    ['an empty jti', { jti: '' }, 'invalid_claim'],
    ['a tenant of 256 characters', { tenant: 't'.repeat(256) }, undefined],
    ['a tenant of 257 characters (it keys limits and is stored)', { tenant: 't'.repeat(257) }, 'invalid_claim'],
    ['extra claims (sub)', { sub: 'client' }, undefined],
  ] as const)('%s → %s', (_name, over, reason) => {
    expect(checkClaims({ ...base, ...over }, expect30, NOW)).toBe(reason);
  });

  it.each(['iss', 'aud', 'exp', 'iat', 'jti'])('refuses a token without %s', (claim) => {
    const claims: Record<string, unknown> = { ...base };
    delete claims[claim];
    expect(checkClaims(claims, expect30, NOW)).toBe('missing_claim');
  });

  it.each([
    ['the configured tenant', 'north', undefined],
    ['another tenant', 'south', 'tenant_mismatch'],
    ['no tenant', undefined, 'tenant_mismatch'],
  ] as const)('with a tenant configured, accepts only %s', (_name, tenant, reason) => {
    expect(checkClaims({ ...base, ...(tenant !== undefined ? { tenant } : {}) }, { ...expect30, tenant: 'north' }, NOW)).toBe(reason);
  });
});
