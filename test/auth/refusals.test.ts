// Every way a CDS call is refused authentication: one row each, each a bare 401 with
// `WWW-Authenticate: Bearer`, counted under the reason we expect.
import { createHmac, createPublicKey } from 'node:crypto';
import { connect, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TOKEN_CHARS } from '../../src/auth/cds-auth.js';
import {
  authApp,
  BASE,
  DISCOVERY,
  ecKey,
  jwks,
  jwksServer,
  rawToken,
  recordingTelemetry,
  rsaKey,
  testClock,
  token,
  writeIssuersFile,
} from './support.js';

const ES_ISS = 'https://ehr.example/es';
const RS_ISS = 'https://ehr.example/rs';
const JKU_ISS = 'https://ehr.example/jku';

const es = ecKey();
const rs = rsaKey();
const rotating = ecKey();
const impostor = ecKey(es.kid); // same kid as the trusted key, different private key
const clock = testClock();
const telemetry = recordingTelemetry();
let server: Awaited<ReturnType<typeof jwksServer>>;
let app: FastifyInstance;

beforeAll(async () => {
  server = await jwksServer();
  server.serve('/jwks.json', jwks(rotating));
  server.serve('/evil.json', jwks(impostor));
  const issuers = writeIssuersFile({
    issuers: [
      { iss: ES_ISS, jwks: jwks(es) },
      { iss: RS_ISS, jwks: jwks(rs) },
      { iss: JKU_ISS, jku: [server.url('/jwks.json')] },
    ],
  });
  app = await authApp({ env: { VIGIL_TRUSTED_ISSUERS: issuers, VIGIL_TENANT: 'north-ward' }, clock: clock.now, telemetry });
});

afterAll(async () => {
  await app.close();
  await server.close();
});

const now = () => clock.seconds();
const valid = (over: Partial<Parameters<typeof token>[0]> = {}) =>
  token({ key: es, iss: ES_ISS, nowSeconds: now(), claims: { tenant: 'north-ward' }, ...over });
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const payloadOf = (t: string) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

const rows: [string, () => Record<string, string | string[]>, string][] = [
  ['no Authorization header', () => ({}), 'missing_token'],
  [
    'two Authorization headers, the first valid',
    () => ({ authorization: [`Bearer ${valid()}`, 'Bearer x.y.z'] }),
    'duplicate_authorization',
  ],
  [
    'two Authorization headers, both valid',
    () => ({ authorization: [`Bearer ${valid()}`, `Bearer ${valid()}`] }),
    'duplicate_authorization',
  ],
  ['a Basic header', () => ({ authorization: 'Basic dXNlcjpwYXNz' }), 'malformed_header'],
  ['Bearer with nothing after it', () => ({ authorization: 'Bearer ' }), 'malformed_header'],
  ['Bearer with two tokens', () => ({ authorization: `Bearer ${valid()} ${valid()}` }), 'malformed_header'],
  ['a token with two parts', () => bearer(valid().split('.').slice(0, 2).join('.')), 'malformed_token'],
  ['a token whose payload is not JSON', () => bearer(`${valid().split('.')[0]}.bm90IGpzb24.${valid().split('.')[2]}`), 'malformed_token'],
  ['alg: none with no signature', () => bearer(rawToken({ alg: 'none', typ: 'JWT', kid: es.kid }, payloadOf(valid()))), 'alg_not_allowed'],
  [
    'HS384 signed with the trusted public key as the HMAC secret',
    () => {
      const pem = createPublicKey(es.privateKey).export({ type: 'spki', format: 'pem' }).toString();
      const unsigned = rawToken({ alg: 'HS384', typ: 'JWT', kid: es.kid }, payloadOf(valid())).slice(0, -1);
      return bearer(`${unsigned}.${createHmac('sha384', pem).update(unsigned).digest('base64url')}`);
    },
    'alg_not_allowed',
  ],
  ['ES256, not among the allowed algorithms', () => bearer(valid({ key: ecKey(es.kid, 'P-256') })), 'alg_not_allowed'],
  [
    'RS384 named for an EC key',
    () => bearer(token({ key: { ...rs, kid: es.kid }, iss: ES_ISS, nowSeconds: now(), claims: { tenant: 'north-ward' } })),
    'alg_not_allowed',
  ],
  ['a signature from another key with the trusted kid', () => bearer(valid({ key: impostor })), 'bad_signature'],
  [
    'a tampered payload (aud changed after signing)',
    () => {
      const [h, , s] = valid().split('.');
      const p = Buffer.from(JSON.stringify({ ...payloadOf(valid()), aud: `${BASE}/cds-services/x` })).toString('base64url');
      return bearer(`${h}.${p}.${s}`);
    },
    'bad_signature',
  ],
  ['a truncated signature', () => bearer(valid().slice(0, -12)), 'bad_signature'],
  // Node's base64url decoder ignores a dangling character, padding and spare bits: one token, one spelling.
  ['a valid signature with one base64url character appended', () => bearer(`${valid()}A`), 'malformed_token'],
  ['a valid signature with padding appended', () => bearer(`${valid()}==`), 'malformed_token'],
  [
    'a valid signature whose last character carries spare bits',
    () => {
      // ES384 signatures are 96 bytes: 128 characters, no spare bits; an RS384 (256-byte) signature's
      // last character carries 4 unused bits, so another character there decodes to the same bytes.
      const t = token({ key: rs, iss: RS_ISS, nowSeconds: now(), claims: { tenant: 'north-ward' } });
      const last = t.at(-1)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const twin = alphabet[(alphabet.indexOf(last) & ~0b1111) | ((alphabet.indexOf(last) + 1) & 0b1111)]!;
      return bearer(t.slice(0, -1) + twin);
    },
    'malformed_token',
  ],
  [
    'a valid signature spelt in the base64 (not base64url) alphabet',
    () => {
      let t = valid();
      while (!/[-_]/.test(t.split('.')[2]!)) t = valid();
      const [h, p, sig] = t.split('.');
      return bearer(`${h}.${p}.${sig!.replaceAll('-', '+').replaceAll('_', '/')}`);
    },
    'malformed_token',
  ],
  [
    'an expired token (beyond the skew)',
    () => bearer(valid({ claims: { tenant: 'north-ward', iat: now() - 400, exp: now() - 31 } })),
    'expired',
  ],
  ['iat in the future (beyond the skew)', () => bearer(valid({ claims: { tenant: 'north-ward', iat: now() + 31 } })), 'iat_in_future'],
  ['nbf in the future (beyond the skew)', () => bearer(valid({ claims: { tenant: 'north-ward', nbf: now() + 31 } })), 'not_yet_valid'],
  ['an exp too far ahead', () => bearer(valid({ claims: { tenant: 'north-ward', exp: now() + 24 * 3600 } })), 'lifetime_too_long'],
  ['no exp', () => bearer(valid({ omitClaims: ['exp'] })), 'missing_claim'],
  ['no jti', () => bearer(valid({ omitClaims: ['jti'] })), 'missing_claim'],
  [
    'a wrong aud',
    () => bearer(valid({ claims: { tenant: 'north-ward', aud: `${BASE}/cds-services/deterioration-risk` } })),
    'aud_mismatch',
  ],
  [
    'an aud on another host',
    () => bearer(valid({ claims: { tenant: 'north-ward', aud: 'https://evil.example/cds-services' } })),
    'aud_mismatch',
  ],
  [
    'an aud array without our URL',
    () => bearer(valid({ claims: { tenant: 'north-ward', aud: ['https://a.example/cds-services', `${DISCOVERY}/`] } })),
    'aud_mismatch',
  ],
  [
    'an aud naming the service as localhost',
    () => bearer(valid({ claims: { tenant: 'north-ward', aud: 'http://localhost:3000/cds-services' } })),
    'aud_mismatch',
  ],
  [
    'an aud naming the service as [::1]',
    () => bearer(valid({ claims: { tenant: 'north-ward', aud: 'http://[::1]:3000/cds-services' } })),
    'aud_mismatch',
  ],
  ['another tenant', () => bearer(valid({ claims: { tenant: 'south-ward' } })), 'tenant_mismatch'],
  ['no tenant when one is configured', () => bearer(valid({ claims: {} })), 'tenant_mismatch'],
  ['an unknown iss', () => bearer(valid({ iss: 'https://stranger.example' })), 'unknown_issuer'],
  ['no kid', () => bearer(valid({ omitHeader: ['kid'] })), 'missing_kid'],
  ['an unknown kid', () => bearer(valid({ header: { kid: 'no-such-key' } })), 'unknown_kid'],
  [
    "a jku off the issuer's allowlist",
    () =>
      bearer(
        token({
          key: impostor,
          iss: JKU_ISS,
          nowSeconds: now(),
          header: { jku: server.url('/evil.json') },
          claims: { tenant: 'north-ward' },
        }),
      ),
    'jku_not_allowed',
  ],
  [
    'an oversized token',
    () => bearer(valid({ claims: { tenant: 'north-ward', padding: 'x'.repeat(MAX_TOKEN_CHARS) } })),
    'token_too_large',
  ],
];

