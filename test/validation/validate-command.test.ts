import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_FILES, SYNTHETIC_EXPORT } from '../../scripts/lib/synthetic-export.js';
import { elsewhereExport } from './elsewhere-export.js';

const run = promisify(execFile);
/** A child process: tsx start-up plus reading a 240 000-line export, on a possibly busy 2-core machine. */
const CHILD_TIMEOUT_MS = 120_000;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-validate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function validate(args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'scripts/validate.ts', ...args], { cwd: process.cwd(), maxBuffer: 1 << 20 });
}

async function outputText(out: string): Promise<string> {
  const names = await readdir(out);
  return (await Promise.all(names.map((n) => readFile(join(out, n), 'utf8')))).join('\n');
}

/** Every `## ` heading of a section that carries numbers names where the numbers come from. */
function numberHeadings(markdown: string): string[] {
  return markdown.split('\n').filter((l) => /^## (Summary|Discrimination|Alerts|Calibration|Score|Ranking|Side by side)/.test(l));
}

describe('npm run validate on the shipped synthetic export', () => {
  it(
    'writes a Markdown report with its pictures and a JSON beside it, every number labelled synthetic, no patient id anywhere',
    async () => {
      const out = join(dir, 'shipped');
      const { stdout } = await run(
        'npm',
        ['run', '--silent', 'validate', '--', '--max-patients', '300', '--bootstrap', '100', '--out', out],
        { cwd: process.cwd() },
      );
      expect(stdout).toContain('the shipped SYNTHETIC export');
      expect((await readdir(out)).sort()).toEqual([
        'calibration.svg',
        'distribution-model.svg',
        'distribution-news2.svg',
        'report.json',
        'report.md',
        'roc.svg',
      ]);

      const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
      expect(report).toMatchObject({
        kind: 'replay',
        dataLabel: { word: 'synthetic' },
        settings: { maxPatients: 300, staleAfterHours: 12, windowHours: 24, bootstrapReplicates: 100 },
        model: { name: 'vigil-deterioration', trainingData: 'synthetic' },
        reading: { lines: 242_321, testData: 242_321, skipped: [{ reason: expect.stringContaining('not a vital sign'), count: 3578 }] },
        moments: { patients: 2994, patientsReplayed: 300 },
      });
      const e = report.evaluation;
      expect(e.rows).toBeGreaterThan(3000);
      expect(e.positives).toBeGreaterThan(50);
      for (const score of ['model', 'news2', 'served']) {
        expect(e.ranking[score].auroc.value).toBeGreaterThan(0.6);
        expect(e.ranking[score].auroc.lower).toBeLessThan(e.ranking[score].auroc.value);
        expect(e.ranking[score].auprc.value).toBeGreaterThan(e.prevalence);
      }
      expect(e.calibration.table).toHaveLength(10);
      expect(e.bands.map((b: { band: string }) => b.band)).toEqual(['warning', 'critical']);

      const markdown = await readFile(join(out, 'report.md'), 'utf8');
      expect(markdown).toContain('**Synthetic data. Not clinically validated.**');
      for (const section of [
        '## What was read',
        '## Outcomes',
        '## Scoring moments',
        '## Discrimination',
        '## Alerts per band',
        '## Calibration of the model',
        '## Score distributions',
      ]) {
        expect(markdown).toContain(section);
      }
      expect(numberHeadings(markdown)).toHaveLength(6);
      for (const heading of numberHeadings(markdown)) expect(heading).toContain('(synthetic data)');
      for (const picture of ['roc.svg', 'calibration.svg', 'distribution-model.svg', 'distribution-news2.svg']) {
        expect(markdown).toContain(`](${picture})`);
        const svg = await readFile(join(out, picture), 'utf8');
        expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>[\s\S]*<\/svg>\n$/);
        expect(svg).toContain('synthetic data');
      }

      const patients = gunzipSync(await readFile(join(SYNTHETIC_EXPORT.dir, EXPORT_FILES.patients))).toString('utf8');
      const ids = patients
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id);
      const everything = await outputText(out);
      expect(ids.filter((id) => everything.includes(id))).toEqual([]);
    },
    CHILD_TIMEOUT_MS,
  );
});

describe('npm run validate on an export made elsewhere', () => {
  it(
    "reads another tool's bulk export directory, says what it skipped and why, and labels the numbers as the site's",
    async () => {
      const made = elsewhereExport();
      const exportDir = join(dir, 'elsewhere');
      await mkdir(exportDir);
      for (const [name, text] of Object.entries(made.files)) await writeFile(join(exportDir, name), text);
      await writeFile(join(dir, 'elsewhere-outcomes.csv'), made.outcomesCsv);
      const out = join(dir, 'elsewhere-report');
      await validate(['--observations', exportDir, '--outcomes', join(dir, 'elsewhere-outcomes.csv'), '--bootstrap', '50', '--out', out]);

      const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
      const skipped = Object.fromEntries(report.reading.skipped.map((s: { reason: string; count: number }) => [s.reason, s.count]));
      expect(skipped).toEqual(made.planted);
      expect(report.dataLabel.word).toBe('site');
      expect(report.moments).toMatchObject({ patients: 12, patientsReplayed: 12, patientsWithoutPatientResource: 0 });
      // No consciousness or oxygen charted: the model imputes both, so its estimate would not be shown.
      expect(report.evaluation.rows).toBe(report.moments.scored);
      expect(report.outcomes).toMatchObject({ rows: 3, patients: 3, patientsWithoutObservations: 0 });
      expect(report.evaluation.positives).toBeGreaterThan(0);

      const markdown = await readFile(join(out, 'report.md'), 'utf8');
      expect(markdown).toContain('> **Site data.**');
      expect(markdown).toContain('| Observation not usable: heart rate: unit "beats" is not a recognised unit | 1 |');
      const everything = await outputText(out);
      expect(made.patientIds.filter((id) => everything.includes(id))).toEqual([]);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'refuses an export without an outcome list, an outcome list without its header and options it cannot use, saying what is needed',
    async () => {
      await expect(validate(['--observations', join(dir, 'nowhere.ndjson')])).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining('--outcomes is required'),
      });
      await expect(validate(['--bootstrap', '0'])).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining('--bootstrap must be a whole number'),
      });
      await expect(validate(['--frobnicate'])).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining("Unknown option '--frobnicate'"),
      });
      const exportFile = join(dir, 'one.ndjson');
      const outcomes = join(dir, 'no-header.csv');
      await writeFile(exportFile, '{"resourceType":"Patient","id":"p1"}\n');
      await writeFile(outcomes, 'p1,2025-03-01T10:00:00Z,death\n');
      await expect(validate(['--observations', exportFile, '--outcomes', outcomes, '--out', join(dir, 'never')])).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining('header naming patient, time, event'),
      });
    },
    CHILD_TIMEOUT_MS,
  );
});
