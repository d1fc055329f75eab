import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { predictionCacheKey } from '../../src/models/model-runner.js';
import { createModelScorer, type ModelScorerOptions } from '../../src/models/model-scorer.js';
import type { InferFn, LoadedModel } from '../../src/models/onnx-model.js';
import type { DeteriorationScorer } from '../../src/models/scorer.js';
import { adult, FAST_SETTINGS, loadShipped, sleep, telemetrySpy, UNWELL, WELL } from './support.js';

let model: LoadedModel;
let scorer: DeteriorationScorer | undefined;

beforeAll(async () => {
  model = await loadShipped();
});
afterAll(() => model.release());
afterEach(async () => {
  // The scorer's close() would release the shared session; shut only its breaker and cache down.
  await scorer?.close();
  scorer = undefined;
});

/** A scorer over the shared session; close() leaves the session alone so each test can make its own. */
function make(options: Partial<ModelScorerOptions> = {}): DeteriorationScorer {
  scorer = createModelScorer({ model: { ...model, release: async () => {} }, settings: FAST_SETTINGS, ...options });
  return scorer;
}

/** Counts calls through to the real model, optionally faulting them. */
function countingInfer(fault?: () => Promise<number>): InferFn & { calls: number; fault?: () => Promise<number> } {
  const infer = Object.assign(
    async (features: Float32Array) => {
      infer.calls++;
      return infer.fault ? infer.fault() : model.infer(features);
    },
    { calls: 0, fault },
  );
  return infer;
}

describe('the model scorer when the model answers', () => {
  it('returns the model beside NEWS2 and qSOFA, with path "model"', async () => {
    const result = await make().assess(adult(UNWELL));
    expect(result.path).toBe('model');
    expect(result.modelStatus).toEqual({ state: 'used' });
    expect(result.news2.total).toBeGreaterThanOrEqual(7);
    expect(result.qsofa.positive).toBe(true);
    expect(result.model).toMatchObject({ name: 'vigil-deterioration', version: '2.0.0', outcomeWindowHours: 24 });
    expect(result.model?.probability).toBeGreaterThan(0.5);
    // The shipped model's bands are off (its added alerts were not shown to be as often right as
    // NEWS2's; see its model card), so it never raises a band, even at NEWS2 13: cards follow NEWS2.
    expect(result.model?.band).toBe('low');
  });

  it('rates a well adult low and an unwell one higher', async () => {
    const s = make();
    const well = await s.assess(adult(WELL, 50));
    const unwell = await s.assess(adult(UNWELL, 50));
    expect(well.model?.band).toBe('low');
    expect(unwell.model?.probability).toBeGreaterThan(10 * (well.model?.probability ?? 1));
  });

  it('explains exactly: the baseline plus the contributions is the logit of the probability', async () => {
    const result = await make().assess(adult(UNWELL));
    const prediction = result.model!;
    const sum = prediction.contributions.reduce((s, c) => s + c.logOdds, prediction.baselineLogOdds);
    expect(sum).toBeCloseTo(Math.log(prediction.probability / (1 - prediction.probability)), 4);
    const largest = [...prediction.contributions].sort((a, b) => b.logOdds - a.logOdds)[0];
    expect(largest?.logOdds).toBeGreaterThan(0);
  });

  it('scores up to two missing inputs with reference values, but shows no estimate resting on an assumed NEWS2 parameter', async () => {
    const { temperature: _t, consciousness: _c, ...rest } = WELL;
    const result = await make().assess(adult(rest));
    // The card: NEWS2 alone, saying why the model is not shown.
    expect(result.path).toBe('rules');
    expect(result.model).toBeUndefined();
    expect(result.modelStatus).toEqual({
      state: 'insufficient-data',
      reason: "consciousness, temperature not charted: the model's estimate would rest on assumed normal values",
    });
    // The record: the model did answer, with both inputs flagged as imputed.
    const recorded = result.modelRecord!.prediction!;
    expect(result.modelRecord).toMatchObject({ mode: 'active', shown: false });
    expect(recorded.contributions.filter((c) => c.imputed).map((c) => [c.feature, c.logOdds])).toEqual([
      ['consciousnessNotAlert', 0],
      ['temperature', 0],
    ]);
  });

  it('shows an estimate whose only assumed input is age, which NEWS2 does not score', async () => {
    const inputs = adult(WELL);
    delete inputs.ageYears;
    const result = await make().assess(inputs);
    expect(result.path).toBe('model');
    expect(result.model!.contributions.find((c) => c.feature === 'ageYears')).toMatchObject({ imputed: true });
  });

  it('in silent mode scores and records every call but never puts the model on the card', async () => {
    const infer = countingInfer();
    const result = await make({ infer, mode: 'silent' }).assess(adult(UNWELL));
    expect(infer.calls).toBe(1);
    expect(result).toMatchObject({ path: 'rules', modelStatus: { state: 'not-configured' } });
    expect(result.model).toBeUndefined();
    expect(result.modelRecord).toMatchObject({ mode: 'silent', shown: false, status: { state: 'used' }, prediction: { probability: expect.any(Number) } });
  });
});

