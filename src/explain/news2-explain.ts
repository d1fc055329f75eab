// NEWS2 in clinicians' words: the headline, the RCP response (never a routine one for an incomplete
// score), and a chart-like table of each parameter's value, age and points. What could not be scored
// is named with its value and age where it has one (out of date, unverified), never silently treated
// as normal, and what it would score is said.
import type {
  BeyondRangeValue,
  GcsNotAlert,
  UnconfirmedNews2,
  UnconfirmedValue,
  UnreadableValue,
} from '../fallback-rules/news2-unconfirmed.js';
import type { News2Result, QsofaResult } from '../fallback-rules/types.js';
import { isMixedAgeSet, VITAL_NAMES, type PatientInputs, type Reading, type VitalName, type VitalReading } from '../domain/vital-signs.js';
import { formatAge, formatHours } from './age.js';
import { formatReading, formatValue, PARAMETER_LABELS, PARAMETER_SHORT, PARAMETER_WORDS, shortValue } from '../domain/labels.js';
import { capLines } from './lists.js';
import { NEWS2_RESPONSE } from './news2-response.js';

/** "up from 18, 4 h ago": how a value moved since the one charted before it; '' when there is none. */
export function trendWords(parameter: VitalName, current: Reading<unknown>, previous: Reading<unknown> | undefined, now: Date): string {
  if (previous === undefined) return '';
  const age = formatAge(previous.at, now);
  if (typeof current.value === 'number' && typeof previous.value === 'number') {
    if (current.value === previous.value) return `unchanged since ${age}`;
    return `${current.value > previous.value ? 'up' : 'down'} from ${formatReading(parameter, previous)}, ${age}`;
  }
  const was = formatReading(parameter, previous);
  return was === formatReading(parameter, current) ? '' : `was ${was} ${age}`;
}

/**
 * "up from 3, 4 h ago" for NEWS2 itself, from the complete score before the current set. An equal total
 * says it is the total that is unchanged (review 25a: "unchanged since 25 min ago" beside "Unresponsive
 * (3)" read as the patient unchanged, when confusion had become unresponsiveness at the same score).
 */
export function news2TrendWords(news2: News2Result, earlier: { total: number; at: Date } | undefined, now: Date): string {
  if (earlier === undefined || news2.partial) return '';
  const age = formatAge(earlier.at, now);
  if (news2.total === earlier.total) return `NEWS2 total unchanged since ${age}`;
  return `${news2.total > earlier.total ? 'up' : 'down'} from ${earlier.total}, ${age}`;
}

/** "NEWS2 7" or, when parameters are missing, "NEWS2 ≥ 5, incomplete". */
export function news2Headline(news2: News2Result): string {
  return news2.partial ? `NEWS2 ≥ ${news2.total}, incomplete` : `NEWS2 ${news2.total}`;
}

/** Why a parameter NEWS2 is missing has no value: an old one, one charted but not usable (listed on the card), or none. */
function whyMissing(p: VitalName, inputs: PatientInputs): 'out of date' | 'not usable' | 'not charted' {
  if (inputs.stale[p] !== undefined) return 'out of date';
  return inputs.unusable.some((u) => u.vital === p) ? 'not usable' : 'not charted';
}

/** "respiratory rate out of date, SpO2 not usable, pulse not charted": each missing parameter, and why. */
export function missingWords(news2: News2Result, inputs: PatientInputs): string {
  const words = (why: ReturnType<typeof whyMissing>) => {
    const ps = news2.missing.filter((p) => whyMissing(p, inputs) === why);
    return ps.length > 0 ? `${ps.map((p) => PARAMETER_WORDS[p]).join(', ')} ${why}` : '';
  };
  return [words('out of date'), words('not usable'), words('not charted')].filter((s) => s !== '').join(', ');
}

/** "RR 6/min (25 h ago, out of date)": an unconfirmed value in a few words, for a summary line. */
export function unconfirmedShort(v: UnconfirmedValue, now: Date): string {
  const why = v.kind === 'stale' ? 'out of date' : `${v.reading.status ?? 'unverified'}`;
  return `${shortValue(v.parameter, formatReading(v.parameter, v.reading))} (${formatAge(v.reading.at, now)}, ${why})`;
}

/** "RR (5 min ago, unreadable)": a newer value that could not be used, in a few words, for a summary line. */
export function unreadableShort(u: UnreadableValue, now: Date): string {
  const name = PARAMETER_SHORT[u.parameter] === '' ? PARAMETER_WORDS[u.parameter] : PARAMETER_SHORT[u.parameter];
  return `${name} (${u.at !== undefined ? `${formatAge(u.at, now)}, ` : ''}unreadable)`;
}

