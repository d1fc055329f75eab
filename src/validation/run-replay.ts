// Local validation by replay, the I/O edge: streams the export files (gzip or not) line by line,
// keeps what Vigil reads grouped by patient (export-lines.ts, patient-groups.ts), reads the outcome
// list, replays every patient's charting times through the normaliser and scorer (replay.ts) and
// labels each moment with "an outcome event within the window after it". What was skipped, and why,
// is counted at every step; patient ids never leave this module except inside the rows it returns.
import { basename } from 'node:path';
import { stat } from 'node:fs/promises';
import type { FhirResource } from '../fhir/resources.js';
import type { DeteriorationScorer } from '../models/scorer.js';
import type { EvaluationRow } from './evaluate.js';
import { readExportLine } from './export-lines.js';
import { isGzip, readLines } from './lines.js';
import { auroc } from './metrics.js';
import { outcomeLineReader, OutcomeIndex } from './outcomes.js';
import { PatientGroups } from './patient-groups.js';
import { replayPatient } from './replay.js';
import { Tally, type TallyRow } from './tally.js';
import { withFields } from '../lang/with-fields.js';

export interface ReplaySources {
  /** Export files (NDJSON, gzip or not); any file may hold any resource type. */
  exportFiles: readonly string[];
  /** Outcome lists (CSV with a header, or NDJSON). */
  outcomeFiles: readonly string[];
}

export interface ReplaySettings {
  scorer: DeteriorationScorer;
  staleAfterHours: number;
  /** The model's outcome window: a moment is positive when an event follows within it. */
  windowHours: number;
  /** How much of the export is grouped in memory at once (bytes of input, gzip counted unpacked). */
  partitionBytes: number;
  /** Replay only the first N patients (in id order) who have Observations. */
  maxPatients?: number;
  /** Count only these outcome events (default: every row). */
  events?: readonly string[];
}

export interface ReadingSummary {
  files: { name: string; lines: number }[];
  lines: number;
  kept: { observations: number; patients: number; goals: number };
  skipped: TallyRow[];
  /** Resources marked as test data (security label HTEST), and resources read in all. */
  testData: number;
  resources: number;
  partitions: number;
}

export interface OutcomeSummary {
  files: { name: string; lines: number }[];
  rows: number;
  skipped: TallyRow[];
  /** Rows per event name, and whether each counted (--events). */
  events: { event: string; rows: number; counted: boolean }[];
  patients: number;
  /** Patients on the outcome list with no Observation in the export (a mismatch of ids, or patients never charted). */
  patientsWithoutObservations: number;
}

export interface MomentSummary {
  patients: number;
  patientsReplayed: number;
  /** Replayed patients with no Patient resource (no birth date: the model imputes age). */
  patientsWithoutPatientResource: number;
  /** Charting times replayed in all. */
  chartingTimes: number;
  /** … of which had no fresh vital sign to score. */
  notScored: number;
  /** Scored moments (NEWS2), and of those the ones the model also scored. */
  scored: number;
  modelScored: number;
  /** Why the model gave no estimate on the other scored moments. */
  modelDeclined: TallyRow[];
  /** NEWS2 on every scored moment, the model's declines included (no interval). */
  news2AllMoments: { rows: number; positives: number; auroc: number };
}

export interface ReplayRun {
  reading: ReadingSummary;
  outcomes: OutcomeSummary;
  moments: MomentSummary;
  /** Moments the model scored, sorted by patient then time. */
  rows: EvaluationRow[];
}

/** gzip packs JSON about tenfold: for sizing memory, a .gz file counts this many times its size. */
const GZIP_EXPANSION = 10;

async function expectedBytes(files: readonly string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += (await stat(file)).size * ((await isGzip(file)) ? GZIP_EXPANSION : 1);
  return total;
}

