// The JWS signature check (src/auth/verify-jws.ts), against tokens signed by fast-jwt (the library
// the development issuer and the tests sign with, and Vigil verified with before): every algorithm
// Vigil may allow verifies, and a signature that is not the key's, or not over these bytes, does not.
import { generateKeyPairSync, sign as signRaw, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { VerifyKey } from '../../src/auth/jwks.js';
import { signJwt, type AsymmetricAlg } from '../../src/auth/jws.js';
import { AuthRefusal } from '../../src/auth/refusal.js';
import { verifyJws } from '../../src/auth/verify-jws.js';

const CURVE: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

function keyPair(alg: AsymmetricAlg): { privateKey: KeyObject; publicKey: KeyObject } {
  return alg.startsWith('ES')
    ? generateKeyPairSync('ec', { namedCurve: CURVE[alg]! })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
}

const claims = { iss: 'https://ehr.example', aud: 'https://vigil.example/cds-services/x', exp: 2_000_000_000, iat: 1, jti: 'j-1' };
const keyOf = (alg: AsymmetricAlg, publicKey: KeyObject): VerifyKey => ({ kid: 'k1', key: publicKey, algorithms: new Set([alg]) });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    if (err instanceof AuthRefusal) return err.reason;
    throw err;
  }
}

const ALGS: AsymmetricAlg[] = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

describe('verifyJws', () => {
  it.each(ALGS)('accepts a %s token signed by fast-jwt with the key, and gives its claims', async (alg) => {
    const { privateKey, publicKey } = keyPair(alg);
    const token = signJwt({ alg, kid: 'k1', typ: 'JWT' }, claims, privateKey);
    await expect(verifyJws(token, async () => keyOf(alg, publicKey))).resolves.toEqual(claims);
  });

  it.each(ALGS)('refuses a %s token signed by another key of the same kind (bad_signature)', async (alg) => {
    const signer = keyPair(alg);
    const trusted = keyPair(alg);
    const token = signJwt({ alg, kid: 'k1' }, claims, signer.privateKey);
    expect(await refusal(verifyJws(token, async () => keyOf(alg, trusted.publicKey)))).toBe('bad_signature');
  });

  it('refuses a signature moved onto other claims, and one altered by a single bit', async () => {
    const { privateKey, publicKey } = keyPair('ES384');
    const [h, p, s] = signJwt({ alg: 'ES384', kid: 'k1' }, claims, privateKey).split('.') as [string, string, string];
    const key = async () => keyOf('ES384', publicKey);
    expect(await refusal(verifyJws(`${h}.${b64({ ...claims, jti: 'j-2' })}.${s}`, key))).toBe('bad_signature');
    const flipped = Buffer.from(s, 'base64url');
    flipped[10] = flipped[10]! ^ 1;
    expect(await refusal(verifyJws(`${h}.${p}.${flipped.toString('base64url')}`, key))).toBe('bad_signature');
    expect(await refusal(verifyJws(`${h}.${p}.${s}`, key))).toBeUndefined();
  });

  it('refuses an ECDSA signature in DER form: JWS signatures are raw r||s (RFC 7518 §3.4)', async () => {
    const { privateKey, publicKey } = keyPair('ES384');
    const h = b64({ alg: 'ES384', kid: 'k1' });
    const p = b64(claims);
    const der = signRaw('sha384', Buffer.from(`${h}.${p}`), privateKey); // node's default ECDSA encoding is DER
    expect(await refusal(verifyJws(`${h}.${p}.${der.toString('base64url')}`, async () => keyOf('ES384', publicKey)))).toBe('bad_signature');
  });

  it('refuses a header or payload that is not a JSON object, and a crit header, before any key is asked for', async () => {
    let asked = 0;
    const key = async () => {
      asked += 1;
      return keyOf('ES384', keyPair('ES384').publicKey);
    };
    const sig = Buffer.alloc(96).toString('base64url');
    expect(await refusal(verifyJws(`${b64(['ES384'])}.${b64(claims)}.${sig}`, key))).toBe('malformed_token');
    expect(await refusal(verifyJws(`${b64({ alg: 'ES384' })}.${b64(null)}.${sig}`, key))).toBe('malformed_token');
    expect(await refusal(verifyJws(`${b64({ alg: 'ES384' })}.${Buffer.from('not json').toString('base64url')}.${sig}`, key))).toBe(
      'malformed_token',
    );
    expect(await refusal(verifyJws(`${b64({ alg: 'ES384', crit: ['b64'], b64: false })}.${b64(claims)}.${sig}`, key))).toBe(
      'malformed_token',
    );
    expect(await refusal(verifyJws(`${b64({ alg: 'ES384' })}.${b64(claims)}`, key))).toBe('malformed_token');
    expect(asked).toBe(0);
  });

  it("passes the key resolver's refusal through (an algorithm not allowed, an unknown kid)", async () => {
    const { privateKey } = keyPair('ES384');
    const token = signJwt({ alg: 'ES384', kid: 'k1' }, claims, privateKey);
    expect(
      await refusal(
        verifyJws(token, async () => {
          throw new AuthRefusal('unknown_kid');
        }),
      ),
    ).toBe('unknown_kid');
  });
});
