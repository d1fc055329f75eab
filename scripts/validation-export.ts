// `npm run validation-export`: regenerates the synthetic FHIR Bulk Data export that `npm run validate`
// reads by default (validation-export/), from the training cohort generator at a seed training does not
// use, so the export is never the model's training data. Same seed, same files (the gzip stream is
// deterministic for a given zlib; the test compares the decompressed text). SYNTHETIC DATA.
//   npm run validation-export -- [--seed N] [--patients N] [--out dir]
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { buildSyntheticExport, outcomesCsv, toNdjson } from '../training/fhir-export.js';
import { EXPORT_FILES, SYNTHETIC_EXPORT } from './lib/synthetic-export.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(SYNTHETIC_EXPORT.seed) },
    patients: { type: 'string', default: String(SYNTHETIC_EXPORT.patients) },
    out: { type: 'string', default: SYNTHETIC_EXPORT.dir },
  },
});

const integer = (name: string, text: string | undefined, least: number) => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < least) throw new Error(`--${name} must be an integer of at least ${least}, got "${text}"`);
  return n;
};

const started = performance.now();
const built = buildSyntheticExport({ seed: integer('seed', values.seed, 0), patients: integer('patients', values.patients, 1) });
const dir = resolve(values.out ?? SYNTHETIC_EXPORT.dir);
await mkdir(dir, { recursive: true });
const gzip = (text: string) => gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
await writeFile(join(dir, EXPORT_FILES.patients), gzip(toNdjson(built.patients)));
await writeFile(join(dir, EXPORT_FILES.observations), gzip(toNdjson(built.observations)));
await writeFile(join(dir, EXPORT_FILES.outcomes), outcomesCsv(built.outcomes));
process.stdout.write(
  `${dir}: SYNTHETIC export of ${built.patients.length} patients (${built.encounters} encounters), ` +
    `${built.observations.length} Observations, ${built.outcomes.length} outcome events; ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
