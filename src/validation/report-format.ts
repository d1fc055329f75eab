// What both validation reports (replay and silent pilot) print the same way: numbers with their
// intervals, the data label that heads every table, and the Markdown tables of discrimination,
// alerts per band and calibration. A number that cannot be computed (no events, no alerts) prints
// as "—", never as 0 or NaN.
import type { BandResult, Evaluation, Ranking, ScoreName } from './evaluate.js';
import type { AlertEstimates, Estimate } from './metrics.js';

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

export const pct = (v: number | null | undefined, digits = 1): string => (finite(v) ? `${(v * 100).toFixed(digits)} %` : '—');
export const fixed = (v: number | null | undefined, digits = 3): string => (finite(v) ? v.toFixed(digits) : '—');
export const signed = (v: number | null | undefined, digits = 3): string =>
  finite(v) ? `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}` : '—';
export const count = (v: number): string => v.toLocaleString('en-GB');

export function withInterval(e: Estimate | undefined, format: (v: number) => string): string {
  if (e === undefined || !finite(e.value)) return '—';
  return finite(e.lower) && finite(e.upper) ? `${format(e.value)} (${format(e.lower)} to ${format(e.upper)})` : format(e.value);
}

/** How a report says where its numbers come from: every heading carries it. */
export interface DataLabel {
  /** One word or short phrase for headings: "synthetic", "site". */
  word: string;
  /** The box at the top of the report. */
  statement: string;
}

export function dataLabel(word: string, detail: string): DataLabel {
  const synthetic = /synthetic|test/i.test(word);
  return {
    word,
    statement: synthetic
      ? `> **Synthetic data. Not clinically validated.** ${detail} Every number below comes from synthetic patients: it shows that ` +
        'the pipeline runs end to end on a bulk export, not how Vigil performs on real patients.'
      : `> **${word.charAt(0).toUpperCase()}${word.slice(1)} data.** ${detail} These numbers describe these data only: evidence for the site's own decision ` +
        '(reviewed by its clinical safety officer), not proof of clinical validity, and not transferable to other wards or times.',
  };
}

export const SCORE_NAMES: Readonly<Record<ScoreName, string>> = {
  model: 'model',
  news2: 'NEWS2',
  served: 'served rule',
  shown: 'cards as shown',
};

export function rankingRows(ranking: Partial<Record<ScoreName, Ranking>>, names: readonly ScoreName[]): string[] {
  return names.map((name) => {
    const r = ranking[name];
    return `| ${SCORE_NAMES[name]} | ${withInterval(r?.auroc, (v) => fixed(v))} | ${withInterval(r?.auprc, (v) => fixed(v))} |`;
  });
}

export function discriminationTable(e: Evaluation, names: readonly ScoreName[]): string {
  return [
    `| score | AUROC (95 % CI) | AUPRC (95 % CI; prevalence ${pct(e.prevalence)}) |`,
    '|---|---|---|',
    ...rankingRows(e.ranking, names),
  ].join('\n');
}

function alertRow(label: string, a: AlertEstimates | undefined): string {
  if (a === undefined) return `| ${label} | — | — | — |`;
  const ppv = a.alerts === 0 ? 'no alerts' : withInterval(a.ppv, (v) => pct(v));
  return `| ${label} | ${pct(a.alertRate.value)} (${count(a.alerts)}) | ${withInterval(a.sensitivity, (v) => pct(v))} | ${ppv} |`;
}

export const BAND_TITLES: Readonly<Record<BandResult['band'], string>> = {
  warning: 'Warning or above: NEWS2 ≥ 5 or a single parameter scoring 3, or model band `medium` or `high`',
  critical: 'Critical: NEWS2 ≥ 7, or model band `high`',
};

export function bandTable(b: BandResult, rows: readonly [string, keyof BandResult][]): string {
  return [
    '| rule | alert rate (alerts) | sensitivity (95 % CI) | PPV (95 % CI) |',
    '|---|---|---|---|',
    ...rows.map(([label, key]) => alertRow(label, b[key] as AlertEstimates | undefined)),
  ].join('\n');
}

export function calibrationTable(e: Evaluation): string {
  return [
    '| bin of predicted risk | moments | mean predicted | observed |',
    '|---|---|---|---|',
    ...e.calibration.table.map((bin, i) => `| ${i + 1} | ${count(bin.n)} | ${pct(bin.meanPredicted)} | ${pct(bin.observed)} |`),
  ].join('\n');
}

export function skippedTable(rows: readonly { reason: string; count: number }[], empty: string, unit = 'lines'): string {
  if (rows.length === 0) return empty;
  return [`| reason | ${unit} |`, '|---|---|', ...rows.map((r) => `| ${r.reason.replace(/\|/g, '\\|')} | ${count(r.count)} |`)].join('\n');
}
