// The validation report of a replayed export: a JSON document with every number, and the Markdown a
// reviewer reads (with its SVG pictures), both made from the same object so they cannot disagree.
// Patient ids never appear: only counts and statistics.
import { BAND_OFF, type ModelMetadata } from '../models/model-metadata.js';
import type { Evaluation } from './evaluate.js';
import {
  BAND_TITLES,
  bandTable,
  calibrationTable,
  count,
  dataLabel,
  discriminationTable,
  fixed,
  pct,
  signed,
  skippedTable,
  type DataLabel,
} from './report-format.js';
import type { MomentSummary, OutcomeSummary, ReadingSummary } from './run-replay.js';
import { calibrationSvg, distributionSvg, rocSvg } from './svg.js';

export interface ReplaySettingsUsed {
  modelFile: string;
  staleAfterHours: number;
  windowHours: number;
  bootstrapReplicates: number;
  seed: number;
  maxPatients?: number;
  events?: readonly string[];
}

export interface ReplayReport {
  kind: 'replay';
  generatedAt: string;
  dataLabel: DataLabel;
  settings: ReplaySettingsUsed;
  model: Pick<ModelMetadata, 'name' | 'version' | 'outcome' | 'outcomeWindowHours' | 'thresholds' | 'trainingData'>;
  reading: ReadingSummary;
  outcomes: OutcomeSummary;
  moments: MomentSummary;
  evaluation: Evaluation;
}

export interface ReportFiles {
  /** File name → contents, written into the report directory. */
  [name: string]: string;
}

/** Synthetic when any resource read carries the HTEST label, unless the caller names the data. */
export function replayDataLabel(reading: ReadingSummary, given: string | undefined): DataLabel {
  if (given !== undefined) return dataLabel(given, 'Labelled by whoever ran the validation (--data-label).');
  return reading.testData > 0
    ? dataLabel(
        'synthetic',
        `${count(reading.testData)} of ${count(reading.resources)} resources read are marked as test data (security label HTEST).`,
      )
    : dataLabel('site', 'No resource read is marked as test data.');
}

const bandState = (t: number) => (t === BAND_OFF ? 'off' : `p ≥ ${t}`);

export function renderReplayReport(report: ReplayReport): ReportFiles {
  const e = report.evaluation;
  const label = report.dataLabel.word;
  const m = report.model;
  const modelLabel = `${m.name} ${m.version}`;
  const subtitle = `${label} data · ${count(e.rows)} moments of ${count(e.patients)} patients`;
  const files: ReportFiles = {
    'report.json': `${JSON.stringify(report, null, 2)}\n`,
    'roc.svg': rocSvg(`ROC curves (${label} data)`, subtitle, [
      { label: `model ${modelLabel}`, points: e.curves.model ?? [] },
      { label: 'NEWS2 total', points: e.curves.news2 ?? [] },
      { label: 'served rule (card colour)', points: e.curves.served ?? [] },
    ]),
    'calibration.svg': calibrationSvg(`Calibration of ${modelLabel} (${label} data)`, subtitle, e.calibration.table),
    'distribution-model.svg': distributionSvg(`Model probability by outcome (${label} data)`, subtitle, e.distributions.model, (i) =>
      binLabel(e.distributions.model.edges, i, (v) => `${Math.round(v * 1000) / 10}%`),
    ),
    'distribution-news2.svg': distributionSvg(`NEWS2 total by outcome (${label} data)`, subtitle, e.distributions.news2, (i) =>
      news2BinLabel(e.distributions.news2.edges, i),
    ),
  };
  files['report.md'] = replayMarkdown(report);
  return files;
}

function binLabel(edges: readonly number[], i: number, f: (v: number) => string): string {
  const lo = edges[i - 1];
  const hi = edges[i];
  if (lo === undefined) return `< ${f(hi ?? 0)}`;
  if (hi === undefined) return `≥ ${f(lo)}`;
  return `${f(lo)}–${f(hi)}`;
}

function news2BinLabel(edges: readonly number[], i: number): string {
  const lo = edges[i - 1] ?? 0;
  return i === edges.length ? `≥ ${lo}` : String(lo);
}

