// `npm run train`: regenerates the synthetic cohort, the model (models/<name>.onnx) and its model card
// from a seed, deterministically. Options: --seed N, --patients N, --bootstrap N, --out-dir DIR.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchSection, renderModelCard } from './model-card.js';
import { DEFAULT_PATIENTS, DEFAULT_SEED, runTraining } from './pipeline.js';

const BOOTSTRAP_REPLICATES = 1000;

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    patients: { type: 'string', default: String(DEFAULT_PATIENTS) },
    bootstrap: { type: 'string', default: String(BOOTSTRAP_REPLICATES) },
    'out-dir': { type: 'string', default: 'models' },
  },
});

const started = performance.now();
const result = runTraining({
  seed: Number(values.seed),
  patients: Number(values.patients),
  bootstrapReplicates: Number(values.bootstrap),
});
const outDir = resolve(values['out-dir']);
await mkdir(outDir, { recursive: true });
const onnxPath = join(outDir, `${result.metadata.name}.onnx`);
const cardPath = join(outDir, `${result.metadata.name}.md`);
const previousCard = await readFile(cardPath, 'utf8').catch(() => undefined);
await writeFile(onnxPath, result.onnx);
await writeFile(cardPath, renderModelCard(result, benchSection(previousCard)));

const e = result.evaluation;
process.stdout.write(
  `${onnxPath} (${result.onnx.length} bytes), ${cardPath}\n` +
    `SYNTHETIC held-out AUROC model ${e.aurocModel.toFixed(3)} vs NEWS2 ${e.aurocNews2.toFixed(3)}, ` +
    `difference ${e.difference.difference.toFixed(3)} (95 % CI ${e.difference.lower.toFixed(3)} to ${e.difference.upper.toFixed(3)}); ` +
    `${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
