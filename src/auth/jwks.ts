// A JWKS turned into verification keys by kid. Only asymmetric signing keys survive: an `oct` (HMAC)
// key in a JWKS must never become a shared secret, and small RSA keys are not worth trusting.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { AsymmetricAlg } from './jws.js';

export interface VerifyKey {
  kid: string;
  /** The public key, parsed once when the JWKS is read (verify-jws.ts checks signatures with it). */
  key: KeyObject;
  /** Algorithms this key can verify: the curve fixes ES*, RSA allows RS* and PS*, a JWK `alg` narrows to one. */
  algorithms: ReadonlySet<AsymmetricAlg>;
}

export type KeyMap = ReadonlyMap<string, VerifyKey>;

/** A JWKS that could not be had or is not one: the issuer keeps the keys it had (remote-jwks.ts). */
export class JwksError extends Error {
  constructor(
    readonly code: 'JWKS_HTTP_ERROR' | 'JWKS_NOT_A_JWKS',
    message: string,
  ) {
    super(message);
    this.name = 'JwksError';
  }
}

const EC_ALG: Record<string, AsymmetricAlg> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };
const RSA_ALGS: AsymmetricAlg[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const MIN_RSA_BITS = 2048;

function algorithmsOf(jwk: Record<string, unknown>, key: KeyObject): AsymmetricAlg[] {
  let algs: AsymmetricAlg[] = [];
  if (jwk.kty === 'EC' && typeof jwk.crv === 'string' && EC_ALG[jwk.crv] !== undefined) algs = [EC_ALG[jwk.crv]!];
  if (jwk.kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS) algs = RSA_ALGS;
  return typeof jwk.alg === 'string' ? algs.filter((a) => a === jwk.alg) : algs;
}

/**
 * Keys of a JWKS document by kid; entries without a kid, not for signing, symmetric, private or
 * unparsable are skipped (a JWKS served by someone else may hold anything). Throws only when the
 * document itself is not a JWKS.
 */
export function parseJwks(doc: unknown): Map<string, VerifyKey> {
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new JwksError('JWKS_NOT_A_JWKS', 'not a JWKS: no "keys" array');
  const out = new Map<string, VerifyKey>();
  for (const entry of keys) {
    if (typeof entry !== 'object' || entry === null) continue;
    const jwk = entry as Record<string, unknown>;
    if (typeof jwk.kid !== 'string' || jwk.kid === '') continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (jwk.kty !== 'EC' && jwk.kty !== 'RSA') continue;
    if ('d' in jwk) continue; // a private key published by mistake: refuse to rely on it
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk as never, format: 'jwk' });
    } catch {
      continue;
    }
    const algorithms = algorithmsOf(jwk, key);
    if (algorithms.length === 0) continue;
    out.set(jwk.kid, { kid: jwk.kid, key, algorithms: new Set(algorithms) });
  }
  return out;
}
