// The record of issued cards: bounded by count and by age, rebuilt from the audit trail in the
// background (feedback meanwhile waits for it), reading only the newest end of the trail; so a
// 300,000-record day no longer makes start-up slow.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileAuditStore, type IssuedCardEntry } from '../../src/audit/audit-store.js';
import { IssuedCards } from '../../src/audit/issued-cards.js';
import { openAuditTrail } from '../../src/audit/open-audit-trail.js';
import { startServer } from '../server/spawn-server.js';
import { numberedUuid, writeAuditDay } from '../../scripts/lib/audit-trail-fixture.js';
import { testConfig } from '../support/app.js';

const NOW = new Date('2026-11-23T23:00:00Z');
const HOUR = 3600_000;
const silent = { warn: () => {}, error: () => {}, info: () => {} };
const ago = (ms: number) => new Date(NOW.getTime() - ms);

describe('the bounds', () => {
  it('forgets the oldest cards beyond the count', () => {
    const issued = new IssuedCards({ max: 3, maxAgeMs: 72 * HOUR, clock: () => NOW });
    for (let i = 0; i < 5; i++) issued.remember(`card-${i}`, 'deterioration-risk', ago((5 - i) * 1000));
    expect(issued.size).toBe(3);
    expect(issued.serviceOf('card-1')).toBeUndefined();
    expect(issued.serviceOf('card-2')).toBe('deterioration-risk');
  });

  it('forgets cards older than the age bound', () => {
    let now = NOW;
    const issued = new IssuedCards({ max: 100, maxAgeMs: HOUR, clock: () => now });
    issued.remember('old', 'deterioration-risk', ago(HOUR + 1));
    issued.remember('recent', 'sedation-safety', ago(HOUR - 1000));
    expect(issued.serviceOf('old')).toBeUndefined();
    expect(issued.serviceOf('recent')).toBe('sedation-safety');
    now = new Date(NOW.getTime() + 2000);
    expect(issued.serviceOf('recent')).toBeUndefined();
    issued.remember('new', 'deterioration-risk');
    expect(issued.size).toBe(1); // the expired ones are dropped, not just hidden
  });
});

