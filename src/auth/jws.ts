// Compact JWS signing with node:crypto for the asymmetric algorithms Vigil accepts. Used by
// `npm run token` (the development issuer) and by tests; Vigil itself only verifies (@fastify/jwt).
import { constants, randomUUID, sign, type KeyObject } from 'node:crypto';

export type AsymmetricAlg = 'ES256' | 'ES384' | 'ES512' | 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512';

export function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

/** Signs `header.payload` as the header's `alg` says. ECDSA signatures are raw r||s (RFC 7518 §3.4). */
export function signJwt(header: Record<string, unknown> & { alg: AsymmetricAlg }, claims: Record<string, unknown>, privateKey: KeyObject): string {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const digest = `sha${header.alg.slice(2)}`;
  const family = header.alg.slice(0, 2);
  const signature =
    family === 'ES'
      ? sign(digest, Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
      : family === 'PS'
        ? sign(digest, Buffer.from(input), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
        : sign(digest, Buffer.from(input), privateKey);
  return `${input}.${base64url(signature)}`;
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
