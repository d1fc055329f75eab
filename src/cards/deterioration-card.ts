// The deterioration-risk card: the model's risk (when it answered) beside NEWS2, why, and the RCP
// response, or an honest card when there are no recent vital signs to score.
import { randomUUID } from 'node:crypto';
import { formatAge, formatHours } from '../explain/age.js';
import { formatValue, PARAMETER_LABELS } from '../explain/labels.js';
import { formatProbability, modelSection, modelStatusNote } from '../explain/model-explain.js';
import {
  missingWords,
  news2Headline,
  news2Response,
  news2Table,
  qsofaLine,
  unusableLines,
} from '../explain/news2-explain.js';
import { NEWS2_SOURCE_URL } from '../explain/news2-response.js';
import type { News2Result, News2Risk } from '../fallback-rules/types.js';
import type { RiskAssessment } from '../models/scorer.js';
import type { PatientInputs, VitalSigns } from '../prefetch/vital-signs.js';
import type { Card, Indicator } from './card-schema.js';
import {
  cardSource,
  fitSummary,
  MODEL_BAND_INDICATOR,
  mostSevere,
  OVERRIDE_REASONS,
  scoreExtension,
} from './common.js';
import { news2Indicator, type IndicatorPolicy } from './indicator.js';

export interface CardContext {
  now: Date;
  staleAfterHours: number;
  policy: IndicatorPolicy;
  /** Data that could not be obtained (from Gathered problems), in words safe to show. */
  problems: string[];
}

const ACTION_WORDS: Record<News2Risk, string> = {
  none: 'routine monitoring',
  low: 'ward-based assessment',
  'low-medium': 'urgent ward-based review',
  medium: 'urgent response',
  high: 'emergency response',
};

export const DISCLAIMER =
  '_Decision support only: it does not replace clinical judgement. NEWS2 is not validated under 16 years or in pregnancy._';

const SOURCE = cardSource('deterioration-risk', 'Risk of clinical deterioration');
const NEWS2_LINK = { label: 'RCP: National Early Warning Score (NEWS) 2', url: NEWS2_SOURCE_URL, type: 'absolute' as const };

/** Up to two parameters that score highest, as "RR 26/min (3)", for the summary line. */
function drivers(news2: News2Result): string {
  const SHORT: Record<string, string> = { respiratoryRate: 'RR', spo2: 'SpO2', systolicBP: 'SBP', heartRate: 'HR', temperature: 'Temp', consciousness: '', supplementalOxygen: '' };
  return news2.subscores
    .filter((s) => s.points >= 2)
    .sort((a, b) => b.points - a.points)
    .slice(0, 2)
    .map((s) => {
      const short = SHORT[s.parameter] ?? '';
      const value = formatValue(s.parameter, s.value, s.unit);
      return `${short === '' ? value : `${short} ${value}`} (${s.points})`;
    })
    .join(', ');
}

function summaryFor(a: RiskAssessment): string {
  const n = a.news2;
  const headline = news2Headline(n);
  const driverText = drivers(n);
  const tail = driverText === '' ? '' : ` — ${driverText}`;
  const missing = n.partial ? `; missing ${missingWords(n.missing)}` : '';
  if (a.model !== undefined) {
    const m = a.model;
    return fitSummary(
      `Deterioration risk ${formatProbability(m.probability)} in ${m.outcomeWindowHours} h (${m.band}) · ${headline}: ${ACTION_WORDS[n.risk]}${tail}${missing}`,
    );
  }
  const unavailable = a.modelStatus.state === 'unavailable' ? ' · model unavailable' : '';
  return fitSummary(`${headline}: ${ACTION_WORDS[n.risk]}${tail}${missing}${unavailable}`);
}

