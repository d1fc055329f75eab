// The Redis stores against a real redis-server on a loopback port (started once for this file): two
// connections stand for two replicas. What each store does when Redis is taken away mid-run, and
// that it comes back by itself when Redis returns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type LocalRedis } from '../../scripts/lib/local-servers.js';
import { StateUnavailableError } from '../../src/shared-state/dependency.js';
import { RedisState } from '../../src/shared-state/redis-client.js';
import { RedisIssuedCards } from '../../src/shared-state/redis-issued-cards.js';
import { RedisReplayStore } from '../../src/shared-state/redis-replay-store.js';
import { createRedisSuppressionStore } from '../../src/shared-state/redis-suppression-store.js';
import { applyRepeatRule } from '../../src/suppression/repeat-cards.js';
import type { Card } from '../../src/cds-hooks/card-schema.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { openSharedState } from '../../src/shared-state/open-shared-state.js';
import { fixtureCall } from '../observability/hook-calls.js';
import { testApp, testConfig } from '../support/app.js';
import { quietLog, redisContents, SKIP_REASON } from './support.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

describe.skipIf(SKIP_REASON !== undefined)('Redis stores', () => {
  let server: LocalRedis;
  const opened: RedisState[] = [];
  const errors: string[] = [];
  /** One replica's connection, once connected (start-up waits for that too). */
  const replica = async (prefix = 'vigil:') => {
    const state = new RedisState({
      url: server.url,
      timeoutMs: 500,
      keyPrefix: prefix,
      log: quietLog(),
      onError: (engine, use) => void errors.push(`${engine}:${use}`),
    });
    opened.push(state);
    expect(await state.connected()).toBe(true);
    return state;
  };

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const s of opened) await s.close();
    await server?.close();
  });

  describe('the replay store', () => {
    it('accepts a token once, on whichever replica, and refuses it everywhere after', async () => {
      const [a, b] = [new RedisReplayStore(await replica()), new RedisReplayStore(await replica())];
      const exp = nowSeconds + 300;
      expect(await a.firstUse('https://ehr.example', 'jti-1', exp, 30, NOW)).toBe(true);
      expect(await b.firstUse('https://ehr.example', 'jti-1', exp, 30, NOW)).toBe(false);
      expect(await a.firstUse('https://ehr.example', 'jti-1', exp, 30, NOW)).toBe(false);
      // Another issuer's token with the same jti is another token.
      expect(await b.firstUse('https://other.example', 'jti-1', exp, 30, NOW)).toBe(true);
    });

    it('remembers a token until it expires (plus the skew), not longer', async () => {
      const state = await replica('ttl-test:');
      await new RedisReplayStore(state).firstUse('https://ehr.example', 'jti-ttl', nowSeconds + 120, 30, NOW);
      const [key] = await state.client.keys('ttl-test:jti:*');
      // 150 s from NOW, counted down by Redis since.
      const ttl = await state.client.pttl(key!);
      expect(ttl).toBeLessThanOrEqual(150_000);
      expect(ttl).toBeGreaterThan(140_000);
    });

    it('keeps digests, never the token, the issuer or the jti', async () => {
      const state = await replica('digest-test:');
      await new RedisReplayStore(state).firstUse('https://ehr.example', 'jti-visible-4711', nowSeconds + 60, 0, NOW);
      const text = await redisContents(state.client);
      expect(text).toMatch(/^digest-test:jti:[A-Za-z0-9_-]{43} 1$/m);
      expect(text).not.toContain('jti-visible-4711');
      expect(text).not.toContain('ehr.example');
    });
  });

  describe('the issued cards', () => {
    it('recognise on one replica a card another replica issued, for the age bound', async () => {
      const [a, b] = [await replica(), await replica()];
      const clock = () => NOW;
      await new RedisIssuedCards(a, { maxAgeMs: 3_600_000, clock }).remember(
        'card-1',
        'deterioration-risk',
        new Date(NOW.getTime() - 600_000),
      );
      expect(await new RedisIssuedCards(b, { maxAgeMs: 3_600_000, clock }).serviceOf('card-1')).toBe('deterioration-risk');
      const ttl = await b.client.pttl('vigil:card:card-1');
      expect(ttl).toBeGreaterThan(2_990_000); // an hour less the ten minutes since it was shown
      expect(ttl).toBeLessThanOrEqual(3_000_000);
    });

    // Operations review (2026-11-29): only the service was kept, so every feedback on shared state was
    // counted with indicator and model version "unknown".
    it('keep what feedback metrics count a card by, and read an entry written before they did', async () => {
      const [a, b] = [await replica(), await replica()];
      await new RedisIssuedCards(a, { maxAgeMs: 3_600_000 }).remember('card-2', 'deterioration-risk', undefined, {
        indicator: 'critical',
        modelVersion: '2.0.0',
      });
      const onB = new RedisIssuedCards(b, { maxAgeMs: 3_600_000 });
      expect(await onB.cardOf('card-2')).toEqual({ service: 'deterioration-risk', indicator: 'critical', modelVersion: '2.0.0' });
      await b.client.set('vigil:card:card-old', 'sedation-safety', 'PX', 60_000);
      expect(await onB.cardOf('card-old')).toEqual({ service: 'sedation-safety' });
      expect(await onB.serviceOf('card-old')).toBe('sedation-safety');
    });

    it('ask the fallback (the audit trail) for a card Redis does not know', async () => {
      const asked: string[] = [];
      const issued = new RedisIssuedCards(await replica(), {
        maxAgeMs: 3_600_000,
        fallback: async (uuid) => (asked.push(uuid), 'sedation-safety'),
      });
      expect(await issued.serviceOf('card-unknown-to-redis')).toBe('sedation-safety');
      expect(asked).toEqual(['card-unknown-to-redis']);
    });
  });

  describe('the suppression store', () => {
    const shown = {
      uuid: 'card-s1',
      indicator: 'critical' as const,
      news2Total: 9,
      concerns: 'heartRate=3,recheck:respiratoryRate',
      shownAt: NOW.getTime(),
    };

    it('shares what was shown, and a clinician override, between replicas', async () => {
      const [a, b] = [
        createRedisSuppressionStore(await replica(), () => NOW.getTime()),
        createRedisSuppressionStore(await replica(), () => NOW.getTime()),
      ];
      await a.set('deterioration-risk|hmac-sha256:aa', shown, 3_600_000);
      expect(await b.get('deterioration-risk|hmac-sha256:aa')).toEqual(shown);
      expect(await b.markOverridden('card-s1', NOW.getTime() + 3_600_000)).toBe(true);
      expect(await a.get('deterioration-risk|hmac-sha256:aa')).toEqual({ ...shown, overriddenUntil: NOW.getTime() + 3_600_000 });
      expect(await a.markOverridden('card-never-shown', NOW.getTime() + 1)).toBe(false);
    });

    it('does not mark an entry that a newer card has replaced', async () => {
      const store = createRedisSuppressionStore(await replica(), () => NOW.getTime());
      await store.set('deterioration-risk|hmac-sha256:bb', shown, 3_600_000);
      await store.set('deterioration-risk|hmac-sha256:bb', { ...shown, uuid: 'card-s2' }, 3_600_000);
      expect(await store.markOverridden('card-s1', NOW.getTime() + 60_000)).toBe(false);
      expect((await store.get('deterioration-risk|hmac-sha256:bb'))?.overriddenUntil).toBeUndefined();
    });
  });

  describe('with Redis stopped mid-run', () => {
    it('the replay check fails (closed), suppression shows the card (open), issued cards fall back; all recover when Redis returns', async () => {
      const state = await replica();
      const replay = new RedisReplayStore(state);
      const suppression = createRedisSuppressionStore(state, () => NOW.getTime());
      const issued = new RedisIssuedCards(state, { maxAgeMs: 3_600_000, fallback: async () => 'from-the-trail' });
      const card = { uuid: 'card-outage', indicator: 'warning', summary: 'NEWS2 5', source: { label: 'Vigil' } } as Card;
      const settings = { policy: 'suppress' as const, windowMs: 3_600_000 };
      const at = { service: 'deterioration-risk', patientPseudonym: 'hmac-sha256:cc', now: NOW.getTime() };
      expect((await applyRepeatRule([card], at, settings, suppression)).cards).toHaveLength(1);
      expect((await applyRepeatRule([card], at, settings, suppression)).cards).toHaveLength(0); // a repeat: suppressed
      await issued.remember('card-outage', 'deterioration-risk');

      await server.stop();
      errors.length = 0;
      await expect(replay.firstUse('https://ehr.example', 'jti-outage', nowSeconds + 60, 0, NOW)).rejects.toBeInstanceOf(
        StateUnavailableError,
      );
      const storeErrors: unknown[] = [];
      const during = await applyRepeatRule([card], at, settings, suppression, (err) => storeErrors.push(err));
      expect(during.cards).toEqual([card]); // shown in full: a missed repeat is noise, a missed card could be harm
      expect(storeErrors[0]).toBeInstanceOf(StateUnavailableError);
      expect(await issued.serviceOf('card-outage')).toBe('from-the-trail');
      expect(errors).toEqual(expect.arrayContaining(['redis:replay', 'redis:suppression', 'redis:issued-cards']));
      expect(await state.dependency.probe()).toMatchObject({ up: false });
      // Enough failures open the breaker: calls then fail at once, without waiting for a timeout.
      for (let i = 0; i < 5; i += 1) await replay.firstUse('i', `j${i}`, nowSeconds + 60, 0, NOW).catch(() => {});
      const started = performance.now();
      await expect(replay.firstUse('i', 'fast', nowSeconds + 60, 0, NOW)).rejects.toMatchObject({ reason: 'EOPENBREAKER' });
      expect(performance.now() - started).toBeLessThan(100);

      await server.start();
      // The client reconnects by itself; the readiness probe closes the breaker once Redis answers.
      await expect.poll(async () => (await state.dependency.probe()).up, { timeout: 10_000, interval: 100 }).toBe(true);
      expect(await replay.firstUse('https://ehr.example', 'jti-after', nowSeconds + 60, 0, NOW)).toBe(true);
      // Nothing was lost: Redis kept its data (append-only file), so the repeat is still suppressed.
      expect((await applyRepeatRule([card], at, settings, suppression)).cards).toHaveLength(0);
      expect(await new RedisIssuedCards(state, { maxAgeMs: 3_600_000 }).serviceOf('card-outage')).toBe('deterioration-risk');
    });
  });

  describe('through the app', () => {
    it('quietens a repeat from the shared store, and shows it in full, counted, while Redis is down', async () => {
      const metrics = createMetrics();
      const app = await testApp(
        { suppressionStore: createRedisSuppressionStore(await replica('app-test:')), metrics },
        { VIGIL_REPEAT_CARD_POLICY: 'suppress' },
      );
      const call = fixtureCall('deterioration-risk/news2-medium-warning', { patientId: 'syn-redis-app-patient' });
      const post = async () =>
        (await app.inject({ method: 'POST', url: `/cds-services/${call.service}`, payload: call.body })).json().cards;
      try {
        expect(await post()).toHaveLength(1);
        expect(await post()).toEqual([]); // suppressed: the repeat was remembered in Redis
        await server.stop();
        const [shown] = await post();
        expect(shown.indicator).toBe('warning'); // fail open: in full, not quietened
        expect(await metrics.registry.metrics()).toMatch(/vigil_suppression_store_errors_total [1-9]/);
      } finally {
        await server.start();
        await app.close();
      }
    });

    it('leaves a replica ready while Redis is down only when no replay check depends on it', async () => {
      const open = (auth: 'off' | 'required') =>
        openSharedState(
          testConfig({ VIGIL_AUTH: auth, VIGIL_REDIS_URL: server.url, VIGIL_AUDIT_HMAC_KEY: 'test-only-audit-key-0123456789abcdef' }),
          quietLog(),
        );
      const [off, required] = await Promise.all([open('off'), open('required')]);
      try {
        expect(off.where).toMatchObject({ replay: 'redis', suppression: 'redis', audit: 'files' });
        await server.stop();
        expect(await off.probes[0]!()).toMatchObject({
          name: 'redis',
          ok: true,
          detail: expect.stringMatching(/^unreachable .*shown in full/),
        });
        expect(await required.probes[0]!()).toMatchObject({ name: 'redis', ok: false, detail: expect.stringMatching(/refused with 503/) });
        await server.start();
        await expect.poll(async () => (await required.probes[0]!()).ok, { timeout: 10_000, interval: 100 }).toBe(true);
      } finally {
        await server.start();
        await off.close();
        await required.close();
      }
    });
  });
});
