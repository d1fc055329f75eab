import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/audit/audit-record.js';
import { createFileAuditStore } from '../../src/audit/audit-store.js';
import { patientHasher } from '../../src/audit/patient-hash.js';
import { readPilot } from '../../src/validation/audit-pilot.js';
import type { EvaluationRow } from '../../src/validation/evaluate.js';
import { OutcomeIndex } from '../../src/validation/outcomes.js';

const run = promisify(execFile);
const CHILD_TIMEOUT_MS = 60_000;
const KEY = 'test-only-audit-key-0123456789abcdef';
const hash = patientHasher(KEY);
const T0 = Date.parse('2025-06-02T08:00:00Z');
const HOUR = 3_600_000;

type Call = {
  patient: string;
  hour: number;
  news2: number;
  risk: string;
  model?: { version: string; mode: 'silent' | 'active'; p?: number; band?: string; shown?: boolean };
  indicator?: 'info' | 'warning' | 'critical';
  service?: string;
};

function record(c: Call, i: number): AuditRecord {
  const r: AuditRecord = {
    v: 1,
    at: new Date(T0 + c.hour * HOUR).toISOString(),
    hookInstance: `hook-${i}`,
    service: c.service ?? 'deterioration-risk',
    hook: 'patient-view',
    patient: hash(c.patient),
    path: c.model?.shown === true ? 'model' : 'rules',
    news2: { total: c.news2, partial: false, risk: c.risk },
    cards: [],
    latencyMs: 2,
    sources: {},
  };
  if (c.indicator !== undefined) r.indicator = c.indicator;
  if (c.model !== undefined) {
    r.model = { name: 'vigil-deterioration', version: c.model.version, mode: c.model.mode, shown: c.model.shown ?? false };
    if (c.model.p !== undefined) Object.assign(r.model, { probability: c.model.p, band: c.model.band ?? 'low' });
    else r.modelStatus = 'insufficient-data';
  }
  return r;
}

// A silent pilot of 2.0.0 on four patients, then 2.1.0 active on two. Events (plain ids): pat-1 at
// hour 5, pat-5 at hour 40. Positive calls: pat-1 at hours 0 and 4 (5 h and 1 h before), pat-5 at
// hour 20 (20 h before); pat-1 at hour 6 comes after its event, pat-5 at hour 10 is 30 h before it.
const CALLS: Call[] = [
  {
    patient: 'pat-1',
    hour: 0,
    news2: 5,
    risk: 'medium',
    model: { version: '2.0.0', mode: 'silent', p: 0.2, band: 'medium' },
    indicator: 'warning',
  },
  {
    patient: 'pat-1',
    hour: 4,
    news2: 7,
    risk: 'high',
    model: { version: '2.0.0', mode: 'silent', p: 0.4, band: 'high' },
    indicator: 'critical',
  },
  {
    patient: 'pat-1',
    hour: 6,
    news2: 7,
    risk: 'high',
    model: { version: '2.0.0', mode: 'silent', p: 0.5, band: 'high' },
    indicator: 'critical',
  },
  { patient: 'pat-2', hour: 1, news2: 1, risk: 'low', model: { version: '2.0.0', mode: 'silent', p: 0.03, band: 'low' } },
  {
    patient: 'pat-3',
    hour: 2,
    news2: 3,
    risk: 'low',
    model: { version: '2.0.0', mode: 'silent', p: 0.15, band: 'medium' },
    indicator: 'info',
  },
  { patient: 'pat-4', hour: 3, news2: 0, risk: 'none', model: { version: '2.0.0', mode: 'silent', p: 0.01, band: 'low' } },
  {
    patient: 'pat-5',
    hour: 10,
    news2: 2,
    risk: 'low',
    model: { version: '2.1.0', mode: 'active', p: 0.05, band: 'low', shown: true },
    indicator: 'info',
  },
  {
    patient: 'pat-5',
    hour: 20,
    news2: 4,
    risk: 'low',
    model: { version: '2.1.0', mode: 'active', p: 0.3, band: 'medium', shown: true },
    indicator: 'warning',
  },
  {
    patient: 'pat-6',
    hour: 11,
    news2: 2,
    risk: 'low',
    model: { version: '2.1.0', mode: 'active', p: 0.35, band: 'medium', shown: false },
    indicator: 'info',
  },
  // Not compared: another service, no model estimate, not scored.
  {
    patient: 'pat-1',
    hour: 4,
    news2: 7,
    risk: 'high',
    service: 'sedation-safety',
    model: { version: '2.0.0', mode: 'silent', p: 0.4, band: 'high' },
  },
  { patient: 'pat-2', hour: 8, news2: 1, risk: 'low', model: { version: '2.0.0', mode: 'silent' } },
];
const OUTCOMES = 'patient,time,event\npat-1,2025-06-02T13:00:00Z,death\npat-5,2025-06-04T00:00:00Z,unplanned-icu-transfer\n';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-pilot-'));
  // Written through the audit trail's own store, so the test follows its format wherever it goes.
  const store = createFileAuditStore(dataDir);
  await Promise.all(CALLS.map((c, i) => store.append(record(c, i))));
  const unscored = { ...record(CALLS[3] as Call, 99), news2: undefined, model: undefined, unscoredReason: 'no-vitals' };
  delete unscored.news2;
  delete unscored.model;
  await store.append(unscored);
  await store.close();
  await writeFile(join(dataDir, 'outcomes.csv'), OUTCOMES);
  await writeFile(join(dataDir, 'audit.key'), `${KEY}\n`);
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function validate(args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'scripts/validate.ts', ...args], { cwd: process.cwd() });
}

