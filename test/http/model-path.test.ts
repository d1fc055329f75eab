// The HTTP layer with the shipped ONNX model, and with a broken one: cards stay spec-valid, the model
// never lowers NEWS2's indicator, and a broken model makes every card say NEWS2 answered alone.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cdsResponseSchema } from '../../src/cds-hooks/card-schema.js';
import { createScorer } from '../../src/models/create-scorer.js';
import { testApp, testConfig } from '../support/app.js';
import { loadFixtures } from '../support/fixtures.js';

const quiet = { info: () => {}, warn: () => {} };
const RANK = { info: 0, warning: 1, critical: 2 } as const;
const scored = loadFixtures().filter(
  (f) => f.service === 'deterioration-risk' && f.expect.status === 200 && (f.expect.cards?.length ?? 0) > 0,
);

/**
 * What the shipped model must do with each fixture that earns a card: score it, decline it with a
 * reason (outside its population), or not be asked (no usable vitals). A fixture not listed here is
 * expected to be scored: a regression that stops scoring fails, it cannot pass by returning early.
 */
const NOT_SCORED_BY_MODEL: Record<string, 'declined' | 'unscored'> = {
  'deterioration-risk/scale-2-hypercapnic-target': 'declined',
  // NEWS2 parameters not charted (or out of date): an estimate resting on assumed-normal values is not shown.
  'deterioration-risk/partial-missing-consciousness-temperature': 'declined',
  'deterioration-risk/hazard-02-missing-breathing': 'declined',
  'deterioration-risk/hazard-02-only-spo2': 'declined',
  'deterioration-risk/hazard-03-stale-low-respiratory-rate': 'declined',
  'deterioration-risk/hazard-04-old-set-new-pulse': 'declined',
  'deterioration-risk/hazard-05-scale-2-oxygen-unknown': 'declined',
  'deterioration-risk/hazard-23-gcs-without-acvpu': 'declined',
  'deterioration-risk/null-prefetch-no-vitals': 'unscored',
  'deterioration-risk/stale-vitals': 'unscored',
};

describe('deterioration-risk with the shipped model', () => {
  it('has fixtures the model scores and fixtures it declines, so both branches below are exercised', () => {
    const expected = scored.map((f) => NOT_SCORED_BY_MODEL[f.name] ?? 'scored');
    expect(expected.filter((e) => e === 'scored').length).toBeGreaterThanOrEqual(5);
    expect(expected).toContain('declined');
    expect(expected).toContain('unscored');
  });

  it.each(scored.map((f) => [f.name, f] as const))('%s: spec-valid, never below the NEWS2 indicator', async (_n, fixture) => {
    const scorer = await createScorer(testConfig({ VIGIL_MODEL_MODE: 'active' }), quiet);
    expect(scorer.describe().model).toBe('loaded');
    const app = await testApp({ scorer, clock: () => new Date(fixture.now) });
    const res = await app.inject({ method: 'POST', url: '/cds-services/deterioration-risk', payload: fixture.request });
    await app.close();
    await scorer.close();
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(cdsResponseSchema.safeParse(body).success).toBe(true);
    const card = body.cards[0];
    const want = fixture.expect.cards![0]!;
    expect(RANK[card.indicator as keyof typeof RANK]).toBeGreaterThanOrEqual(RANK[want.indicator]);
    const score = card.extension['vigil.score'];
    switch (NOT_SCORED_BY_MODEL[fixture.name] ?? 'scored') {
      case 'scored':
        expect(score.path).toBe('model');
        expect(score.model.name).toBe('vigil-deterioration');
        expect(score.model.probability).toBeGreaterThan(0);
        expect(score.model.probability).toBeLessThan(1);
        // NEWS2 leads; the model's estimate comes second, and says it is synthetic. While a value must be
        // re-checked it is left out of the summary unless it raised the card (the detail still shows it).
        if (card.summary.includes(' · re-check ') && RANK[card.indicator as keyof typeof RANK] === RANK[want.indicator])
          expect(card.summary).not.toMatch(/ · model /);
        else expect(card.summary).toMatch(/^NEWS2 \d+: .* · model \(synthetic\) .* in 24 h/);
        expect(card.detail).toMatch(/synthetic/);
        expect(score.model.synthetic).toBe(true);
        break;
      case 'declined':
        // Outside the model's population (SpO2 scale 2), or resting on assumed NEWS2 values: NEWS2 answers and the card says why.
        expect(score.path).toBe('rules');
        expect(score.modelStatus.state).toBe('insufficient-data');
        expect(card.detail).toContain('Model not used: NEWS2 only');
        break;
      case 'unscored':
        expect(score).toMatchObject({ path: 'rules', scored: false });
        expect(score.model).toBeUndefined();
        break;
    }
  });
});

describe('deterioration-risk with a corrupt model file', () => {
  it('serves NEWS2 cards that say the model was unavailable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-model-'));
    const path = join(dir, 'broken.onnx');
    writeFileSync(path, 'this is not an ONNX protobuf');
    const scorer = await createScorer(testConfig({ VIGIL_MODEL_PATH: path, VIGIL_MODEL_MODE: 'active' }), quiet);
    expect(scorer.describe().model).toBe('fallback-only');
    const fixture = loadFixtures().find((f) => f.name === 'deterioration-risk/news2-high-critical')!;
    const app = await testApp({ scorer, clock: () => new Date(fixture.now) });
    const res = await app.inject({ method: 'POST', url: '/cds-services/deterioration-risk', payload: fixture.request });
    await app.close();
    const card = res.json().cards[0];
    expect(card.indicator).toBe('critical');
    expect(card.summary).toContain('model unavailable');
    expect(card.detail).toContain('Model unavailable: NEWS2 only');
    expect(card.extension['vigil.score']).toMatchObject({ path: 'rules', news2: { total: 13 }, modelStatus: { state: 'unavailable' } });
  });
});
