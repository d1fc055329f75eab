// A CDS Hooks JWT's signature, checked off the event loop where that pays. node:crypto's `verify`
// with a callback runs on libuv's thread pool, so an ES384 check (~0.5 ms of CPU on this machine)
// uses another core while the event loop answers other calls. @fastify/jwt (fast-jwt), used before,
// verifies synchronously on the event loop, where under load the signature checks became the largest
// single cost (measured in bench/RESULTS.md, issue 13).
//
// What is checked is what fast-jwt checked for Vigil, no less: the compact form (three segments, each
// in canonical base64url: bearerToken in cds-auth.ts), a header and a payload that are JSON objects,
// the algorithm allowed and fitting the key (resolve-key.ts), and the signature over the ASCII bytes of
// `header.payload` (RFC 7515 §5.2): ECDSA as raw r||s (RFC 7518 §3.4), RSASSA-PKCS1-v1_5 (§3.3),
// RSASSA-PSS with MGF1 and a salt as long as the hash (§3.5). Stricter in one thing: a `crit` header is
// refused, since Vigil understands no JWS extension (RFC 7515 §4.1.11). Claims are claims.ts's job.
import { constants, verify, type KeyObject } from 'node:crypto';
import type { VerifyKey } from './jwks.js';
import type { AsymmetricAlg } from './jws.js';
import { AuthRefusal } from './refusal.js';
import type { DecodedJwt } from './resolve-key.js';

/** The key a token names, or an AuthRefusal saying why there is none (resolve-key.ts). */
export type KeyFor = (decoded: DecodedJwt) => Promise<VerifyKey>;

/** A segment as a JSON object, or a refusal: arrays, strings and null are not a JOSE header or claims set. */
function jsonObject(segment: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new AuthRefusal('malformed_token');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AuthRefusal('malformed_token');
  return value as Record<string, unknown>;
}

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** How node:crypto is to read the key and signature for this JWS algorithm. */
function verifyKeyFor(alg: AsymmetricAlg, key: KeyObject) {
  if (alg.startsWith('ES')) return { key, dsaEncoding: 'ieee-p1363' as const };
  if (alg.startsWith('PS')) return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  return { key, padding: constants.RSA_PKCS1_PADDING };
}

/**
 * True when the signature verifies. ECDSA checks (~0.5 ms of CPU for P-384) run on the thread pool,
 * so the event loop goes on meanwhile; RSA checks (a small public exponent: ~0.05 ms) run here, where
 * they cost less than handing them to a thread and back.
 */
function signatureHolds(alg: AsymmetricAlg, signingInput: string, signature: Buffer, key: KeyObject): Promise<boolean> {
  const hash = HASH[alg.slice(2)]!;
  const data = Buffer.from(signingInput, 'latin1');
  if (!alg.startsWith('ES')) {
    try {
      return Promise.resolve(verify(hash, data, verifyKeyFor(alg, key), signature));
    } catch {
      return Promise.resolve(false);
    }
  }
  return new Promise((resolve) => {
    verify(hash, data, verifyKeyFor(alg, key), signature, (err, ok) => {
      // An error (a signature of the wrong length for the curve, a key that cannot do this) is no proof.
      resolve(err === null && ok);
    });
  });
}

/** The token's claims once its signature is proved by the key `keyFor` picks; throws AuthRefusal otherwise. */
export async function verifyJws(token: string, keyFor: KeyFor): Promise<Record<string, unknown>> {
  const segments = token.split('.');
  if (segments.length !== 3) throw new AuthRefusal('malformed_token');
  const [headerPart, payloadPart, signaturePart] = segments as [string, string, string];
  const header = jsonObject(headerPart);
  const payload = jsonObject(payloadPart);
  if ('crit' in header) throw new AuthRefusal('malformed_token');
  // resolve-key.ts refuses an algorithm that is not allowed or that the key cannot do.
  const key = await keyFor({ header, payload });
  const alg = header.alg as AsymmetricAlg;
  if (!(await signatureHolds(alg, `${headerPart}.${payloadPart}`, Buffer.from(signaturePart, 'base64url'), key.key))) {
    throw new AuthRefusal('bad_signature');
  }
  return payload;
}