describe('joining the audit trail with outcomes keyed the same way', () => {
  it('groups calls by model version and mode and labels each by an event within the window', async () => {
    const outcomes = new OutcomeIndex();
    outcomes.add({ patient: hash('pat-1'), at: T0 + 5 * HOUR, event: 'death' });
    outcomes.add({ patient: hash('pat-5'), at: T0 + 40 * HOUR, event: 'unplanned-icu-transfer' });
    outcomes.seal();
    const read = await readPilot(createFileAuditStore(dataDir).read(), outcomes, { windowHours: 24, service: 'deterioration-risk' });
    expect(read.groups.map((g) => [g.version, g.mode, g.calls, g.rows.filter((r) => r.label).length])).toEqual([
      ['2.0.0', 'silent', 6, 2],
      ['2.1.0', 'active', 3, 1],
    ]);
    const [silent, active] = read.groups;
    const of = (rows: EvaluationRow[], id: string) => rows.filter((r) => r.patient === hash(id));
    expect(of(silent?.rows ?? [], 'pat-1').map((r) => r.label)).toEqual([true, true, false]);
    expect(of(active?.rows ?? [], 'pat-5').map((r) => r.label)).toEqual([false, true]);
    // A silent band counts as it would have had the model been active; an active one only where shown.
    expect(silent?.rows.every((r) => r.modelCounts)).toBe(true);
    expect(of(active?.rows ?? [], 'pat-5').map((r) => r.modelCounts)).toEqual([true, true]);
    expect(of(active?.rows ?? [], 'pat-6').map((r) => r.modelCounts)).toEqual([false]);
    expect(read.skipped).toEqual([{ reason: 'not scored (no-vitals)', count: 1 }]);
    expect(read.withoutEstimate).toEqual([{ reason: 'model insufficient-data', count: 1 }]);
    expect(read.services).toEqual([
      { service: 'deterioration-risk', records: 11, evaluated: true },
      { service: 'sedation-safety', records: 1, evaluated: false },
    ]);
    expect(read.outcomePatientsMatched).toBe(2);
  });
});

describe('a candidate beside the primary in the trail', () => {
  it('evaluates both versions on the same calls, each in the mode it ran in', async () => {
    const base = record({ patient: 'pat-1', hour: 0, news2: 5, risk: 'medium', indicator: 'warning' }, 0);
    const entry = (version: string, role: 'primary' | 'candidate', mode: 'silent' | 'active', probability: number) =>
      ({ name: 'vigil-deterioration', version, role, mode, shown: mode === 'active', probability, band: 'low', status: 'used' }) as const;
    // A canary patient (the candidate serving, the primary silent) and another (the reverse).
    const canary: AuditRecord = {
      ...base,
      model: entry('2.1.0', 'candidate', 'active', 0.2),
      models: [entry('2.1.0', 'candidate', 'active', 0.2), entry('2.0.0', 'primary', 'silent', 0.3)],
    };
    const other: AuditRecord = {
      ...base,
      patient: hash('pat-2'),
      model: entry('2.0.0', 'primary', 'active', 0.1),
      models: [entry('2.0.0', 'primary', 'active', 0.1), entry('2.1.0', 'candidate', 'silent', 0.05)],
    };
    const outcomes = new OutcomeIndex();
    outcomes.add({ patient: hash('pat-1'), at: T0 + 5 * HOUR, event: 'death' });
    outcomes.seal();
    async function* trail() {
      yield canary;
      yield other;
    }
    const read = await readPilot(trail(), outcomes, { windowHours: 24, service: 'deterioration-risk' });
    expect(read.groups.map((g) => [g.version, g.mode, g.calls, g.rows.map((r) => [r.probability, r.label])])).toEqual([
      ['2.0.0', 'active', 1, [[0.1, false]]],
      ['2.0.0', 'silent', 1, [[0.3, true]]],
      ['2.1.0', 'active', 1, [[0.2, true]]],
      ['2.1.0', 'silent', 1, [[0.05, false]]],
    ]);
  });
});

