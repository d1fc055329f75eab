import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/audit/audit-record.js';
import { createFileAuditStore, type AuditStore } from '../../src/audit/audit-store.js';
import { openAuditTrail } from '../../src/audit/open-audit-trail.js';
import { DEV_KEY_FILE } from '../../src/audit/patient-hash.js';
import { keyedHash } from '../../src/identity/keyed-hash.js';
import { Arrivals } from '../../src/journal/arrivals.js';
import { createScorer } from '../../src/models/create-scorer.js';
import { FIXED_NOW, testApp, testConfig } from '../support/app.js';
import { criticalCall, lowCall } from '../observability/hook-calls.js';

const KEY = 'test-only-audit-key-0123456789abcdef';
const PATIENT = 'syn-audit-patient-8086';
const TOKEN = 'syn-access-token-do-not-store-5e1f';
const silent = { warn: () => {}, error: () => {}, info: () => {} };

async function readAll(store: AuditStore): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const r of store.read()) out.push(r);
  return out;
}

async function filesUnder(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = names.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
}

describe('the audit trail', () => {
  let dir: string;
  let app: FastifyInstance | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-audit-'));
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function appWithAudit() {
    const config = testConfig({ VIGIL_DATA_DIR: dir, VIGIL_AUDIT_HMAC_KEY: KEY, VIGIL_ISSUED_CARDS_MAX: '1000' });
    const trail = await openAuditTrail(config, silent, { clock: () => FIXED_NOW });
    app = await testApp({ recorder: trail.recorder, issuedCards: trail.issued, keyed: trail.keyed });
    return trail;
  }

  it('records what a silent model said, which no card shows', async () => {
    const config = testConfig({ VIGIL_DATA_DIR: dir, VIGIL_AUDIT_HMAC_KEY: KEY, VIGIL_ISSUED_CARDS_MAX: '1000' });
    const trail = await openAuditTrail(config, silent, { clock: () => FIXED_NOW });
    const scorer = await createScorer(testConfig({ VIGIL_MODEL_MODE: 'silent' }), { info: () => {}, warn: () => {} });
    app = await testApp({ scorer, recorder: trail.recorder, issuedCards: trail.issued });
    const call = lowCall({ patientId: PATIENT });
    const res = await app.inject({ method: 'POST', url: `/cds-services/${call.service}`, payload: call.body });
    expect(res.json().cards[0].extension['vigil.score']).not.toHaveProperty('model');
    await app.close();
    app = undefined;
    await scorer.close();
    await trail.store.close();
    const [record] = await readAll(createFileAuditStore(dir));
    expect(record).toMatchObject({
      path: 'rules',
      modelStatus: 'used',
      model: { name: 'vigil-deterioration', mode: 'silent', shown: false, probability: expect.any(Number), band: expect.any(String) },
    });
  });

  it('writes one record per call, reread by a new store on the same directory after a restart', async () => {
    const trail = await appWithAudit();
    const critical = criticalCall({ patientId: PATIENT });
    const res = await app!.inject({ method: 'POST', url: `/cds-services/${critical.service}`, payload: critical.body });
    const card = res.json().cards[0];
    const low = lowCall({ patientId: PATIENT });
    await app!.inject({ method: 'POST', url: `/cds-services/${low.service}`, payload: low.body });
    await app!.close();
    app = undefined;
    await trail.store.close();

    const records = await readAll(createFileAuditStore(dir));
    expect(records).toHaveLength(2);
    const [first, second] = records;
    expect(first).toMatchObject({
      hookInstance: critical.body.hookInstance,
      service: 'deterioration-risk',
      hook: 'patient-view',
      path: 'rules',
      indicator: 'critical',
      news2: { total: 13, partial: false },
      qsofa: { score: 2, positive: true },
      modelStatus: expect.any(String),
      cards: [{ uuid: card.uuid, indicator: 'critical', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }],
      sources: { vitals: 'sent', patient: 'sent' },
    });
    expect(first!.latencyMs).toBeGreaterThan(0);
    expect(first!.at).toBe('2026-11-23T12:00:00.000Z');
    // The hash is of the card's bytes as sent (the answer is plain JSON: re-serialising it changes nothing).
    expect(res.body).toBe(JSON.stringify(res.json()));
    expect(first!.cards[0]!.sha256).toBe(createHash('sha256').update(JSON.stringify(card)).digest('hex'));
    // One patient, one pseudonym: both calls link without naming the patient.
    expect(first!.patient).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(second!.patient).toBe(first!.patient);
    // Under the audit key (VIGIL_AUDIT_HMAC_KEY), so whoever holds it can link records to outcomes.
    expect(first!.patient).toBe(keyedHash(KEY).pseudonym(PATIENT));
  });

  it('rebuilds the issued cards after a restart, so feedback still recognises them', async () => {
    const trail = await appWithAudit();
    const critical = criticalCall({ patientId: PATIENT });
    const uuid = (await app!.inject({ method: 'POST', url: `/cds-services/${critical.service}`, payload: critical.body })).json().cards[0]
      .uuid;
    await app!.close();
    app = undefined;
    await trail.store.close();

    await appWithAudit();
    const res = await app!.inject({
      method: 'POST',
      url: '/cds-services/deterioration-risk/feedback',
      payload: { card: uuid, outcome: 'overridden', outcomeTimestamp: '2026-11-23T12:05:00Z' },
    });
    expect(res.json()).toMatchObject({ stored: 1, unknownCards: 0 });
  });

  it('lets every call announce its record and settle it, answered or refused, so no write waits for a call that will not record', async () => {
    // Writes wait up to 5 s for announced records here: a call left unsettled would hold the others.
    const arrivals = new Arrivals();
    const store = createFileAuditStore(dir, { gather: { arrivals, maxWaitMs: 5_000 } });
    const config = testConfig({ VIGIL_DATA_DIR: dir, VIGIL_AUDIT_HMAC_KEY: KEY, VIGIL_ISSUED_CARDS_MAX: '1000' });
    const trail = await openAuditTrail(config, silent, { clock: () => FIXED_NOW, store });
    let announced = 0;
    app = await testApp({
      recorder: trail.recorder,
      issuedCards: trail.issued,
      expectRecord: () => {
        announced += 1;
        return arrivals.announce();
      },
    });
    const calls = [criticalCall({ patientId: PATIENT }), lowCall({ patientId: PATIENT }), criticalCall({ patientId: PATIENT })];
    const answers = await Promise.all([
      ...calls.map((c) => app!.inject({ method: 'POST', url: `/cds-services/${c.service}`, payload: c.body })),
      app.inject({ method: 'POST', url: '/cds-services/deterioration-risk', payload: { hook: 'patient-view' } }),
      app.inject({ method: 'POST', url: '/cds-services/no-such-service', payload: calls[0]!.body }),
      app.inject({
        method: 'POST',
        url: '/cds-services/deterioration-risk',
        headers: { 'content-type': 'application/json' },
        payload: '{"hook":',
      }),
    ]);
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 400, 404, 400]);
    expect(announced).toBe(6); // JSON is parsed in the handler's digest: invalid JSON is refused there too
    expect(arrivals.pending).toBe(0);
    const records = await readAll(store);
    expect(records.map((r) => r.hookInstance).sort()).toEqual(calls.map((c) => c.body.hookInstance).sort());
  });

  it('holds neither the patient id nor the access token in any file', async () => {
    const trail = await appWithAudit();
    const critical = criticalCall({ patientId: PATIENT });
    critical.body.fhirServer = 'https://ehr.example/fhir';
    critical.body.fhirAuthorization = {
      access_token: TOKEN,
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'patient/*.read',
      subject: 'vigil',
    };
    const res = await app!.inject({ method: 'POST', url: `/cds-services/${critical.service}`, payload: critical.body });
    expect(res.statusCode).toBe(200);
    await trail.store.close();

    const everything = await filesUnder(dir);
    expect(everything).toContain(String(critical.body.hookInstance)); // the grep would find a record
    expect(everything).not.toContain(PATIENT);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(KEY);
  });

  it('creates a development key in the data directory when none is configured, and keeps it', async () => {
    const first = await openAuditTrail(testConfig({ VIGIL_DATA_DIR: dir }), silent);
    const key = await readFile(join(dir, DEV_KEY_FILE), 'utf8');
    const second = await openAuditTrail(testConfig({ VIGIL_DATA_DIR: dir }), silent);
    expect(await readFile(join(dir, DEV_KEY_FILE), 'utf8')).toBe(key);
    expect(key.trim()).toMatch(/^[0-9a-f]{64}$/);
    await Promise.all([first.store.close(), second.store.close()]);
  });
});

