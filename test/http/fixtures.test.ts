// Every fixture in cards-fixtures/ through the real HTTP layer: the status, the number of cards, each
// card's indicator, key words and numbers, and spec validity of the whole response.
import { describe, expect, it } from 'vitest';
import { cdsResponseSchema } from '../../src/cards/card-schema.js';
import { testApp } from '../support/app.js';
import { loadFixtures } from '../support/fixtures.js';

const fixtures = loadFixtures();

describe('cards-fixtures over HTTP', () => {
  it('has fixtures for both services', () => {
    expect(fixtures.filter((f) => f.service === 'deterioration-risk').length).toBeGreaterThanOrEqual(10);
    expect(fixtures.filter((f) => f.service === 'sedation-safety').length).toBeGreaterThanOrEqual(6);
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s', async (_name, fixture) => {
    const app = await testApp({ clock: () => new Date(fixture.now) });
    const res = await app.inject({ method: 'POST', url: `/cds-services/${fixture.service}`, payload: fixture.request });
    await app.close();

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
      for (const words of want.summaryIncludes ?? []) expect(card.summary).toContain(words);
      for (const words of want.detailIncludes ?? []) expect(card.detail).toContain(words);
      if (want.score !== undefined) expect(card.extension['vigil.score']).toMatchObject(want.score);
      if (want.suggestions !== undefined) expect(card.suggestions ?? []).toHaveLength(want.suggestions);
    });
  });
});
