import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SHIPPED_MODEL_PATH } from '../../src/models/create-scorer.js';
import { renderModelCard } from '../../training/model-card.js';
import { runTraining } from '../../training/pipeline.js';
import { readModelMetadata } from '../../src/models/onnx-model.js';

const SMALL = { seed: 7, patients: 300, bootstrapReplicates: 50 };

describe('training', () => {
  it('produces byte-identical ONNX and an identical model card from the same seed', () => {
    const first = runTraining(SMALL);
    const second = runTraining(SMALL);
    expect(Buffer.from(second.onnx).equals(Buffer.from(first.onnx))).toBe(true);
    expect(renderModelCard(second)).toBe(renderModelCard(first));
  });

  it('produces a different model from a different seed', () => {
    const a = runTraining(SMALL);
    const b = runTraining({ ...SMALL, seed: 8 });
    expect(Buffer.from(b.onnx).equals(Buffer.from(a.onnx))).toBe(false);
  });

  it('writes metadata that passes the serving contract check and records how to reproduce it', () => {
    const result = runTraining(SMALL);
    const metadata = readModelMetadata(result.onnx);
    expect(metadata.trainingCommand).toBe('npm run train -- --seed 7 --patients 300 --bootstrap 50');
    expect(metadata.seed).toBe('7');
    expect(metadata.thresholds.medium).toBeLessThan(metadata.thresholds.high);
  });

  it('never lets an abnormal value lower the risk: every hinge weight is at least 0', () => {
    const { explanation } = runTraining(SMALL).metadata;
    const weights = explanation.terms.flatMap((t) => t.hinges.map((h) => h.weight));
    expect(Math.min(...weights)).toBeGreaterThanOrEqual(0);
  });

  it('says on the model card that the data are synthetic and the model not clinically validated', () => {
    const card = renderModelCard(runTraining(SMALL));
    expect(card).toContain('Synthetic data. Not clinically validated.');
    expect(card).toMatch(/AUROC model \*\*0\.\d{3}\*\* vs NEWS2 \*\*0\.\d{3}\*\*/);
  });
});

describe('the shipped model', () => {
  it('is exactly what its recorded training command produces (retrain after changing training/)', async () => {
    const shipped = await readFile(SHIPPED_MODEL_PATH);
    const meta = readModelMetadata(shipped);
    const arg = (name: string) => Number(new RegExp(`--${name} (\\d+)`).exec(meta.trainingCommand ?? '')?.[1]);
    const retrained = runTraining({ seed: arg('seed'), patients: arg('patients'), bootstrapReplicates: arg('bootstrap') });
    expect(Buffer.from(retrained.onnx).equals(shipped)).toBe(true);
  });
});
