// Every fixture in cards-fixtures/ through the real HTTP layer, three ways: with no model (the exact
// cards the fixture names), with the shipped model silent (which must change nothing a clinician
// sees), and with it active (NEWS2 still leads: the same words, a colour that may only rise, and a
// card that says why when the model raised it).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdsResponseSchema } from '../../src/cds-hooks/card-schema.js';
import { createRulesScorer } from '../../src/models/rules-scorer.js';
import { createScorer } from '../../src/models/create-scorer.js';
import type { DeteriorationScorer } from '../../src/models/scorer.js';
import { testApp, testConfig } from '../support/app.js';
import { loadFixtures, type CardExpectation, type Fixture } from '../support/fixtures.js';

const fixtures = loadFixtures();
const RANK = { info: 0, warning: 1, critical: 2 } as const;
const quiet = { info: () => {}, warn: () => {} };

type Mode = 'off' | 'silent' | 'active';
const scorers: Partial<Record<Mode, DeteriorationScorer>> = {};

beforeAll(async () => {
  scorers.off = createRulesScorer();
  scorers.silent = await createScorer(testConfig({ VIGIL_MODEL_MODE: 'silent' }), quiet);
  scorers.active = await createScorer(testConfig({ VIGIL_MODEL_MODE: 'active' }), quiet);
});
afterAll(async () => {
  await Promise.all(Object.values(scorers).map((s) => s.close()));
});

async function call(fixture: Fixture, mode: Mode) {
  const app: FastifyInstance = await testApp({ scorer: scorers[mode]!, clock: () => new Date(fixture.now) }, fixture.env ?? {});
  const res = await app.inject({ method: 'POST', url: `/cds-services/${fixture.service}`, payload: fixture.request });
  await app.close();
  return res;
}

/** The card with everything that differs call to call (uuids) taken out. */
const stable = (body: { cards: unknown[] }) => JSON.stringify(body.cards).replace(/"uuid":"[0-9a-f-]{36}"/g, '"uuid":"…"');

function expectWords(card: { summary: string; detail: string }, want: CardExpectation): void {
  if (want.summaryStartsWith !== undefined) expect(card.summary.startsWith(want.summaryStartsWith), card.summary).toBe(true);
  for (const words of want.summaryIncludes ?? []) expect(card.summary).toContain(words);
  for (const words of want.detailIncludes ?? []) expect(card.detail).toContain(words);
  for (const words of want.detailExcludes ?? []) expect(`${card.summary}\n${card.detail}`).not.toContain(words);
}

describe('cards-fixtures over HTTP', () => {
  it('has fixtures for both services, and one for each clinical-safety hazard it names', () => {
    expect(fixtures.filter((f) => f.service === 'deterioration-risk').length).toBeGreaterThanOrEqual(10);
    expect(fixtures.filter((f) => f.service === 'sedation-safety').length).toBeGreaterThanOrEqual(6);
    const hazards = new Set(fixtures.flatMap((f) => (f.hazard === undefined ? [] : [f.hazard])));
    expect([...hazards].sort()).toEqual(['H1', 'H10', 'H11', 'H12', 'H2', 'H22', 'H23', 'H27', 'H3', 'H4', 'H5', 'H6', 'H7', 'H8']);
  });

  describe('with no model: exactly the cards each fixture names', () => {
    it.each(fixtures.map((f) => [f.name, f] as const))('%s', async (_name, fixture) => {
      const res = await call(fixture, 'off');
      expect(res.statusCode, res.body).toBe(fixture.expect.status);
      const body = res.json();
      if (fixture.expect.status !== 200) {
        expect(body.resourceType).toBe('OperationOutcome');
        if (fixture.expect.issueExpression !== undefined) {
          const expressions = body.issue.flatMap((i: { expression?: string[] }) => i.expression ?? []);
          expect(expressions).toContain(fixture.expect.issueExpression);
        }
        return;
      }
      const parsed = cdsResponseSchema.safeParse(body);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(JSON.stringify(body)).not.toMatch(/:null|:""/);
      const expected = fixture.expect.cards ?? [];
      expect(body.cards).toHaveLength(expected.length);
      expected.forEach((want, i) => {
        const card = body.cards[i];
        expect(card.indicator).toBe(want.indicator);
        expectWords(card, want);
        if (want.score !== undefined) expect(card.extension['vigil.score']).toMatchObject(want.score);
        if (want.suggestions !== undefined) expect(card.suggestions ?? []).toHaveLength(want.suggestions);
        if (want.recommendedSuggestions !== undefined)
          expect((card.suggestions ?? []).filter((s: { isRecommended?: boolean }) => s.isRecommended === true)).toHaveLength(
            want.recommendedSuggestions,
          );
      });
    });
  });

  describe('with the model silent: the same cards as with no model', () => {
    it.each(fixtures.filter((f) => f.expect.status === 200).map((f) => [f.name, f] as const))('%s', async (_name, fixture) => {
      const [off, silent] = [await call(fixture, 'off'), await call(fixture, 'silent')];
      expect(silent.statusCode).toBe(200);
      expect(stable(silent.json())).toBe(stable(off.json()));
    });
  });

  describe('with the model active: NEWS2 still leads, the colour may only rise, and says why', () => {
    it.each(fixtures.filter((f) => f.expect.status === 200).map((f) => [f.name, f] as const))('%s', async (_name, fixture) => {
      const res = await call(fixture, 'active');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(cdsResponseSchema.safeParse(body).success).toBe(true);
      const expected = fixture.expect.cards ?? [];
      expect(body.cards).toHaveLength(fixture.withModel?.cards ?? expected.length);
      expected.forEach((want, i) => {
        const card = body.cards[i];
        const rank = RANK[card.indicator as keyof typeof RANK];
        expect(rank).toBeGreaterThanOrEqual(RANK[want.indicator]);
        const ceiling = fixture.withModel?.indicatorAtMost?.[i];
        if (ceiling !== undefined) expect(rank).toBeLessThanOrEqual(RANK[ceiling]);
        if (rank > RANK[want.indicator]) expect(card.detail).toContain("because the model's estimate");
        expectWords(card, want);
        const score = card.extension['vigil.score'];
        if (want.score !== undefined) {
          const { path: _path, ...rest } = want.score;
          expect(score).toMatchObject(rest);
        }
        if (fixture.service === 'deterioration-risk' && score.path === 'model') {
          // While a value must be re-checked the summary carries no model figure (it rests on the values
          // superseded), unless the model raised the card; the detail always shows it.
          if (!card.summary.includes(' · re-check ') || rank > RANK[want.indicator])
            expect(card.summary).toMatch(/ · model \(synthetic\) /);
          else expect(card.summary).not.toMatch(/ · model /);
          expect(card.detail).toMatch(/synthetic/);
          expect(score.model).toMatchObject({ trainingData: 'synthetic', synthetic: true });
        }
      });
    });
  });
});
