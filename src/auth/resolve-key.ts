// Which public key may verify this token: the algorithm must be allowed, the issuer trusted, the kid
// known (pinned, or in a JWKS from an allowlisted jku), and the key must fit the algorithm. The jku is
// compared with the issuer's allowlist before any request: an arbitrary jku would be an SSRF hole.
import { AuthRefusal } from './refusal.js';
import type { RemoteJwks } from './remote-jwks.js';
import type { TrustedIssuer } from './trusted-issuers.js';
import type { VerifyKey } from './jwks.js';
import type { AsymmetricAlg } from './jws.js';

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

export interface KeyResolverDeps {
  issuers: ReadonlyMap<string, TrustedIssuer>;
  remote: RemoteJwks;
  algorithms: ReadonlySet<string>;
}

const MAX_KID_CHARS = 256;

/** The verification key for this token, or an AuthRefusal naming why there is none. */
export async function resolveKey(token: DecodedJwt, deps: KeyResolverDeps): Promise<VerifyKey> {
  const { header, payload } = token;
  const alg = header.alg;
  if (typeof alg !== 'string' || !deps.algorithms.has(alg)) throw new AuthRefusal('alg_not_allowed');
  const kid = header.kid;
  if (typeof kid !== 'string' || kid === '' || kid.length > MAX_KID_CHARS) throw new AuthRefusal('missing_kid');
  if (payload.iss === undefined) throw new AuthRefusal('missing_claim');
  const issuer = typeof payload.iss === 'string' ? deps.issuers.get(payload.iss) : undefined;
  if (issuer === undefined) throw new AuthRefusal('unknown_issuer');
  const jku = header.jku;
  if (jku !== undefined && typeof jku !== 'string') throw new AuthRefusal('malformed_token');
  // An issuer with pinned keys only never has anything fetched, so its jku (the sandbox sends one) is moot.
  if (jku !== undefined && issuer.jku.length > 0 && !issuer.jku.includes(jku)) throw new AuthRefusal('jku_not_allowed');

  let key = issuer.keys.get(kid);
  if (key === undefined && issuer.jku.length > 0) {
    const urls = jku !== undefined ? [jku] : issuer.jku;
    for (const url of urls) {
      key = await deps.remote.key(url, kid);
      if (key !== undefined) break;
    }
    if (key === undefined && urls.every((u) => deps.remote.neverLoaded(u))) throw new AuthRefusal('key_unavailable');
  }
  if (key === undefined) throw new AuthRefusal('unknown_kid');
  if (!key.algorithms.has(alg as AsymmetricAlg)) throw new AuthRefusal('alg_not_allowed');
  return key;
}
