// The deterioration-risk card, built from real NEWS2 results with and without a model prediction.
import { describe, expect, it } from 'vitest';
import { cardSchema } from '../../src/cds-hooks/card-schema.js';
import type { CardContext } from '../../src/cards/common.js';
import { keyedHash } from '../../src/identity/keyed-hash.js';
import { deteriorationCard, noRecentVitalsCard } from '../../src/cards/deterioration-card.js';
import { scoreNews2 } from '../../src/fallback-rules/news2.js';
import { scoreQsofa } from '../../src/fallback-rules/qsofa.js';
import type { ModelPrediction, ModelStatus, RiskAssessment } from '../../src/models/scorer.js';
import type { PatientInputs } from '../../src/domain/vital-signs.js';
import { CHARTED_AT, patientInputs, WELL, type Vitals } from '../support/patient-inputs.js';

const NOW = new Date(CHARTED_AT.getTime() + 15 * 60_000);
const keyed = keyedHash('test-only-card-identity-key-0123456789');
const ctx: CardContext = {
  now: NOW,
  staleAfterHours: 24,
  policy: { VIGIL_LOW_SCORE_CARD: 'info', VIGIL_CARD_FOR_ZERO: false },
  problems: [],
  patient: { id: 'syn-card-1', pseudonym: keyed.pseudonym('syn-card-1') },
  keyed,
  aboutUrl: 'http://127.0.0.1:3000/about/deterioration-risk',
};

function model(probability: number, band: ModelPrediction['band']): ModelPrediction {
  return {
    name: 'test-model',
    version: '9.9.9',
    probability,
    outcomeWindowHours: 24,
    outcome: 'unplanned ICU transfer, cardiac arrest or death',
    band,
    bandsInUse: ['medium', 'high'],
    baselineLogOdds: -4,
    contributions: [
      { feature: 'respiratoryRate', value: 30, unit: '/min', logOdds: 1.2, imputed: false },
      { feature: 'heartRate', value: 80, unit: '/min', logOdds: 0.02, imputed: false },
      { feature: 'temperature', value: 37, unit: 'Cel', logOdds: -0.3, imputed: true },
    ],
  };
}

