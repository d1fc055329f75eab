// The benchmark's scenarios in miniature, as `npm test` can afford them: the real server (sources
// through tsx, one digest thread so bodies cross to a worker and back, as under `npm start`) under
// the benchmark's own load generator, over several connections. Asserts what a ward would notice,
// never speed: every call answered 2xx, and each answer the cards the in-process app (bodies
// digested inline) gives for the same body. SYNTHETIC ward.
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startFhirServer, type FhirTestServer } from '../../demo/fhir-server.js';
import { runRound, spawnServer, type Call, type Server } from '../../bench/lib/load.js';
import { productionServerArgs } from '../../bench/lib/production.js';
import {
  orderSelectCall,
  patientViewCall,
  patientViewFetchCall,
  template,
  ward,
  wardResources,
  withFreshInstance,
} from '../../bench/lib/ward.js';
import { testApp } from '../support/app.js';
import { seen, seenInProcess } from '../support/cards-seen.js';

const ROOT = join(import.meta.dirname, '..', '..');
const now = new Date();
const patients = ward(160, now);

describe('the benchmark scenarios, small', () => {
  let server: Server;
  let fhir: FhirTestServer;
  let inline: FastifyInstance;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-bench-smoke-'));
    fhir = await startFhirServer({
      resources: wardResources(patients) as unknown as Parameters<typeof startFhirServer>[0]['resources'],
      defaultCount: 250,
    });
    // With `npm start`'s node flags (V8 settings): a flag this Node no longer accepts fails here, not at deployment.
    server = await spawnServer([...productionServerArgs().slice(0, -1), '--import', 'tsx', join(ROOT, 'src', 'server.ts')], {
      VIGIL_AUTH: 'off',
      VIGIL_LOG_LEVEL: 'error',
      VIGIL_MODEL_PATH: 'none',
      VIGIL_DIGEST_THREADS: '1',
      VIGIL_DATA_DIR: dataDir,
      VIGIL_FHIR_ALLOWED_ORIGINS: fhir.origin,
      VIGIL_FHIR_ALLOW_HTTP_LOOPBACK: 'true',
      VIGIL_FETCH_DEADLINE_MS: '5000',
      VIGIL_FHIR_REQUEST_TIMEOUT_MS: '5000',
    });
    // The same service in this process, digesting inline, on the real clock like the server.
    inline = await testApp({ clock: () => new Date() });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await inline?.close();
    await fhir?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Runs `count` calls over 4 connections and returns each answer, by call number. */
  async function load(calls: Call[]): Promise<Map<number, Buffer>> {
    const answers = new Map<number, Buffer>();
    const round = await runRound(
      server.port,
      4,
      calls.length,
      (i) => calls[i]!,
      (i, body) => answers.set(i, body),
    );
    expect(round.errors).toEqual([]);
    expect(round.calls).toBe(calls.length);
    return answers;
  }

  it('patient-view: every call answered, with the cards the inline path gives', async () => {
    const calls = patients
      .slice(0, 60)
      .map((p) => ({ path: '/cds-services/deterioration-risk', body: withFreshInstance(template(patientViewCall(p))) }));
    const answers = await load(calls);
    const kinds = new Set<string>();
    for (const [i, body] of answers) {
      expect(seen(body)).toEqual(await seenInProcess(inline, calls[i]!));
      for (const s of seen(body)) kinds.add(s.split(':')[0]!);
    }
    // The ward is not all alike: the scenario exercises more than one kind of card.
    expect(kinds.size).toBeGreaterThan(1);
  }, 60_000);

  it("order-select with an opioid: every call answered, with the inline path's cards", async () => {
    const calls = patients
      .slice(60, 100)
      .map((p) => ({ path: '/cds-services/sedation-safety', body: withFreshInstance(template(orderSelectCall(p))) }));
    const answers = await load(calls);
    for (const [i, body] of answers) expect(seen(body)).toEqual(await seenInProcess(inline, calls[i]!));
  }, 60_000);

  it("patient-view with hourly charting (~193 KiB calls): every call answered, with the inline path's cards", async () => {
    const hourly = ward(30, now, undefined, 'hourly');
    const calls = hourly.map((p) => ({ path: '/cds-services/deterioration-risk', body: withFreshInstance(template(patientViewCall(p))) }));
    // Larger than the ward's calls, below the heavy lane's 256 KiB: digested by the thread and the event loop.
    for (const c of calls) expect(c.body.length).toBeGreaterThan(150 * 1024);
    for (const c of calls) expect(c.body.length).toBeLessThan(256 * 1024);
    const answers = await load(calls);
    for (const [i, body] of answers) expect(seen(body)).toEqual(await seenInProcess(inline, calls[i]!));
  }, 60_000);

  it('patient-view with prefetch missing: fetched from the FHIR server, the same cards as when the data are sent', async () => {
    const chosen = patients.slice(100, 130);
    const calls = chosen.map((p) => ({
      path: '/cds-services/deterioration-risk',
      body: withFreshInstance(template(patientViewFetchCall(p, fhir.baseUrl))),
    }));
    const answers = await load(calls);
    expect(fhir.requests.length).toBeGreaterThanOrEqual(chosen.length);
    for (const [i, body] of answers) {
      const sent = { path: '/cds-services/deterioration-risk', body: withFreshInstance(template(patientViewCall(chosen[i]!))) };
      expect(seen(body)).toEqual(await seenInProcess(inline, sent));
    }
  }, 60_000);

  it("the missing-prefetch scenario's fetching baseline makes the very searches Vigil makes, and answers every call", async () => {
    const p = patients[150]!;
    const call = (): Call => ({
      path: '/cds-services/deterioration-risk',
      body: withFreshInstance(template(patientViewFetchCall(p, fhir.baseUrl))),
    });
    const searches = () => fhir.requests.map((r) => r.url).sort();
    fhir.reset();
    await load([call()]);
    const vigils = searches();
    const baseline = await spawnServer(['--import', 'tsx', join(ROOT, 'bench', 'target.ts')], { BASELINE_FETCH: 'true' });
    try {
      fhir.reset();
      const round = await runRound(baseline.port, 1, 1, call);
      expect(round.errors).toEqual([]);
      expect(searches()).toEqual(vigils);
      // Five searches (patient, vitals, consciousness, oxygen, SpO2 target), not a stub that fetches nothing.
      expect(vigils).toHaveLength(5);
    } finally {
      await baseline.stop();
    }
  }, 30_000);

  it('says on /metrics how long each answered call waited for its audit record: one observation per record on disk', async () => {
    // Its own calls, so it holds alone too; with the scenarios above, every record they made counts as well.
    const calls = patients
      .slice(130, 150)
      .map((p) => ({ path: '/cds-services/deterioration-risk', body: withFreshInstance(template(patientViewCall(p))) }));
    await load(calls);
    const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    const count = Number(/^vigil_audit_record_wait_seconds_count (\d+)$/m.exec(text)?.[1]);
    const auditDir = join(dataDir, 'audit');
    let records = 0;
    for (const name of await readdir(auditDir)) {
      if (name.endsWith('.jsonl')) records += (await readFile(join(auditDir, name), 'utf8')).split('\n').filter((l) => l !== '').length;
    }
    expect(records).toBeGreaterThanOrEqual(calls.length);
    expect(count).toBe(records);
    // Seconds, not milliseconds: a wait of milliseconds averages well under one.
    const sum = Number(/^vigil_audit_record_wait_seconds_sum (\S+)$/m.exec(text)?.[1]);
    expect(sum).toBeGreaterThan(0);
    expect(sum / count).toBeLessThan(1);
  }, 30_000);
});

describe('how production starts Vigil', () => {
  it('the Dockerfile runs the same command as npm start (the benchmarks measure that one)', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
    expect(cmd).toBeDefined();
    const args = (JSON.parse(cmd!) as string[]).slice(1);
    expect(args).toEqual(productionServerArgs().map((a) => (a.startsWith('/') ? 'dist/bundle/server.js' : a)));
  });
});