/** `keyOf` re-keys each row's patient (the silent pilot hashes plain ids with the audit key). */
export async function readOutcomes(
  files: readonly string[],
  events: readonly string[] | undefined,
  keyOf?: (patient: string) => string,
): Promise<{ index: OutcomeIndex; summary: Omit<OutcomeSummary, 'patientsWithoutObservations'> }> {
  const index = new OutcomeIndex();
  const skipped = new Tally();
  const byEvent = new Map<string, number>();
  const summaryFiles: OutcomeSummary['files'] = [];
  let rows = 0;
  for (const file of files) {
    const read = outcomeLineReader();
    let lines = 0;
    for await (const line of readLines(file)) {
      lines++;
      const result = read(line);
      if (result.kind === 'skip') skipped.add(result.reason);
      if (result.kind !== 'row') continue;
      rows++;
      byEvent.set(result.row.event, (byEvent.get(result.row.event) ?? 0) + 1);
      const row = keyOf === undefined ? result.row : withFields(result.row, { patient: keyOf(result.row.patient) });
      if (events === undefined || events.includes(row.event)) index.add(row);
    }
    summaryFiles.push({ name: basename(file), lines });
  }
  index.seal();
  return {
    index,
    summary: {
      files: summaryFiles,
      rows,
      skipped: skipped.rows(),
      events: [...byEvent.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .map(([event, n]) => ({ event, rows: n, counted: events === undefined || events.includes(event) })),
      patients: index.patients.size,
    },
  };
}

export async function runReplay(sources: ReplaySources, settings: ReplaySettings): Promise<ReplayRun> {
  const groups = new PatientGroups(await expectedBytes(sources.exportFiles), settings.partitionBytes);
  const patients = new Map<string, FhirResource>();
  const observed = new Set<string>();
  const skipped = new Tally();
  const files: ReadingSummary['files'] = [];
  const kept = { observations: 0, patients: 0, goals: 0 };
  let lines = 0;
  let testData = 0;
  let resources = 0;
  try {
    for (const file of sources.exportFiles) {
      let fileLines = 0;
      for await (const line of readLines(file)) {
        fileLines++;
        const read = readExportLine(line);
        if (read.kind === 'blank') continue;
        // A line that is not a FHIR resource carries no test-data label either way.
        if (read.testData !== undefined) resources++;
        if (read.testData === true) testData++;
        switch (read.kind) {
          case 'skip':
            skipped.add(read.reason);
            break;
          case 'patient':
            if (patients.has(read.patient)) skipped.add('Patient id seen before (the later line is used)');
            patients.set(read.patient, read.resource);
            kept.patients++;
            break;
          case 'observation':
            observed.add(read.patient);
            kept.observations++;
            await groups.addObservation(read.patient, read.at, read.resource);
            break;
          case 'goal':
            kept.goals++;
            await groups.addGoal(read.patient, read.resource);
            break;
        }
      }
      files.push({ name: basename(file), lines: fileLines });
      lines += fileLines;
    }

    const outcomes = await readOutcomes(sources.outcomeFiles, settings.events);
    const chosen = new Set([...observed].sort().slice(0, settings.maxPatients ?? observed.size));
    const summary: MomentSummary = {
      patients: observed.size,
      patientsReplayed: 0,
      patientsWithoutPatientResource: 0,
      chartingTimes: 0,
      notScored: 0,
      scored: 0,
      modelScored: 0,
      modelDeclined: [],
      news2AllMoments: { rows: 0, positives: 0, auroc: Number.NaN },
    };
    const declined = new Tally();
    const rows: EvaluationRow[] = [];
    const allNews2: number[] = [];
    const allLabels: boolean[] = [];
    for await (const group of groups.groups()) {
      if (!chosen.has(group.patient)) continue;
      const patient = patients.get(group.patient);
      summary.patientsReplayed++;
      if (patient === undefined) summary.patientsWithoutPatientResource++;
      const replay = await replayPatient(group, patient, settings);
      summary.notScored += replay.notScored;
      summary.chartingTimes += replay.notScored + replay.moments.length;
      for (const m of replay.moments) {
        const label = outcomes.index.eventWithin(m.patient, m.at, settings.windowHours);
        summary.scored++;
        allNews2.push(m.news2Total);
        allLabels.push(label);
        if (m.probability === undefined || m.modelBand === undefined) {
          declined.add(m.modelDeclined ?? 'no model');
          continue;
        }
        summary.modelScored++;
        rows.push({
          patient: m.patient,
          at: m.at,
          label,
          news2Total: m.news2Total,
          news2Risk: m.news2Risk,
          probability: m.probability,
          modelBand: m.modelBand,
          modelCounts: m.modelShown,
        });
      }
    }
    summary.modelDeclined = declined.rows();
    summary.news2AllMoments = { rows: allNews2.length, positives: allLabels.filter(Boolean).length, auroc: auroc(allNews2, allLabels) };
    // Patient order, then time: the bootstrap's draw follows row order, so partitioning cannot change a number.
    rows.sort((a, b) => (a.patient < b.patient ? -1 : a.patient > b.patient ? 1 : a.at - b.at));
    const patientsWithoutObservations = [...outcomes.index.patients].filter((p) => !observed.has(p)).length;
    return {
      reading: { files, lines, kept, skipped: skipped.rows(), testData, resources, partitions: groups.partitionCount },
      outcomes: withFields(outcomes.summary, { patientsWithoutObservations }),
      moments: summary,
      rows,
    };
  } finally {
    await groups.close();
  }
}
