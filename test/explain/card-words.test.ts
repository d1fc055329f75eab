// Words on a card that read wrong (clinical safety review, 2026-11-29): a converted value printed with
// floating-point noise, and a yes/no model input named twice; and (review 25a) "unchanged since …"
// beside "Unresponsive (3)", read as the patient unchanged when only NEWS2's total was.
import { describe, expect, it } from 'vitest';
import { formatValue } from '../../src/domain/labels.js';
import { modelFactorLines } from '../../src/explain/model-explain.js';
import { news2TrendWords } from '../../src/explain/news2-explain.js';
import type { News2Result } from '../../src/fallback-rules/types.js';
import type { ModelPrediction } from '../../src/models/scorer.js';

describe('numbers on a card', () => {
  it.each([
    ['temperature', 308 - 273.15, 'Cel', '34.85 °C'], // charted 308 K
    ['systolicBP', 11 * (1000 / 133.322387415), 'mm[Hg]', '82.51 mmHg'], // charted 11 kPa
    ['temperature', 37.8, 'Cel', '37.8 °C'],
    ['respiratoryRate', 26, '/min', '26/min'],
  ] as const)('writes %s %d (in %s) as %s', (parameter, value, unit, words) => {
    expect(formatValue(parameter, value, unit)).toBe(words);
  });
});

describe("the model's factor lines", () => {
  const model = (feature: string, value: number): ModelPrediction => ({
    name: 'test',
    version: '1',
    probability: 0.3,
    outcomeWindowHours: 24,
    outcome: 'deterioration',
    band: 'medium',
    bandsInUse: [],
    baselineLogOdds: -3,
    contributions: [{ feature, value, logOdds: 1.2, imputed: false }],
  });

  it.each([
    ['consciousnessNotAlert', 1, '- Not alert: the largest factor, raises risk'],
    ['onOxygen', 0, '- On air: the largest factor, raises risk'],
  ])('names a yes/no input (%s = %d) by its state alone', (feature, value, line) => {
    expect(modelFactorLines(model(feature, value))).toEqual([line]);
  });

  it('names any other input by its label and value', () => {
    expect(
      modelFactorLines({
        ...model('respiratoryRate', 30),
        contributions: [{ feature: 'respiratoryRate', value: 30, unit: '/min', logOdds: 1.2, imputed: false }],
      }),
    ).toEqual(['- Respiratory rate 30/min: the largest factor, raises risk']);
  });
});

describe("NEWS2's trend", () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const earlier = { total: 5, at: new Date('2026-11-23T11:35:00Z') };
  const news2 = (total: number, partial = false) => ({ total, partial }) as News2Result;

  it.each([
    [5, 'NEWS2 total unchanged since 25 min ago'],
    [7, 'up from 5, 25 min ago'],
    [3, 'down from 5, 25 min ago'],
  ])('says of a total of %d: "%s"', (total, words) => {
    expect(news2TrendWords(news2(total), earlier, now)).toBe(words);
  });

  it('says nothing of an incomplete score, or with no earlier one', () => {
    expect(news2TrendWords(news2(5, true), earlier, now)).toBe('');
    expect(news2TrendWords(news2(5), undefined, now)).toBe('');
  });
});
