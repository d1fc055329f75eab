// The issuers Vigil trusts, read from the VIGIL_TRUSTED_ISSUERS file: for each `iss`, a pinned JWKS, an
// allowlist of jku URLs, or both. Validated whole at start-up; every problem is reported at once.
import { z } from 'zod';
import { ConfigError, readJsonSetting } from '../config.js';
import { isLoopbackHost } from '../net/loopback.js';
import { parseJwks, type KeyMap } from './jwks.js';

export interface TrustedIssuer {
  iss: string;
  /** Pinned keys by kid; never refreshed. */
  keys: KeyMap;
  /** jku URLs this issuer may point to; compared as exact strings, before any fetch. */
  jku: readonly string[];
}

/** https only; plain http only to this machine (a local test JWKS server). */
const jkuUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
  } catch {
    return false;
  }
}, 'must be an https URL (http only on loopback)');

const issuerSchema = z
  .object({
    iss: z.string().min(1),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).optional(),
    jku: z.array(jkuUrl).min(1).optional(),
  })
  .refine((i) => i.jwks !== undefined || i.jku !== undefined, 'needs "jwks" (pinned keys) or "jku" (allowed JWKS URLs)');

export const trustedIssuersFileSchema = z.object({ issuers: z.array(issuerSchema).min(1) });
export type TrustedIssuersFile = z.input<typeof trustedIssuersFileSchema>;

/** Turns the parsed file into issuers; throws ConfigError naming every problem (never a key's content). */
export function issuersFromDocument(doc: unknown, source: string): TrustedIssuer[] {
  const parsed = trustedIssuersFileSchema.safeParse(doc);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `VIGIL_TRUSTED_ISSUERS (${source}) ${i.path.join('.')}: ${i.message}`));
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  const issuers = parsed.data.issuers.map((entry, n) => {
    if (seen.has(entry.iss)) problems.push(`VIGIL_TRUSTED_ISSUERS (${source}) issuers.${n}: "${entry.iss}" is listed twice`);
    seen.add(entry.iss);
    const keys = entry.jwks === undefined ? new Map() : parseJwks(entry.jwks);
    if (entry.jwks !== undefined && keys.size === 0) {
      problems.push(
        `VIGIL_TRUSTED_ISSUERS (${source}) issuers.${n}.jwks: no usable public signing key (EC P-256/384/521 or RSA ≥ 2048 bits, with a kid)`,
      );
    }
    return { iss: entry.iss, keys, jku: entry.jku ?? [] };
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return issuers;
}

export function readTrustedIssuers(path: string): TrustedIssuer[] {
  return issuersFromDocument(readJsonSetting('VIGIL_TRUSTED_ISSUERS', path), path);
}
