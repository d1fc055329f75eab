// Drift: the population stability index of each input and of the score over a sliding window, against
// the training population in the model's metadata. A population like the training one stays below the
// 0.1 warning line; a shifted one crosses 0.25 on what was shifted, and on the score.
import { describe, expect, it } from 'vitest';
import { DriftWindow, psi, PSI_FLOOR, SCORE_INPUT, type DriftSnapshot } from '../../src/models/drift.js';
import { ModelRegistry } from '../../src/models/model-registry.js';
import { SHIPPED_MODEL_PATH } from '../../src/models/create-scorer.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { inputsOf, population, type Moment } from './drift-population.js';
import { FAST_SETTINGS } from './support.js';
import { SHIPPED_METADATA } from './variants.js';

const REFERENCE = SHIPPED_METADATA.referenceDistributions!;
const WARN = 0.1;
const ACT = 0.25;

describe('the population stability index', () => {
  it.each([
    ['the same shares', [0.5, 0.5], [50, 50], 0],
    // (0.75 − 0.5)·ln(0.75/0.5) + (0.25 − 0.5)·ln(0.25/0.5)
    ['a quarter of one bin moved', [0.5, 0.5], [75, 25], 0.25 * Math.log(1.5) + 0.25 * Math.log(2)],
    // An empty live bin counts as PSI_FLOOR: large, finite.
    ['an emptied bin', [0.5, 0.5], [10, 0], 0.5 * Math.log(2) + (PSI_FLOOR - 0.5) * Math.log(PSI_FLOOR / 0.5)],
    ['a bin the reference never saw', [1, 0], [90, 10], (0.9 - 1) * Math.log(0.9) + (0.1 - PSI_FLOOR) * Math.log(0.1 / PSI_FLOOR)],
  ])('is worked out by hand for %s', (_what, reference, counts, expected) => {
    expect(psi(reference, counts)).toBeCloseTo(expected, 10);
  });
});

describe('the drift window', () => {
  const feed = (window: DriftWindow, moments: Moment[]) => moments.forEach((m) => window.record(m.features, m.probability));
  const byInput = (s: DriftSnapshot) => Object.fromEntries(s.readings.map((r) => [r.input, r]));

  it('slides: only the last N calls count', () => {
    const window = new DriftWindow(REFERENCE, { windowCalls: 10, minCalls: 1 });
    const low = { features: [10, 97, 0, 125, 72, 0, 37, 40], probability: 0.001 };
    const high = { features: [28, 97, 0, 125, 72, 0, 37, 40], probability: 0.9 };
    feed(window, Array(10).fill(low));
    const before = byInput(window.snapshot()).respiratoryRate!.psi!;
    feed(window, Array(10).fill(high));
    const after = window.snapshot();
    expect(after.calls).toBe(10);
    // Ten calls all in the RR 25+ bin: exactly the PSI of that histogram, nothing of the ten before.
    const rr = REFERENCE.features[0]!.histogram;
    const allInLastBin = rr.proportions.map((_, i) => (i === rr.proportions.length - 1 ? 10 : 0));
    expect(byInput(after).respiratoryRate!.psi).toBeCloseTo(psi(rr.proportions, allInLastBin), 10);
    expect(byInput(after).respiratoryRate!.psi).not.toBeCloseTo(before, 3);
  });

  it('reports nothing below the minimum, then each input’s PSI and missing rate beside the training one', () => {
    const window = new DriftWindow(REFERENCE, { windowCalls: 100, minCalls: 20 });
    const moment = { features: [16, 97, undefined, 125, 72, 0, undefined, 60], probability: 0.02 };
    feed(window, Array(19).fill(moment));
    expect(window.snapshot().readings.every((r) => r.psi === undefined && r.missing === undefined)).toBe(true);
    feed(window, [moment]);
    const readings = byInput(window.snapshot());
    expect(readings.onOxygen).toMatchObject({ missing: 1, present: 0, referenceMissing: REFERENCE.features[2]!.histogram.missing });
    expect(readings.onOxygen!.psi).toBeUndefined();
    expect(readings.respiratoryRate).toMatchObject({ missing: 0, present: 20, psi: expect.any(Number) });
    expect(readings[SCORE_INPUT]).toMatchObject({ present: 20, psi: expect.any(Number) });
  });

  it('counts an unscored call’s inputs, but not in the score', () => {
    const window = new DriftWindow(REFERENCE, { windowCalls: 10, minCalls: 1 });
    window.record([16, 97, 0, 125, 72, 0, 37, 60], undefined);
    expect(byInput(window.snapshot())).toMatchObject({ respiratoryRate: { present: 1 }, [SCORE_INPUT]: { present: 0 } });
  });

  it('keeps a population like the training one below 0.1 on every input and the score (synthetic, another seed)', () => {
    const window = new DriftWindow(REFERENCE, { windowCalls: 1000, minCalls: 200 });
    feed(window, population(1000, 7));
    for (const r of window.snapshot().readings) expect(r.psi, r.input).toBeLessThan(WARN);
  });

  it('crosses 0.25 on shifted inputs and on the score, and leaves the others below 0.1', () => {
    const window = new DriftWindow(REFERENCE, { windowCalls: 1000, minCalls: 200 });
    // An older, more breathless population: +6 /min respiratory rate, +15 years.
    feed(window, population(1000, 7, { respiratoryRate: 6, ageYears: 15 }));
    const readings = byInput(window.snapshot());
    for (const input of ['respiratoryRate', 'ageYears', SCORE_INPUT]) expect(readings[input]!.psi, input).toBeGreaterThan(ACT);
    for (const input of ['spo2', 'systolicBP', 'heartRate', 'temperature']) expect(readings[input]!.psi, input).toBeLessThan(WARN);
  });
});