/** "consciousness (GCS 8/15, 5 min ago)": a GCS that says the patient may not be alert, for a summary line. */
export function gcsShort(g: GcsNotAlert, now: Date): string {
  return `consciousness (GCS ${g.gcs.value}/15, ${formatAge(g.gcs.at, now)})`;
}

/** "HR (5 min ago, above range)": a value beyond the device's range, for a summary line. */
export function beyondRangeShort(b: BeyondRangeValue, now: Date): string {
  const name = PARAMETER_SHORT[b.parameter] === '' ? PARAMETER_WORDS[b.parameter] : PARAMETER_SHORT[b.parameter];
  return `${name} (${formatAge(b.at, now)}, ${b.beyond} range)`;
}

/** "SpO2 target (NEWS2 5 on scale 2)": a target that could not be read, for a summary line. */
export function scale2Short(alternative: NonNullable<UnconfirmedNews2['ifScale2']>): string {
  return `SpO2 target (NEWS2 ${alternative.total} on scale 2)`;
}

/** The re-check line for an SpO2 target that could not be read, where scale 2 would score more. */
export function scale2Line(alternative: NonNullable<UnconfirmedNews2['ifScale2']>): string {
  const band = NEWS2_RESPONSE[alternative.risk].band.replace(/ \(.*\)$/, '');
  return `- SpO2 target: one is recorded that Vigil cannot read, so SpO2 was scored on scale 1. If it is a hypercapnic target of 88–92 % (scale 2), SpO2 scores ${alternative.spo2Points} and NEWS2 would be ${alternative.total}: ${band}. Confirm the prescribed target.`;
}

/** The re-check line for a value beyond the device's measurable range. */
export function beyondRangeLine(b: BeyondRangeValue, now: Date): string {
  return `- ${PARAMETER_LABELS[b.parameter]}: charted ${formatAge(b.at, now)} as ${b.beyond} the measurable range, with no number; a value there scores ${b.points} on NEWS2 on its own. Re-check now (another device, or by hand).`;
}

/** The re-check line for a GCS below 15 where ACVPU does not say the patient is not alert. */
export function gcsRecheckLine(g: GcsNotAlert, now: Date): string {
  const acvpu =
    g.alertAt !== undefined
      ? `ACVPU was charted alert ${formatAge(g.alertAt, now)}`
      : g.acvpuNotCurrent === true
        ? 'no current, verified ACVPU is charted'
        : 'ACVPU is not charted';
  const unverified = g.gcs.status !== undefined ? ` (${g.gcs.status}, not verified)` : '';
  return `- Consciousness: ${acvpu}, but a Glasgow Coma Scale of ${g.gcs.value}/15${unverified} was charted ${formatAge(g.gcs.at, now)}: the patient may not be alert, and NEWS2 scores new confusion, voice, pain or unresponsive 3 on its own. Assess and chart ACVPU now.`;
}

/** "as of 10 min ago", dated by the oldest input, with a flag when the inputs are of mixed ages. */
export function asOfWords(inputs: PatientInputs, now: Date): string {
  if (inputs.dataAsOf === undefined) return 'as of: unknown';
  const oldest = formatAge(inputs.dataAsOf, now);
  if (!isMixedAgeSet(inputs) || inputs.newestAt === undefined) return `as of ${oldest}`;
  return `as of ${oldest} (its oldest value; mixed ages: the newest was charted ${formatAge(inputs.newestAt, now)}, so this is not one current set)`;
}

/** The RCP response for the band. An incomplete score gets no routine band: it asks for the missing values. */
export function news2Response(news2: News2Result, inputs: PatientInputs): string {
  const { band, response } = NEWS2_RESPONSE[news2.risk];
  if (!news2.partial) return `**${band.charAt(0).toUpperCase() + band.slice(1)}.** ${response}`;
  const ask = `**Incomplete: chart ${missingWords(news2, inputs).replace(/ (out of date|not usable|not charted)/g, '')} now.** NEWS2 is a minimum until every parameter is charted.`;
  if (news2.risk === 'none') return `${ask} No response band can be given for an incomplete score.`;
  return `${ask} Already at least ${band}: ${response}`;
}

function pointsCell(v: UnconfirmedValue): string {
  return `not scored (would be ${v.points}${v.points === 3 ? ': re-check now' : ''})`;
}

