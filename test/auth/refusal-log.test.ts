// What the log says when a token is refused: enough to fix the set-up (the issuer, audience, kid and
// alg presented, how far apart the clocks are), at warn for set-up faults, and never the token or a
// claim that could name a person.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FACT_CHARS, refusalFacts } from '../../src/auth/refusal-facts.js';
import { captureLog } from '../support/log-capture.js';
import { authApp, BASE, ecKey, jwks, testClock, token, writeIssuersFile } from './support.js';

const ISS = 'https://ehr.example/es';
const key = ecKey('ehr-key-2026');
const clock = testClock();
const captured = captureLog('warn');
let app: FastifyInstance;

beforeAll(async () => {
  const issuers = writeIssuersFile({ issuers: [{ iss: ISS, jwks: jwks(key) }] });
  app = await authApp({ env: { VIGIL_TRUSTED_ISSUERS: issuers }, clock: clock.now, logger: captured.log });
});
afterAll(async () => app.close());

/** Sends one call with this token and returns the refusal's log line. */
async function refusedLine(jwt: string): Promise<Record<string, unknown>> {
  const before = captured.lines.length;
  const res = await app.inject({
    method: 'POST',
    url: '/cds-services/deterioration-risk',
    headers: { authorization: `Bearer ${jwt}` },
    payload: {},
  });
  expect(res.statusCode).toBe(401);
  const line = captured.lines.slice(before).find((l) => l['msg'] === 'authentication refused');
  expect(line, 'a warn line').toBeDefined();
  expect(JSON.stringify(line)).not.toContain(jwt);
  return line!;
}

const person = { sub: 'Practitioner/LEAKCHECK-user', fhirUser: 'Practitioner/LEAKCHECK-user', patient: 'LEAKCHECK-patient' };

describe('a refused token is logged at warn with what to fix', () => {
  it('unknown issuer: the issuer presented, its kid and alg', async () => {
    const line = await refusedLine(token({ key, iss: 'https://ehr-new.hospital.example', nowSeconds: clock.seconds(), claims: person }));
    expect(line).toMatchObject({
      level: 40,
      authRefused: 'unknown_issuer',
      iss: 'https://ehr-new.hospital.example',
      kid: 'ehr-key-2026',
      alg: 'ES384',
    });
    expect(JSON.stringify(line)).not.toContain('LEAKCHECK');
  });

  it('audience mismatch: the audience received beside the one expected', async () => {
    const line = await refusedLine(
      token({ key, iss: ISS, nowSeconds: clock.seconds(), claims: { aud: 'https://vigil.old.example/cds-services' } }),
    );
    expect(line).toMatchObject({
      authRefused: 'aud_mismatch',
      aud: ['https://vigil.old.example/cds-services'],
      expectedAud: [`${BASE}/cds-services/deterioration-risk`],
    });
  });

  it('expired: how long ago, so a slow EHR clock is told from a stale token', async () => {
    const now = clock.seconds();
    const line = await refusedLine(token({ key, iss: ISS, nowSeconds: now - 630, claims: { exp: now - 330, iat: now - 630 } }));
    expect(line).toMatchObject({ authRefused: 'expired', expiredSecondsAgo: 330 });
  });

  it('issued in the future: how far ahead the EHR clock is', async () => {
    const now = clock.seconds();
    const line = await refusedLine(token({ key, iss: ISS, nowSeconds: now + 120 }));
    expect(line).toMatchObject({ authRefused: 'iat_in_future', iatAheadSeconds: 120 });
  });

  it('unknown kid: the kid presented (a key rotated at the EHR)', async () => {
    const rotated = ecKey('ehr-key-2027');
    const line = await refusedLine(token({ key: rotated, iss: ISS, nowSeconds: clock.seconds() }));
    expect(line).toMatchObject({ authRefused: 'unknown_kid', kid: 'ehr-key-2027', iss: ISS });
  });
});

describe('the facts read from a refused token', () => {
  const jwt = (header: object, claims: object) =>
    [header, claims].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.') + '.c2ln';

  it('keep a URL or URN only, printable and cut to 200 characters', () => {
    const long = `https://ehr.example/${'a'.repeat(500)}`;
    expect(refusalFacts(jwt({ alg: 'ES384' }, { iss: long }), 'unknown_issuer', new Date()).iss).toHaveLength(MAX_FACT_CHARS);
    expect(refusalFacts(jwt({}, { iss: 'Jane Doe 1970-01-01' }), 'unknown_issuer', new Date()).iss).toBe('(not a URL or URN)');
    expect(refusalFacts(jwt({ kid: 'k\n{"level":60}' }, { iss: 'urn:ehr:x\u0000' }), 'unknown_kid', new Date())).toMatchObject({
      kid: 'k?{"level":60}',
      iss: 'urn:ehr:x?',
    });
  });

  it('say nothing of a token that is not one', () => {
    expect(refusalFacts(undefined, 'missing_token', new Date())).toEqual({});
    expect(refusalFacts('a.b.c', 'malformed_token', new Date())).toEqual({});
  });
});
