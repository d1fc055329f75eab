// When the audit trail cannot be written, a hook call is refused with 503 (no unaudited card), or,
// under VIGIL_AUDIT_ON_FAILURE=answer, answered and counted; either way /readyz, a metric and a
// rate-limited log line say so, and a replica that recovers says so too. The store here fails on
// command; audit-full-disk.test.ts does the same on a real full and read-only filesystem.
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditGate, type AuditFailurePolicy } from '../../src/audit/audit-gate.js';
import { auditRecorder } from '../../src/audit/audit-observer.js';
import type { AuditRecord } from '../../src/audit/audit-record.js';
import type { AuditStore } from '../../src/audit/audit-store.js';
import { IssuedCards } from '../../src/audit/issued-cards.js';
import { createMemoryFeedbackStore, type FeedbackStore } from '../../src/feedback/feedback-store.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import { criticalCall, fixtureCall } from '../observability/hook-calls.js';
import { FIXED_NOW, testApp } from '../support/app.js';
import { captureLog } from '../support/log-capture.js';

/** A store that fails with `failWith` while it is set. */
function switchableStore() {
  const records: AuditRecord[] = [];
  const state = { failWith: undefined as string | undefined, checks: 0 };
  const fail = () => Promise.reject(Object.assign(new Error(`${state.failWith}: /data/audit/audit-x.jsonl`), { code: state.failWith }));
  const store: Pick<AuditStore, 'append' | 'check'> = {
    append: (r) => (state.failWith !== undefined ? fail() : (records.push(r), Promise.resolve())),
    check: () => {
      state.checks += 1;
      return state.failWith !== undefined ? fail() : Promise.resolve();
    },
  };
  return { store, records, state };
}

