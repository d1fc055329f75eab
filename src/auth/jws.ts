// Signing CDS Hooks JWTs for the development issuer (`npm run token`), the benchmarks and the tests,
// on fast-jwt, a JOSE library independent of Vigil's own verifier (verify-jws.ts), so the tests check
// the two agree on every encoding (ECDSA signatures as raw r||s, RFC 7518 §3.4). Vigil itself only
// verifies (cds-auth.ts).
import { randomUUID, type KeyObject } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { withFields } from '../lang/with-fields.js';

export type AsymmetricAlg = 'ES256' | 'ES384' | 'ES512' | 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512';

/**
 * Signs `claims` as the header's `alg` says, with the header's `kid` and any other header fields
 * (`jku`, or a test's odd ones). Claims are signed as given: no `iat` is added when there is none.
 */
export function signJwt(
  header: Record<string, unknown> & { alg: AsymmetricAlg },
  claims: Record<string, unknown>,
  privateKey: KeyObject,
): string {
  const { alg, kid, typ, ...rest } = header;
  const sign = createSigner({
    key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    algorithm: alg,
    ...(typeof kid === 'string' ? { kid } : {}),
    ...(typeof typ === 'string' ? { typ } : {}),
    // fast-jwt types its extra header as a whole one (with alg); it sets alg, typ and kid itself.
    header: withFields(rest, { alg }),
    noTimestamp: claims.iat === undefined,
  });
  return sign(claims);
}

export interface CdsTokenRequest {
  iss: string;
  kid: string;
  alg: AsymmetricAlg;
  aud: string | string[];
  privateKey: KeyObject;
  /** Seconds since the epoch. */
  nowSeconds: number;
  lifetimeSeconds?: number;
  jku?: string;
  tenant?: string;
}

/** A token shaped like the CDS Hooks sandbox's: kid, typ, iss, aud, exp, iat, jti. */
export function signCdsToken(req: CdsTokenRequest): string {
  const header = { alg: req.alg, typ: 'JWT', kid: req.kid, ...(req.jku !== undefined ? { jku: req.jku } : {}) };
  const claims = {
    iss: req.iss,
    aud: req.aud,
    exp: req.nowSeconds + (req.lifetimeSeconds ?? 300),
    iat: req.nowSeconds,
    jti: randomUUID(),
    ...(req.tenant !== undefined ? { tenant: req.tenant } : {}),
  };
  return signJwt(header, claims, req.privateKey);
}
