// Property: whatever arrives (random JSON, mutated real requests, garbage bytes), the service answers
// with a status below 500 and, for errors, an OperationOutcome. Time-boxed so CI stays fast, with a
// floor of cases that runs however slow the machine is; each test reports how many it ran.
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { testApp } from '../support/app.js';
import { loadFixtures } from '../support/fixtures.js';
import { FUZZ_TIME_LIMIT_MS, propertyRuns, type TimeBox } from '../support/property.js';

/** At least 300 bodies per test on any machine; as many more as 4 s allow (VIGIL_FUZZ_MS locally). */
const BOX: TimeBox = { minRuns: 300, timeLimitMs: FUZZ_TIME_LIMIT_MS, maxRuns: 10_000 };
let app: FastifyInstance;
beforeAll(async () => {
  app = await testApp();
});
afterAll(async () => app.close());

const fixtures = loadFixtures();
const SERVICES = ['deterioration-risk', 'sedation-safety'];

async function expectNo5xx(service: string, payload: string, contentType = 'application/json') {
  const res = await app.inject({ method: 'POST', url: `/cds-services/${service}`, payload, headers: { 'content-type': contentType } });
  expect(res.statusCode, res.body).toBeLessThan(500);
  if (res.statusCode >= 400) expect(res.json().resourceType).toBe('OperationOutcome');
}

/** Replaces the value at a random path of a real request with an arbitrary JSON value. */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[path[0]! % keys.length]!;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  (copy as Record<string, unknown>)[key] = mutate((value as Record<string, unknown>)[key], path.slice(1), replacement);
  return copy;
}

describe('no body produces a 5xx', () => {
  it('random JSON values', async ({ annotate }) => {
    const ran = await propertyRuns(
      annotate,
      fc.asyncProperty(fc.constantFrom(...SERVICES), fc.jsonValue(), async (service, body) => {
        await expectNo5xx(service, JSON.stringify(body));
      }),
      BOX,
    );
    expect(ran).toBeGreaterThanOrEqual(BOX.minRuns);
  });

  it('real requests with one field replaced by anything', async ({ annotate }) => {
    const ran = await propertyRuns(
      annotate,
      fc.asyncProperty(
        fc.constantFrom(...fixtures),
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        fc.jsonValue({ maxDepth: 3 }),
        async (fixture, path, replacement) => {
          await expectNo5xx(fixture.service, JSON.stringify(mutate(fixture.request, path, replacement)));
        },
      ),
      BOX,
    );
    expect(ran).toBeGreaterThanOrEqual(BOX.minRuns);
  });

  it('feedback: random JSON and mutated real feedback', async ({ annotate }) => {
    const real = {
      feedback: [
        {
          card: '9368d37b-283f-44a0-93ea-547cebab93ed',
          outcome: 'overridden',
          overrideReason: { reason: { code: 'clinical-judgement', system: 'urn:vigil:codes' }, userComment: 'seen' },
          outcomeTimestamp: '2026-11-23T12:00:00Z',
        },
      ],
    };
    const ran = await propertyRuns(
      annotate,
      fc.asyncProperty(
        fc.constantFrom(...SERVICES, 'no-such-service'),
        fc.oneof(
          fc.jsonValue(),
          fc
            .tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }))
            .map(([path, v]) => mutate(real, path, v)),
        ),
        async (service, body) => {
          const res = await app.inject({
            method: 'POST',
            url: `/cds-services/${service}/feedback`,
            payload: JSON.stringify(body),
            headers: { 'content-type': 'application/json' },
          });
          expect(res.statusCode, res.body).toBeLessThan(500);
        },
      ),
      BOX,
    );
    expect(ran).toBeGreaterThanOrEqual(BOX.minRuns);
  });

  it('garbled bytes and truncated JSON', async ({ annotate }) => {
    const texts = fixtures.map((f) => JSON.stringify(f.request));
    const ran = await propertyRuns(
      annotate,
      fc.asyncProperty(
        fc.constantFrom(...SERVICES),
        fc.oneof(
          fc.string(),
          fc.constantFrom(...texts).chain((t) => fc.nat(t.length).map((n) => t.slice(0, n))),
          fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b).toString('latin1')),
        ),
        async (service, payload) => {
          await expectNo5xx(service, payload);
        },
      ),
      BOX,
    );
    expect(ran).toBeGreaterThanOrEqual(BOX.minRuns);
  });
});

// Strings a lookup in a plain object would resolve through Object.prototype: a unit spelt `__proto__`
// once threw inside normalisation (a 500) and `constructor` was read as a rate in /min.
describe('names every object already has, where the EHR writes a unit or a code', () => {
  const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

  /** A copy of `value` with the strings that `pick(key, holder)` chooses replaced by `name`. */
  function replaceStrings(value: unknown, pick: (key: string, holder: Record<string, unknown>) => boolean, name: string): unknown {
    if (Array.isArray(value)) return value.map((v) => replaceStrings(v, pick, name));
    if (value === null || typeof value !== 'object') return value;
    const holder = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(holder).map(([k, v]) => [k, typeof v === 'string' && pick(k, holder) ? name : replaceStrings(v, pick, name)]),
    );
  }
  const isQuantity = (holder: Record<string, unknown>) => typeof holder['value'] === 'number';
  const withPrefetch = fixtures.filter((f) => (f.request as { prefetch?: unknown }).prefetch !== undefined);

  /** The fixture's call with those strings of its prefetch replaced: answered below 500, errors as OperationOutcomes. */
  async function answered(
    on: FastifyInstance,
    fixture: (typeof fixtures)[number],
    pick: Parameters<typeof replaceStrings>[1],
    name: string,
  ) {
    const request = fixture.request as { prefetch: unknown };
    const res = await on.inject({
      method: 'POST',
      url: `/cds-services/${fixture.service}`,
      payload: JSON.stringify({ ...request, prefetch: replaceStrings(request.prefetch, pick, name) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode, `${fixture.name}: ${res.body}`).toBeLessThan(500);
    if (res.statusCode >= 400) expect(res.json().resourceType).toBe('OperationOutcome');
    return res;
  }

  it.each(NAMES)('%s as a quantity unit is refused as a unit, the call answered', async (name) => {
    expect(withPrefetch.length).toBeGreaterThan(0);
    // Its own app: cards already shown to these patients (the repeat-card rule) would hide the one read below.
    const own = await testApp();
    onTestFinished(() => own.close());
    for (const fixture of withPrefetch) {
      const res = await answered(own, fixture, (k, h) => isQuantity(h) && (k === 'unit' || k === 'code'), name);
      // A complete set of vital signs, every unit replaced: each value set aside with the reason, none scored.
      if (fixture.name === 'deterioration-risk/news2-high-critical') {
        const card = res.json<{ cards: { summary: string; detail: string }[] }>().cards[0]!;
        expect(card.summary).toMatch(/^NEWS2 ≥ 0, incomplete/);
        expect(card.detail).toMatch(new RegExp(`- Respiratory rate, charted [^:]+: unit "${name}" is not a recognised unit`));
      }
    }
  });

  it.each(NAMES)('%s as every code, system and status in the prefetch: the call answered', async (name) => {
    for (const fixture of withPrefetch)
      await answered(app, fixture, (k) => k === 'code' || k === 'system' || k === 'status' || k === 'unit', name);
  });
});
