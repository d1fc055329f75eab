// `npm run train`: regenerates the synthetic cohort, the model and its model card from a seed,
// deterministically. Without flags it rebuilds the shipped model (models/vigil-deterioration.onnx and
// .md) byte for byte. A candidate (same contract, another seed or cohort):
//   npm run train -- --seed <n> --version <v> --out <file>.onnx    (writes <file>.onnx and <file>.md)
// Also --patients N and --bootstrap N (replicates).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchSection, renderModelCard } from './model-card.js';
import { DEFAULT_OPTIONS, MODEL_NAME, runTraining } from './pipeline.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(DEFAULT_OPTIONS.seed) },
    patients: { type: 'string', default: String(DEFAULT_OPTIONS.patients) },
    bootstrap: { type: 'string', default: String(DEFAULT_OPTIONS.bootstrapReplicates) },
    version: { type: 'string', default: DEFAULT_OPTIONS.version },
    out: { type: 'string', default: `models/${MODEL_NAME}.onnx` },
  },
});

const integer = (name: string, text: string | undefined, least = 1) => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < least) throw new Error(`--${name} must be an integer of at least ${least}, got "${text}"`);
  return n;
};

const started = performance.now();
const result = runTraining({
  seed: integer('seed', values.seed, 0),
  patients: integer('patients', values.patients),
  bootstrapReplicates: integer('bootstrap', values.bootstrap),
  version: values.version ?? DEFAULT_OPTIONS.version,
});
const onnxPath = resolve(values.out ?? '');
const cardPath = onnxPath.replace(/(\.onnx)?$/, '.md');
await mkdir(dirname(onnxPath), { recursive: true });
const previousCard = await readFile(cardPath, 'utf8').catch(() => undefined);
await writeFile(onnxPath, result.onnx);
await writeFile(cardPath, renderModelCard(result, benchSection(previousCard)));

const e = result.evaluation;
const t = result.metadata.thresholds;
const flat = e.derangements.effects.filter((d) => !(d.probability > e.derangements.normal));
process.stdout.write(
  `${onnxPath} (${result.onnx.length} bytes), ${cardPath}\n` +
    `SYNTHETIC held-out AUROC model ${e.aurocModel.toFixed(3)} vs NEWS2 ${e.aurocNews2.toFixed(3)}, ` +
    `difference ${e.difference.difference.toFixed(3)} (95 % CI ${e.difference.lower.toFixed(3)} to ${e.difference.upper.toFixed(3)}); ` +
    `thresholds medium ${t.medium}, high ${t.high}${e.choice.off.length > 0 ? ` (off: ${e.choice.off.join(', ')})` : ''}; ` +
    (flat.length === 0
      ? 'every NEWS2 derangement raises the estimate; '
      : `WARNING: ${flat.length} NEWS2 derangements do not raise the estimate; `) +
    `${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