describe('drift as Prometheus gauges', () => {
  /** The value of one series in the exposition, undefined when absent. */
  const sample = (text: string, name: string, labels: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  it('moves from below 0.1 to above 0.25 as a shifted population replaces the usual one in the window', async () => {
    const registry = await ModelRegistry.start(
      { primary: { path: SHIPPED_MODEL_PATH, mode: 'silent' } },
      { settings: { ...FAST_SETTINGS, timeoutMs: 1000 }, drift: { windowCalls: 400, minCalls: 200 }, developmentProfile: true, log: { info: () => {}, warn: () => {} } },
    );
    const metrics = createMetrics();
    metrics.watchModels(registry);
    try {
      const version = SHIPPED_METADATA.version;
      const psiOf = async (input: string) => sample(await metrics.registry.metrics(), 'vigil_model_drift_psi', `model_version="${version}",input="${input}"`);

      const usual = population(400, 11);
      for (const m of usual.slice(0, 199)) await registry.assess(inputsOf(m));
      expect(await psiOf('respiratoryRate')).toBeUndefined(); // 199 calls: below the minimum
      for (const m of usual.slice(199)) await registry.assess(inputsOf(m));
      expect(await psiOf('respiratoryRate')).toBeLessThan(WARN);
      expect(await psiOf(SCORE_INPUT)).toBeLessThan(WARN);

      for (const m of population(400, 12, { respiratoryRate: 6, ageYears: 15 })) await registry.assess(inputsOf(m));
      expect(await psiOf('respiratoryRate')).toBeGreaterThan(ACT);
      expect(await psiOf(SCORE_INPUT)).toBeGreaterThan(ACT);
      const text = await metrics.registry.metrics();
      expect(sample(text, 'vigil_model_drift_window_calls', `model_version="${version}"`)).toBe(400);
      expect(sample(text, 'vigil_model_input_missing_ratio', `model_version="${version}",input="temperature"`)).toBeGreaterThan(0);
      expect(sample(text, 'vigil_model_input_missing_reference_ratio', `model_version="${version}",input="temperature"`)).toBe(REFERENCE.features[6]!.histogram.missing);
    } finally {
      await registry.close();
    }
  }, 30_000);
});
