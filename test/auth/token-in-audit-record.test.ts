// On one machine (audit trail and replay store both under VIGIL_DATA_DIR) a hook call's token travels in
// the call's audit record instead of a durable write of its own: refused for replay at once, refused
// after a restart, and never answered before some record of it is on disk — its own line when the
// audit record could not carry it, a 503 when neither can be written.
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { tokensCarriedByAuditFiles } from '../../src/audit/carried-tokens.js';
import { createFileAuditStore, type AuditStore } from '../../src/audit/audit-store.js';
import { openAuditTrail } from '../../src/audit/open-audit-trail.js';
import { DurableReplayStore } from '../../src/auth/durable-replay-store.js';
import { replayKey } from '../../src/auth/replay-store.js';
import { loadConfig } from '../../src/config.js';
import { createRulesScorer } from '../../src/models/rules-scorer.js';
import { lowCall } from '../observability/hook-calls.js';
import { BASE, ecKey, jwks, testClock, token, writeIssuersFile } from './support.js';

const ISS = 'https://ehr.example/carried';
const KEY = 'test-only-audit-key-0123456789abcdef';
const key = ecKey();
const issuers = writeIssuersFile({ issuers: [{ iss: ISS, jwks: jwks(key) }] });
const silent = { warn: () => {}, error: () => {}, info: () => {} };
const failure = (code: string) => Object.assign(new Error(`simulated ${code}`), { code });

describe('a hook call whose token travels in its audit record', () => {
  let dir: string;
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const o of opened.splice(0).reverse()) await o.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  const clock = testClock();
  /** Whether the audit file or the replay log fails its writes (a failing disk), switched by the tests. */
  const failing = { audit: false, replay: false };
  /** One call made while the named writes fail; the disk works again afterwards. */
  async function whileFailing<T>(parts: (keyof typeof failing)[], run: () => Promise<T>): Promise<T> {
    for (const part of parts) failing[part] = true;
    try {
      return await run();
    } finally {
      failing.audit = failing.replay = false;
    }
  }

  function replayStore(): DurableReplayStore {
    const store = new DurableReplayStore({
      dataDir: dir,
      maxEntries: 1000,
      maxLifetimeSeconds: 3600,
      skewSeconds: 30,
      clock: clock.now,
      carriedTokens: tokensCarriedByAuditFiles(dir),
      open: async (path) => {
        if (failing.replay) throw failure('ENOSPC');
        return open(path, 'a+', 0o600);
      },
    }).start();
    opened.push(store);
    return store;
  }

  async function vigil(policy: 'refuse' | 'answer' = 'refuse'): Promise<FastifyInstance> {
    const config = loadConfig({
      VIGIL_AUTH: 'required',
      VIGIL_LOG_LEVEL: 'silent',
      VIGIL_DATA_DIR: dir,
      VIGIL_AUDIT_HMAC_KEY: KEY,
      VIGIL_AUDIT_ON_FAILURE: policy,
      VIGIL_TRUSTED_ISSUERS: issuers,
      VIGIL_PUBLIC_BASE_URL: BASE,
    });
    const files = createFileAuditStore(dir);
    const store: AuditStore = { ...files, append: (record) => (failing.audit ? Promise.reject(failure('EIO')) : files.append(record)) };
    const trail = await openAuditTrail(config, silent, { store });
    opened.push(store);
    const app = await buildApp({
      config,
      scorer: createRulesScorer(),
      clock: clock.now,
      logger: false,
      recorder: trail.recorder,
      keyed: trail.keyed,
      issuedCards: trail.issued,
      replayStore: replayStore(),
    });
    opened.push(app);
    await app.ready();
    return app;
  }

  const call = lowCall({ asOf: clock.now() });
  const url = `/cds-services/${call.service}`;
  const newToken = () => token({ key, iss: ISS, nowSeconds: clock.seconds(), claims: { aud: `${BASE}${url}` } });
  const jtiOf = (t: string) => (JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString('utf8')) as { jti: string }).jti;
  const post = (app: FastifyInstance, t: string, body: unknown = call.body) =>
    app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${t}` }, payload: body as object });
  const linesIn = async (sub: string) => {
    const names = await readdir(join(dir, sub)).catch(() => [] as string[]);
    const texts = await Promise.all(names.map((n) => readFile(join(dir, sub, n), 'utf8')));
    return texts
      .join('')
      .split('\n')
      .filter((l) => l !== '');
  };
  /** A restart: a new replay store reading back what is on disk. */
  const afterRestart = async () => {
    const store = replayStore();
    await store.whenLoaded();
    return (t: string) => store.firstUse(ISS, jtiOf(t), clock.seconds() + 300, 30, clock.now());
  };

  it('is carried by the record, written nowhere else, refused at once and after a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-carried-'));
    const app = await vigil();
    const t = newToken();
    expect((await post(app, t)).statusCode).toBe(200);
    expect((await post(app, t)).statusCode).toBe(401);

    expect(await linesIn('replay')).toEqual([]); // no write of its own
    const [record] = (await linesIn('audit')).map((l) => JSON.parse(l) as { token?: { digest: string; until: string } });
    expect(record?.token).toEqual({ digest: replayKey(ISS, jtiOf(t)), until: new Date((clock.seconds() + 300 + 30) * 1000).toISOString() });
    expect((await linesIn('audit')).join('')).not.toContain(jtiOf(t));

    const firstUse = await afterRestart();
    expect(await firstUse(t)).toBe(false);
    expect(await firstUse(newToken())).toBe(true);
  });

  it('gets a line of its own before the answer when the record could not be written (VIGIL_AUDIT_ON_FAILURE=answer)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-carried-'));
    const app = await vigil('answer');
    const t = newToken();
    expect((await whileFailing(['audit'], () => post(app, t))).statusCode).toBe(200);
    expect(await linesIn('audit')).toEqual([]);
    expect(await linesIn('replay')).toHaveLength(1); // on disk when the answer arrived
    expect(await (await afterRestart())(t)).toBe(false);
  });

  it('is refused 503, and not accepted, when neither its record nor its own line can be written', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-carried-'));
    const app = await vigil('answer');
    const t = newToken();
    const refused = await whileFailing(['audit', 'replay'], () => post(app, t));
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'transient' }] });
    expect((await post(app, t)).statusCode).toBe(200); // never accepted, so it may be used once the disk works
    expect((await post(app, t)).statusCode).toBe(401);
  });

  it('gets a line of its own before a refusal leaves, so a token spent on a refused call stays spent', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-carried-'));
    const app = await vigil();
    const t = newToken();
    expect((await post(app, t, { hook: 'patient-view' })).statusCode).toBe(400);
    expect(await linesIn('replay')).toHaveLength(1);
    expect((await post(app, t)).statusCode).toBe(401);
    expect(await (await afterRestart())(t)).toBe(false);
  });

  it('stays spent when its call was refused because the audit record could not be written (503)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-carried-'));
    const app = await vigil('refuse');
    const t = newToken();
    expect((await whileFailing(['audit'], () => post(app, t))).statusCode).toBe(503);
    // The call was refused, its token spent: refused now and, through its own line, after a restart.
    expect((await post(app, t)).statusCode).toBe(401);
    expect(await (await afterRestart())(t)).toBe(false);
  });
});