/** The assessment when no model is configured: NEWS2 and qSOFA on these inputs. */
function byRulesAlone(inputs: PatientInputs): RiskAssessment {
  return { path: 'rules', news2: scoreNews2(inputs), qsofa: scoreQsofa(inputs), modelStatus: { state: 'not-configured' } };
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

  it('lets a high model band raise a NEWS2 1 card to critical, and says that the model raised it', () => {
    const { a, inputs } = assess({ ...WELL, respiratoryRate: 21 }, { model: model(0.42, 'high') });
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.indicator).toBe('critical');
    expect(card.summary).toMatch(/^NEWS2 2: ward-based assessment · model 42 % in 24 h/);
    expect(card.detail).toContain(
      "This card is critical because the model's estimate is in its high band, above what NEWS2 alone indicates.",
    );
    expect(card.detail).toContain('Respiratory rate 30/min: the largest factor, raises risk');
    expect(card.detail).not.toContain('Pulse 80'); // below the notable threshold
    expect(card.detail).toContain('Not charted, so the model assumed a typical value: temperature (assumed 37 °C).');
    expect(card.extension?.['vigil.score']).toMatchObject({
      path: 'model',
      model: { name: 'test-model', version: '9.9.9', probability: 0.42 },
    });
  });

  it('never lets a low model band silence a NEWS2 7', () => {
    const { a, inputs } = assess(
      { ...WELL, respiratoryRate: 25, heartRate: 115, spo2: 94, temperature: 38.5 },
      { model: model(0.01, 'low') },
    );
    expect(deteriorationCard(a, inputs, ctx)?.indicator).toBe('critical');
  });

  it('leads with NEWS2 in words and colour when the model estimates less: RR 6 with a 1 % model', () => {
    const { a, inputs } = assess({ ...WELL, respiratoryRate: 6 }, { model: model(0.005, 'low') });
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.indicator).toBe('warning');
    expect(card.summary).toMatch(/^NEWS2 3: urgent ward-based review · model < 1 % in 24 h/);
    expect(card.summary).not.toMatch(/\(low\)/);
    expect(card.detail).toContain('The model estimates less risk than NEWS2 indicates: act on NEWS2.');
    // NEWS2's headline and response come before the model's section.
    expect(card.detail!.indexOf('Urgent ward-based response')).toBeLessThan(card.detail!.indexOf('**Model, beside NEWS2'));
  });

  it('adds no card for a model "low" when NEWS2 would give none (NEWS2 0, or 1–4 with low-score cards off)', () => {
    const zero = assess(WELL, { model: model(0.02, 'low') });
    expect(deteriorationCard(zero.a, zero.inputs, ctx)).toBeUndefined();
    const quiet = { ...ctx, policy: { VIGIL_LOW_SCORE_CARD: 'none' as const, VIGIL_CARD_FOR_ZERO: false } };
    const two = assess({ ...WELL, respiratoryRate: 22 }, { model: model(0.03, 'low') });
    expect(deteriorationCard(two.a, two.inputs, quiet)).toBeUndefined();
  });

  it('says a model with its alert bands off informs and never alerts on its own', () => {
    const { a, inputs } = assess(
      { ...WELL, respiratoryRate: 25, heartRate: 115, spo2: 94, temperature: 38.5 },
      { model: { ...model(0.6, 'low'), bandsInUse: [] } },
    );
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.indicator).toBe('critical');
    expect(card.detail).toContain('This model raises no alerts of its own');
    expect(card.detail).not.toContain('low band');
  });

  it('says "synthetic" in the summary and the extension wherever a synthetic model\'s estimate appears', () => {
    const { a, inputs } = assess({ ...WELL, respiratoryRate: 22 }, { model: { ...model(0.2, 'medium'), trainingData: 'synthetic' } });
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.summary).toContain('model (synthetic) 20 % in 24 h');
    expect(card.detail).toContain('trained on synthetic data and not clinically validated');
    expect(card.extension?.['vigil.score']).toMatchObject({ model: { trainingData: 'synthetic', synthetic: true } });
  });

  it("gives the model's estimate the summary's room over the trend when the model raised the card, and only then", () => {
    // NEWS2 4 unchanged for 2 days, and a preliminary SBP 88 to re-check: the whole line would not fit.
    const summaryWith = (band: ModelPrediction['band']) => {
      const { a, inputs } = assess(
        { ...WELL, respiratoryRate: 22, heartRate: 115 },
        { model: { ...model(0.42, band), trainingData: 'synthetic' } },
      );
      inputs.unverified.systolicBP = { value: 88, unit: 'mm[Hg]', at: new Date(NOW.getTime() - 10 * 60_000), status: 'preliminary' };
      const earlier = { total: a.news2.total, at: new Date(NOW.getTime() - 50 * 3_600_000) };
      return deteriorationCard(a, inputs, { ...ctx, earlier })!;
    };
    const raised = summaryWith('high');
    expect(raised.indicator).toBe('critical');
    expect(raised.summary).toBe(
      'NEWS2 4: at least ward-based assessment · re-check SBP 88 mmHg (10 min ago, preliminary) · model (synthetic) 42 % in 24 h',
    );
    // Not raised by the model (the re-check already makes it a warning): neither the model's figure nor
    // "unchanged" beside a value to re-check (third review: they read as reassurance); the drivers instead.
    const beside = summaryWith('medium');
    expect(beside.indicator).toBe('warning');
    expect(beside.summary).toBe(
      'NEWS2 4: at least ward-based assessment · re-check SBP 88 mmHg (10 min ago, preliminary) — RR 22/min (2), HR 115/min (2)',
    );
  });

  it('says the model was unavailable when NEWS2 answered alone', () => {
    const { a, inputs } = assess({ ...WELL, respiratoryRate: 22 }, { status: { state: 'unavailable', reason: 'circuit breaker open' } });
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.detail).toContain('Model unavailable: NEWS2 only');
    expect(card.summary).toContain('model unavailable');
    expect(card.extension?.['vigil.score']).toMatchObject({ path: 'rules', modelStatus: { state: 'unavailable' } });
  });

  it('says an incomplete score is incomplete, asks for what is missing, and never prints a routine band', () => {
    const { respiratoryRate: _r, spo2: _s, ...rest } = WELL;
    const { a, inputs } = assess(rest);
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.indicator).toBe('info');
    expect(card.summary).toBe('NEWS2 ≥ 0, incomplete: respiratory rate, SpO2 not charted — chart now');
    expect(card.detail).toContain('**Incomplete: chart respiratory rate, SpO2 now.**');
    expect(card.detail).not.toMatch(/routine/i);
    expect(card.detail).toContain('| Respiratory rate | not charted in the last 24 h | — | not scored |');
  });

  it('gives an incomplete score its band when the floor already reaches one, still asking for the rest', () => {
    const { temperature: _t, consciousness: _c, ...some } = WELL;
    const { a, inputs } = assess({ ...some, respiratoryRate: 22 });
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.summary).toBe('NEWS2 ≥ 2, incomplete: consciousness, temperature not charted — ward-based assessment — RR 22/min (2)');
    expect(card.detail).toContain('Already at least low clinical risk');
  });

  it('shows an out-of-date value that would score 3 with its value and age, raises the card and asks for a re-check', () => {
    const { respiratoryRate: _r, ...rest } = WELL;
    const inputs = patientInputs(rest, { stale: { respiratoryRate: 6 } });
    const a = assess(rest).a;
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.indicator).toBe('warning');
    expect(card.summary).toMatch(/re-check RR 6\/min \(3 days ago, out of date\)/);
    expect(card.detail).toContain('| Respiratory rate | 6/min (out of date) | 3 days ago | not scored (would be 3: re-check now) |');
    expect(card.detail).toContain('- Respiratory rate 6/min, charted 3 days ago, is out of date and would score 3 on its own.');
    expect(card.extension?.['vigil.score']).toMatchObject({
      unconfirmed: [{ parameter: 'respiratoryRate', kind: 'stale', value: 6, points: 3 }],
    });
  });

  it('shows a newer unverified value beside the verified one it contradicts, and raises the card', () => {
    const inputs = patientInputs(WELL);
    inputs.unverified.respiratoryRate = { value: 28, unit: '/min', at: NOW, status: 'preliminary' };
    const a = assess(WELL).a;
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.indicator).toBe('warning');
    expect(card.summary).toContain('re-check RR 28/min (just now, preliminary)');
    expect(card.detail).toContain(
      '| Respiratory rate, preliminary | 28/min (not verified) | just now | not scored (would be 3: re-check now) |',
    );
  });

  it('dates the score by its oldest input and flags a mixed-age set', () => {
    const { a, inputs } = assess(WELL);
    inputs.dataAsOf = new Date(NOW.getTime() - 10 * 3_600_000);
    inputs.newestAt = NOW;
    const card = deteriorationCard(a, inputs, { ...ctx, policy: { VIGIL_LOW_SCORE_CARD: 'info', VIGIL_CARD_FOR_ZERO: true } })!;
    expect(card.detail).toContain(
      '**NEWS2 0**, as of 10 h ago (its oldest value; mixed ages: the newest was charted just now, so this is not one current set).',
    );
    expect(card.extension?.['vigil.score']).toMatchObject({ mixedAges: true, dataAsOf: inputs.dataAsOf.toISOString() });
  });

  it('prints the assumption behind a scale-2 SpO2 scored with oxygen unknown, and acts on it', () => {
    const { onOxygen: _o, ...rest } = WELL;
    const inputs = patientInputs({ ...rest, spo2: 97 }, { spo2Scale: 2 });
    const a = byRulesAlone(inputs);
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.indicator).toBe('warning');
    expect(card.detail).toContain('- SpO2: oxygen status not charted: SpO2 on scale 2 scored as on oxygen, the worse case (0 on air).');
  });

  it('lists each value not usable with when it was charted, the parameter named once', () => {
    const { a, inputs } = assess({ ...WELL, respiratoryRate: 22 });
    const ago = (minutes: number) => new Date(ctx.now.getTime() - minutes * 60_000);
    inputs.unusable = [
      { vital: 'respiratoryRate', reason: 'respiratory rate: unit "breaths" is not a recognised unit', at: ago(12) },
      { vital: 'respiratoryRate', reason: 'respiratory rate: unit "breaths" is not a recognised unit', at: ago(300) },
      { vital: 'heartRate', reason: 'charted time has no time zone' },
    ];
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.detail).toContain(
      [
        'Charted but not usable:',
        '- Respiratory rate, charted 12 min ago: unit "breaths" is not a recognised unit',
        '- Respiratory rate, charted 5 h ago: unit "breaths" is not a recognised unit',
        '- Pulse: charted time has no time zone',
      ].join('\n'),
    );
  });

  it('says a parameter charted but not usable is not usable, not "not charted", in the summary and the table', () => {
    const { respiratoryRate: _charted, ...rest } = WELL;
    const inputs = patientInputs(rest);
    inputs.unusable = [
      {
        vital: 'respiratoryRate',
        reason: 'respiratory rate: unit "breaths" is not a recognised unit',
        at: new Date(ctx.now.getTime() - 12 * 60_000),
      },
    ];
    const a = byRulesAlone(inputs);
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.summary).toContain('incomplete: respiratory rate not usable —');
    expect(card.detail).toContain('**Incomplete: chart respiratory rate now.**');
    expect(card.detail).toContain('| Respiratory rate | charted, not usable (see below) | 12 min ago | not scored |');
    expect(card.detail).toContain('- Respiratory rate, charted 12 min ago: unit "breaths" is not a recognised unit');
    // With nothing charted at all it is still "not charted".
    const bare = patientInputs(rest);
    const none = deteriorationCard(byRulesAlone(bare), bare, ctx)!;
    expect(none.summary).toContain('incomplete: respiratory rate not charted —');
    expect(none.detail).toContain('| Respiratory rate | not charted in the last 24 h | — | not scored |');
  });

  it('caps the list of values charted but not usable', () => {
    const { a, inputs } = assess({ ...WELL, respiratoryRate: 22 });
    inputs.unusable = Array.from({ length: 500 }, (_, i) => ({
      vital: 'heartRate' as const,
      reason: `unit "x${i}" is not a recognised unit`,
    }));
    const card = deteriorationCard(a, inputs, ctx)!;
    expect(card.detail).toContain('- … and 492 more values not usable not shown');
    expect(card.detail!.length).toBeLessThan(6000);
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

  it('says plainly when there are no recent vitals, without a score, showing the last values', () => {
    const inputs = patientInputs({}, { stale: { respiratoryRate: 18 } });
    const card = noRecentVitalsCard(inputs, { ...ctx, now: new Date('2024-05-01T10:00:00Z') });
    expect(card.indicator).toBe('info');
    expect(card.summary).toBe('No vital signs in the last 24 h (last charted 3 days ago): NEWS2 not scored — chart now');
    expect(card.detail).toContain('| Respiratory rate | 18/min (out of date) | 3 days ago | 0 |');
    expect(card.extension?.['vigil.score']).toMatchObject({
      path: 'rules',
      scored: false,
      reason: 'stale-vitals',
      dataAsOf: '2024-04-28T10:00:00.000Z',
    });
    expect(cardSchema.safeParse(card).success).toBe(true);
  });

  it('warns, not informs, when an out-of-date value that would score 3 is all there is', () => {
    const inputs = patientInputs({}, { stale: { respiratoryRate: 30 } });
    const card = noRecentVitalsCard(inputs, { ...ctx, now: new Date('2024-05-01T10:00:00Z') });
    expect(card.indicator).toBe('warning');
    expect(card.summary).toContain('re-check RR 30/min (3 days ago, out of date)');
  });
});
