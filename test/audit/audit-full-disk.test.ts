// The audit trail and feedback on a real filesystem that fills up (a 2 MiB tmpfs) and on one that is
// read-only: every acknowledged call has a readable audit record and every acknowledged feedback item
// is readable, nothing refused is on disk, no line is torn, and the replica is unready while it cannot
// write and ready again once it can. Skipped, saying why, where the machine forbids mounting.
import { mkdtemp, open, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import { createFileAuditStore } from '../../src/audit/audit-store.js';
import { openAuditTrail, type AuditTrail } from '../../src/audit/open-audit-trail.js';
import { openFileFeedbackStore, type FeedbackStore } from '../../src/feedback/feedback-store.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { criticalCall } from '../observability/hook-calls.js';
import { testApp, testConfig } from '../support/app.js';
import { mountTmpfs, skipMessage, type Mounted } from '../support/tmpfs.js';

const KEY = 'test-only-audit-key-0123456789abcdef';
const silent = { warn: () => {}, error: () => {}, info: () => {} };

/** Writes a filler file until the filesystem is full, then gives `leave` bytes back. */
async function fill(dir: string, leave: number): Promise<string> {
  const path = join(dir, 'filler');
  const handle = await open(path, 'w');
  const chunk = Buffer.alloc(16 * 1024, 0x61);
  let size = 0;
  try {
    for (;;) size += (await handle.write(chunk)).bytesWritten;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    await handle.close();
  }
  await truncate(path, Math.max(0, size - leave));
  return path;
}

async function linesOf(dir: string): Promise<string[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  const texts = await Promise.all(files.filter((f) => f.endsWith('.jsonl')).map((f) => readFile(join(dir, f), 'utf8')));
  return texts
    .join('')
    .split('\n')
    .filter((l) => l !== '');
}

describe('the audit trail on a real filesystem', () => {
  let base: string;
  let mount: Mounted;
  let app: FastifyInstance | undefined;
  let trail: AuditTrail | undefined;
  let feedback: FeedbackStore | undefined;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'vigil-tmpfs-'));
    mount = mountTmpfs(base, '2m');
  });
  afterEach(async () => {
    await app?.close();
    await trail?.store.close().catch(() => {});
    await feedback?.close().catch(() => {});
    app = trail = feedback = undefined;
    if (mount.ok) mount.unmount();
    await rm(base, { recursive: true, force: true });
  });

  function mounted(ctx: TestContext): Extract<Mounted, { ok: true }> {
    if (!mount.ok) {
      console.warn(`skipped: ${skipMessage(mount.reason)}`); // visible in the default reporter too
      ctx.skip(skipMessage(mount.reason));
    }
    return mount;
  }

  async function start() {
    const metrics = createMetrics();
    const config = testConfig({ VIGIL_DATA_DIR: base, VIGIL_AUDIT_HMAC_KEY: KEY });
    trail = await openAuditTrail(config, silent, { onWriteFailure: metrics.auditWriteFailed, onWritable: metrics.auditWritable });
    feedback = await openFileFeedbackStore(base);
    const gate = trail.gate;
    app = await testApp({
      metrics,
      recorder: trail.recorder,
      issuedCards: trail.issued,
      feedbackStore: feedback,
      readinessProbes: [() => gate.readinessCheck()],
    });
    const call = async () => {
      const c = criticalCall();
      const res = await app!.inject({ method: 'POST', url: `/cds-services/${c.service}`, payload: c.body });
      return {
        status: res.statusCode,
        hookInstance: String(c.body.hookInstance),
        cards: res.statusCode === 200 ? (res.json().cards as { uuid: string }[]) : [],
      };
    };
    let feedbackNo = 0;
    const sendFeedback = async (count: number) => {
      const items = Array.from({ length: count }, () => ({
        card: `00000000-0000-4000-8000-${String(feedbackNo++).padStart(12, '0')}`,
        outcome: 'overridden',
        outcomeTimestamp: '2026-11-23T12:00:00Z',
      }));
      const res = await app!.inject({ method: 'POST', url: '/cds-services/deterioration-risk/feedback', payload: { feedback: items } });
      return { status: res.statusCode, cards: items.map((i) => i.card) };
    };
    const ready = async () => (await app!.inject({ method: 'GET', url: '/readyz' })).statusCode;
    return { metrics, call, sendFeedback, ready };
  }

  it('never acknowledges a call or feedback it could not write when the disk fills, and recovers once space returns', async (ctx) => {
    mounted(ctx);
    const t = await start();
    const filler = await fill(base, 32 * 1024);

    const acknowledged: string[] = [];
    const refused: string[] = [];
    const feedbackAcknowledged: string[] = [];
    let feedbackRefused = 0;
    for (let round = 0; round < 40; round++) {
      // Concurrent calls share one write: a batch that does not fit fails, and is cut back, as one.
      const results = await Promise.all(Array.from({ length: 4 }, () => t.call()));
      for (const r of results) (r.status === 200 ? acknowledged : refused).push(r.hookInstance);
      expect(results.every((r) => r.status === 200 || r.status === 503)).toBe(true);
      const fb = await t.sendFeedback(3);
      if (fb.status === 200) feedbackAcknowledged.push(...fb.cards);
      else feedbackRefused += 1;
      expect([200, 503]).toContain(fb.status);
    }
    // The test means something only if the disk filled up part-way.
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(feedbackRefused).toBeGreaterThan(0);
    expect(await t.ready()).toBe(503);
    expect(await t.metrics.registry.metrics()).toMatch(/vigil_audit_write_failures_total\{code="ENOSPC"\} [1-9]/);

    // Space returns: the next calls are written, on lines of their own, and the replica is ready again.
    await rm(filler);
    for (let i = 0; i < 5; i++) {
      const r = await t.call();
      expect(r.status).toBe(200);
      acknowledged.push(r.hookInstance);
    }
    const fb = await t.sendFeedback(3);
    expect(fb.status).toBe(200);
    feedbackAcknowledged.push(...fb.cards);
    expect(await t.ready()).toBe(200);
    await trail!.store.close();
    await feedback!.close();

    // Every line parses (nothing torn, nothing glued), and the records are exactly the acknowledged calls.
    const auditLines = await linesOf(join(base, 'audit'));
    for (const line of auditLines) expect(() => JSON.parse(line)).not.toThrow();
    const recorded: string[] = [];
    for await (const r of createFileAuditStore(base).read()) recorded.push(r.hookInstance);
    expect(recorded.sort()).toEqual([...acknowledged].sort());
    expect(recorded.length).toBe(auditLines.length);

    const feedbackLines = await linesOf(join(base, 'feedback'));
    for (const line of feedbackLines) expect(() => JSON.parse(line)).not.toThrow();
    const storedCards = new Set(feedbackLines.map((l) => (JSON.parse(l) as { card: string }).card));
    for (const card of feedbackAcknowledged) expect(storedCards.has(card), card).toBe(true);
  });

  it('refuses calls and feedback while the filesystem is read-only, unready, and serves again once it is writable', async (ctx) => {
    const fs = mounted(ctx);
    const t = await start();
    // Read-only before any record is written: a file open for writing would keep the remount from happening.
    fs.readOnly(true);
    try {
      const r = await t.call();
      expect(r.status).toBe(503);
      expect((await t.sendFeedback(2)).status).toBe(503);
      expect(await t.ready()).toBe(503);
      expect(await t.metrics.registry.metrics()).toContain('vigil_audit_write_failures_total{code="EROFS"} 1');
    } finally {
      fs.readOnly(false);
    }
    const r = await t.call();
    expect(r.status).toBe(200);
    expect(await t.ready()).toBe(200);
    await trail!.store.close();
    const recorded: string[] = [];
    for await (const rec of createFileAuditStore(base).read()) recorded.push(rec.hookInstance);
    expect(recorded).toEqual([r.hookInstance]);
  });
});
