import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IssuedCards } from '../../src/audit/issued-cards.js';
import { openFileFeedbackStore, type FeedbackStore } from '../../src/feedback/feedback-store.js';
import type { FeedbackRecord } from '../../src/feedback/feedback-record.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import { FIXED_NOW, testApp } from '../support/app.js';

const URL = '/cds-services/deterioration-risk/feedback';
const ISSUED = '0b7e4f6a-1c2d-4e5f-8a9b-000000000001';
const SEDATION_CARD = '0b7e4f6a-1c2d-4e5f-8a9b-000000000002';

/** The CDS Hooks sandbox's shape: reason as {code, system}, no display. */
const overridden = {
  card: ISSUED,
  outcome: 'overridden',
  overrideReason: { reason: { code: 'already-escalated', system: 'urn:vigil:codes' }, userComment: 'Syn Patient is on the outreach list' },
  outcomeTimestamp: '2026-11-23T12:03:00Z',
};
const accepted = {
  card: ISSUED,
  outcome: 'accepted',
  acceptedSuggestions: [{ id: 'a1b2c3d4-0000-4000-8000-000000000003' }],
  outcomeTimestamp: '2026-11-23T12:04:00.000+01:00',
};

async function stored(store: FeedbackStore): Promise<FeedbackRecord[]> {
  const out: FeedbackRecord[] = [];
  for await (const r of store.read()) out.push(r);
  return out;
}

describe('POST /cds-services/{id}/feedback', () => {
  let dir: string;
  let app: FastifyInstance | undefined;
  let store: FeedbackStore;
  let metrics: Metrics;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-feedback-'));
    store = await openFileFeedbackStore(dir);
    metrics = createMetrics();
    const issued = new IssuedCards({ max: 100, maxAgeMs: 3600_000, clock: () => FIXED_NOW });
    issued.remember(ISSUED, 'deterioration-risk', FIXED_NOW, { indicator: 'critical', modelVersion: '2.0.0' });
    issued.remember(SEDATION_CARD, 'sedation-safety');
    app = await testApp({ feedbackStore: store, issuedCards: issued, metrics });
  });
  afterEach(async () => {
    await app?.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const post = (payload: unknown, url = URL) => app!.inject({ method: 'POST', url, payload: payload as object });

  it('accepts the specification shape {feedback: [...]} with several items', async () => {
    const res = await post({ feedback: [overridden, accepted] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ stored: 2, duplicates: 0, unknownCards: 0 });
    const records = await stored(store);
    expect(records.map((r) => r.outcome)).toEqual(['overridden', 'accepted']);
    expect(records[0]).toMatchObject({
      cardOrigin: 'this-service',
      overrideReason: { code: 'already-escalated', system: 'urn:vigil:codes' },
    });
    expect(records[1]).toMatchObject({
      acceptedSuggestions: ['a1b2c3d4-0000-4000-8000-000000000003'],
      outcomeTimestamp: '2026-11-23T11:04:00.000Z',
    });
  });

  it('accepts the older flat shape (one item, no wrapper)', async () => {
    const res = await post(overridden);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ stored: 1, duplicates: 0, unknownCards: 0 });
    expect(await stored(store)).toHaveLength(1);
  });

  it('stores the same feedback sent twice once, in either shape, across a restart', async () => {
    expect((await post({ feedback: [overridden] })).json()).toMatchObject({ stored: 1 });
    expect((await post(overridden)).json()).toEqual({ stored: 0, duplicates: 1, unknownCards: 0 });
    // The same instant written another way is the same feedback.
    expect((await post({ ...overridden, outcomeTimestamp: '2026-11-23T12:03:00.000+00:00' })).json()).toMatchObject({ duplicates: 1 });
    // Concurrent repeats: one write.
    const both = await Promise.all([post({ feedback: [accepted] }), post({ feedback: [accepted] })]);
    expect(both.map((r) => r.json().stored).sort()).toEqual([0, 1]);

    await store.close();
    const reopened = await openFileFeedbackStore(dir);
    expect(await reopened.add((await stored(reopened))[0]!)).toBe('duplicate');
    await reopened.close();

    const files = await readdir(join(dir, 'feedback'));
    const lines = (await Promise.all(files.map((f) => readFile(join(dir, 'feedback', f), 'utf8')))).join('').trim().split('\n');
    expect(lines).toHaveLength(2);
  });

  it('treats a different outcome for the same card as new feedback', async () => {
    await post(overridden);
    expect(
      (await post({ ...overridden, overrideReason: { reason: { code: 'clinical-judgement', system: 'urn:vigil:codes' } } })).json(),
    ).toMatchObject({ stored: 1 });
  });

  it.each([
    ['a card Vigil never issued', '9f9f9f9f-0000-4000-8000-000000000000', 'unknown'],
    ['a card another Vigil service issued', SEDATION_CARD, 'other-service'],
  ])('accepts and flags feedback on %s', async (_what, card, origin) => {
    const res = await post({ ...overridden, card });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ stored: 1, duplicates: 0, unknownCards: 1 });
    expect((await stored(store))[0]!.cardOrigin).toBe(origin);
  });

  it('keeps only that a free-text comment was given, not its text', async () => {
    await post(overridden);
    const [record] = await stored(store);
    expect(record!.hasComment).toBe(true);
    expect(record!.userComment).toBeUndefined();
    const files = await readdir(join(dir, 'feedback'));
    expect(await readFile(join(dir, 'feedback', files[0]!), 'utf8')).not.toContain('Syn Patient');
  });

  it("counts stored feedback by service, the card's indicator and model version, outcome and override reason (not repeats)", async () => {
    await post({ feedback: [overridden, accepted] });
    await post(overridden);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'vigil_feedback_total{service="deterioration-risk",indicator="critical",model_version="2.0.0",outcome="overridden",override_reason="already-escalated"} 1',
    );
    expect(text).toContain(
      'vigil_feedback_total{service="deterioration-risk",indicator="critical",model_version="2.0.0",outcome="accepted",override_reason="none"} 1',
    );
  });

  it('counts feedback on a card it does not know, or another service issued, as indicator and model version "unknown"', async () => {
    await post({ ...overridden, card: SEDATION_CARD });
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'vigil_feedback_total{service="deterioration-risk",indicator="unknown",model_version="unknown",outcome="overridden"',
    );
  });

  it.each([
    ['no card', { ...overridden, card: undefined }, 'card'],
    ['an unknown outcome', { ...overridden, outcome: 'ignored' }, 'outcome'],
    ['accepted without acceptedSuggestions', { ...accepted, acceptedSuggestions: undefined }, 'acceptedSuggestions'],
    ['a timestamp without a zone', { ...overridden, outcomeTimestamp: '2026-11-23T12:03:00' }, 'outcomeTimestamp'],
    ['a reason without a code', { ...overridden, overrideReason: { reason: { system: 'urn:vigil:codes' } } }, 'overrideReason.reason.code'],
    ['an empty wrapper', { feedback: [] }, 'feedback'],
    ['a bad item inside the wrapper', { feedback: [overridden, { ...accepted, outcome: 'maybe' }] }, 'feedback[1].outcome'],
  ])('refuses %s with 400 naming the field', async (_what, body, expression) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().issue.map((i: { expression?: string[] }) => i.expression?.[0])).toContain(expression);
    expect(await stored(store)).toHaveLength(0);
  });

  it('answers 404 for a service Vigil does not host', async () => {
    expect((await post(overridden, '/cds-services/no-such-service/feedback')).statusCode).toBe(404);
  });
});