describe('the audit file store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-audit-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const record = (n: number, at = '2026-11-23T12:00:00.000Z'): AuditRecord => ({
    v: 1,
    at,
    hookInstance: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    service: 'deterioration-risk',
    hook: 'patient-view',
    patient: 'hmac-sha256:ab',
    path: 'rules',
    cards: [{ uuid: `card-${n}`, indicator: 'info', sha256: 'x' }],
    latencyMs: 1,
    sources: {},
  });

  it('skips a torn last line after a crash and appends the next record on a line of its own', async () => {
    const store = createFileAuditStore(dir);
    await store.append(record(1));
    await store.close();
    // A crash mid-write: half a record, no newline.
    await appendFile(join(dir, 'audit', 'audit-2026-11-23.jsonl'), JSON.stringify(record(2)).slice(0, 40));

    const reopened = createFileAuditStore(dir);
    await reopened.append(record(3));
    await reopened.close();
    const ids = (await readAll(createFileAuditStore(dir))).map((r) => r.cards[0]!.uuid);
    expect(ids).toEqual(['card-1', 'card-3']);
  });

  it('acknowledges concurrent appends only when all are on disk, losing none', async () => {
    const store = createFileAuditStore(dir);
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(record(i))));
    // No close: what was acknowledged must already be readable from the file.
    const lines = (await readFile(join(dir, 'audit', 'audit-2026-11-23.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(50);
    await store.close();
  });

  it('writes one file per UTC day', async () => {
    const store = createFileAuditStore(dir);
    await store.append(record(1, '2026-11-23T23:59:59.000Z'));
    await store.append(record(2, '2026-11-24T00:00:00.000Z'));
    await store.close();
    expect((await readdir(join(dir, 'audit'))).sort()).toEqual(['audit-2026-11-23.jsonl', 'audit-2026-11-24.jsonl']);
  });

  it('refuses appends once closed', async () => {
    const store = createFileAuditStore(dir);
    await store.close();
    await expect(store.append(record(1))).rejects.toThrow(/closed/);
  });
});

describe('opening the audit trail', () => {
  it('refuses to start when the data directory cannot be written, naming the setting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-audit-'));
    const blocker = join(dir, 'not-a-directory');
    await appendFile(blocker, 'a file where the data directory should be');
    await expect(openAuditTrail(testConfig({ VIGIL_DATA_DIR: blocker, VIGIL_AUDIT_HMAC_KEY: KEY }), silent)).rejects.toThrow(
      /VIGIL_DATA_DIR: cannot write the audit trail/,
    );
    await rm(dir, { recursive: true, force: true });
  });
});