describe('the rebuild from the audit trail', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-issued-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('answers feedback arriving during the rebuild once the rebuild is done, keeping cards issued meanwhile', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* source(): AsyncIterable<IssuedCardEntry> {
      await gate; // the trail is slow to read
      yield { uuid: 'from-trail', service: 'sedation-safety', at: ago(1000).toISOString() };
    }
    const issued = new IssuedCards({ max: 10, maxAgeMs: HOUR, clock: () => NOW }).rebuildFrom(source, () => undefined);
    issued.remember('issued-meanwhile', 'deterioration-risk', NOW);
    const answer = issued.serviceOf('from-trail');
    expect(answer).toBeInstanceOf(Promise);
    release();
    expect(await answer).toBe('sedation-safety');
    expect(issued.serviceOf('issued-meanwhile')).toBe('deterioration-risk');
  });

  it('does not touch the trail until it is told to begin (the server: once it listens), and feedback waits for it', async () => {
    let opened = 0;
    async function* source(): AsyncIterable<IssuedCardEntry> {
      opened += 1;
      yield { uuid: 'from-trail', service: 'sedation-safety', at: ago(1000).toISOString() };
    }
    let begin!: () => void;
    const listening = new Promise<void>((r) => (begin = r));
    const issued = new IssuedCards({ max: 10, maxAgeMs: HOUR, clock: () => NOW }).rebuildFrom(source, () => undefined, listening);
    const answer = issued.serviceOf('from-trail');
    expect(answer).toBeInstanceOf(Promise);
    // Every callback and timer queued so far has run: still nothing read.
    await new Promise((r) => setTimeout(r, 0));
    expect(opened).toBe(0);
    begin();
    expect(await answer).toBe('sedation-safety');
    expect(opened).toBe(1);
  });

  it('takes from its source only as many cards as it keeps', async () => {
    let pulled = 0;
    async function* endless(): AsyncIterable<IssuedCardEntry> {
      for (let n = 0; ; n++) {
        pulled += 1;
        yield { uuid: `c${n}`, service: 'deterioration-risk', at: NOW.toISOString() };
      }
    }
    const issued = new IssuedCards({ max: 50, maxAgeMs: HOUR, clock: () => NOW }).rebuildFrom(endless, () => undefined);
    await issued.whenRebuilt();
    expect(issued.size).toBe(50);
    expect(pulled).toBe(50);
  });

  it('survives a trail it cannot read: says so, and recognises what is issued from then on', async () => {
    const errors: unknown[] = [];
    // eslint-disable-next-line require-yield
    async function* broken(): AsyncIterable<IssuedCardEntry> {
      throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    }
    const issued = new IssuedCards({ max: 10, maxAgeMs: HOUR, clock: () => NOW }).rebuildFrom(broken, (e) => errors.push(e));
    issued.remember('new', 'deterioration-risk', NOW);
    expect(await issued.serviceOf('new')).toBe('deterioration-risk');
    expect(errors).toHaveLength(1);
  });

  it('reads the file trail from its newest end and stops at the age bound', async () => {
    await writeAuditDay(dir, '2026-11-22', 1000, new Date('2026-11-22T23:59:00Z'));
    await writeAuditDay(dir, '2026-11-23', 1000, NOW);
    const store = createFileAuditStore(dir);
    const since = ago(2 * HOUR);
    const entries: IssuedCardEntry[] = [];
    for await (const e of store.issuedCards({ max: 1_000_000, since })) entries.push(e);
    // The day's 1,000 records span 23 hours: the last two hours hold about 87 of them, newest first.
    expect(entries.length).toBeGreaterThan(80);
    expect(entries.length).toBeLessThan(95);
    expect(entries[0]!.uuid).toBe(numberedUuid('c0000000', 999));
    expect(entries.every((e) => Date.parse(e.at) >= since.getTime())).toBe(true);
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.at <= entries[i - 1]!.at).toBe(true);
  });

  it('opens the trail of a 300,000-record day in well under a second, and still recognises its newest cards', async () => {
    const { newestCard, bytes } = await writeAuditDay(dir, '2026-11-23', 300_000, NOW);
    expect(bytes).toBeGreaterThan(200 * 1024 * 1024);
    const started = performance.now();
    const trail = await openAuditTrail(testConfig({ VIGIL_DATA_DIR: dir, VIGIL_AUDIT_HMAC_KEY: 'k'.repeat(32) }), silent, {
      clock: () => NOW,
    });
    const openMs = performance.now() - started;
    // The work done before the service may answer no longer depends on the trail: a loaded machine
    // takes milliseconds here, where reading the day took seconds.
    expect(openMs).toBeLessThan(1000);
    expect(await trail.issued.serviceOf(newestCard)).toBe('deterioration-risk');
    expect(await trail.issued.serviceOf(numberedUuid('c0000000', 300_000 - 200_000))).toBe('deterioration-risk');
    expect(await trail.issued.serviceOf(numberedUuid('c0000000', 300_000 - 200_001))).toBeUndefined(); // beyond VIGIL_ISSUED_CARDS_MAX
    await trail.store.close();
  }, 60_000);

  it('lets the real server listen within a second of reading its configuration, with a 300,000-record day', async () => {
    // Today's date, from the real clock the spawned server reads: the rebuild looks back from now.
    const now = new Date();
    const day = now.toISOString().slice(0, 10);
    await writeAuditDay(dir, day, 300_000, now);
    const server = startServer({ VIGIL_DATA_DIR: dir, VIGIL_AUDIT_HMAC_KEY: 'k'.repeat(32) });
    try {
      const listening = await server.waitFor(/Vigil is listening/, 30_000);
      console.info(`boot with a 300,000-record day: ${String(listening.bootMs)} ms`);
      expect(Number(listening.bootMs)).toBeLessThan(1000);
      const ready = await fetch(new URL('/readyz', String(listening.address)));
      expect(ready.status).toBe(200);
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  }, 60_000);
});