/** The NEWS2 table, one row per parameter in chart order (plus unverified newer values). Markdown. */
export function news2Table(
  news2: News2Result,
  inputs: PatientInputs,
  unconfirmed: UnconfirmedNews2,
  now: Date,
  staleAfterHours: number,
  /** What a parameter with no value is said to be: not charted, or (the vital signs not obtained) not seen. */
  absent = `not charted in the last ${formatHours(staleAfterHours)}`,
): string {
  const withTrend = (p: VitalName, reading: Reading<unknown>, shown: string): string => {
    const trend = trendWords(p, reading, inputs.previous[p], now);
    return trend === '' ? shown : `${shown} (${trend})`;
  };
  const rows = ['| Parameter | Value | Charted | Points |', '|---|---|---|---|'];
  const byParameter = (p: VitalName, kind: UnconfirmedValue['kind']) =>
    unconfirmed.values.find((v) => v.parameter === p && v.kind === kind);
  for (const parameter of VITAL_NAMES) {
    const label = PARAMETER_LABELS[parameter] + (parameter === 'spo2' && news2.spo2Scale === 2 ? ' (scale 2)' : '');
    const sub = news2.subscores.find((s) => s.parameter === parameter);
    if (sub !== undefined) {
      const reading: VitalReading | undefined = inputs.vitals[parameter];
      const value =
        reading !== undefined
          ? withTrend(parameter, reading, formatReading(parameter, reading))
          : formatValue(parameter, sub.value, sub.unit);
      rows.push(
        `| ${label} | ${value} | ${formatAge(sub.at, now)} | ${sub.points}${sub.note !== undefined ? ' (assumed: see below)' : ''} |`,
      );
    } else {
      const stale = byParameter(parameter, 'stale');
      if (stale !== undefined) {
        rows.push(
          `| ${label} | ${formatReading(parameter, stale.reading)} (out of date) | ${formatAge(stale.reading.at, now)} | ${pointsCell(stale)} |`,
        );
      } else if (inputs.stale[parameter] !== undefined) {
        rows.push(`| ${label} | out of date | ${formatAge(inputs.stale[parameter].at, now)} | not scored |`);
      } else {
        // Charted in the window but not usable (an unknown unit, a bad time…): said so, the reason listed below.
        const unusable = inputs.unusable.find((u) => u.vital === parameter);
        rows.push(
          unusable !== undefined
            ? `| ${label} | charted, not usable (see below) | ${unusable.at !== undefined ? formatAge(unusable.at, now) : '—'} | not scored |`
            : `| ${label} | ${absent} | — | not scored |`,
        );
      }
    }
    const unverified = byParameter(parameter, 'unverified');
    if (unverified !== undefined) {
      rows.push(
        `| ${label}, ${unverified.reading.status ?? 'unverified'} | ${formatReading(parameter, unverified.reading)} (not verified) | ${formatAge(unverified.reading.at, now)} | ${pointsCell(unverified)} |`,
      );
    }
  }
  return rows.join('\n');
}

/** Every assumption a score rests on (e.g. scale-2 SpO2 with oxygen unknown), one line each. */
export function assumptionLines(news2: News2Result): string[] {
  return news2.subscores.filter((s) => s.note !== undefined).map((s) => `- ${PARAMETER_LABELS[s.parameter]}: ${s.note}.`);
}

/**
 * What must be re-checked now: alarming unconfirmed values, newer values that could not be read (the
 * score uses an older one), and what NEWS2 would be if the unconfirmed values stand.
 */
export function recheckLines(unconfirmed: UnconfirmedNews2, now: Date): string[] {
  const lines = unconfirmed.alarming.map((v) => {
    const why = v.kind === 'stale' ? 'is out of date' : `is ${v.reading.status ?? 'unverified'} (not verified)`;
    return `- ${PARAMETER_LABELS[v.parameter]} ${formatReading(v.parameter, v.reading)}, charted ${formatAge(v.reading.at, now)}, ${why} and would score 3 on its own.`;
  });
  for (const b of unconfirmed.beyondRange) lines.push(beyondRangeLine(b, now));
  if (unconfirmed.gcsNotAlert !== undefined) lines.push(gcsRecheckLine(unconfirmed.gcsNotAlert, now));
  if (unconfirmed.ifScale2 !== undefined) lines.push(scale2Line(unconfirmed.ifScale2));
  for (const u of unconfirmed.unreadable) {
    const when = u.at !== undefined ? `charted ${formatAge(u.at, now)}` : 'charted at a time that could not be read';
    lines.push(
      `- ${PARAMETER_LABELS[u.parameter]}: a newer value, ${when}, could not be used (${unusableReason(u.parameter, u.reason)}); NEWS2 uses the one charted ${formatAge(u.scoredAt, now)}, which may no longer hold.`,
    );
  }
  const worse = unconfirmed.ifConfirmed;
  if (worse !== undefined) {
    // A calm band's name is no reassurance beside values to re-check: only the bands that call for more are named.
    const band = worse.risk === 'low' || worse.risk === 'none' ? '' : `: ${NEWS2_RESPONSE[worse.risk].band.replace(/ \(.*\)$/, '')}`;
    lines.push(`- If the out-of-date or unverified values stand, NEWS2 would be ${worse.partial ? 'at least ' : ''}${worse.total}${band}.`);
  }
  return lines;
}

