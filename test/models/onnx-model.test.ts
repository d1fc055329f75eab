import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { SHIPPED_MODEL_PATH } from '../../src/models/create-scorer.js';
import { MODEL_FEATURES } from '../../src/models/feature-contract.js';
import { loadOnnxModel, readModelMetadata, type LoadedModel } from '../../src/models/onnx-model.js';
import { loadShipped } from './support.js';

/** The logistic written out by hand from the metadata's weights: independent of src/models/contributions.ts. */
function byHand(model: LoadedModel, x: number[]): number {
  const explanation = model.metadata.explanation;
  if (!explanation) throw new Error('shipped model has an explanation');
  let z = explanation.intercept;
  explanation.terms.forEach((term, i) => {
    const value = x[i] as number;
    z += term.linear * (value - (model.references[i] as number));
    for (const h of term.hinges) z += h.weight * Math.max(0, h.side === 'below' ? h.knot - value : value - h.knot);
  });
  return 1 / (1 + Math.exp(-z));
}

describe('the shipped ONNX model', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadShipped();
  });
  afterAll(() => model.release());

  it('declares the feature contract: names, order and units', () => {
    expect(model.metadata.features.map((f) => [f.name, f.unit])).toEqual(MODEL_FEATURES.map((f) => [f.name, f.unit]));
  });

  it.each([
    ['a well adult at the reference values', [16, 98, 0, 120, 70, 0, 37, 60]],
    ['a well older adult', [18, 96, 0, 135, 82, 0, 36.8, 84]],
    ['a septic picture', [26, 94, 0, 92, 124, 0, 39.2, 71]],
    ['a respiratory picture on oxygen', [32, 89, 1, 118, 110, 0, 37.4, 66]],
    ['a drowsy, bradycardic, hypothermic patient', [8, 95, 0, 96, 44, 1, 35.0, 90]],
  ])('gives the probability computed by hand from its metadata weights for %s', async (_name, x) => {
    const p = await model.infer(Float32Array.from(x));
    expect(p).toBeCloseTo(byHand(model, x), 5);
  });

  it('rises with each step away from normal physiology', async () => {
    const rr = async (v: number) => model.infer(Float32Array.from([v, 98, 0, 120, 70, 0, 37, 60]));
    expect(await rr(22)).toBeGreaterThan(await rr(16));
    expect(await rr(30)).toBeGreaterThan(await rr(22));
  });

  it('gives NaN, not an error, for a NaN input: the scorer must validate before inference', async () => {
    expect(await model.infer(Float32Array.from([Number.NaN, 98, 0, 120, 70, 0, 37, 60]))).toBeNaN();
  });
});

describe('loading a model that cannot be used', () => {
  let dir: string;
  let shipped: Uint8Array;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-model-'));
    shipped = await readFile(SHIPPED_MODEL_PATH);
  });

  /** The shipped model with one metadata entry changed. */
  function withMetadata(key: string, change: (value: string) => string): Uint8Array {
    const { onnx } = onnxProto;
    const decoded = onnx.ModelProto.decode(shipped);
    decoded.metadataProps = decoded.metadataProps.map((p) => (p.key === key ? { key, value: change(p.value ?? '') } : p));
    return onnx.ModelProto.encode(decoded).finish();
  }

  it.each([
    ['a missing file', undefined, 'VIGIL_MODEL_MISSING'],
    ['random bytes', () => Uint8Array.from({ length: 256 }, (_, i) => (i * 97 + 13) % 256), 'VIGIL_MODEL_CORRUPT'],
    ['a truncated file', () => shipped.subarray(0, shipped.length / 2), 'VIGIL_MODEL_CORRUPT'],
    ['another contract', () => withMetadata('vigil.contract', () => 'someone.else.v9'), 'VIGIL_MODEL_CONTRACT_MISMATCH'],
    ['features in another order', () => withMetadata('vigil.features', (v) => {
      const f = JSON.parse(v) as unknown[];
      return JSON.stringify([f[1], f[0], ...f.slice(2)]);
    }), 'VIGIL_MODEL_CONTRACT_MISMATCH'],
    ['temperature in Fahrenheit', () => withMetadata('vigil.features', (v) => v.replace('"Cel"', '"[degF]"')), 'VIGIL_MODEL_CONTRACT_MISMATCH'],
    ['no thresholds', () => withMetadata('vigil.thresholds', () => 'not json'), 'VIGIL_MODEL_CONTRACT_MISMATCH'],
    ['an explanation that is not the model', () => withMetadata('vigil.explanation', (v) => {
      const explanation = JSON.parse(v) as { intercept: number };
      return JSON.stringify({ ...explanation, intercept: explanation.intercept + 1 });
    }), 'VIGIL_MODEL_CONTRACT_MISMATCH'],
  ])('refuses %s with %s', async (name, bytes, code) => {
    const path = join(dir, `${name.replace(/\W+/g, '-')}.onnx`);
    if (bytes) await writeFile(path, bytes());
    await expect(loadOnnxModel(path)).rejects.toMatchObject({ code });
  });

  it('reads metadata without creating a session', () => {
    expect(readModelMetadata(shipped)).toMatchObject({ name: 'vigil-deterioration', outcomeWindowHours: 24 });
  });
});
