// `npm run validate`: local validation before go-live. Three uses (README, "Validating locally before go-live"):
//
//   npm run validate                         the shipped synthetic export (validation-export/), out of the box
//   npm run validate -- --observations <ndjson|dir> [--patients <ndjson>] --outcomes <csv|ndjson> [--out <dir>]
//                                            replays a site's FHIR Bulk Data export through Vigil's normaliser and scorer
//   npm run validate -- --audit <dir> --outcomes <csv|ndjson> [--key-file <file>]
//                                            the silent pilot: Vigil's audit trail joined with outcomes by patient hash
//   npm run validate -- --hash-outcomes --key-file <file> --outcomes <csv> [--out <file>]
//                                            keys an outcome list with the audit HMAC, for the pilot join
//
// Writes report.md, report.json and SVG pictures into --out (default validation-report/).
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createFileAuditStore } from '../src/audit/audit-store.js';
import { patientHasher } from '../src/audit/patient-hash.js';
import { SHIPPED_MODEL_PATH } from '../src/models/create-scorer.js';
import { createModelScorer } from '../src/models/model-scorer.js';
import { loadOnnxModel, readModelMetadata } from '../src/models/onnx-model.js';
import { DEFAULT_PILOT_SERVICE, readPilot } from '../src/validation/audit-pilot.js';
import { evaluate } from '../src/validation/evaluate.js';
import { exportFiles, readLines } from '../src/validation/lines.js';
import { outcomeLineReader } from '../src/validation/outcomes.js';
import { renderPilotReport, type PilotReport } from '../src/validation/pilot-report.js';
import { dataLabel } from '../src/validation/report-format.js';
import { renderReplayReport, replayDataLabel, type ReportFiles } from '../src/validation/replay-report.js';
import { readOutcomes, runReplay } from '../src/validation/run-replay.js';
import { EXPORT_FILES, SYNTHETIC_EXPORT } from './lib/synthetic-export.js';

const DEFAULTS = {
  out: 'validation-report',
  /** The service's own default (VIGIL_STALE_AFTER_HOURS). */
  staleAfterHours: 12,
  bootstrap: 1000,
  seed: 20251127,
  partitionMb: 256,
} as const;

class UsageError extends Error {
  readonly code = 'VIGIL_VALIDATE_USAGE';
}

