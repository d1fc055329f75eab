import { describe, expect, it } from 'vitest';
import type { News2Risk } from '../../src/fallback-rules/types.js';
import type { ModelBand } from '../../src/models/scorer.js';
import { evaluate, servedSeverity, type EvaluationRow } from '../../src/validation/evaluate.js';

describe("the served rule's colour", () => {
  it.each<[News2Risk, ModelBand, boolean, number]>([
    ['none', 'low', true, 0],
    ['low', 'low', true, 0],
    ['low-medium', 'low', true, 1], // a single parameter scoring 3
    ['medium', 'low', true, 1],
    ['high', 'low', true, 2],
    ['none', 'medium', true, 1],
    ['low', 'high', true, 2],
    ['high', 'medium', true, 2], // the model never lowers NEWS2's colour
    ['none', 'high', false, 0], // an estimate not shown raises nothing
    ['medium', 'high', false, 1],
  ])('NEWS2 %s with model band %s (band counts: %s) gives severity %s', (news2Risk, modelBand, modelCounts, expected) => {
    expect(servedSeverity({ news2Risk, modelBand, modelCounts })).toBe(expected);
  });
});

const row = (
  patient: string,
  label: boolean,
  news2Total: number,
  news2Risk: News2Risk,
  probability: number,
  modelBand: ModelBand,
  modelCounts = true,
): EvaluationRow => ({
  patient,
  at: 0,
  label,
  news2Total,
  news2Risk,
  probability,
  modelBand,
  modelCounts,
});

describe('evaluating the three side by side', () => {
  // Eight moments of four patients. NEWS2 warns on a, b (one right); the model's medium band adds c
  // (right) and d2 (wrong); d1's high band is not shown, so it adds nothing.
  const rows = [
    row('a', true, 5, 'medium', 0.3, 'medium'),
    row('a', false, 1, 'low', 0.02, 'low'),
    row('b', false, 6, 'medium', 0.04, 'low'),
    row('b', false, 0, 'none', 0.01, 'low'),
    row('c', true, 2, 'low', 0.25, 'medium'),
    row('c', false, 0, 'none', 0.03, 'low'),
    row('d', false, 3, 'low', 0.6, 'high', false),
    row('d', false, 2, 'low', 0.2, 'medium'),
  ];
  const e = evaluate(rows, { bootstrapReplicates: 200, seed: 1 });
  const warning = e.bands.find((b) => b.band === 'warning');
  const critical = e.bands.find((b) => b.band === 'critical');

  it('counts rows, patients and prevalence', () => {
    expect(e).toMatchObject({ rows: 8, patients: 4, positives: 2, prevalence: 0.25 });
  });

  it('counts NEWS2 alone, the model alone, the served union and what the model adds, per band', () => {
    expect(warning?.news2).toMatchObject({ alerts: 2, alertRate: { value: 0.25 }, sensitivity: { value: 0.5 }, ppv: { value: 0.5 } });
    expect(warning?.model).toMatchObject({ alerts: 4, sensitivity: { value: 1 }, ppv: { value: 0.5 } });
    expect(warning?.served).toMatchObject({ alerts: 4, sensitivity: { value: 1 }, ppv: { value: 0.5 } });
    expect(warning?.added).toMatchObject({ alerts: 2, ppv: { value: 0.5 } });
    expect(critical?.news2.alerts).toBe(0);
    expect(critical?.model.alerts).toBe(1);
    expect(critical?.served.alerts).toBe(0);
  });

  it('ranks by probability, NEWS2 total and served colour, on the same rows', () => {
    expect(e.ranking.model?.auroc.value).toBeCloseTo(10 / 12, 12); // positives 0.3 and 0.25; only d's 0.6 beats both
    expect(e.ranking.news2?.auroc.value).toBeCloseTo(8.5 / 12, 12); // the positive 2 ties a negative 2 (a half), loses to 6 and 3
    expect(e.ranking.served?.auroc.value).toBeCloseTo(10 / 12, 12); // warnings tie with b's and d's
    expect(e.ranking.shown).toBeUndefined();
  });

  it("matches the model to NEWS2's warning alert rate for the ranking comparison", () => {
    expect(e.matched.alertRate).toBe(0.25);
    expect(e.matched.threshold).toBe(0.3);
    expect(e.matched.model).toEqual({ alertRate: 0.25, sensitivity: 0.5, ppv: 0.5 });
  });

  it('draws the same numbers from the same rows and seed', () => {
    expect(evaluate(rows, { bootstrapReplicates: 200, seed: 1 })).toEqual(e);
  });

  it('adds the cards as shown when every row carries them (the audit trail)', () => {
    const withShown = evaluate(
      rows.map((r, i) => ({ ...r, shown: i === 0 ? 2 : 0 })),
      { bootstrapReplicates: 50, seed: 1 },
    );
    expect(withShown.bands.find((b) => b.band === 'critical')?.shown).toMatchObject({ alerts: 1, ppv: { value: 1 } });
    expect(withShown.ranking.shown?.auroc.value).toBeDefined();
  });
});
