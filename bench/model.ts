// `npm run bench:model`: the shipped model's load time, inference time per call (median, p99) and the
// cache-hit time, in a few seconds. `-- --write-card` also writes the table into the model card.
// Per-call times come from performance.now() around each awaited call, so they include the promise hop.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createRulesScorer } from '../src/models/rules-scorer.js';
import { SHIPPED_MODEL_PATH } from '../src/models/create-scorer.js';
import { createModelScorer } from '../src/models/model-scorer.js';
import { loadOnnxModel } from '../src/models/onnx-model.js';
import { patientInputsOf, type PatientInputs } from '../src/domain/vital-signs.js';
import { replaceBenchSection } from '../training/model-card.js';

const CALLS = 3000;
const WARM_UP = 300;
const LOADS = 5;

const { values } = parseArgs({ options: { 'write-card': { type: 'boolean', default: false } } });

const at = new Date('2024-05-01T10:00:00Z');
/** Synthetic patients whose rounded feature vectors all differ, so every call misses the cache. */
function patient(i: number): PatientInputs {
  return patientInputsOf({
    vitals: {
      respiratoryRate: { value: 12 + (i % 20), unit: '/min', at },
      spo2: { value: 88 + (Math.floor(i / 20) % 12), unit: '%', at },
      supplementalOxygen: { value: { onOxygen: i % 3 === 0 }, at },
      systolicBP: { value: 90 + (Math.floor(i / 240) % 60), unit: 'mm[Hg]', at },
      heartRate: { value: 60 + (i % 7) * 10, unit: '/min', at },
      consciousness: { value: i % 11 === 0 ? 'confused' : 'alert', at },
      temperature: { value: 36 + (i % 30) / 10, unit: 'Cel', at },
    },
    ageYears: 20 + (i % 80),
    dataAsOf: at,
  });
}

async function timeEach(n: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await call(i);
    times.push(performance.now() - start);
  }
  return times;
}

function quantile(times: number[], q: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

// Load: the first includes onnxruntime's native start-up; later ones are what a restart of the scorer costs.
const loadTimes: number[] = [];
for (let i = 0; i < LOADS; i++) {
  const start = performance.now();
  const loaded = await loadOnnxModel(SHIPPED_MODEL_PATH);
  loadTimes.push(performance.now() - start);
  await loaded.release();
}

const model = await loadOnnxModel(SHIPPED_MODEL_PATH);
const settings = { cacheSize: 1, cacheTtlMs: 60_000, timeoutMs: 100, errorThresholdPercent: 50, volumeThreshold: 5, resetMs: 10_000 };
const missScorer = createModelScorer({ model: { ...model, release: async () => {} }, settings });
const hitScorer = createModelScorer({ model: { ...model, release: async () => {} }, settings: { ...settings, cacheSize: 10 } });
const rules = createRulesScorer();
const vectors = Array.from({ length: CALLS }, (_, i) =>
  Float32Array.from([12 + (i % 20), 88 + (i % 12), i % 2, 100 + (i % 50), 60 + (i % 70), 0, 36.5 + (i % 20) / 10, 20 + (i % 80)]),
);

await timeEach(WARM_UP, (i) => model.infer(vectors[i % CALLS] as Float32Array));
const run = await timeEach(CALLS, (i) => model.infer(vectors[i] as Float32Array));
await timeEach(WARM_UP, (i) => missScorer.assess(patient(i)));
const miss = await timeEach(CALLS, (i) => missScorer.assess(patient(i)));
const same = patient(1);
await timeEach(WARM_UP, () => hitScorer.assess(same));
const hit = await timeEach(CALLS, () => hitScorer.assess(same));
await timeEach(WARM_UP, (i) => rules.assess(patient(i)));
const rulesOnly = await timeEach(CALLS, (i) => rules.assess(patient(i)));
const missStatus = (await missScorer.assess(patient(CALLS + 1))).path;
await Promise.all([missScorer.close(), hitScorer.close(), model.release()]);

const row = (what: string, times: number[]) => `| ${what} | ${us(quantile(times, 0.5))} | ${us(quantile(times, 0.99))} |`;
const table = [
  `Measured with \`npm run bench:model\` (Node ${process.version}, ${CALLS} calls after ${WARM_UP} warm-up, one process on a shared 2-core machine; figures drift 10–30 % between runs).`,
  '',
  `Model load (read, metadata check, session, self-check): first ${loadTimes[0]?.toFixed(1)} ms (includes onnxruntime start-up), then median ${quantile(loadTimes.slice(1), 0.5).toFixed(1)} ms.`,
  '',
  '| per call | median | p99 |',
  '|---|---|---|',
  row('ONNX `run()` alone (batch 1)', run),
  row('`assess()`, cache miss (rules + validation + breaker + inference + explanation)', miss),
  row('`assess()`, cache hit (rules + validation + cache + explanation)', hit),
  row('`assess()`, rules only (NEWS2 + qSOFA, for comparison)', rulesOnly),
].join('\n');

process.stdout.write(`${table}\n`);
if (missStatus !== 'model') throw new Error(`benchmark scorer answered by ${missStatus}, not the model`);
if (values['write-card']) {
  const cardPath = SHIPPED_MODEL_PATH.replace(/\.onnx$/, '.md');
  await writeFile(cardPath, replaceBenchSection(await readFile(cardPath, 'utf8'), table));
  process.stdout.write(`written to ${cardPath}\n`);
}
