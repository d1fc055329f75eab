// The start-up rule for whom Vigil trusts. Configured issuers win. With none, a service bound to
// loopback trusts the CDS Hooks sandbox's published key and the local development key (for trying
// Vigil on one's own machine: both private keys are within anyone's reach, so it says so loudly);
// bound to any other address it refuses to start.
import { ConfigError, type Config } from '../config.js';
import { isLoopbackHost } from '../net/loopback.js';
import sandboxJwks from './sandbox-jwks.json' with { type: 'json' };
import { loadOrCreateDevIssuer } from './dev-issuer.js';
import { parseJwks } from './jwks.js';
import { readTrustedIssuers, type TrustedIssuer } from './trusted-issuers.js';

/** The CDS Hooks sandbox (https://sandbox.cds-hooks.org), which signs every call with this issuer. */
export const SANDBOX_ISSUER = 'https://sandbox.cds-hooks.org';

export interface Trust {
  profile: 'configured' | 'loopback-development';
  issuers: readonly TrustedIssuer[];
  /** Base URLs a token's `aud` may start with (then the exact path called). */
  audienceBases: readonly string[];
  /** Said once at start-up, at warn level. */
  warnings: readonly string[];
}

type TrustConfig = Pick<Config, 'HOST' | 'PORT' | 'VIGIL_PUBLIC_BASE_URL' | 'publicBaseUrl' | 'VIGIL_TRUSTED_ISSUERS' | 'VIGIL_DATA_DIR'>;

/**
 * The URL a client called can be written several ways only in the loopback development profile
 * (localhost, 127.0.0.1, [::1]: the sandbox user types whichever they like). With configured issuers,
 * or off loopback, the public base URL is the one answer: a token minted for `localhost` must not be
 * accepted by a service that real EHRs call.
 */
export function audienceBases(config: TrustConfig): string[] {
  const development = config.VIGIL_TRUSTED_ISSUERS === undefined && isLoopbackHost(config.HOST);
  if (config.VIGIL_PUBLIC_BASE_URL !== undefined || !development) return [config.publicBaseUrl];
  const aliases = ['localhost', '127.0.0.1', '[::1]'].map((h) => `http://${h}:${config.PORT}`);
  return [...new Set([config.publicBaseUrl, ...aliases])];
}

/** The host a public base URL names (without brackets' contents changed), or undefined when unset or unreadable. */
function publicBaseHost(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** Decides the trust at start-up; throws ConfigError when the service must not start. Reads files. */
export function resolveTrust(config: TrustConfig): Trust {
  const audiences = audienceBases(config);
  const loopback = isLoopbackHost(config.HOST);
  const problems: string[] = [];
  if (!loopback && config.VIGIL_TRUSTED_ISSUERS === undefined) {
    problems.push(
      `VIGIL_TRUSTED_ISSUERS: Vigil is bound to ${config.HOST}, not loopback, and trusts no CDS client: ` +
        'name a trusted-issuers file (README, "Authentication"), or set VIGIL_AUTH=off to run without authentication (never with real patient data)',
    );
  }
  // Bound to loopback behind a proxy on the same host, clients reach Vigil at the public base URL: the
  // development profile's published sandbox key must not be trusted there (integration review,
  // 2026-11-29: HOST=127.0.0.1, VIGIL_PUBLIC_BASE_URL=https://… and no issuers trusted the sandbox key).
  const publicHost = publicBaseHost(config.VIGIL_PUBLIC_BASE_URL);
  if (loopback && config.VIGIL_TRUSTED_ISSUERS === undefined && publicHost !== undefined && !isLoopbackHost(publicHost)) {
    problems.push(
      `VIGIL_TRUSTED_ISSUERS: VIGIL_PUBLIC_BASE_URL names ${publicHost}, not loopback, so clients reach Vigil beyond this machine, ` +
        'yet no issuers are trusted: the loopback development profile (which trusts the published CDS Hooks sandbox key) is for this machine only. ' +
        'Name a trusted-issuers file (README, "Authentication"; to try the sandbox through a tunnel, list its issuer there with the keys of src/auth/sandbox-jwks.json)',
    );
  }
  if (config.VIGIL_PUBLIC_BASE_URL === undefined && (!loopback || config.VIGIL_TRUSTED_ISSUERS !== undefined)) {
    problems.push(
      `VIGIL_PUBLIC_BASE_URL: required ${loopback ? 'with VIGIL_TRUSTED_ISSUERS' : 'when not bound to loopback'}: a token's aud must be the URL its client called`,
    );
  }
  if (config.VIGIL_TRUSTED_ISSUERS !== undefined) {
    let issuers: TrustedIssuer[] = [];
    try {
      issuers = readTrustedIssuers(config.VIGIL_TRUSTED_ISSUERS);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems); // reported with the others, all at once
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return { profile: 'configured', issuers, audienceBases: audiences, warnings: [] };
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const dev = loadOrCreateDevIssuer(config.VIGIL_DATA_DIR);
  return {
    profile: 'loopback-development',
    issuers: [
      { iss: SANDBOX_ISSUER, keys: parseJwks(sandboxJwks), jku: [] },
      { iss: dev.iss, keys: parseJwks(dev.jwks), jku: [] },
    ],
    audienceBases: audiences,
    warnings: [
      'AUTHENTICATION IS IN THE LOOPBACK DEVELOPMENT PROFILE: no VIGIL_TRUSTED_ISSUERS, so Vigil trusts the public CDS Hooks ' +
        'sandbox key (its private key is published: anyone can sign as it) and the local development key of `npm run token`. ' +
        'For trying Vigil on this machine only; never with real patient data. Set VIGIL_TRUSTED_ISSUERS to lock it down.',
    ],
  };
}