function parseOptions() {
  try {
    return parseArgs({
      options: {
        observations: { type: 'string', multiple: true },
        patients: { type: 'string', multiple: true },
        outcomes: { type: 'string', multiple: true },
        out: { type: 'string' },
        model: { type: 'string' },
        'stale-after-hours': { type: 'string' },
        'window-hours': { type: 'string' },
        bootstrap: { type: 'string' },
        seed: { type: 'string' },
        'max-patients': { type: 'string' },
        events: { type: 'string' },
        'data-label': { type: 'string' },
        'partition-mb': { type: 'string' },
        audit: { type: 'string' },
        service: { type: 'string' },
        'key-file': { type: 'string' },
        'hash-outcomes': { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    // Unknown or malformed options: say which, as every other usage error does.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

let values: ReturnType<typeof parseOptions> = {};

function number(name: string, fallback: number, test: (n: number) => boolean, rule: string): number {
  const text = values[name as keyof typeof values];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (typeof text !== 'string' || text.trim() === '' || !test(n)) throw new UsageError(`--${name} must be ${rule}, got "${String(text)}"`);
  return n;
}
const positive = (n: number) => Number.isFinite(n) && n > 0;
/** --events a,b: only these outcome events count; absent, every row does. */
const eventsOption = () =>
  values.events
    ?.split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
const wholeAtLeast = (least: number) => (n: number) => Number.isSafeInteger(n) && n >= least;

async function readKey(file: string | undefined): Promise<string> {
  if (file === undefined)
    throw new UsageError("--key-file is required: the file holding the audit trail's HMAC key (VIGIL_AUDIT_HMAC_KEY)");
  const key = (await readFile(file, 'utf8')).trim();
  // The service refuses a shorter key (config.ts), so a shorter one cannot be the audit trail's.
  if (key.length < 32) throw new UsageError('--key-file must hold the audit HMAC key: at least 32 characters');
  return key;
}

async function writeReport(dir: string, files: ReportFiles): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
}

/** The data directory holding audit/, given either it or the audit directory itself. */
async function auditDataDir(dir: string): Promise<string> {
  const found = await access(join(dir, 'audit')).then(
    () => true,
    () => false,
  );
  if (found) return dir;
  if (basename(resolve(dir)) === 'audit') return dirname(resolve(dir));
  throw new UsageError(`--audit ${dir}: no audit/ directory there (give VIGIL_DATA_DIR or its audit/ directory)`);
}

async function hashOutcomes(): Promise<string> {
  const hash = patientHasher(await readKey(values['key-file']));
  const inputs = values.outcomes ?? [];
  if (inputs.length === 0) throw new UsageError('--outcomes is required with --hash-outcomes');
  const rows: string[] = ['patient,time,event'];
  let skipped = 0;
  for (const file of inputs) {
    const read = outcomeLineReader();
    for await (const line of readLines(file)) {
      const r = read(line);
      if (r.kind === 'skip') skipped++;
      if (r.kind !== 'row') continue;
      const event = r.row.event.includes(',') || r.row.event.includes('"') ? `"${r.row.event.replace(/"/g, '""')}"` : r.row.event;
      rows.push(`${hash(r.row.patient)},${new Date(r.row.at).toISOString()},${event}`);
    }
  }
  const out = resolve(values.out ?? 'outcomes-hashed.csv');
  await writeFile(out, `${rows.join('\n')}\n`, { mode: 0o600 });
  return `${out}: ${rows.length - 1} outcome rows keyed with the audit HMAC (${skipped} unreadable rows skipped)`;
}

async function modelMetadata(path: string) {
  try {
    return readModelMetadata(await readFile(path));
  } catch (error) {
    throw new UsageError(`--model ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function pilot(settings: { bootstrap: number; seed: number; out: string }): Promise<string> {
  const auditDir = values.audit ?? '';
  const dataDir = await auditDataDir(auditDir);
  const outcomeFiles = values.outcomes ?? [];
  if (outcomeFiles.length === 0) throw new UsageError('--outcomes is required: the outcome list (patient, time, event)');
  const metadata = await modelMetadata(values.model ?? SHIPPED_MODEL_PATH);
  const windowHours = number('window-hours', metadata.outcomeWindowHours, positive, 'a positive number of hours');
  const service = values.service ?? DEFAULT_PILOT_SERVICE;
  // Outcomes keyed by plain ids are keyed here when the key is given; the ids never leave this process.
  const hash = values['key-file'] !== undefined ? patientHasher(await readKey(values['key-file'])) : undefined;
  const outcomes = await readOutcomes(outcomeFiles, eventsOption(), hash && ((p) => (p.startsWith('hmac-sha256:') ? p : hash(p))));
  const store = createFileAuditStore(dataDir);
  try {
    const read = await readPilot(store.read(), outcomes.index, { windowHours, service });
    const { groups, ...audit } = read;
    const report: PilotReport = {
      kind: 'audit',
      generatedAt: new Date().toISOString(),
      dataLabel: dataLabel(
        values['data-label'] ?? 'site',
        values['data-label'] !== undefined ? 'Labelled by whoever ran the evaluation (--data-label).' : 'Read from a Vigil audit trail.',
      ),
      settings: {
        auditDir: basename(resolve(auditDir)),
        service,
        windowHours,
        bootstrapReplicates: settings.bootstrap,
        seed: settings.seed,
      },
      audit,
      outcomes: outcomes.summary,
      groups: groups
        .filter((g) => g.rows.length > 0)
        .map((g) => ({
          name: g.name,
          version: g.version,
          mode: g.mode,
          calls: g.calls,
          evaluation: evaluate(g.rows, { bootstrapReplicates: settings.bootstrap, seed: settings.seed }),
        })),
    };
    await writeReport(settings.out, renderPilotReport(report));
    const summary = report.groups.map(
      (g) =>
        `${g.name} ${g.version} (${g.mode}): ${g.evaluation.rows} calls, AUROC model ${g.evaluation.ranking.model?.auroc.value.toFixed(3)} vs NEWS2 ${g.evaluation.ranking.news2?.auroc.value.toFixed(3)}`,
    );
    return `${settings.out}/report.md: ${read.records} audit records; ${summary.join('; ') || 'no call carried a model estimate'}`;
  } finally {
    await store.close();
  }
}

async function replay(settings: { bootstrap: number; seed: number; out: string }): Promise<string> {
  const shipped = values.observations === undefined;
  if (shipped && (values.patients !== undefined || values.outcomes !== undefined)) {
    throw new UsageError(
      '--observations is required when --patients or --outcomes is given (without all three, the shipped synthetic export is used)',
    );
  }
  const exportArgs = shipped
    ? [join(SYNTHETIC_EXPORT.dir, EXPORT_FILES.patients), join(SYNTHETIC_EXPORT.dir, EXPORT_FILES.observations)]
    : [...(values.patients ?? []), ...(values.observations ?? [])];
  const outcomeFiles = shipped ? [join(SYNTHETIC_EXPORT.dir, EXPORT_FILES.outcomes)] : (values.outcomes ?? []);
  if (outcomeFiles.length === 0) throw new UsageError('--outcomes is required: the outcome list (patient, time, event)');
  const files = (await Promise.all(exportArgs.map(exportFiles))).flat();
  if (files.length === 0) throw new UsageError('no .ndjson, .ndjson.gz or .jsonl file found in the export given');

  const modelPath = values.model ?? SHIPPED_MODEL_PATH;
  await modelMetadata(modelPath);
  const model = await loadOnnxModel(modelPath);
  // Active mode, so the replay knows where an estimate would be shown; no breaker trips, no cache expiry.
  const scorer = createModelScorer({
    model,
    mode: 'active',
    settings: {
      cacheSize: 100_000,
      cacheTtlMs: 24 * 3_600_000,
      timeoutMs: 10_000,
      errorThresholdPercent: 100,
      volumeThreshold: Number.MAX_SAFE_INTEGER,
      resetMs: 1_000,
    },
  });
  try {
    const staleAfterHours = number('stale-after-hours', DEFAULTS.staleAfterHours, positive, 'a positive number of hours');
    const windowHours = number('window-hours', model.metadata.outcomeWindowHours, positive, 'a positive number of hours');
    const maxPatients =
      values['max-patients'] === undefined ? undefined : number('max-patients', 0, wholeAtLeast(1), 'a whole number of at least 1');
    const events = eventsOption();
    const started = performance.now();
    const run = await runReplay(
      { exportFiles: files, outcomeFiles },
      {
        scorer,
        staleAfterHours,
        windowHours,
        partitionBytes: number('partition-mb', DEFAULTS.partitionMb, positive, 'a positive number of megabytes') * 2 ** 20,
        ...(maxPatients !== undefined ? { maxPatients } : {}),
        ...(events !== undefined ? { events } : {}),
      },
    );
    const replayed = performance.now();
    const evaluation = evaluate(run.rows, { bootstrapReplicates: settings.bootstrap, seed: settings.seed });
    const { name, version, outcome, outcomeWindowHours, thresholds, trainingData } = model.metadata;
    const files_ = renderReplayReport({
      kind: 'replay',
      generatedAt: new Date().toISOString(),
      dataLabel: replayDataLabel(run.reading, values['data-label']),
      settings: {
        modelFile: basename(modelPath),
        staleAfterHours,
        windowHours,
        bootstrapReplicates: settings.bootstrap,
        seed: settings.seed,
        ...(maxPatients !== undefined ? { maxPatients } : {}),
        ...(events !== undefined ? { events } : {}),
      },
      model: { name, version, outcome, outcomeWindowHours, thresholds, ...(trainingData !== undefined ? { trainingData } : {}) },
      // Counts and statistics only: run.rows carries patient ids and never reaches a report.
      reading: run.reading,
      outcomes: run.outcomes,
      moments: run.moments,
      evaluation,
    });
    await writeReport(settings.out, files_);
    const seconds = (t: number) => (t / 1000).toFixed(1);
    const r = evaluation.ranking;
    return (
      `${settings.out}/report.md: ${shipped ? 'the shipped SYNTHETIC export, ' : ''}${run.reading.lines} lines read, ${run.moments.patientsReplayed} patients, ` +
      `${evaluation.rows} moments (${evaluation.positives} positive); AUROC model ${r.model?.auroc.value.toFixed(3)}, NEWS2 ${r.news2?.auroc.value.toFixed(3)}, ` +
      `served ${r.served?.auroc.value.toFixed(3)}; read and replay ${seconds(replayed - started)} s, metrics ${seconds(performance.now() - replayed)} s`
    );
  } finally {
    await scorer.close();
  }
}

try {
  values = parseOptions();
  const out = resolve(values.out ?? DEFAULTS.out);
  const settings = {
    bootstrap: number('bootstrap', DEFAULTS.bootstrap, wholeAtLeast(1), 'a whole number of replicates, at least 1'),
    seed: number('seed', DEFAULTS.seed, wholeAtLeast(0), 'a whole number'),
    out,
  };
  const message =
    values['hash-outcomes'] === true ? await hashOutcomes() : values.audit !== undefined ? await pilot(settings) : await replay(settings);
  process.stdout.write(`${message}\n`);
} catch (error) {
  const code = (error as { code?: string }).code;
  if (error instanceof UsageError || code?.startsWith('VIGIL_')) {
    process.stderr.write(`validate: ${(error as Error).message}\n`);
    process.exit(2);
  }
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    process.stderr.write(`validate: cannot read ${(error as { path?: string }).path ?? 'a file given'} (${code})\n`);
    process.exit(2);
  }
  throw error;
}