const sample = (text: string, name: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

describe('a hook call whose audit record cannot be written', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function setUp(policy: AuditFailurePolicy, feedbackStore?: FeedbackStore) {
    const { store, records, state } = switchableStore();
    const { log, lines } = captureLog();
    const metrics: Metrics = createMetrics();
    let now = 0;
    const gate = new AuditGate({
      store,
      policy,
      log,
      onFailure: metrics.auditWriteFailed,
      onWritable: metrics.auditWritable,
      now: () => now,
      recheckMs: 1000,
    });
    const issued = new IssuedCards({ max: 100, maxAgeMs: 3600_000, clock: () => FIXED_NOW });
    const recorder = auditRecorder({ gate, issued });
    app = await testApp({
      logger: log,
      metrics,
      recorder,
      issuedCards: issued,
      readinessProbes: [() => gate.readinessCheck()],
      ...(feedbackStore !== undefined ? { feedbackStore } : {}),
    });
    const call = (c = criticalCall()) => app!.inject({ method: 'POST', url: `/cds-services/${c.service}`, payload: c.body });
    return { state, records, lines, metrics, issued, call, advance: (ms: number) => (now += ms) };
  }

  it('is refused with 503, an OperationOutcome, Retry-After and no card (the default policy)', async () => {
    const t = await setUp('refuse');
    t.state.failWith = 'ENOSPC';
    const res = await t.call();
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'transient' }] });
    expect(res.json().cards).toBeUndefined();
    expect(t.issued.size).toBe(0); // a card nobody saw is not Vigil's to recognise in feedback
    const text = await t.metrics.registry.metrics();
    expect(text).toContain('vigil_audit_write_failures_total{code="ENOSPC"} 1');
    expect(sample(text, 'vigil_audit_writable')).toBe(0);
    // Metrics count answered calls only: this one was not.
    expect(text).not.toContain('vigil_cards_total{');
  });

  // Operations review (2026-11-29): the refused call's card was remembered as shown, so the next call's
  // warning came back as "Unchanged since shown 1 min ago", an info card, though no clinician had seen it.
  it('remembers no card of a refused call as shown: the next call shows it in full', async () => {
    const t = await setUp('refuse');
    const warning = () => fixtureCall('deterioration-risk/news2-single-three-warning');
    t.state.failWith = 'ENOSPC';
    expect((await t.call(warning())).statusCode).toBe(503);
    t.state.failWith = undefined;
    const first = await t.call(warning());
    expect(first.statusCode).toBe(200);
    const [card] = first.json().cards;
    expect(card.indicator).toBe('warning');
    expect(card.summary).not.toMatch(/^Unchanged since shown|^No rise since/);
    // The control: the card that was shown is a repeat for the call after it.
    const again = await t.call(warning());
    expect(again.json().cards[0]).toMatchObject({ indicator: 'info', summary: expect.stringMatching(/^Unchanged since shown/) });
  });

  it('makes the replica unready until a write can succeed again, then ready by itself', async () => {
    const t = await setUp('refuse');
    expect((await app!.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    t.state.failWith = 'EROFS';
    await t.call();
    const unready = await app!.inject({ method: 'GET', url: '/readyz' });
    expect(unready.statusCode).toBe(503);
    expect(unready.json().checks).toContainEqual({
      name: 'audit',
      ok: false,
      detail: expect.stringMatching(/^cannot be written \(EROFS\) since .*refused with 503$/),
    });

    // Out of rotation no call arrives: the probe itself asks the store again, at most once a second.
    t.state.failWith = undefined;
    const checksBefore = t.state.checks;
    t.advance(1000);
    expect((await app!.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect(t.state.checks).toBe(checksBefore + 1);
    expect(sample(await t.metrics.registry.metrics(), 'vigil_audit_writable')).toBe(1);
    expect((await t.call()).statusCode).toBe(200);
    expect(t.records).toHaveLength(1);
    expect(t.issued.size).toBe(1); // a card shown is remembered for feedback
    expect(t.lines.some((l) => l.msg === 'the audit trail can be written again')).toBe(true);
  });

  it('asks a failing store again at most once per interval, however often /readyz is probed', async () => {
    const t = await setUp('refuse');
    t.state.failWith = 'EIO';
    await t.call();
    const before = t.state.checks;
    for (let i = 0; i < 20; i++) await app!.inject({ method: 'GET', url: '/readyz' });
    expect(t.state.checks - before).toBeLessThanOrEqual(1);
  });

  it('is answered and counted under VIGIL_AUDIT_ON_FAILURE=answer, the replica staying ready and saying why', async () => {
    const t = await setUp('answer');
    t.state.failWith = 'ENOSPC';
    const res = await t.call();
    expect(res.statusCode).toBe(200);
    expect(res.json().cards).toHaveLength(1);
    expect(await t.metrics.registry.metrics()).toContain('vigil_audit_write_failures_total{code="ENOSPC"} 1');
    const ready = await app!.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks).toContainEqual({ name: 'audit', ok: true, detail: expect.stringMatching(/answered without a record/) });
  });

  it('logs a full disk a few times a minute, not once per call, with the error code and never the path', async () => {
    const t = await setUp('refuse');
    t.state.failWith = 'ENOSPC';
    for (let i = 0; i < 60; i++) expect((await t.call()).statusCode).toBe(503);
    const errors = t.lines.filter((l) => l.level === 50);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThanOrEqual(20); // ten per key per minute: the gate's line and the handler's
    expect(errors.some((l) => (l as { code?: string }).code === 'ENOSPC')).toBe(true);
    expect(JSON.stringify(t.lines)).not.toContain('/data/audit');
    expect(await t.metrics.registry.metrics()).toContain('vigil_audit_write_failures_total{code="ENOSPC"} 60');
  });

  it('answers feedback that cannot be stored with 503 and Retry-After, not a 500', async () => {
    const memory = createMemoryFeedbackStore();
    const failing: FeedbackStore = {
      add: () => Promise.reject(Object.assign(new Error('no space'), { code: 'ENOSPC' })),
      storedOn: (day, client) => memory.storedOn(day, client),
      read: () => memory.read(),
      close: () => memory.close(),
    };
    await setUp('refuse', failing);
    const res = await app!.inject({
      method: 'POST',
      url: '/cds-services/deterioration-risk/feedback',
      payload: { card: 'c1', outcome: 'overridden', outcomeTimestamp: '2026-11-23T12:00:00Z' },
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json().issue[0].code).toBe('transient');
  });
});

describe('how long a call waits for its audit record', () => {
  /** A store whose appends finish when the test says, or fail with ENOSPC. */
  function heldStore() {
    const held: { resolve: () => void; reject: (e: Error) => void }[] = [];
    const store: Pick<AuditStore, 'append' | 'check'> = {
      append: () => new Promise<void>((resolve, reject) => held.push({ resolve, reject })),
      check: () => Promise.resolve(),
    };
    return { store, held };
  }
  const quiet = { error: () => {}, info: () => {} };
  const record = {} as AuditRecord;

  it('reports the seconds from the record handed over to it being durable, on the gate clock', async () => {
    const { store, held } = heldStore();
    let now = 1000;
    const waits: number[] = [];
    const gate = new AuditGate({ store, policy: 'refuse', log: quiet, now: () => now, onDurable: (s) => waits.push(s) });
    const written = gate.record(record);
    now += 3.5; // the disk takes its time
    held[0]!.resolve();
    expect(await written).toBe(true);
    expect(waits).toEqual([0.0035]);
  });

  it('reports nothing for a record that was not written: that is a failure, counted as one', async () => {
    const { store, held } = heldStore();
    const waits: number[] = [];
    const failures: string[] = [];
    const gate = new AuditGate({
      store,
      policy: 'answer',
      log: quiet,
      onDurable: (s) => waits.push(s),
      onFailure: (code) => failures.push(code),
    });
    const written = gate.record(record);
    held[0]!.reject(Object.assign(new Error('full'), { code: 'ENOSPC' }));
    expect(await written).toBe(false);
    expect(waits).toEqual([]);
    expect(failures).toEqual(['ENOSPC']);
  });

  it('shows on /metrics as a histogram in seconds', async () => {
    const metrics = createMetrics();
    metrics.auditRecordWait(0.0035);
    metrics.auditRecordWait(0.0008);
    const text = await metrics.registry.metrics();
    expect(text).toContain('vigil_audit_record_wait_seconds_count 2');
    expect(text).toContain('vigil_audit_record_wait_seconds_bucket{le="0.001"} 1');
    expect(text).toContain('vigil_audit_record_wait_seconds_bucket{le="0.005"} 2');
  });
});
