// Two real Vigil processes on one real Redis and one real PostgreSQL, behind a round-robin proxy: they
// behave as one service. A token is accepted once, whichever replica sees it; feedback on a card is
// recognised by the replica that did not issue it; the repeat-card rule and a clinician's override
// hold across both; a replica killed (-9) or stopped and started again loses nothing; Redis or
// PostgreSQL taken away mid-run gives the documented answers (replay check: 503, fail closed; audit:
// 503 under the default policy) and /readyz says why, and both recover by themselves when it returns.
// Nothing in Redis or PostgreSQL names a patient.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startPostgres, startRedis, type LocalPostgres, type LocalRedis } from '../../scripts/lib/local-servers.js';
import { fixtureCall, type Call } from '../observability/hook-calls.js';
import { roundRobinProxy, startReplica, stopReplica, testIssuer, type Issuer, type Proxy, type Replica } from './replicas.js';
import { postgresContents, redisContents, SKIP_REASON } from './support.js';

const KEY = 'test-only-shared-audit-key-0123456789abcdef';
const PATIENT_PREFIX = 'syn-two-replicas-';

interface Answer {
  status: number;
  replica: string;
  body: any;
  headers: Headers;
}

describe.skipIf(SKIP_REASON !== undefined)('two replicas on Redis and PostgreSQL', () => {
  let redis: LocalRedis;
  let postgres: LocalPostgres;
  let proxy: Proxy;
  let issuer: Issuer;
  const replicas: Replica[] = [];
  const dirs: string[] = [];
  const patients = new Set<string>();
  let answeredHookCalls = 0;

  async function replicaEnv(): Promise<Record<string, string>> {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-replica-'));
    dirs.push(dir);
    return {
      VIGIL_AUTH: 'required',
      VIGIL_TRUSTED_ISSUERS: issuer.file,
      VIGIL_PUBLIC_BASE_URL: proxy.url,
      VIGIL_AUDIT_HMAC_KEY: KEY,
      VIGIL_REDIS_URL: redis.url,
      VIGIL_DATABASE_URL: postgres.url,
      // A margin a busy 2-core machine meets: under the full suite a just-restarted replica's first
      // Redis round trip took more than the 250 ms default, and a replay check that times out fails
      // closed (503). A Redis that is down still fails at once (no offline queue).
      VIGIL_REDIS_TIMEOUT_MS: '2000',
      VIGIL_DATA_DIR: dir,
    };
  }

  /**
   * (Re)starts replica `i` and points the proxy at its new address once `/readyz` says it is ready, as
   * a load balancer would: a replica whose first Redis connection takes more than 3 s (a busy CI
   * machine) starts listening not ready, and until it connects a replay check cannot be made (503).
   */
  async function launch(i: number): Promise<void> {
    const replica = await startReplica(await replicaEnv());
    replicas[i] = replica;
    for (const until = Date.now() + 30_000; (await readyz(replica)).status !== 200;) {
      if (Date.now() > until) throw new Error(`replica ${i} not ready after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    proxy.upstreams[i] = replica.url;
  }

  async function send(method: string, path: string, token: string | undefined, body?: unknown): Promise<Answer> {
    const res = await fetch(`${proxy.url}${path}`, {
      method,
      headers: {
        ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return {
      status: res.status,
      replica: res.headers.get('x-test-replica') ?? '?',
      body: text === '' ? undefined : JSON.parse(text),
      headers: res.headers,
    };
  }

  /** A hook call through the proxy with a fresh token (or the one given, to replay it). */
  async function hook(call: Call, token = issuer.token(`${proxy.url}/cds-services/${call.service}`)): Promise<Answer> {
    const answer = await send('POST', `/cds-services/${call.service}`, token, call.body);
    if (answer.status === 200) answeredHookCalls += 1;
    return answer;
  }

  const made = new Map<string, Call>();
  /**
   * The fixture's call for this patient: the same data each time it is asked for again (as a hook
   * re-fired with nothing new, so the same card), with a new hookInstance.
   */
  function callFor(fixture: string, patient: string): Call {
    patients.add(PATIENT_PREFIX + patient);
    const key = `${fixture}|${patient}`;
    if (!made.has(key)) made.set(key, fixtureCall(fixture, { patientId: PATIENT_PREFIX + patient, asOf: new Date() }));
    const call = made.get(key)!;
    return { service: call.service, body: { ...call.body, hookInstance: randomUUID() } };
  }

  async function feedback(service: string, item: Record<string, unknown>): Promise<Answer> {
    const path = `/cds-services/${service}/feedback`;
    return send('POST', path, issuer.token(`${proxy.url}${path}`), { feedback: [{ outcomeTimestamp: new Date().toISOString(), ...item }] });
  }

  const readyz = async (replica: Replica) => {
    const res = await fetch(`${replica.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: (await res.json()) as { checks: { name: string; ok: boolean; detail?: string }[] } };
  };
  const metrics = async (replica: Replica) => (await fetch(`${replica.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const auditRows = async () => {
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM vigil_audit')).rows[0]!.n;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    [redis, postgres, proxy] = await Promise.all([startRedis(), startPostgres(), roundRobinProxy()]);
    issuer = testIssuer();
    await Promise.all([launch(0), launch(1)]);
  }, 90_000);

  afterAll(async () => {
    for (const r of replicas) if (r !== undefined) await stopReplica(r, 'SIGKILL');
    await proxy?.close();
    await redis?.close();
    await postgres?.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    issuer?.close();
  });

  it('refuses a token on one replica that the other accepted', async () => {
    const call = callFor('deterioration-risk/news2-low-info', 'replay');
    const token = issuer.token(`${proxy.url}/cds-services/${call.service}`);
    const first = await hook(call, token);
    const again = await hook(call, token);
    expect(first.status).toBe(200);
    expect(again.status).toBe(401);
    expect(again.replica).not.toBe(first.replica);
    expect(await metrics(replicas[Number(again.replica)]!)).toContain('vigil_auth_failures_total{reason="replayed_jti"} 1');
  });

  it('recognises feedback on a card issued by the other replica, and stores it once across both', async () => {
    const shown = await hook(callFor('deterioration-risk/news2-high-critical', 'feedback'));
    const item = { card: shown.body.cards[0].uuid, outcome: 'overridden', outcomeTimestamp: new Date().toISOString() };
    const answer = await feedback('deterioration-risk', item);
    expect(answer.replica).not.toBe(shown.replica);
    expect(answer.body).toEqual({ stored: 1, duplicates: 0, unknownCards: 0 });
    // The same feedback again, now on the replica that issued the card.
    const again = await feedback('deterioration-risk', item);
    expect(again.replica).toBe(shown.replica);
    expect(again.body).toEqual({ stored: 0, duplicates: 1, unknownCards: 0 });
  });

  it('quietens a repeat card on the other replica, and holds a clinician override across both', async () => {
    const warning = callFor('deterioration-risk/news2-medium-warning', 'repeat');
    const first = await hook(warning);
    const second = await hook(callFor('deterioration-risk/news2-medium-warning', 'repeat'));
    expect(second.replica).not.toBe(first.replica);
    expect(first.body.cards[0].indicator).toBe('warning');
    expect(second.body.cards[0]).toMatchObject({ uuid: first.body.cards[0].uuid, indicator: 'info' });
    expect(second.body.cards[0].summary).toMatch(/^Unchanged since shown/);

    // A critical card stays loud until a clinician overrides it with a reason (on either replica).
    const critical = await hook(callFor('deterioration-risk/news2-high-critical', 'override'));
    const [card] = critical.body.cards;
    expect(card.indicator).toBe('critical');
    const overridden = await feedback('deterioration-risk', {
      card: card.uuid,
      outcome: 'overridden',
      overrideReason: { reason: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'risk-benefit-ratio' } },
    });
    expect(overridden.body).toMatchObject({ stored: 1, unknownCards: 0 });
    for (let i = 0; i < 2; i += 1) {
      const quiet = await hook(callFor('deterioration-risk/news2-high-critical', 'override'));
      expect(quiet.body.cards).toEqual([]);
    }
  });

  it('loses nothing when a replica is killed (-9) or stopped and started again', async () => {
    const call = callFor('deterioration-risk/news2-medium-warning', 'restart');
    const token = issuer.token(`${proxy.url}/cds-services/${call.service}`);
    const before = await hook(call, token);
    expect(before.status).toBe(200);
    const [card] = before.body.cards;

    for (const [i, signal] of [
      [Number(before.replica), 'SIGKILL'],
      [1 - Number(before.replica), 'SIGTERM'],
    ] as const) {
      expect(await stopReplica(replicas[i]!, signal)).toBe(signal === 'SIGKILL' ? null : 0);
      await launch(i);
      // The token used before is refused by both replicas, the restarted one included.
      const replays = [await hook(call, token), await hook(call, token)];
      expect(replays.map((r) => r.status)).toEqual([401, 401]);
      expect(new Set(replays.map((r) => r.replica)).size).toBe(2);
    }
    // The card issued before both restarts is recognised, and its repeat is still quietened.
    expect((await feedback('deterioration-risk', { card: card.uuid, outcome: 'overridden' })).body).toMatchObject({
      stored: 1,
      unknownCards: 0,
    });
    expect((await hook(callFor('deterioration-risk/news2-medium-warning', 'restart'))).body.cards[0].indicator).toBe('info');
    // Every answered call has its audit row, whichever replica answered and however it ended.
    expect(await auditRows()).toBe(answeredHookCalls);
  }, 90_000);

  it('refuses calls with 503 while Redis is down (the replay check fails closed), says so in /readyz, and recovers', async () => {
    const accepted = callFor('deterioration-risk/news2-low-info', 'redis-outage');
    const token = issuer.token(`${proxy.url}/cds-services/${accepted.service}`);
    expect((await hook(accepted, token)).status).toBe(200);

    await redis.stop('SIGKILL');
    const refused = [
      await hook(callFor('deterioration-risk/news2-low-info', 'redis-outage')),
      await hook(callFor('deterioration-risk/news2-low-info', 'redis-outage')),
    ];
    expect(refused.map((r) => r.status)).toEqual([503, 503]);
    expect(refused[0]!.headers.get('retry-after')).toBe('2');
    expect(refused[0]!.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'transient' }] });
    for (const replica of replicas) {
      const ready = await readyz(replica);
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toContainEqual(
        expect.objectContaining({ name: 'redis', ok: false, detail: expect.stringMatching(/refused with 503/) }),
      );
      const text = await metrics(replica);
      expect(text).toContain('vigil_shared_state_up{engine="redis"} 0');
      expect(text).toMatch(/vigil_shared_state_errors_total\{engine="redis",use="replay"\} [1-9]/);
    }

    await redis.start();
    await expect
      .poll(async () => (await hook(callFor('deterioration-risk/news2-low-info', 'redis-outage'))).status, {
        timeout: 20_000,
        interval: 250,
      })
      .toBe(200);
    for (const replica of replicas)
      await expect.poll(async () => (await readyz(replica)).status, { timeout: 20_000, interval: 250 }).toBe(200);
    // Redis kept what it knew (append-only file): the token accepted before the outage is still refused.
    expect((await hook(accepted, token)).status).toBe(401);
  }, 60_000);

  it('refuses calls and feedback with 503 while PostgreSQL is down (no call without its audit row), says so in /readyz, and recovers', async () => {
    const rowsBefore = await auditRows();
    const answeredBefore = answeredHookCalls;
    await postgres.stop('immediate');
    const refused = await hook(callFor('deterioration-risk/news2-high-critical', 'pg-outage'));
    expect(refused.status).toBe(503);
    expect(refused.body.cards).toBeUndefined();
    expect((await feedback('deterioration-risk', { card: '0b7e4f6a-1c2d-4e5f-8a9b-00000000beef', outcome: 'overridden' })).status).toBe(
      503,
    );
    for (const replica of replicas) {
      const ready = await readyz(replica);
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toContainEqual(
        expect.objectContaining({ name: 'postgres', ok: false, detail: expect.stringMatching(/refused with 503/) }),
      );
    }
    // The replica whose write failed also says its trail cannot be written.
    expect((await readyz(replicas[Number(refused.replica)]!)).body.checks).toContainEqual(
      expect.objectContaining({ name: 'audit', ok: false }),
    );

    await postgres.start();
    await expect
      .poll(async () => (await hook(callFor('deterioration-risk/news2-high-critical', 'pg-outage'))).status, {
        timeout: 20_000,
        interval: 250,
      })
      .toBe(200);
    for (const replica of replicas)
      await expect.poll(async () => (await readyz(replica)).status, { timeout: 20_000, interval: 250 }).toBe(200);
    expect(await auditRows()).toBe(rowsBefore + (answeredHookCalls - answeredBefore));
  }, 60_000);

  it('keeps no patient id in Redis or PostgreSQL: only keyed hashes', async () => {
    const client = new Redis(redis.url);
    try {
      const stored = `${await redisContents(client)}\n${await postgresContents(postgres.url)}`;
      expect(stored).toContain('hmac-sha256:'); // the pseudonyms are there...
      expect(patients.size).toBeGreaterThan(5);
      for (const patient of patients) expect(stored).not.toContain(patient); // ...the ids never
      expect(stored).not.toContain(PATIENT_PREFIX);
    } finally {
      client.disconnect();
    }
  });
});
