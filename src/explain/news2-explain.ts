// NEWS2 in clinicians' words: a chart-like table of each parameter's value, age and points, with the
// parameters that could not be scored named, never silently treated as normal.
import { NEWS2_PARAMETERS } from '../fallback-rules/news2-chart.js';
import type { News2Parameter, News2Result, QsofaResult } from '../fallback-rules/types.js';
import type { PatientInputs, VitalSigns } from '../prefetch/vital-signs.js';
import { formatAge, formatHours } from './age.js';
import { formatValue, PARAMETER_LABELS } from './labels.js';
import { NEWS2_RESPONSE } from './news2-response.js';


/** "NEWS2 7" or, when parameters are missing, "NEWS2 ≥ 5 (2 missing)". */
export function news2Headline(news2: News2Result): string {
  return news2.partial ? `NEWS2 ≥ ${news2.total} (${news2.missing.length} missing)` : `NEWS2 ${news2.total}`;
}

export function missingWords(missing: readonly News2Parameter[]): string {
  return missing.map((p) => PARAMETER_LABELS[p].toLowerCase().replace('spo2', 'SpO2').replace('bp', 'BP')).join(', ');
}

function staleCell(stale: VitalSigns, parameter: News2Parameter, now: Date): string | undefined {
  const reading = stale[parameter];
  if (reading === undefined) return undefined;
  return formatAge(reading.at, now);
}

/** The NEWS2 table, one row per parameter in chart order. Markdown (GitHub-flavoured). */
export function news2Table(news2: News2Result, inputs: PatientInputs, now: Date, staleAfterHours: number): string {
  const rows = ['| Parameter | Value | Charted | Points |', '|---|---|---|---|'];
  for (const parameter of NEWS2_PARAMETERS) {
    const label = PARAMETER_LABELS[parameter] + (parameter === 'spo2' && news2.spo2Scale === 2 ? ' (scale 2)' : '');
    const sub = news2.subscores.find((s) => s.parameter === parameter);
    if (sub !== undefined) {
      rows.push(`| ${label} | ${formatValue(parameter, sub.value, sub.unit)} | ${formatAge(sub.at, now)} | ${sub.points} |`);
      continue;
    }
    const lastSeen = staleCell(inputs.stale, parameter, now);
    const why = lastSeen === undefined ? `not charted in the last ${formatHours(staleAfterHours)}` : `last charted ${lastSeen} (stale)`;
    rows.push(`| ${label} | ${why} | — | not scored |`);
  }
  return rows.join('\n');
}

export function news2Response(news2: News2Result): string {
  const { band, response } = NEWS2_RESPONSE[news2.risk];
  const text = news2.partial ? `At least ${band}` : band.charAt(0).toUpperCase() + band.slice(1);
  return `**${text}.** ${response}`;
}

export function qsofaLine(qsofa: QsofaResult): string {
  const met: string[] = [];
  if (qsofa.criteria.respiratoryRate === true) met.push('respiratory rate ≥ 22/min');
  if (qsofa.criteria.systolicBP === true) met.push('systolic BP ≤ 100 mmHg');
  if (qsofa.criteria.alteredMentation === true) met.push('altered mentation');
  const floor = qsofa.partial ? '≥ ' : '';
  const verdict = qsofa.positive ? 'positive: consider sepsis' : qsofa.partial ? 'incomplete' : 'negative';
  const which = met.length > 0 ? ` (${met.join(', ')})` : '';
  return `qSOFA ${floor}${qsofa.score}/3, ${verdict}${which}.`;
}

/** Plain-language list of values charted but not usable, so a clinician knows what was ignored. */
export function unusableLines(inputs: PatientInputs): string[] {
  return inputs.unusable.map((u) => `- ${PARAMETER_LABELS[u.vital as News2Parameter] ?? u.vital}: ${u.reason}`);
}
