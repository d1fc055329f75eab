// The deterioration-risk card, built from real NEWS2 results with and without a model prediction.
import { describe, expect, it } from 'vitest';
import { cardSchema } from '../../src/cards/card-schema.js';
import { deteriorationCard, noRecentVitalsCard, type CardContext } from '../../src/cards/deterioration-card.js';
import { scoreNews2 } from '../../src/fallback-rules/news2.js';
import { scoreQsofa } from '../../src/fallback-rules/qsofa.js';
import type { ModelPrediction, ModelStatus, RiskAssessment } from '../../src/models/scorer.js';
import type { PatientInputs } from '../../src/prefetch/vital-signs.js';
import { CHARTED_AT, patientInputs, WELL, type Vitals } from '../fallback-rules/patient-inputs.js';

const NOW = new Date(CHARTED_AT.getTime() + 15 * 60_000);
const ctx: CardContext = { now: NOW, staleAfterHours: 24, policy: { VIGIL_LOW_SCORE_CARD: 'info', VIGIL_CARD_FOR_ZERO: false }, problems: [] };

function model(probability: number, band: ModelPrediction['band']): ModelPrediction {
  return {
    name: 'test-model',
    version: '9.9.9',
    probability,
    outcomeWindowHours: 24,
    outcome: 'unplanned ICU transfer, cardiac arrest or death',
    band,
    baselineLogOdds: -4,
    contributions: [
      { feature: 'respiratoryRate', value: 30, unit: '/min', logOdds: 1.2, imputed: false },
      { feature: 'heartRate', value: 80, unit: '/min', logOdds: 0.02, imputed: false },
      { feature: 'temperature', value: 37, unit: 'Cel', logOdds: -0.3, imputed: true },
    ],
  };
}

function assess(v: Vitals, extra: { model?: ModelPrediction; status?: ModelStatus } = {}): { a: RiskAssessment; inputs: PatientInputs } {
  const inputs = patientInputs(v);
  const a: RiskAssessment = {
    path: extra.model ? 'model' : 'rules',
    news2: scoreNews2(inputs),
    qsofa: scoreQsofa(inputs),
    modelStatus: extra.status ?? (extra.model ? { state: 'used' } : { state: 'not-configured' }),
    ...(extra.model ? { model: extra.model } : {}),
  };
  return { a, inputs };
}

describe('deterioration-risk card', () => {
  it.each([
    ['NEWS2 0', WELL, undefined],
    ['NEWS2 2 (RR 22)', { ...WELL, respiratoryRate: 22 }, 'info'],
    ['a single 3 (RR 8) with total 3', { ...WELL, respiratoryRate: 8 }, 'warning'],
    ['NEWS2 5', { ...WELL, respiratoryRate: 22, heartRate: 115, spo2: 95 }, 'warning'],
    ['NEWS2 7', { ...WELL, respiratoryRate: 25, heartRate: 115, spo2: 94, temperature: 38.5 }, 'critical'],
  ] as const)('%s gets indicator %s', (_name, vitals, indicator) => {
    const { a, inputs } = assess(vitals);
    const card = deteriorationCard(a, inputs, ctx);
    expect(card?.indicator).toBe(indicator);
    if (card) expect(cardSchema.safeParse(card).success).toBe(true);
  });

  it('gives no card for NEWS2 1–4 when low-score cards are off, but still warns on a single 3', () => {
    const quiet = { ...ctx, policy: { VIGIL_LOW_SCORE_CARD: 'none' as const, VIGIL_CARD_FOR_ZERO: false } };
    expect(deteriorationCard(assess({ ...WELL, respiratoryRate: 22 }).a, patientInputs(WELL), quiet)).toBeUndefined();
    const { a, inputs } = assess({ ...WELL, respiratoryRate: 8 });
    expect(deteriorationCard(a, inputs, quiet)?.indicator).toBe('warning');
  });

  it('takes the more severe of model band and NEWS2: a high model band raises a NEWS2 1 card to critical', () => {
    const { a, inputs } = assess({ ...WELL, respiratoryRate: 21 }, { model: model(0.42, 'high') });
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.indicator).toBe('critical');
    expect(card.summary).toContain('Deterioration risk 42 % in 24 h (high)');
    expect(card.detail).toContain('Respiratory rate 30/min: the largest factor, raises risk');
    expect(card.detail).not.toContain('Pulse 80'); // below the notable threshold
    expect(card.detail).toContain('not charted: normal value assumed');
    expect(card.extension?.['vigil.score']).toMatchObject({ path: 'model', model: { name: 'test-model', version: '9.9.9', probability: 0.42 } });
  });

  it('never lets a low model band silence a NEWS2 7', () => {
    const { a, inputs } = assess({ ...WELL, respiratoryRate: 25, heartRate: 115, spo2: 94, temperature: 38.5 }, { model: model(0.01, 'low') });
    expect(deteriorationCard(a, inputs, ctx)?.indicator).toBe('critical');
  });

  it('says the model was unavailable when NEWS2 answered alone', () => {
    const { a, inputs } = assess({ ...WELL, respiratoryRate: 22 }, { status: { state: 'unavailable', reason: 'circuit breaker open' } });
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.detail).toContain('Model unavailable: NEWS2 only');
    expect(card.summary).toContain('model unavailable');
    expect(card.extension?.['vigil.score']).toMatchObject({ path: 'rules', modelStatus: { state: 'unavailable' } });
  });

  it('marks a partial score as a floor and names what is missing', () => {
    const { temperature: _t, consciousness: _c, ...some } = WELL;
    const { a, inputs } = assess({ ...some, respiratoryRate: 22 });
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.summary).toMatch(/^NEWS2 ≥ 2 \(2 missing\)/);
    expect(card.summary).toContain('consciousness, temperature');
    expect(card.detail).toContain('| Temperature | not charted in the last 24 h | — | not scored |');
  });

  it('shows each parameter with its value, unit, age and points', () => {
    const { a, inputs } = assess({ ...WELL, temperature: 38.5 });
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.detail).toContain('| Temperature | 38.5 °C | 15 min ago | 1 |');
    expect(card.detail).toContain('| Systolic BP | 125 mmHg | 15 min ago | 0 |');
  });

  it('keeps every summary under 140 characters', () => {
    const { a, inputs } = assess({ respiratoryRate: 30, spo2: 80 }, { status: { state: 'unavailable', reason: 'x'.repeat(300) } });
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.summary.length).toBeLessThan(140);
  });

  it('says plainly when there are no recent vitals, without a score', () => {
    const inputs = patientInputs({}, { stale: { respiratoryRate: 30 } });
    const card = noRecentVitalsCard(inputs, { ...ctx, now: new Date('2024-05-01T10:00:00Z') });
    expect(card.summary).toBe('No vital signs in the last 24 h (last charted 3 days ago): NEWS2 not scored');
    expect(card.extension?.['vigil.score']).toEqual({ path: 'rules', scored: false, reason: 'stale-vitals', dataAsOf: '2024-04-28T10:00:00.000Z' });
    expect(cardSchema.safeParse(card).success).toBe(true);
  });
});