/** The card for a scored patient, or none when the score is below the configured card threshold. */
export function deteriorationCard(a: RiskAssessment, inputs: PatientInputs, ctx: CardContext): Card | undefined {
  const indicator: Indicator | undefined = mostSevere(
    news2Indicator(a.news2, ctx.policy),
    a.model !== undefined ? MODEL_BAND_INDICATOR[a.model.band] : undefined,
  );
  if (indicator === undefined) return undefined;

  const parts: string[] = [];
  const note = modelStatusNote(a.modelStatus);
  if (note !== undefined) parts.push(`**${note}**`);
  if (a.model !== undefined) parts.push(modelSection(a.model));
  const scale = a.news2.spo2Scale === 2 ? ' SpO2 scored on scale 2: a hypercapnic target (88–92 %) is recorded.' : '';
  parts.push(`**${news2Headline(a.news2)}**, as of ${inputs.dataAsOf ? formatAge(inputs.dataAsOf, ctx.now) : 'unknown'}.${scale}`);
  parts.push(news2Table(a.news2, inputs, ctx.now, ctx.staleAfterHours));
  if (a.news2.partial) {
    parts.push(`Not scored: ${missingWords(a.news2.missing)}. The total is a minimum: chart the missing parameters to complete NEWS2.`);
  }
  parts.push(news2Response(a.news2));
  parts.push(qsofaLine(a.qsofa));
  const unusable = unusableLines(inputs);
  if (unusable.length > 0) parts.push(`Charted but not usable:\n${unusable.join('\n')}`);
  if (ctx.problems.length > 0) parts.push(`Data Vigil could not obtain:\n${ctx.problems.map((p) => `- ${p}`).join('\n')}`);
  if (inputs.ageYears !== undefined && inputs.ageYears < 16) parts.push('**Caution:** the patient is under 16; NEWS2 is not validated in children.');
  parts.push(DISCLAIMER);

  return {
    uuid: randomUUID(),
    summary: summaryFor(a),
    detail: parts.join('\n\n'),
    indicator,
    source: SOURCE,
    overrideReasons: OVERRIDE_REASONS,
    links: [NEWS2_LINK],
    extension: scoreExtension(a, inputs.dataAsOf),
  };
}

function newestAt(vitals: VitalSigns): Date | undefined {
  let newest: Date | undefined;
  for (const r of Object.values(vitals)) if (r !== undefined && (newest === undefined || r.at > newest)) newest = r.at;
  return newest;
}

/** Honest card when no vital sign is recent enough to score: says so, and gives no score. */
export function noRecentVitalsCard(inputs: PatientInputs, ctx: CardContext): Card {
  const problems = ctx.problems;
  const window = formatHours(ctx.staleAfterHours);
  const lastStale = newestAt(inputs.stale);
  const summary =
    lastStale === undefined
      ? `No vital signs in the last ${window}: NEWS2 cannot be scored`
      : `No vital signs in the last ${window} (last charted ${formatAge(lastStale, ctx.now)}): NEWS2 not scored`;
  const lines = [`Vigil found no vital signs charted in the last ${window}, so it gives no score. Chart a full set of observations to get NEWS2.`];
  if (lastStale !== undefined) {
    const rows = ['| Parameter | Last value | Charted |', '|---|---|---|'];
    for (const [parameter, reading] of Object.entries(inputs.stale)) {
      if (reading === undefined) continue;
      const p = parameter as keyof typeof PARAMETER_LABELS;
      const value = formatValue(p, typeof reading.value === 'object' ? reading.value.onOxygen : reading.value, reading.unit);
      rows.push(`| ${PARAMETER_LABELS[p]} | ${value} | ${formatAge(reading.at, ctx.now)} (stale) |`);
    }
    lines.push(rows.join('\n'));
  }
  if (problems.length > 0) lines.push(`Data Vigil could not obtain:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  const unusable = unusableLines(inputs);
  if (unusable.length > 0) lines.push(`Charted but not usable:\n${unusable.join('\n')}`);
  lines.push(DISCLAIMER);
  const ext: Record<string, unknown> = { path: 'rules', scored: false, reason: lastStale === undefined ? 'no-vitals' : 'stale-vitals' };
  if (lastStale !== undefined) ext.dataAsOf = lastStale.toISOString();
  return {
    uuid: randomUUID(),
    summary: fitSummary(summary),
    detail: lines.join('\n\n'),
    indicator: 'info',
    source: SOURCE,
    overrideReasons: OVERRIDE_REASONS,
    links: [NEWS2_LINK],
    extension: { 'vigil.score': ext },
  };
}
