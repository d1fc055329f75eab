import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_MODEL_PATH } from '../../src/models/create-scorer.js';
import { readModelMetadata } from '../../src/models/onnx-model.js';
import { generateCohort } from '../../training/cohort.js';
import { scoredRows } from '../../training/dataset.js';
import { FEATURE_BASIS } from '../../training/feature-basis.js';
import { benchSection, renderModelCard } from '../../training/model-card.js';
import { DEFAULT_OPTIONS, runTraining, splitPatients, type TrainingResult } from '../../training/pipeline.js';
import { ALERT_BANDS } from '../../src/validation/served-rule.js';

const SMALL = { seed: 7, patients: 300, bootstrapReplicates: 50, version: '0.0.1-test' };

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
    const metadata = readModelMetadata(runTraining(SMALL).onnx);
    expect(metadata.trainingCommand).toBe('npm run train -- --seed 7 --patients 300 --bootstrap 50 --version 0.0.1-test');
    expect(metadata).toMatchObject({ seed: '7', version: '0.0.1-test', trainingData: 'synthetic' });
    expect(metadata.thresholds.medium).toBeLessThanOrEqual(metadata.thresholds.high);
  });

  it('never lets an abnormal value lower the risk: every hinge weight is at least 0', () => {
    const { explanation } = runTraining(SMALL).metadata;
    const weights = explanation.terms.flatMap((t) => t.hinges.map((h) => h.weight));
    expect(Math.min(...weights)).toBeGreaterThanOrEqual(0);
  });

  it('puts every patient in exactly one of training, validation and held-out, in about 60/20/20', () => {
    const rows = scoredRows(
      generateCohort({ seed: 7, patients: 300 }),
      FEATURE_BASIS.map((b) => b.reference),
    );
    const part = splitPatients(rows, 7);
    const patients = new Set(rows.map((r) => r.patientId));
    expect(part.size).toBe(patients.size);
    const share = (p: string) => [...part.values()].filter((v) => v === p).length / patients.size;
    expect(share('train')).toBeCloseTo(0.6, 2);
    expect(share('validation')).toBeCloseTo(0.2, 2);
    expect(share('test')).toBeCloseTo(0.2, 2);
  });

  it('says on the model card that the data are synthetic, what the model does not see, and the served rule', () => {
    const card = renderModelCard(runTraining(SMALL));
    expect(card).toContain('Synthetic data. Not clinically validated.');
    expect(card).toMatch(/AUROC model \*\*0\.\d{3}\*\* vs NEWS2 \*\*0\.\d{3}\*\*/);
    expect(card).toContain('## What the model does not see');
    expect(card).toContain('**served: NEWS2 or model**');
    expect(card).toContain('A model `low` band adds no card');
    expect(card).toContain('shown only where a site has set\n  the model to active');
  });
});

describe('the shipped model', () => {
  let shipped: Buffer;
  let shippedCard: string;
  let retrained: TrainingResult;
  // One full training run (about 3 s alone); the timeout leaves room for a busy 2-core machine.
  beforeAll(async () => {
    shipped = await readFile(SHIPPED_MODEL_PATH);
    shippedCard = await readFile(SHIPPED_MODEL_PATH.replace(/\.onnx$/, '.md'), 'utf8');
    const meta = readModelMetadata(shipped);
    const arg = (name: string) => new RegExp(`--${name} (\\S+)`).exec(meta.trainingCommand ?? '')?.[1] ?? '';
    retrained = runTraining({
      seed: Number(arg('seed')),
      patients: Number(arg('patients')),
      bootstrapReplicates: Number(arg('bootstrap')),
      version: arg('version'),
    });
  }, 120_000);

  it('is exactly what its recorded training command produces, and so is its card (retrain after changing training/)', () => {
    expect(Buffer.from(retrained.onnx).equals(shipped)).toBe(true);
    expect(renderModelCard(retrained, benchSection(shippedCard))).toBe(shippedCard);
  });

  it('is what plain `npm run train` (no flags) produces', () => {
    expect(retrained.options).toEqual(DEFAULT_OPTIONS);
  });

  it.each(ALERT_BANDS)("adds %s alerts on held-out patients only if they are at least as often right as NEWS2's own", (band) => {
    const e = retrained.evaluation.bands.find((b) => b.band === band);
    expect(e).toBeDefined();
    if (e && e.added.alerts > 0) expect(e.ppv.a.value).toBeGreaterThanOrEqual(e.ppv.b.value);
  });
});
