// A replay check that cannot be made is not passed: when the replay store fails (Redis down, disk
// failing), a call with a good token is refused with 503 and Retry-After, not accepted and not
// counted as a bad token; once the store answers again, so does Vigil.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ReplayGuard } from '../../src/auth/replay-store.js';
import { authApp, ecKey, jwks, recordingTelemetry, testClock, token, writeIssuersFile } from './support.js';

const ISS = 'https://ehr.example/replay';
const key = ecKey();
const clock = testClock();
const telemetry = recordingTelemetry();
const seen = new Set<string>();
let failing = false;
const store: ReplayGuard = {
  async firstUse(iss, jti) {
    if (failing) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    if (seen.has(`${iss} ${jti}`)) return false;
    seen.add(`${iss} ${jti}`);
    return true;
  },
};
let app: FastifyInstance;

beforeAll(async () => {
  app = await authApp({
    env: { VIGIL_TRUSTED_ISSUERS: writeIssuersFile({ issuers: [{ iss: ISS, jwks: jwks(key) }] }) },
    clock: clock.now,
    telemetry,
    replayStore: store,
  });
});
afterAll(() => app.close());

const call = (t: string) => app.inject({ method: 'GET', url: '/cds-services', headers: { authorization: `Bearer ${t}` } });

describe('when the replay store cannot answer', () => {
  it('refuses a good token with 503 (fail closed), then accepts tokens again once the store answers', async () => {
    failing = true;
    const t = token({ key, iss: ISS, nowSeconds: clock.seconds() });
    const refused = await call(t);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('2');
    expect(refused.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'transient' }] });
    expect(telemetry.refusals).toEqual([]); // not a bad token
    failing = false;
    expect((await call(t)).statusCode).toBe(200); // it was never accepted, so it may be used now
    expect((await call(t)).statusCode).toBe(401);
    expect(telemetry.refusals).toEqual(['replayed_jti']);
  });
});
