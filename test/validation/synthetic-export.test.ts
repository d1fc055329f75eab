import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EXPORT_FILES, SYNTHETIC_EXPORT } from '../../scripts/lib/synthetic-export.js';
import { buildSyntheticExport, outcomesCsv, ukLocalTime } from '../../training/fhir-export.js';
import { DEFAULT_SEED } from '../../training/pipeline.js';

const sha256Lines = (resources: readonly object[]) => {
  const hash = createHash('sha256');
  for (const r of resources) hash.update(`${JSON.stringify(r)}\n`);
  return hash.digest('hex');
};
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

describe('the shipped synthetic export', () => {
  it('is not the training data: another seed of the same generator', () => {
    expect(SYNTHETIC_EXPORT.seed).not.toBe(DEFAULT_SEED);
  });

  it(
    'is what npm run validation-export regenerates from its seed, line for line',
    async () => {
      const built = buildSyntheticExport({ seed: SYNTHETIC_EXPORT.seed, patients: SYNTHETIC_EXPORT.patients });
      const file = (name: string) => readFile(join(SYNTHETIC_EXPORT.dir, name));
      expect(sha256(gunzipSync(await file(EXPORT_FILES.patients)))).toBe(sha256Lines(built.patients));
      expect(sha256(gunzipSync(await file(EXPORT_FILES.observations)))).toBe(sha256Lines(built.observations));
      expect((await file(EXPORT_FILES.outcomes)).toString('utf8')).toBe(outcomesCsv(built.outcomes));
      expect(built.patients).toHaveLength(SYNTHETIC_EXPORT.patients);
    },
    // 3000 patients' cohort and 240 000 Observations, on a possibly busy 2-core machine.
    60_000,
  );

  it.each([
    ['in winter, UK time is UTC', Date.UTC(2025, 0, 15, 9, 30), '2025-01-15T09:30:00+00:00'],
    ['in summer, an hour ahead', Date.UTC(2025, 6, 1, 9, 30), '2025-07-01T10:30:00+01:00'],
    ['the last minute before the clocks go forward (30 March 2025, 01:00 UTC)', Date.UTC(2025, 2, 30, 0, 59), '2025-03-30T00:59:00+00:00'],
    ['the moment they do', Date.UTC(2025, 2, 30, 1, 0), '2025-03-30T02:00:00+01:00'],
    ['the moment they go back (26 October 2025, 01:00 UTC)', Date.UTC(2025, 9, 26, 1, 0), '2025-10-26T01:00:00+00:00'],
  ])('writes charting times as a UK ward feed does: %s', (_name, ms, text) => {
    expect(ukLocalTime(ms)).toBe(text);
    expect(Date.parse(text)).toBe(ms);
  });
});