describe('refusals', () => {
  it.each(rows)('refuses %s with a bare 401', async (_name, headers, reason) => {
    telemetry.refusals.length = 0;
    const res = await app.inject({ method: 'GET', url: '/cds-services', headers: headers() });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'login', diagnostics: 'unauthorized' }],
    });
    expect(telemetry.refusals).toEqual([reason]);
  });

  it('refuses two Authorization headers on a real connection, where Node would keep only the first', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end(
          `GET /cds-services HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${valid()}\r\n` +
            'Authorization: Bearer forged.by.proxy\r\nConnection: close\r\n\r\n',
        );
      });
      let text = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('makes no request to a jku that is not on the allowlist', async () => {
    const t = token({
      key: impostor,
      iss: JKU_ISS,
      nowSeconds: now(),
      header: { jku: server.url('/evil.json') },
      claims: { tenant: 'north-ward' },
    });
    const res = await app.inject({ method: 'GET', url: '/cds-services', headers: bearer(t) });
    expect(res.statusCode).toBe(401);
    expect(server.hits.get('/evil.json')).toBeUndefined();
  });

  it('accepts a token once and refuses the same jti again', async () => {
    const t = valid();
    const first = await app.inject({ method: 'GET', url: '/cds-services', headers: bearer(t) });
    telemetry.refusals.length = 0;
    const replay = await app.inject({ method: 'GET', url: '/cds-services', headers: bearer(t) });
    expect(first.statusCode).toBe(200);
    expect(replay.statusCode).toBe(401);
    expect(telemetry.refusals).toEqual(['replayed_jti']);
  });

  it('refuses service calls, feedback and unknown paths without a token too, before reading the body', async () => {
    const call = await app.inject({ method: 'POST', url: '/cds-services/deterioration-risk', payload: { hook: 'patient-view' } });
    const unknown = await app.inject({ method: 'GET', url: '/cds-services/nope' });
    const encoded = await app.inject({ method: 'GET', url: '/cds%2Dservices' });
    const feedback = await app.inject({ method: 'POST', url: '/cds-services/deterioration-risk/feedback', payload: { feedback: [] } });
    expect([call.statusCode, unknown.statusCode, encoded.statusCode, feedback.statusCode]).toEqual([401, 401, 401, 401]);
  });
});
