import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRulesScorer } from '../../src/models/rules-scorer.js';
import { createModelScorer } from '../../src/models/model-scorer.js';
import type { LoadedModel } from '../../src/models/onnx-model.js';
import { readExportLine } from '../../src/validation/export-lines.js';
import type { PatientGroup } from '../../src/validation/patient-groups.js';
import { replayPatient } from '../../src/validation/replay.js';
import { runReplay, type ReplaySettings } from '../../src/validation/run-replay.js';
import { buildSyntheticExport, outcomesCsv, toNdjson } from '../../training/fhir-export.js';
import { loadShipped } from '../models/support.js';
import { HAND_MADE_LABELS, HAND_MADE_MOMENTS, HAND_MADE_OUTCOMES, handMadeExport } from './hand-made-export.js';

let dir: string;
let model: LoadedModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-replay-'));
  model = await loadShipped();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await model.release();
});

const SCORER_SETTINGS = {
  cacheSize: 1000,
  cacheTtlMs: 60_000,
  timeoutMs: 10_000,
  errorThresholdPercent: 100,
  volumeThreshold: 1e9,
  resetMs: 1000,
};

function handMadeGroup(): { group: PatientGroup; patient: Record<string, unknown> | undefined } {
  const group: PatientGroup = { patient: 'p1', observations: [], goals: [] };
  let patient: Record<string, unknown> | undefined;
  for (const line of handMadeExport()) {
    const read = readExportLine(line);
    if (read.kind === 'observation') group.observations.push({ at: read.at, resource: read.resource });
    if (read.kind === 'patient') patient = read.resource;
  }
  return { group, patient };
}

describe("replaying one patient's chart", () => {
  it('scores NEWS2 at every charting time as the service would have then, with 12 h staleness', async () => {
    const { group, patient } = handMadeGroup();
    const replay = await replayPatient(group, patient as never, { scorer: createRulesScorer(), staleAfterHours: 12 });
    expect(replay.notScored).toBe(0);
    expect(
      replay.moments.map((m) => ({
        time: new Date(m.at).toISOString().replace('.000', ''),
        news2: m.news2Total,
        risk: m.news2Risk,
        partial: m.news2Partial,
      })),
    ).toEqual(HAND_MADE_MOMENTS);
  });

  it('keeps values fresh for longer with a longer staleness, as VIGIL_STALE_AFTER_HOURS would', async () => {
    const { group, patient } = handMadeGroup();
    const replay = await replayPatient(group, patient as never, { scorer: createRulesScorer(), staleAfterHours: 24 });
    const at21 = replay.moments[2];
    expect(at21).toMatchObject({ news2Total: 6, news2Partial: false });
  });

  it.each([
    ['in force that day', '2025-03-01', [0, 4, 6, 6]],
    ['starting the next day', '2025-03-02', [0, 4, 6, 9]],
  ])("reads an SpO2 target Goal %s: 21:03's SpO2 91 scores 0 on scale 2 once it is in force, else 3", async (_name, startDate, totals) => {
    const { group, patient } = handMadeGroup();
    const target = {
      measure: { coding: [{ system: 'http://loinc.org', code: '59408-5' }] },
      detailRange: { low: { value: 88, unit: '%' }, high: { value: 92, unit: '%' } },
    };
    group.goals.push({ resourceType: 'Goal', lifecycleStatus: 'active', startDate, target: [target] });
    const replay = await replayPatient(group, patient as never, { scorer: createRulesScorer(), staleAfterHours: 12 });
    expect(replay.moments.map((m) => m.news2Total)).toEqual(totals);
  });

  it('asks the model too, and knows where its estimate would be on the card', async () => {
    const { group, patient } = handMadeGroup();
    const scorer = createModelScorer({ model, mode: 'active', settings: SCORER_SETTINGS });
    const replay = await replayPatient(group, patient as never, { scorer, staleAfterHours: 12 });
    const [at08, at12, at21] = replay.moments;
    // 08:00 and 12:00: all eight inputs charted (age from the birth date), so the estimate is shown.
    expect(at08).toMatchObject({ modelShown: true, modelBand: 'low' });
    expect(at08?.probability).toBeGreaterThan(0);
    expect(at12?.probability).toBeGreaterThan(at08?.probability ?? 1);
    // 21:00: four of seven NEWS2 inputs are stale, more than the model may impute.
    expect(at21).toMatchObject({ modelShown: false, modelDeclined: 'insufficient-data' });
    expect(at21?.probability).toBeUndefined();
  });
});

