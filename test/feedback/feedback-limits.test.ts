// What feedback may cost on disk: every stored field is capped (a 400 names the field beyond its cap),
// a 100-item request at every cap stays small, each client has a daily allowance (429 until the next
// UTC day, nothing stored), and the store keeps only two days of keys and counts in memory.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DailyJsonlLog } from '../../src/journal/daily-jsonl.js';
import { secondsToNextUtcDay } from '../../src/feedback/feedback-routes.js';
import { FEEDBACK_LIMITS } from '../../src/feedback/feedback-schema.js';
import { openFileFeedbackStore, type FeedbackStore } from '../../src/feedback/feedback-store.js';
import type { FeedbackRecord } from '../../src/feedback/feedback-record.js';
import { testApp } from '../support/app.js';

const URL = '/cds-services/deterioration-risk/feedback';
const uuid = (n: number) => `0b7e4f6a-1c2d-4e5f-8a9b-${String(n).padStart(12, '0')}`;
const overridden = (n: number, reason = { code: 'already-escalated', system: 'urn:vigil:codes' }) => ({
  card: uuid(n),
  outcome: 'overridden',
  overrideReason: { reason },
  outcomeTimestamp: '2026-11-23T12:03:00Z',
});

let dir: string;
let store: FeedbackStore;
let app: FastifyInstance | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-feedback-'));
  store = await openFileFeedbackStore(dir, '2026-11-23');
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (payload: unknown, remoteAddress = '10.0.0.1') =>
  app!.inject({ method: 'POST', url: URL, payload: payload as object, remoteAddress });

describe('caps on stored fields', () => {
  it.each([
    [
      'an override code one character over its cap',
      { ...overridden(1), overrideReason: { reason: { code: 'c'.repeat(FEEDBACK_LIMITS.codeChars + 1), system: 'urn:x' } } },
      'overrideReason.reason.code',
    ],
    [
      'an override system over its cap',
      { ...overridden(1), overrideReason: { reason: { code: 'c', system: 's'.repeat(FEEDBACK_LIMITS.systemChars + 1) } } },
      'overrideReason.reason.system',
    ],
    [
      'an override display over its cap',
      { ...overridden(1), overrideReason: { reason: { code: 'c', system: 's', display: 'd'.repeat(FEEDBACK_LIMITS.displayChars + 1) } } },
      'overrideReason.reason.display',
    ],
    [
      'a comment over its cap',
      { ...overridden(1), overrideReason: { userComment: 'x'.repeat(FEEDBACK_LIMITS.commentChars + 1) } },
      'overrideReason.userComment',
    ],
    ['a card id over its cap', { ...overridden(1), card: 'c'.repeat(FEEDBACK_LIMITS.idChars + 1) }, 'card'],
    [
      'more accepted suggestions than a card offers',
      {
        card: uuid(1),
        outcome: 'accepted',
        acceptedSuggestions: Array.from({ length: FEEDBACK_LIMITS.suggestions + 1 }, (_, i) => ({ id: uuid(i) })),
        outcomeTimestamp: '2026-11-23T12:03:00Z',
      },
      'acceptedSuggestions',
    ],
  ])('refuses %s with 400 naming the field, storing nothing', async (_what, body, expression) => {
    app = await testApp({ feedbackStore: store });
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().issue.map((i: { expression?: string[] }) => i.expression?.[0])).toContain(expression);
    expect(await readdir(join(dir, 'feedback')).catch(() => [])).toEqual([]);
  });

  it('keeps a 100-item request at every cap under 100 KB on disk (comments kept)', async () => {
    app = await testApp({ feedbackStore: store }, { VIGIL_FEEDBACK_KEEP_COMMENTS: 'true' });
    const atCaps = (n: number) => ({
      card: `${String(n).padStart(4, '0')}${'c'.repeat(FEEDBACK_LIMITS.idChars - 4)}`,
      outcome: 'overridden',
      overrideReason: {
        reason: {
          code: 'k'.repeat(FEEDBACK_LIMITS.codeChars),
          system: 's'.repeat(FEEDBACK_LIMITS.systemChars),
          display: 'd'.repeat(FEEDBACK_LIMITS.displayChars),
        },
        userComment: 'x'.repeat(100),
      },
      outcomeTimestamp: '2026-11-23T12:03:00Z',
    });
    const res = await post({ feedback: Array.from({ length: 100 }, (_, n) => atCaps(n)) });
    expect(res.json()).toMatchObject({ stored: 100 });
    const [file] = await readdir(join(dir, 'feedback'));
    expect((await stat(join(dir, 'feedback', file!))).size).toBeLessThan(100 * 1024);
    expect(await readFile(join(dir, 'feedback', file!), 'utf8')).not.toContain('d'.repeat(10)); // the display is never kept
  });
});

