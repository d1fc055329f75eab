// The repeat-card rule through the real app: the sandbox re-fires a hook with nothing new, a rise gets
// through at once, a clinician's override quietens a critical card for its window only, and feedback
// on a re-fired card is recognised. The clock is injected; nothing waits.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { AnsweredCall } from '../../src/observability/answered-call.js';
import { openAuditTrail } from '../../src/audit/open-audit-trail.js';
import { keyedHash } from '../../src/identity/keyed-hash.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { fixtureCall } from '../observability/hook-calls.js';
import { FIXED_NOW, testApp, testConfig } from '../support/app.js';

const KEY = 'test-only-audit-key-0123456789abcdef';
let now = FIXED_NOW.getTime();
const minutes = (m: number) => (now = FIXED_NOW.getTime() + m * 60_000);

describe('repeat cards through the app', () => {
  let app: FastifyInstance | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await app?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    app = undefined;
    dir = undefined;
  });

  async function start(env: Record<string, string> = {}) {
    now = FIXED_NOW.getTime();
    dir = await mkdtemp(join(tmpdir(), 'vigil-repeat-'));
    const config = testConfig({ VIGIL_DATA_DIR: dir, VIGIL_AUDIT_HMAC_KEY: KEY, ...env });
    const trail = await openAuditTrail(config, { warn() {}, error() {}, info() {} }, { clock: () => new Date(now) });
    const answered: AnsweredCall[] = [];
    const metrics = createMetrics();
    app = await testApp(
      {
        recorder: trail.recorder,
        issuedCards: trail.issued,
        keyed: keyedHash(KEY),
        clock: () => new Date(now),
        metrics,
        observers: [(c) => void answered.push(c)],
      },
      env,
    );
    /** The fixture's call, its body first passed through `edit` (a change to what the EHR sent). */
    const call = async (name: string, edit: (body: string) => string = (b) => b) => {
      const c = fixtureCall(name);
      const payload = edit(JSON.stringify(c.body));
      return (
        await app!.inject({ method: 'POST', url: `/cds-services/${c.service}`, payload, headers: { 'content-type': 'application/json' } })
      ).json().cards;
    };
    return { call, answered, metrics };
  }

  it('shows an incomplete card in full after a critical one: a minimum score is never "not risen"', async () => {
    const { call, answered } = await start();
    const [critical] = await call('deterioration-risk/news2-high-critical');
    minutes(2);
    // The same patient, every vital sign now charted in a unit Vigil does not read.
    const unreadable = (body: string) => body.replace(/"(unit|code)":"(\/min|%|Cel|mm\[Hg\]|L\/min|\[degF\])"/g, '"$1":"furlongs"');
    const [after] = await call('deterioration-risk/news2-high-critical', unreadable);
    expect(critical.indicator).toBe('critical');
    expect(after.uuid).not.toBe(critical.uuid);
    // Shown as built (its own colour and words), not quietened as "unchanged" after the critical card.
    expect(after.summary).toMatch(/^NEWS2 ≥ 0, incomplete: .* not usable — chart now$/);
    expect(answered[1]!.quietened).toEqual([]);
  });

  it('downgrades an unchanged re-fire to info with the same uuid, and says when it was shown', async () => {
    const { call, answered, metrics } = await start();
    const [first] = await call('deterioration-risk/news2-medium-warning');
    minutes(12);
    const [again] = await call('deterioration-risk/news2-medium-warning');
    expect(first.indicator).toBe('warning');
    expect(again).toMatchObject({ uuid: first.uuid, indicator: 'info' });
    expect(again.summary).toMatch(/^Unchanged since shown 12 min ago: NEWS2 5/);
    expect(answered[1]!.quietened).toEqual([
      { uuid: first.uuid, indicator: 'warning', action: 'downgraded', why: 'repeat-not-risen', shownAt: FIXED_NOW.toISOString() },
    ]);
    expect(await metrics.registry.metrics()).toContain(
      'vigil_cards_quietened_total{service="deterioration-risk",action="downgraded",why="repeat-not-risen"} 1',
    );
  });

  it('suppresses it instead with VIGIL_REPEAT_CARD_POLICY=suppress, and shows it again after the window', async () => {
    const { call } = await start({ VIGIL_REPEAT_CARD_POLICY: 'suppress', VIGIL_REPEAT_CARD_WINDOW_MINUTES: '30' });
    expect(await call('deterioration-risk/news2-medium-warning')).toHaveLength(1);
    minutes(10);
    expect(await call('deterioration-risk/news2-medium-warning')).toEqual([]);
    minutes(31);
    expect(await call('deterioration-risk/news2-medium-warning')).toHaveLength(1);
  });

  it('lets a rise in risk through at once', async () => {
    const { call } = await start({ VIGIL_REPEAT_CARD_POLICY: 'suppress' });
    await call('deterioration-risk/news2-medium-warning');
    minutes(5);
    const [critical] = await call('deterioration-risk/news2-high-critical');
    expect(critical.indicator).toBe('critical');
  });

  it('keeps a critical card loud until a clinician overrides it with a reason, then quiet for the window only', async () => {
    const { call } = await start({ VIGIL_REPEAT_CARD_POLICY: 'suppress' });
    const [first] = await call('deterioration-risk/news2-high-critical');
    minutes(5);
    expect((await call('deterioration-risk/news2-high-critical'))[0]).toMatchObject({ uuid: first.uuid, indicator: 'critical' });

    const feedback = await app!.inject({
      method: 'POST',
      url: '/cds-services/deterioration-risk/feedback',
      payload: {
        feedback: [
          {
            card: first.uuid,
            outcome: 'overridden',
            overrideReason: {
              reason: { system: 'http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes', code: 'action-completed' },
            },
            outcomeTimestamp: new Date(now).toISOString(),
          },
        ],
      },
    });
    // The re-fired card is the card Vigil issued: feedback on it is recognised.
    expect(feedback.json()).toMatchObject({ stored: 1, unknownCards: 0 });

    minutes(10);
    expect(await call('deterioration-risk/news2-high-critical')).toEqual([]);
    minutes(70);
    expect((await call('deterioration-risk/news2-high-critical'))[0]).toMatchObject({ indicator: 'critical' });
  });

  it('shows every card with the rule off', async () => {
    const { call } = await start({ VIGIL_REPEAT_CARD_POLICY: 'off' });
    await call('deterioration-risk/news2-medium-warning');
    expect((await call('deterioration-risk/news2-medium-warning'))[0].indicator).toBe('warning');
  });
});
