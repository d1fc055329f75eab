// CDS Hooks client authentication as a Fastify plugin: every request except CORS preflight and the
// operations endpoints must carry `Authorization: Bearer <JWT>` from a trusted issuer. verify-jws.ts
// checks the signature (on the thread pool) with the key resolve-key.ts picks; claims.ts and the
// replay store do the rest.
// A refusal is a bare 401 (the error handler), counted by reason and logged without the token.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import type { Telemetry } from '../telemetry.js';
import { OPERATIONS_ROUTES } from '../health/health-routes.js';
import { defaultLogLimiter } from '../observability/log-limiter.js';
import { checkClaims, type CdsJwtClaims } from './claims.js';
import { AuthRefusal, type RefusalReason } from './refusal.js';
import { CONFIGURATION_REFUSALS, refusalFacts } from './refusal-facts.js';
import { withFields } from '../lang/with-fields.js';
import { RemoteJwks } from './remote-jwks.js';
import { ReplayCheckUnavailableError, ReplayStore, type PendingToken, type ReplayGuard } from './replay-store.js';
import { errorCode } from '../errors.js';
import { resolveKey } from './resolve-key.js';
import { verifyJws } from './verify-jws.js';
import { resolveTrust, type Trust } from './trust.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false`: this route is reachable without a token (probes, metrics). */
    auth?: false;
    /**
     * `true`: the route's answer waits for an audit record that carries the caller's token
     * (`request.pendingToken`), so the token's replay record need not be written before the call goes on.
     */
    tokenRecordedWithAnswer?: true;
  }
  interface FastifyRequest {
    /** Who called, once their token is verified: `iss` and `tenant` (rate limits and quotas count by it). */
    cdsClient: string | undefined;
    /** On a `tokenRecordedWithAnswer` route: the accepted token, until a record of it is on disk. */
    pendingToken: PendingToken | undefined;
  }
}

/** The key a verified client is counted under: its issuer and, when it sends one, its tenant. */
export function clientKey(iss: string, tenant: string | undefined): string {
  return tenant === undefined ? `iss:${iss}` : `iss:${iss}|tenant:${tenant}`;
}

export interface CdsAuthOptions {
  config: Readonly<Config>;
  telemetry: Telemetry;
  clock: () => Date;
  /** Who is trusted; default: decided from the config at start-up (trust.ts). */
  trust?: Trust;
  /** How JWKS documents are fetched from allowlisted jku URLs (tests count the calls). */
  fetch?: typeof fetch;
  /** Where accepted tokens are remembered; default in this process (server.ts: on disk, or Redis). */
  replay?: ReplayGuard;
}

/**
 * Larger than any real CDS client's token (the sandbox's is ~700 bytes) and well below Node's 16 KiB
 * header limit, so an oversized token is a 401 decided here rather than a 431 from the parser.
 */
export const MAX_TOKEN_CHARS = 8192;

/**
 * True when a JWS segment is in the one canonical base64url form (RFC 7515 §2: no padding, no other
 * alphabet, no spare trailing bits or characters). Node's decoder forgives all of those, so a
 * signature with a character appended would still verify: the same token must have one spelling.
 */
export function isCanonicalBase64url(segment: string): boolean {
  return Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

/** `Bearer <token>` exactly (scheme case-insensitive, RFC 7235), or the reason it is not. */
export function bearerToken(header: string | undefined): { token: string } | { refused: RefusalReason } {
  if (header === undefined || header === '') return { refused: 'missing_token' };
  const match = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/i.exec(header);
  if (match === null) return { refused: 'malformed_header' };
  const token = match[1]!;
  if (token.length > MAX_TOKEN_CHARS) return { refused: 'token_too_large' };
  const segments = token.split('.');
  if (segments.length !== 3 || !segments.every(isCanonicalBase64url)) return { refused: 'malformed_token' };
  return { token };
}

/**
 * How many Authorization headers the request carried. Node keeps only the first of repeated
 * Authorization headers in `headers`; a proxy and Vigil reading different ones is a confusion to
 * refuse, so the raw list is counted.
 */
export function authorizationHeaderCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === 'authorization') count += 1;
  return count;
}

/** The request's one bearer token, or why there is none. */
function requestToken(request: FastifyRequest): { token: string } | { refused: RefusalReason } {
  if (authorizationHeaderCount(request.raw.rawHeaders) > 1) return { refused: 'duplicate_authorization' };
  return bearerToken(request.headers.authorization);
}

/** Requests that never need a token: CORS preflight, the operations endpoints, routes marked `auth: false`. */
export function isPublicRequest(request: FastifyRequest): boolean {
  if (request.method === 'OPTIONS') return true;
  // The matched route's pattern, not the raw URL: an encoded path cannot sneak past it.
  const pattern = request.routeOptions.url;
  if (pattern !== undefined && OPERATIONS_ROUTES.has(pattern)) return true;
  return request.routeOptions.config?.auth === false;
}

/** Why a token was refused: the refusal's own reason; anything unforeseen counts as a malformed token. */
function reasonOf(err: unknown): RefusalReason {
  return err instanceof AuthRefusal ? err.reason : 'malformed_token';
}