/** The parameters qSOFA reads. */
const QSOFA_PARAMETERS: readonly VitalName[] = ['respiratoryRate', 'systolicBP', 'consciousness'];

/**
 * True when a value qSOFA reads must be re-checked: an out-of-date or unverified one, a newer one that
 * could not be read, or one beyond the device's range. qSOFA from the older value is then no "negative"
 * (third review, 2026-11-29: RR 25 with a newer preliminary SBP 85 read "qSOFA 1/3, negative").
 */
function qsofaPending(unconfirmed: UnconfirmedNews2 | undefined): boolean {
  if (unconfirmed === undefined) return false;
  const reads = (p: VitalName) => QSOFA_PARAMETERS.includes(p);
  return (
    unconfirmed.values.some((v) => reads(v.parameter)) ||
    unconfirmed.unreadable.some((u) => reads(u.parameter)) ||
    unconfirmed.beyondRange.some((b) => reads(b.parameter))
  );
}

export function qsofaLine(qsofa: QsofaResult, inputs: PatientInputs, now: Date, unconfirmed?: UnconfirmedNews2): string {
  const met: string[] = [];
  if (qsofa.criteria.respiratoryRate === true) met.push('respiratory rate ≥ 22/min');
  if (qsofa.criteria.systolicBP === true) met.push('systolic BP ≤ 100 mmHg');
  if (qsofa.criteria.alteredMentation === true) met.push('altered mentation');
  const floor = qsofa.partial ? '≥ ' : '';
  const verdict = qsofa.positive ? 'positive: consider sepsis' : qsofa.partial ? 'incomplete' : 'negative';
  const pending =
    !qsofa.positive && !qsofa.partial && qsofaPending(unconfirmed) ? ' from the values scored only: re-check the values above first' : '';
  const which = `${met.length > 0 ? ` (${met.join(', ')})` : ''}${pending}`;
  const gcs = inputs.other.fresh.gcs;
  const gcsNote = gcs !== undefined ? ` Glasgow Coma Scale ${gcs.value}/15, charted ${formatAge(gcs.at, now)}.` : '';
  return `qSOFA ${floor}${qsofa.score}/3, ${verdict}${which}.${gcsNote}`;
}

/**
 * Plain-language list of values charted but not usable, so a clinician knows what was ignored
 * (capped): each with when it was charted, so two values set aside for the same reason read as two
 * charted values, not one line twice, and without the parameter named twice ("Respiratory rate:
 * respiratory rate: …").
 */
export function unusableLines(inputs: PatientInputs, now: Date, recheckedAbove: readonly BeyondRangeValue[] = []): string[] {
  // A value beyond the device's range is asked for in the re-check list: not said twice.
  const shown = recheckedAbove.length === 0 ? inputs.unusable : inputs.unusable.filter((u) => !isRecheckedAbove(u, recheckedAbove));
  return capLines(
    shown.map(
      (u) =>
        `- ${PARAMETER_LABELS[u.vital]}${u.at !== undefined ? `, charted ${formatAge(u.at, now)}` : ''}: ${unusableReason(u.vital, u.reason)}`,
    ),
    'values not usable',
  );
}

function isRecheckedAbove(u: PatientInputs['unusable'][number], rechecked: readonly BeyondRangeValue[]): boolean {
  return u.beyond !== undefined && rechecked.some((b) => b.parameter === u.vital && b.at.getTime() === u.at?.getTime());
}

/** A reason without the parameter's own name at its start ("Respiratory rate: respiratory rate: …" otherwise). */
function unusableReason(parameter: keyof typeof PARAMETER_LABELS, reason: string): string {
  const named = `${PARAMETER_LABELS[parameter].toLowerCase()}: `;
  return reason.toLowerCase().startsWith(named) ? reason.slice(named.length) : reason;
}