describe('the daily allowance per client', () => {
  it('stores up to the allowance, then answers 429 until the next UTC day and stores nothing of the request', async () => {
    app = await testApp({ feedbackStore: store }, { VIGIL_FEEDBACK_MAX_PER_CLIENT_PER_DAY: '5' });
    expect((await post({ feedback: [1, 2, 3].map((n) => overridden(n)) })).json()).toMatchObject({ stored: 3 });
    const over = await post({ feedback: [4, 5, 6].map((n) => overridden(n)) });
    expect(over.statusCode).toBe(429);
    expect(over.json().issue[0].code).toBe('throttled');
    expect(over.headers['retry-after']).toBe(String(12 * 3600)); // the test clock is 12:00 UTC
    expect((await post({ feedback: [4, 5].map((n) => overridden(n)) })).json()).toMatchObject({ stored: 2 });
    expect((await post(overridden(6))).statusCode).toBe(429);
    // Another client has its own allowance.
    expect((await post(overridden(6), '10.0.0.2')).statusCode).toBe(200);
    let stored = 0;
    for await (const _ of store.read()) stored += 1;
    expect(stored).toBe(6);
  });

  it.each([
    ['2026-11-23T12:00:00Z', 12 * 3600],
    ['2026-11-23T23:59:59.500Z', 1],
    ['2026-11-23T00:00:00Z', 24 * 3600],
  ])('at %s the allowance starts afresh in %i s', (now, seconds) => {
    expect(secondsToNextUtcDay(new Date(now))).toBe(seconds);
  });

  it("counts an authenticated client's items again after a restart", async () => {
    const record = (n: number): FeedbackRecord => ({
      v: 1,
      key: `k${n}`,
      receivedAt: '2026-11-23T10:00:00.000Z',
      service: 'deterioration-risk',
      card: uuid(n),
      cardOrigin: 'unknown',
      outcome: 'overridden',
      outcomeTimestamp: '2026-11-23T10:00:00.000Z',
      hasComment: false,
      client: 'iss:https://ehr.example',
    });
    for (const n of [1, 2, 3]) await store.add(record(n));
    await store.close();
    store = await openFileFeedbackStore(dir, '2026-11-23');
    expect(await store.storedOn('2026-11-23', 'iss:https://ehr.example')).toBe(3);
    expect(await store.add(record(2))).toBe('duplicate');
  });
});

describe('what the store keeps in memory', () => {
  it('reads only the last two days at start-up: an old repeat is stored again, a recent one is not', async () => {
    const log = new DailyJsonlLog(join(dir, 'feedback'), 'feedback');
    const at = (day: string, key: string) => ({
      v: 1,
      key,
      receivedAt: `${day}T10:00:00.000Z`,
      service: 'deterioration-risk',
      card: uuid(1),
      cardOrigin: 'unknown',
      outcome: 'overridden',
      outcomeTimestamp: `${day}T10:00:00.000Z`,
      hasComment: false,
    });
    await log.append('2026-11-19', at('2026-11-19', 'old'));
    await log.append('2026-11-22', at('2026-11-22', 'yesterday'));
    await log.append('2026-11-23', at('2026-11-23', 'today'));
    await log.close();
    await store.close();
    store = await openFileFeedbackStore(dir, '2026-11-23');
    expect(await store.add(at('2026-11-23', 'today') as FeedbackRecord)).toBe('duplicate');
    expect(await store.add(at('2026-11-23', 'yesterday') as FeedbackRecord)).toBe('duplicate');
    expect(await store.add(at('2026-11-23', 'old') as FeedbackRecord)).toBe('stored');
  });
});