async function cdsAuth(app: FastifyInstance, opts: CdsAuthOptions): Promise<void> {
  const { config, telemetry, clock } = opts;
  const trust = opts.trust ?? resolveTrust(config);
  for (const warning of trust.warnings) app.log.warn(warning);
  app.log.info({ profile: trust.profile, issuers: trust.issuers.map((i) => i.iss) }, 'authentication required');

  const issuers = new Map(trust.issuers.map((i) => [i.iss, i]));
  const remote = new RemoteJwks({
    timeoutMs: config.VIGIL_JWKS_TIMEOUT_MS,
    cacheMs: config.VIGIL_JWKS_CACHE_SECONDS * 1000,
    minRefreshMs: config.VIGIL_JWKS_MIN_REFRESH_SECONDS * 1000,
    clock,
    ...(opts.fetch !== undefined ? { fetch: opts.fetch } : {}),
  });
  const replay: ReplayGuard = opts.replay ?? new ReplayStore(config.VIGIL_JWT_REPLAY_CACHE_SIZE);
  const algorithms = new Set<string>(config.VIGIL_JWT_ALGORITHMS);
  const logLimiter = defaultLogLimiter();
  // Every token has a fresh jti (CDS Hooks 2.0, "Trusting CDS Clients": a nonce per call), so nothing
  // about a verified token is cached; time claims are checked by claims.ts against the injected clock.
  const keyFor = (decoded: Parameters<typeof resolveKey>[0]) => resolveKey(decoded, { issuers, remote, algorithms });

  app.decorateRequest('cdsClient', undefined);
  app.decorateRequest('pendingToken', undefined);
  // A call answered without a record of its token (refused or failed): the token gets its own line
  // before the answer leaves, best effort (nothing was answered that a replay could obtain again), so
  // no answer of any kind precedes the record that refuses the token after a restart.
  app.addHook('onSend', async (request, _reply, payload) => {
    const token = request.pendingToken;
    if (token !== undefined && !token.durable) await token.persistAfterRefusal();
    return payload;
  });
  app.addHook('onRequest', async (request) => {
    if (isPublicRequest(request)) return;
    const path = request.url.split('?', 1)[0]!;
    const audiences = trust.audienceBases.map((base) => base + path);
    let presented: string | undefined;
    try {
      const found = requestToken(request);
      if ('refused' in found) throw new AuthRefusal(found.refused);
      presented = found.token;
      const payload = await verifyJws(found.token, keyFor);
      const now = clock();
      const refused = checkClaims(
        payload,
        {
          audiences,
          tenant: config.VIGIL_TENANT,
          skewSeconds: config.VIGIL_JWT_CLOCK_SKEW_SECONDS,
          maxLifetimeSeconds: config.VIGIL_JWT_MAX_LIFETIME_SECONDS,
        },
        now,
      );
      if (refused !== undefined) throw new AuthRefusal(refused);
      const claims = payload as CdsJwtClaims; // checkClaims held each claim to its type
      let first: boolean;
      try {
        const skew = config.VIGIL_JWT_CLOCK_SKEW_SECONDS;
        if (replay.claimUntilAnswered !== undefined && request.routeOptions.config?.tokenRecordedWithAnswer === true) {
          request.pendingToken = await replay.claimUntilAnswered(claims.iss, claims.jti, claims.exp, skew, now);
          first = request.pendingToken !== undefined;
        } else {
          first = await replay.firstUse(claims.iss, claims.jti, claims.exp, skew, now);
        }
      } catch (err) {
        // Fail closed: a replay check that cannot be made is not passed (503, not 401: the token may be good).
        throw new ReplayCheckUnavailableError(errorCode(err));
      }
      if (!first) throw new AuthRefusal('replayed_jti');
      request.cdsClient = clientKey(claims.iss, claims.tenant);
    } catch (err) {
      if (err instanceof ReplayCheckUnavailableError) throw err;
      const reason = reasonOf(err);
      telemetry.authFailure(reason);
      // The reason and where it happened, and what the operator needs to fix a set-up fault: the issuer,
      // audience, kid and alg presented and a clock offset (refusal-facts.ts); never the token, never a
      // claim that could carry data. For an aud mismatch also what Vigil expected: its own URLs.
      // A set-up fault is a warning (an EHR is locked out until someone acts); the rest is info (a bad
      // or replayed token is the caller's problem). A few lines a minute per reason and route: a flood
      // of bad tokens must not become a flood of logs.
      const where = {
        authRefused: reason,
        route: request.routeOptions.url,
        ...(reason === 'aud_mismatch' ? { expectedAud: audiences } : {}),
      };
      logLimiter.log(
        request.log,
        CONFIGURATION_REFUSALS.has(reason) ? 'warn' : 'info',
        `${reason}:${request.routeOptions.url ?? '(unmatched)'}`,
        withFields(where, refusalFacts(presented, reason, clock())),
        'authentication refused',
      );
      throw err instanceof AuthRefusal ? err : new AuthRefusal(reason);
    }
  });
}

export default fp(cdsAuth, { name: 'vigil-cds-auth', fastify: '5.x' });