describe('npm run validate -- --audit', () => {
  it(
    'reports silent and active side by side from plain-id outcomes hashed with --key-file, and no id or hash reaches the report',
    async () => {
      const out = join(dataDir, 'report');
      await validate([
        '--audit',
        join(dataDir, 'audit'),
        '--outcomes',
        join(dataDir, 'outcomes.csv'),
        '--key-file',
        join(dataDir, 'audit.key'),
        '--bootstrap',
        '50',
        '--out',
        out,
      ]);
      const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
      expect(report.kind).toBe('audit');
      expect(
        report.groups.map((g: { version: string; mode: string; evaluation: { rows: number; positives: number } }) => [
          g.version,
          g.mode,
          g.evaluation.rows,
          g.evaluation.positives,
        ]),
      ).toEqual([
        ['2.0.0', 'silent', 6, 2],
        ['2.1.0', 'active', 3, 1],
      ]);
      const silent = report.groups[0].evaluation.bands[0];
      // Warning or above: NEWS2 warns on pat-1 at 0, 4, 6 (two right); the silent model would add pat-3 (wrong).
      expect(silent.news2).toMatchObject({ alerts: 3, sensitivity: { value: 1 } });
      expect(silent.served).toMatchObject({ alerts: 4, ppv: { value: 0.5 } });
      expect(silent.added).toMatchObject({ alerts: 1, ppv: { value: 0 } });
      expect(silent.shown).toMatchObject({ alerts: 3 });
      const markdown = await readFile(join(out, 'report.md'), 'utf8');
      expect(markdown).toContain('## Side by side (site data)');
      expect(markdown).toContain('1: vigil-deterioration 2.0.0 (silent)');
      expect(markdown).toContain('2: vigil-deterioration 2.1.0 (active)');
      expect((await readdir(out)).sort()).toEqual([
        'calibration-1.svg',
        'calibration-2.svg',
        'report.json',
        'report.md',
        'roc-1.svg',
        'roc-2.svg',
      ]);
      const everything = (await Promise.all((await readdir(out)).map((n) => readFile(join(out, n), 'utf8')))).join('\n');
      for (const id of ['pat-1', 'pat-5', hash('pat-1'), hash('pat-5'), 'hmac-sha256:']) expect(everything).not.toContain(id);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'keys an outcome list with --hash-outcomes, which then joins without the key; unkeyed ids match no one, and the report says so',
    async () => {
      const hashed = join(dataDir, 'outcomes-hashed.csv');
      const { stdout } = await validate([
        '--hash-outcomes',
        '--key-file',
        join(dataDir, 'audit.key'),
        '--outcomes',
        join(dataDir, 'outcomes.csv'),
        '--out',
        hashed,
      ]);
      expect(stdout).toContain('2 outcome rows keyed');
      const text = await readFile(hashed, 'utf8');
      expect(text).toContain(hash('pat-1'));
      expect(text).not.toMatch(/pat-\d/);

      const keyed = join(dataDir, 'report-hashed');
      await validate(['--audit', dataDir, '--outcomes', hashed, '--bootstrap', '20', '--out', keyed]);
      const report = JSON.parse(await readFile(join(keyed, 'report.json'), 'utf8'));
      expect(report.groups.map((g: { evaluation: { positives: number } }) => g.evaluation.positives)).toEqual([2, 1]);

      const plain = join(dataDir, 'report-plain');
      await validate(['--audit', dataDir, '--outcomes', join(dataDir, 'outcomes.csv'), '--bootstrap', '20', '--out', plain]);
      expect(await readFile(join(plain, 'report.md'), 'utf8')).toContain('none match');
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'refuses a key file that cannot be the audit key',
    async () => {
      await writeFile(join(dataDir, 'short.key'), 'too-short\n');
      await expect(
        validate(['--hash-outcomes', '--key-file', join(dataDir, 'short.key'), '--outcomes', join(dataDir, 'outcomes.csv')]),
      ).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining('at least 32 characters'),
      });
    },
    CHILD_TIMEOUT_MS,
  );
});