function replayMarkdown(r: ReplayReport): string {
  const e = r.evaluation;
  const m = r.model;
  const s = r.settings;
  const label = r.dataLabel.word;
  const bandsInUse = (['medium', 'high'] as const).filter((b) => m.thresholds[b] !== BAND_OFF);
  const out: string[] = [];
  out.push(`# Local validation: ${m.name} ${m.version} beside NEWS2 (${label} data)`);
  out.push(r.dataLabel.statement);
  out.push(
    [
      `Made by \`npm run validate\` on ${r.generatedAt.slice(0, 10)}. Every charting time of every patient was replayed through Vigil's own`,
      `normaliser (values older than ${s.staleAfterHours} h are stale and not scored) and scorer, as the service would have answered then;`,
      `a moment is positive when an outcome event followed within ${s.windowHours} h (the model's outcome: ${m.outcome}).`,
      `Model file \`${s.modelFile}\`, trained on ${m.trainingData ?? 'data it does not name'}; bands: medium ${bandState(m.thresholds.medium)}, high ${bandState(m.thresholds.high)}.`,
      `Intervals: 95 % percentile intervals of a bootstrap over patients (${s.bootstrapReplicates} replicates, seed ${s.seed}).`,
      ...(s.maxPatients !== undefined
        ? [`Only the first ${count(s.maxPatients)} patients (in id order) were replayed (--max-patients).`]
        : []),
    ].join('\n'),
  );

  out.push(`## Summary (${label} data)`);
  const warning = e.bands.find((b) => b.band === 'warning');
  const critical = e.bands.find((b) => b.band === 'critical');
  out.push(
    [
      '| | model | NEWS2 | served rule |',
      '|---|---|---|---|',
      `| AUROC | ${fixed(e.ranking.model?.auroc.value)} | ${fixed(e.ranking.news2?.auroc.value)} | ${fixed(e.ranking.served?.auroc.value)} |`,
      `| AUPRC | ${fixed(e.ranking.model?.auprc.value)} | ${fixed(e.ranking.news2?.auprc.value)} | ${fixed(e.ranking.served?.auprc.value)} |`,
      `| warning-or-above alert rate | ${pct(warning?.model.alertRate.value)} | ${pct(warning?.news2.alertRate.value)} | ${pct(warning?.served.alertRate.value)} |`,
      `| warning-or-above sensitivity | ${pct(warning?.model.sensitivity.value)} | ${pct(warning?.news2.sensitivity.value)} | ${pct(warning?.served.sensitivity.value)} |`,
      `| warning-or-above PPV | ${pct(warning?.model.ppv.value)} | ${pct(warning?.news2.ppv.value)} | ${pct(warning?.served.ppv.value)} |`,
      `| critical alert rate | ${pct(critical?.model.alertRate.value)} | ${pct(critical?.news2.alertRate.value)} | ${pct(critical?.served.alertRate.value)} |`,
      `| critical sensitivity | ${pct(critical?.model.sensitivity.value)} | ${pct(critical?.news2.sensitivity.value)} | ${pct(critical?.served.sensitivity.value)} |`,
      `| critical PPV | ${pct(critical?.model.ppv.value)} | ${pct(critical?.news2.ppv.value)} | ${pct(critical?.served.ppv.value)} |`,
    ].join('\n'),
  );
  out.push(
    `${count(e.rows)} moments of ${count(e.patients)} patients, ${count(e.positives)} positive (${pct(e.prevalence)}): the moments the model scored, ` +
      'the same rows for all three. ' +
      (bandsInUse.length === 0
        ? "Both of this model's bands are off, so it raises no alert of its own and the served rule's alerts are NEWS2's."
        : `The model's bands in use: ${bandsInUse.join(', ')}.`),
  );

  out.push('## What was read');
  out.push(
    [
      '| file | lines |',
      '|---|---|',
      ...r.reading.files.map((f) => `| \`${f.name}\` | ${count(f.lines)} |`),
      ...r.outcomes.files.map((f) => `| \`${f.name}\` (outcomes) | ${count(f.lines)} |`),
    ].join('\n'),
  );
  out.push(
    `${count(r.reading.resources)} resources read: ${count(r.reading.kept.observations)} Observations kept (Vigil can score them), ` +
      `${count(r.reading.kept.patients)} Patients, ${count(r.reading.kept.goals)} Goals (an SpO2 target selects NEWS2 scale 2). ` +
      `Skipped lines, each with the reason (an Observation's reason is the one Vigil's normaliser gives on a card):`,
  );
  out.push(skippedTable(r.reading.skipped, 'No line was skipped.'));

  out.push('## Outcomes');
  out.push(
    `${count(r.outcomes.rows)} outcome rows read for ${count(r.outcomes.patients)} patients; ` +
      `${count(r.outcomes.patientsWithoutObservations)} of those patients have no Observation in the export (check that both name patients the same way).`,
  );
  out.push(
    [
      '| event | rows | counted |',
      '|---|---|---|',
      ...r.outcomes.events.map(
        (ev) => `| ${ev.event.replace(/\|/g, '\\|')} | ${count(ev.rows)} | ${ev.counted ? 'yes' : 'no (--events)'} |`,
      ),
    ].join('\n'),
  );
  out.push(skippedTable(r.outcomes.skipped, 'No outcome row was skipped.', 'rows'));

  out.push('## Scoring moments');
  const mo = r.moments;
  out.push(
    [
      `- Patients with Observations: ${count(mo.patients)}; replayed: ${count(mo.patientsReplayed)} (${count(mo.patientsWithoutPatientResource)} without a Patient resource, so without an age).`,
      `- Charting times: ${count(mo.chartingTimes)}; with no fresh vital sign to score: ${count(mo.notScored)}.`,
      `- Scored by NEWS2: ${count(mo.scored)}; also by the model: ${count(mo.modelScored)}.`,
      ...mo.modelDeclined.map((d) => `- The model gave no estimate (${d.reason}): ${count(d.count)} moments (NEWS2 answers alone there).`),
      `- NEWS2 on every scored moment, the model's declines included: AUROC ${fixed(mo.news2AllMoments.auroc)} (${count(mo.news2AllMoments.rows)} moments, ${count(mo.news2AllMoments.positives)} positive).`,
    ].join('\n'),
  );

  out.push(`## Discrimination (${label} data)`);
  out.push(discriminationTable(e, ['model', 'news2', 'served']));
  out.push(
    `AUROC of the model minus NEWS2's: ${signed(e.aurocDifference.difference)} (95 % CI ${signed(e.aurocDifference.lower)} to ${signed(e.aurocDifference.upper)}, paired bootstrap over patients). ` +
      'The served rule ranks moments by card colour only (none, warning, critical), so its curve has two corners.',
  );
  out.push('![ROC curves](roc.svg)');

  out.push(`## Alerts per band (${label} data)`);
  out.push(
    'Sensitivity is the share of positive moments alerted; PPV the share of alerted moments that were positive. ' +
      "The served rule is the more severe of NEWS2's colour and the model band's, where an active model's estimate is shown " +
      '(not when it rests on assumed-normal NEWS2 inputs). Warnings to re-check unverified or out-of-date values are not counted.',
  );
  for (const b of e.bands) {
    out.push(`### ${BAND_TITLES[b.band]}`);
    out.push(
      bandTable(b, [
        ['NEWS2 alone', 'news2'],
        ['model alone', 'model'],
        ['**served: NEWS2 or model**', 'served'],
        ['alerts the model adds', 'added'],
      ]),
    );
  }

  out.push(`## Calibration of the model (${label} data)`);
  out.push(
    `Logistic recalibration of outcome on logit p: intercept ${fixed(e.calibration.intercept, 2)}, slope ${fixed(e.calibration.slope, 2)} (perfect: 0 and 1). ` +
      'Bins hold equal numbers of moments, ordered by predicted risk. NEWS2 is a score, not a probability: it has no calibration.',
  );
  out.push(calibrationTable(e));
  out.push('![Calibration](calibration.svg)');

  out.push(`## Score distributions (${label} data)`);
  out.push('![Model probability by outcome](distribution-model.svg) ![NEWS2 by outcome](distribution-news2.svg)');

  out.push(`## Ranking alone (${label} data)`);
  out.push(
    `At NEWS2's own warning-or-above alert rate (${pct(e.matched.alertRate)}), the model's threshold on these same moments is p ≥ ${fixed(e.matched.threshold, 4)}: ` +
      `sensitivity ${pct(e.matched.model.sensitivity)} and PPV ${pct(e.matched.model.ppv)}, against NEWS2's ${pct(e.matched.news2.sensitivity)} and ${pct(e.matched.news2.ppv)}. ` +
      'The threshold is set on the data it is judged on, so this flatters the model; it compares the two as rankers, not as served. ' +
      "Choosing the model's served thresholds needs a split of the site's patients (see the model card).",
  );

  out.push('## How to read this');
  out.push(
    [
      '- Moments of one patient are correlated, and sick patients are charted often: a few patients weigh heavily, which is why intervals resample patients.',
      '- A moment is labelled from the outcome list alone; events the list misses count as no event, so an incomplete list makes every score look worse.',
      '- The replay sees what was charted at or before each moment, with the staleness the service uses; it cannot see values the EHR did not export.',
      "- This is one retrospective look at one export. A decision to go live rests with the site's clinical safety process, not with this report.",
    ].join('\n'),
  );
  return `${out.join('\n\n')}\n`;
}