describe('replaying an export from files', () => {
  const settings = (extra: Partial<ReplaySettings> = {}): ReplaySettings => ({
    scorer: createModelScorer({ model, mode: 'active', settings: SCORER_SETTINGS }),
    staleAfterHours: 12,
    windowHours: 24,
    partitionBytes: 256 * 2 ** 20,
    ...extra,
  });

  it('labels each moment by an outcome within the window and counts every skipped line by its reason', async () => {
    const exportFile = join(dir, 'hand-made.ndjson');
    const outcomes = join(dir, 'hand-made-outcomes.csv');
    await writeFile(exportFile, handMadeExport().join('\n'));
    await writeFile(outcomes, HAND_MADE_OUTCOMES);
    const run = await runReplay({ exportFiles: [exportFile], outcomeFiles: [outcomes] }, settings());

    expect(run.reading.kept).toEqual({ observations: 11, patients: 1, goals: 0 });
    expect(run.reading.skipped).toEqual([
      { reason: 'Encounter: not read (Vigil reads Observation, Patient and Goal)', count: 1 },
      { reason: 'Observation status entered-in-error: never scored', count: 1 },
      { reason: 'Observation unverified (status preliminary, unknown or none): never scored', count: 1 },
      { reason: 'not JSON', count: 1 },
    ]);
    expect(run.outcomes).toMatchObject({ rows: 2, patients: 2, patientsWithoutObservations: 1 });
    expect(run.moments).toMatchObject({
      patients: 1,
      chartingTimes: 4,
      scored: 4,
      modelScored: 2,
      modelDeclined: [{ reason: 'insufficient-data', count: 2 }],
    });
    // The model scores 08:00 and 12:00; at 21:00 and 21:03 too many inputs are stale for it. Labels as worked out by hand.
    expect(run.rows.map((r) => [new Date(r.at).toISOString().slice(11, 16), r.label])).toEqual([
      ['08:00', HAND_MADE_LABELS[0]],
      ['12:00', HAND_MADE_LABELS[1]],
    ]);
    expect(run.moments.news2AllMoments).toMatchObject({ rows: 4, positives: 3 });
  });

  it('gives the same rows whether the export is grouped in memory or through partition files', async () => {
    const built = buildSyntheticExport({ seed: 11, patients: 40 });
    const observations = join(dir, 'small-Observation.ndjson.gz');
    const patients = join(dir, 'small-Patient.ndjson');
    const outcomes = join(dir, 'small-outcomes.csv');
    await writeFile(observations, gzipSync(toNdjson(built.observations)));
    await writeFile(patients, toNdjson(built.patients));
    await writeFile(outcomes, outcomesCsv(built.outcomes));
    const sources = { exportFiles: [patients, observations], outcomeFiles: [outcomes] };
    const inMemory = await runReplay(sources, settings());
    const partitioned = await runReplay(sources, settings({ partitionBytes: 64 * 1024 }));
    expect(inMemory.reading.partitions).toBe(1);
    expect(partitioned.reading.partitions).toBeGreaterThan(5);
    expect(inMemory.rows.length).toBeGreaterThan(100);
    expect(partitioned.rows).toEqual(inMemory.rows);
    expect(partitioned.moments).toEqual(inMemory.moments);
  });

  it('replays only the first patients when asked, in id order', async () => {
    const built = buildSyntheticExport({ seed: 12, patients: 10 });
    const file = join(dir, 'ten.ndjson');
    const outcomes = join(dir, 'ten-outcomes.csv');
    await writeFile(file, toNdjson([...built.patients, ...built.observations]));
    await writeFile(outcomes, outcomesCsv(built.outcomes));
    const run = await runReplay({ exportFiles: [file], outcomeFiles: [outcomes] }, settings({ maxPatients: 3 }));
    const firstThree = built.patients
      .map((p) => (p as { id: string }).id)
      .sort()
      .slice(0, 3);
    expect(run.moments).toMatchObject({ patients: 10, patientsReplayed: 3 });
    expect(new Set(run.rows.map((r) => r.patient))).toEqual(new Set(firstThree));
  });
});
