// The development issuer: an ES384 key generated on first use under VIGIL_DATA_DIR, so `npm run token`
// can sign tokens that a Vigil bound to loopback accepts. Trusted only in that loopback profile.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode } from '../errors.js';
import { withFields } from '../lang/with-fields.js';

export const DEV_ISSUER = 'urn:vigil:dev-issuer';

export interface DevIssuer {
  iss: string;
  kid: string;
  privateKey: KeyObject;
  /** The public half, as a JWKS. */
  jwks: { keys: Record<string, unknown>[] };
}

export function devIssuerKeyPath(dataDir: string): string {
  return join(dataDir, 'dev-issuer', 'private-key.jwk.json');
}

function fromFile(path: string): DevIssuer {
  const jwk = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> & { kid: string };
  const privateKey = createPrivateKey({ key: jwk as never, format: 'jwk' });
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return {
    iss: DEV_ISSUER,
    kid: jwk.kid,
    privateKey,
    jwks: { keys: [withFields(publicJwk, { kid: jwk.kid, alg: 'ES384', use: 'sig' })] },
  };
}

/** Reads the development key, creating it (owner-only file) the first time. Safe if two processes race. */
export function loadOrCreateDevIssuer(dataDir: string): DevIssuer {
  const path = devIssuerKeyPath(dataDir);
  try {
    return fromFile(path);
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
  }
  mkdirSync(join(dataDir, 'dev-issuer'), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const jwk = withFields(privateKey.export({ format: 'jwk' }), { kid: randomUUID() });
  try {
    writeFileSync(path, JSON.stringify(jwk), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') throw err;
  }
  return fromFile(path);
}
