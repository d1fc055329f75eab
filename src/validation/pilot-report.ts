// The silent-pilot report: the audit trail's own scores joined with outcomes, one column per model
// version and mode (silent and active side by side), as JSON and Markdown with SVG pictures, both
// made from one object. Patient hashes never appear: only counts and statistics.
import type { Evaluation } from './evaluate.js';
import type { PilotRead } from './audit-pilot.js';
import { BAND_TITLES, count, fixed, pct, skippedTable, withInterval, type DataLabel, calibrationTable } from './report-format.js';
import type { OutcomeSummary } from './run-replay.js';
import type { ReportFiles } from './replay-report.js';
import { calibrationSvg, rocSvg } from './svg.js';

export interface PilotGroupReport {
  name: string;
  version: string;
  mode: string;
  calls: number;
  evaluation: Evaluation;
}

export interface PilotReport {
  kind: 'audit';
  generatedAt: string;
  dataLabel: DataLabel;
  settings: { auditDir: string; service: string; windowHours: number; bootstrapReplicates: number; seed: number };
  audit: Omit<PilotRead, 'groups'>;
  outcomes: Omit<OutcomeSummary, 'patientsWithoutObservations'>;
  groups: PilotGroupReport[];
}

const groupTitle = (g: Pick<PilotGroupReport, 'name' | 'version' | 'mode'>) => `${g.name} ${g.version} (${g.mode})`;

export function renderPilotReport(report: PilotReport): ReportFiles {
  const files: ReportFiles = { 'report.json': `${JSON.stringify(report, null, 2)}\n` };
  const label = report.dataLabel.word;
  report.groups.forEach((g, i) => {
    const e = g.evaluation;
    const subtitle = `${label} data · ${groupTitle(g)} · ${count(e.rows)} calls of ${count(e.patients)} patients`;
    files[`roc-${i + 1}.svg`] = rocSvg(`ROC curves, pilot group ${i + 1} (${label} data)`, subtitle, [
      { label: `model ${g.name} ${g.version}`, points: e.curves.model ?? [] },
      { label: 'NEWS2 total', points: e.curves.news2 ?? [] },
      { label: 'served rule', points: e.curves.served ?? [] },
      { label: 'cards as shown', points: e.curves.shown ?? [] },
    ]);
    files[`calibration-${i + 1}.svg`] = calibrationSvg(`Calibration, pilot group ${i + 1} (${label} data)`, subtitle, e.calibration.table);
  });
  files['report.md'] = pilotMarkdown(report);
  return files;
}

function row(label: string, values: string[]): string {
  return `| ${label} | ${values.join(' | ')} |`;
}