describe('the model scorer refuses inputs it must not score', () => {
  it.each([
    ['a NaN respiratory rate', { ...WELL, respiratoryRate: Number.NaN }, 70, 'unavailable', /respiratory rate is not a number/],
    ['an infinite pulse', { ...WELL, heartRate: Number.POSITIVE_INFINITY }, 70, 'unavailable', /pulse is not a number/],
    ['a temperature of 45 °C', { ...WELL, temperature: 45 }, 70, 'insufficient-data', /temperature is outside the range/],
    ['a 12-year-old', WELL, 12, 'insufficient-data', /age is outside the range/],
    ['three inputs not charted', { respiratoryRate: 18, spo2: 96, onOxygen: false, heartRate: 80 }, 70, 'insufficient-data', /3 of 8 model inputs not charted/],
  ])('falls back to NEWS2 for %s, saying why, without calling the model', async (_name, vitals, age, state, reason) => {
    const infer = countingInfer();
    const result = await make({ infer }).assess(adult(vitals, age));
    expect(result.path).toBe('rules');
    expect(result.model).toBeUndefined();
    expect(result.modelStatus).toMatchObject({ state, reason: expect.stringMatching(reason) });
    expect(result.news2).toBeDefined();
    expect(infer.calls).toBe(0);
  });

  it('falls back to NEWS2 for a patient on SpO2 scale 2', async () => {
    const result = await make().assess(adult(WELL, 70, 2));
    expect(result).toMatchObject({ path: 'rules', modelStatus: { state: 'insufficient-data' } });
    expect(result.news2.spo2Scale).toBe(2);
  });

  it('treats a NaN probability from the model as a failure, not an answer', async () => {
    const infer = countingInfer(async () => Number.NaN);
    const result = await make({ infer }).assess(adult(WELL));
    expect(result).toMatchObject({ path: 'rules', modelStatus: { state: 'unavailable', reason: 'the model gave an invalid result' } });
  });
});

describe('the prediction cache', () => {
  it('answers a repeated feature vector without running the model, for any patient', async () => {
    const infer = countingInfer();
    const telemetry = telemetrySpy();
    const s = make({ infer, telemetry });
    const first = await s.assess(adult(UNWELL, 77));
    // Another patient, same rounded values (30.2/min charts as 30/min): the key is the vector, not the person.
    const second = await s.assess(adult({ ...UNWELL, respiratoryRate: 30.2 }, 77));
    expect(infer.calls).toBe(1);
    expect(telemetry.cache).toEqual([false, true]);
    expect(second.model?.probability).toBe(first.model?.probability);
  });

  it('keys entries by a digest of the vector: no vital sign or age in clear text, a new key for any changed value', () => {
    const vector = [77, 30, 88, 1, 92, 121, 2, 38.6];
    const key = predictionCacheKey(vector);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain('38.6');
    expect(key).not.toContain(vector.join(','));
    expect(predictionCacheKey([...vector])).toBe(key);
    vector.forEach((_, i) => expect(predictionCacheKey(vector.map((v, j) => (j === i ? v + 1 : v)))).not.toBe(key));
  });

  it('keeps no more entries than its size', async () => {
    const infer = countingInfer();
    const s = make({ infer, settings: { ...FAST_SETTINGS, cacheSize: 2 } });
    for (const rr of [20, 21, 22, 20]) await s.assess(adult({ ...WELL, respiratoryRate: rr }));
    expect(infer.calls).toBe(4);
  });
});

describe('the circuit breaker around inference', () => {
  it.each([
    ['slow', () => sleep(200).then(() => 0.5), /did not answer within 25 ms/],
    ['throwing', () => Promise.reject(new Error('session lost')), /failed on this call/],
  ])('opens on a %s model, serves NEWS2 while open, and recovers on its own', async (_name, fault, firstReason) => {
    const infer = countingInfer(fault);
    const telemetry = telemetrySpy();
    // A reset time a loaded machine cannot outrun between opening and the call made while open.
    const s = make({ infer, telemetry, settings: { ...FAST_SETTINGS, resetMs: 1000 } });
    // Distinct vectors so the cache cannot answer.
    const patient = (age: number) => adult(UNWELL, age);

    const failures = [];
    for (const age of [60, 61, 62]) failures.push(await s.assess(patient(age)));
    expect(failures.map((r) => r.path)).toEqual(['rules', 'rules', 'rules']);
    expect(failures[0]?.modelStatus).toMatchObject({ state: 'unavailable', reason: expect.stringMatching(firstReason) });
    expect(telemetry.breaker).toContain('open');
    expect(s.describe().detail).toMatch(/breaker open/);

    const callsWhenOpened = infer.calls;
    const whileOpen = await s.assess(patient(63));
    expect(whileOpen).toMatchObject({ path: 'rules', modelStatus: { reason: expect.stringMatching(/paused after repeated model failures/) } });
    expect(infer.calls).toBe(callsWhenOpened);

    infer.fault = undefined;
    // The breaker says when it lets a trial call through: wait for that event, not for a guessed time.
    await expect.poll(() => telemetry.breaker.at(-1), { timeout: 10_000, interval: 20 }).toBe('half-open');
    const recovered = await s.assess(patient(64));
    expect(recovered.path).toBe('model');
    expect(telemetry.breaker.slice(-2)).toEqual(['half-open', 'closed']);
    expect(s.describe().detail).toMatch(/breaker closed/);
  });
});
