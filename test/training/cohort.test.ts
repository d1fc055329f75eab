import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateCohort } from '../../training/cohort.js';
import { scoredRows } from '../../training/dataset.js';
import { FEATURE_BASIS } from '../../training/feature-basis.js';

const rows = scoredRows(
  generateCohort({ seed: 3, patients: 1500 }),
  FEATURE_BASIS.map((b) => b.reference),
).filter((r) => r.features !== undefined);
const NAMES = FEATURE_BASIS.map((b) => b.name);

/** Share of rows with an event in the next 24 h among rows whose charted `feature` passes `test`. */
function eventRate(feature: string, test: (v: number) => boolean): number {
  const i = NAMES.indexOf(feature);
  const chosen = rows.filter((r) => r.imputed?.[i] === false && test(r.features?.[i] ?? Number.NaN));
  return chosen.filter((r) => r.label).length / chosen.length;
}

describe('the synthetic cohort', () => {
  it.each<[string, string, (v: number) => boolean, (v: number) => boolean]>([
    ['a slow respiratory rate (≤ 11)', 'respiratoryRate', (v) => v <= 11, (v) => v >= 12 && v <= 20],
    ['a low systolic pressure (≤ 100)', 'systolicBP', (v) => v <= 100, (v) => v >= 111 && v <= 219],
    ['a very high systolic pressure (≥ 200)', 'systolicBP', (v) => v >= 200, (v) => v >= 111 && v <= 180],
    ['a slow pulse (≤ 50)', 'heartRate', (v) => v <= 50, (v) => v >= 51 && v <= 90],
    ['a low temperature (≤ 36.0)', 'temperature', (v) => v <= 36.0, (v) => v >= 36.1 && v <= 38.0],
    ['a low SpO2 (≤ 93)', 'spo2', (v) => v <= 93, (v) => v >= 96],
    ['oxygen', 'onOxygen', (v) => v === 1, (v) => v === 0],
    ['a patient who is not alert', 'consciousnessNotAlert', (v) => v === 1, (v) => v === 0],
  ])('has more outcomes after %s than in the NEWS2 zero band', (_name, feature, deranged, normal) => {
    expect(eventRate(feature, deranged)).toBeGreaterThan(1.5 * eventRate(feature, normal));
  });

  it('makes outcomes without NEWS2: the cohort does not import the NEWS2 code', async () => {
    const source = await readFile(new URL('../../training/cohort.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/^import .*(fallback-rules|news2)/im);
  });
});