function pilotMarkdown(r: PilotReport): string {
  const label = r.dataLabel.word;
  const s = r.settings;
  const groups = r.groups;
  const out: string[] = [];
  out.push(`# Silent-pilot evaluation from Vigil's audit trail (${label} data)`);
  out.push(r.dataLabel.statement);
  out.push(
    [
      `Made by \`npm run validate -- --audit\` on ${r.generatedAt.slice(0, 10)}, from the audit trail in \`${s.auditDir}\`: what Vigil said on each call`,
      `(NEWS2, and the model's estimate whether it was shown or silent), joined with outcomes keyed by the same patient hash.`,
      `A call is positive when an outcome event followed within ${s.windowHours} h. Service evaluated: ${s.service}.`,
      `Intervals: 95 % percentile intervals of a bootstrap over patients (${s.bootstrapReplicates} replicates, seed ${s.seed}).`,
    ].join('\n'),
  );

  out.push('## Records');
  out.push(
    [
      '| service | records | evaluated |',
      '|---|---|---|',
      ...r.audit.services.map((x) => `| ${x.service} | ${count(x.records)} | ${x.evaluated ? 'yes' : 'no (--service)'} |`),
    ].join('\n'),
  );
  out.push(
    `${count(r.audit.records)} records read. Outcome list: ${count(r.outcomes.rows)} rows for ${count(r.outcomes.patients)} patients, ` +
      `${count(r.audit.outcomePatientsMatched)} of whom appear in the evaluated records` +
      (r.audit.outcomePatientsMatched === 0 && r.outcomes.patients > 0
        ? " — **none match: the outcome list must be keyed with the audit trail's HMAC key (`--key-file`, or `--hash-outcomes`).**"
        : '.'),
  );
  out.push(skippedTable(r.audit.skipped, 'No evaluated record was skipped.', 'calls'));
  if (r.audit.withoutEstimate.length > 0) {
    out.push('Calls with no model estimate (NEWS2 answered alone; not in the comparison):');
    out.push(skippedTable(r.audit.withoutEstimate, '', 'calls'));
  }
  if (groups.length === 0) {
    out.push('No call carried a model estimate: there is nothing to compare.');
    return `${out.join('\n\n')}\n`;
  }

  const head = `| (${label} data) | ${groups.map((g, i) => `${i + 1}: ${groupTitle(g)}`).join(' | ')} |`;
  const rule = `|---|${groups.map(() => '---').join('|')}|`;
  const evals = groups.map((g) => g.evaluation);
  out.push(`## Side by side (${label} data)`);
  out.push(
    [
      head,
      rule,
      row(
        'calls (patients)',
        evals.map((e) => `${count(e.rows)} (${count(e.patients)})`),
      ),
      row(
        'positive calls',
        evals.map((e) => `${count(e.positives)} (${pct(e.prevalence)})`),
      ),
      ...(['model', 'news2', 'served', 'shown'] as const).flatMap((name) => [
        row(
          `AUROC, ${name === 'news2' ? 'NEWS2' : name === 'shown' ? 'cards as shown' : name === 'served' ? 'served rule' : 'model'}`,
          evals.map((e) => withInterval(e.ranking[name]?.auroc, (v) => fixed(v))),
        ),
      ]),
      row(
        'AUPRC, model',
        evals.map((e) => withInterval(e.ranking.model?.auprc, (v) => fixed(v))),
      ),
      row(
        'AUPRC, NEWS2',
        evals.map((e) => withInterval(e.ranking.news2?.auprc, (v) => fixed(v))),
      ),
      row(
        'calibration intercept / slope',
        evals.map((e) => `${fixed(e.calibration.intercept, 2)} / ${fixed(e.calibration.slope, 2)}`),
      ),
    ].join('\n'),
  );
  for (const band of ['warning', 'critical'] as const) {
    out.push(`### ${BAND_TITLES[band]}`);
    const lines = [head, rule];
    for (const [name, key] of [
      ['NEWS2 alone', 'news2'],
      ['model alone', 'model'],
      ['served: NEWS2 or model', 'served'],
      ['cards as shown', 'shown'],
    ] as const) {
      const stats = evals.map((e) => e.bands.find((b) => b.band === band)?.[key]);
      lines.push(
        row(
          `${name}: alert rate`,
          stats.map((a) => (a === undefined ? '—' : `${pct(a.alertRate.value)} (${count(a.alerts)})`)),
        ),
      );
      lines.push(
        row(
          `${name}: sensitivity`,
          stats.map((a) => withInterval(a?.sensitivity, (v) => pct(v))),
        ),
      );
      lines.push(
        row(
          `${name}: PPV`,
          stats.map((a) => (a?.alerts === 0 ? 'no alerts' : withInterval(a?.ppv, (v) => pct(v)))),
        ),
      );
    }
    out.push(lines.join('\n'));
  }
  out.push(
    [
      "- **served**: the more severe of NEWS2's colour and the recorded model band. For an active model a band counts only where its estimate was shown;",
      '  for a silent model it is what the band would have done had the model been active (the record cannot say which estimates would have been hidden',
      '  for resting on assumed-normal NEWS2 inputs, so this is an upper bound on the alerts it would have added).',
      '- **cards as shown**: the colour of the cards Vigil actually returned, re-check warnings included.',
    ].join('\n'),
  );
  groups.forEach((g, i) => {
    out.push(`### Group ${i + 1}: ${groupTitle(g)}`);
    out.push(calibrationTable(g.evaluation));
    out.push(`![ROC curves, group ${i + 1}](roc-${i + 1}.svg) ![Calibration, group ${i + 1}](calibration-${i + 1}.svg)`);
  });
  out.push('## How to read this');
  out.push(
    [
      '- Every answered call is a row: a patient whose chart was opened often weighs more. Intervals resample patients.',
      '- Cards shown in active mode may have changed care, and so the outcomes: an active column is not a clean estimate of accuracy.',
      "- A decision to go live rests with the site's clinical safety process, not with this report.",
    ].join('\n'),
  );
  return `${out.join('\n\n')}\n`;
}
