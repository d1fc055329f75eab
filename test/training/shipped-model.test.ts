// What the clinical safety review asked of the shipped model, checked through the serving code:
// every derangement NEWS2 scores raises the model's estimate, the explanation names the deranged
// vital, and the metadata says what serving needs (synthetic training data, reference histograms).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelScorer } from '../../src/models/model-scorer.js';
import type { LoadedModel } from '../../src/models/onnx-model.js';
import { NEWS2_DERANGEMENTS } from '../../training/derangements.js';
import { adult, FAST_SETTINGS, loadShipped, WELL } from '../models/support.js';
import type { Vitals } from '../support/patient-inputs.js';

/** Contract order: respiratory rate, SpO2, oxygen, systolic BP, pulse, not alert, temperature, age. */
const NORMAL = { respiratoryRate: 16, spo2: 98, onOxygen: 0, systolicBP: 120, heartRate: 70, consciousnessNotAlert: 0, temperature: 37 };
const ORDER = Object.keys(NORMAL) as (keyof typeof NORMAL)[];

/** Each NEWS2 band that scores, at its edge nearest normal (RCP 2017, chart 1; SpO2 scale 1). */
const DERANGEMENTS: [keyof typeof NORMAL, number, number][] = [
  ['respiratoryRate', 11, 1],
  ['respiratoryRate', 8, 3],
  ['respiratoryRate', 21, 2],
  ['respiratoryRate', 25, 3],
  ['spo2', 95, 1],
  ['spo2', 93, 2],
  ['spo2', 91, 3],
  ['onOxygen', 1, 2],
  ['systolicBP', 110, 1],
  ['systolicBP', 100, 2],
  ['systolicBP', 90, 3],
  ['systolicBP', 220, 3],
  ['heartRate', 50, 1],
  ['heartRate', 40, 3],
  ['heartRate', 91, 1],
  ['heartRate', 111, 2],
  ['heartRate', 131, 3],
  ['consciousnessNotAlert', 1, 3],
  ['temperature', 36.0, 1],
  ['temperature', 35.0, 3],
  ['temperature', 38.1, 1],
  ['temperature', 39.1, 2],
];

let model: LoadedModel;
beforeAll(async () => {
  model = await loadShipped();
});
afterAll(() => model.release());

const infer = (values: Record<keyof typeof NORMAL, number>, age: number) =>
  model.infer(Float32Array.from([...ORDER.map((k) => values[k]), age]));

describe('the shipped model against NEWS2', () => {
  it('covers in this table every band edge NEWS2 scores on either side of normal', () => {
    const derived = NEWS2_DERANGEMENTS.map((d) => `${d.feature} ${d.value} ${d.points}`).sort();
    expect(DERANGEMENTS.map(([f, v, p]) => `${f} ${v} ${p}`).sort()).toEqual(derived);
  });

  it.each(DERANGEMENTS.flatMap(([feature, value, points]) => [60, 85].map((age) => [feature, value, points, age] as const)))(
    'rates %s %s (NEWS2 %s points) above normal physiology at age %s, everything else equal',
    async (feature, value, _points, age) => {
      const normal = await infer(NORMAL, age);
      expect(await infer({ ...NORMAL, [feature]: value }, age)).toBeGreaterThan(normal);
    },
  );
});

describe("the shipped model through the scorer, in the review's cases", () => {
  // What the model says is checked here, not how fast: a 25 ms deadline timed out at a load average of 10.
  const scorer = () => createModelScorer({ model: { ...model, release: async () => {} }, settings: { ...FAST_SETTINGS, timeoutMs: 5000 } });
  const assess = async (vitals: Vitals) => {
    const s = scorer();
    try {
      return (await s.assess(adult(vitals, 70))).model;
    } finally {
      await s.close();
    }
  };

  it('names the respiratory rate as the largest factor at 6/min, not an SpO2 of 97 %', async () => {
    const prediction = await assess({ ...WELL, respiratoryRate: 6, spo2: 97 });
    const largest = [...(prediction?.contributions ?? [])].sort((a, b) => b.logOdds - a.logOdds)[0];
    expect(largest).toMatchObject({ feature: 'respiratoryRate', value: 6 });
    expect(prediction?.probability).toBeGreaterThan((await assess(WELL))?.probability ?? 1);
  });

  it.each<[string, Vitals]>([
    ['an unresponsive patient', { ...WELL, consciousness: 'unresponsive' }],
    ['qSOFA 2 of 3 (RR 22, systolic 100)', { ...WELL, respiratoryRate: 22, systolicBP: 100 }],
    ['qSOFA 3 of 3 (RR 22, systolic 100, confused)', { ...WELL, respiratoryRate: 22, systolicBP: 100, consciousness: 'confused' }],
  ])('rates %s above a well patient of the same age', async (_name, vitals) => {
    expect((await assess(vitals))?.probability).toBeGreaterThan((await assess(WELL))?.probability ?? 1);
  });
});

describe("the shipped model's metadata for serving", () => {
  it('says it was trained on synthetic data', () => {
    expect(model.metadata.trainingData).toBe('synthetic');
  });

  it('carries reference histograms of its training population for every input and its output', () => {
    const d = model.metadata.referenceDistributions;
    expect(d?.features.map((f) => f.name)).toEqual([...ORDER, 'ageYears']);
    for (const h of [...(d?.features ?? []).map((f) => f.histogram), d?.probability]) {
      const sum = (h?.proportions ?? []).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 3);
    }
    // Deciles of the training predictions: about a tenth of the rows in each probability bin.
    for (const p of d?.probability.proportions ?? []) expect(p).toBeCloseTo(0.1, 1);
    expect(d?.rows).toBeGreaterThan(10_000);
  });
});
