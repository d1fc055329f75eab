// The deterioration-risk card. NEWS2 leads, the model informs: the summary and the response come
// from NEWS2 and the RCP response; the model's estimate, when it is shown at all, comes second and can
// raise the colour but never make the words or the colour calmer. Incomplete, stale or unverified data
// is never shown as normal: an incomplete score says so and asks for the missing values, and an
// out-of-date or unverified value that would score 3 (or a GCS below 15 where ACVPU does not say the
// patient is not alert, or a value beyond the device's range) raises the card and asks for a re-check.
import { formatAge, formatHours } from '../explain/age.js';
import { formatReading, PARAMETER_LABELS, shortValue } from '../domain/labels.js';
import { modelSection, modelStatusNote, modelSummary, type ModelBeside } from '../explain/model-explain.js';
import {
  asOfWords,
  assumptionLines,
  beyondRangeShort,
  gcsShort,
  missingWords,
  news2Headline,
  news2Response,
  news2Table,
  news2TrendWords,
  qsofaLine,
  recheckLines,
  scale2Short,
  unconfirmedShort,
  unreadableShort,
  unusableLines,
} from '../explain/news2-explain.js';
import { NEWS2_RESPONSE, NEWS2_SOURCE_URL } from '../explain/news2-response.js';
import { needsRecheckNow, unconfirmedNews2, type UnconfirmedNews2 } from '../fallback-rules/news2-unconfirmed.js';
import type { News2Result, News2Risk } from '../fallback-rules/types.js';
import type { RiskAssessment } from '../models/scorer.js';
import { isMixedAgeSet, VITAL_NAMES, type PatientInputs, type VitalReading, type VitalSigns } from '../domain/vital-signs.js';
import { fitSummary, INDICATOR_RANK, type Card, type Indicator } from '../cds-hooks/card-schema.js';
import { withStableIdentity, type DraftCard } from './card-identity.js';
import {
  aboutLink,
  cardSource,
  couldNotObtain,
  DISCLAIMER,
  MODEL_BAND_INDICATOR,
  mostSevere,
  OVERRIDE_REASONS,
  scoreExtension,
  unconfirmedJson,
  type CardContext,
} from './common.js';
import { news2Indicator } from './indicator.js';
import { deteriorationSuggestions } from './suggestions.js';
import { withFields } from '../lang/with-fields.js';

const SERVICE = 'deterioration-risk';

const ACTION_WORDS: Record<News2Risk, string> = {
  none: 'routine monitoring',
  low: 'ward-based assessment',
  'low-medium': 'urgent ward-based review',
  medium: 'urgent response',
  high: 'emergency response',
};

const SOURCE = cardSource(SERVICE, 'Risk of clinical deterioration');
const NEWS2_LINK = { label: 'RCP: National Early Warning Score (NEWS) 2', url: NEWS2_SOURCE_URL, type: 'absolute' as const };

/** Up to two parameters that score highest, as "RR 26/min (3)", for the summary line. */
function drivers(news2: News2Result, inputs: PatientInputs): string {
  return news2.subscores
    .filter((s) => s.points >= 2)
    .sort((a, b) => b.points - a.points)
    .slice(0, 2)
    .map((s) => {
      const reading: VitalReading | undefined = inputs.vitals[s.parameter];
      const value = reading !== undefined ? formatReading(s.parameter, reading) : String(s.value);
      return `${shortValue(s.parameter, value)} (${s.points})`;
    })
    .join(', ');
}

/**
 * Joins summary segments, given in reading order, into at most 139 characters: the first always (cut
 * to fit if it must), the others taken in `priority` order (by default their reading order), each only
 * if it fits whole beside those already taken, and read in their own order. NEWS2 and its response
 * come first, then what to re-check, then the trend, the model and the drivers.
 */
function assembleSummary(segments: readonly string[], priority: readonly number[] = segments.map((_, i) => i)): string {
  const kept = new Set([0]);
  let length = segments[0]!.length;
  for (const i of priority) {
    const segment = segments[i]!;
    if (kept.has(i) || segment === '' || length + segment.length > 139) continue;
    kept.add(i);
    length += segment.length;
  }
  return fitSummary(segments.filter((_, i) => kept.has(i)).join(''));
}

/** True when out-of-date or unverified values must be confirmed before the score can be trusted. */
function mustConfirm(unconfirmed: UnconfirmedNews2): boolean {
  return needsRecheckNow(unconfirmed) || unconfirmed.ifConfirmed !== undefined || unconfirmed.ifScale2 !== undefined;
}

/** True when a routine band would be read as reassurance the data do not support. */
function mustRecheck(unconfirmed: UnconfirmedNews2): boolean {
  return mustConfirm(unconfirmed) || unconfirmed.unreadable.length > 0;
}

/**
 * In place of a calm band ("Low clinical risk", or routine monitoring) while values must be re-checked:
 * the band of the values scored would be read as reassurance they do not give (H13; for NEWS2 1–4, the
 * fourth review, 2026-11-29: NEWS2 1 beside a preliminary RR 30 read "Low clinical risk").
 */
function noBandYet(news2: News2Result, confirm: boolean): string {
  // NEWS2 1–4 already calls for a nurse's assessment: that stays, as a floor, without the band's calm name
  // (a review of the first version, 2026-11-29, found "(low clinical risk)" kept and the response dropped).
  if (news2.risk === 'low') {
    const from = confirm ? 'verified, current values' : 'the values that could be read';
    return `**At least a ward-based response now:** NEWS2 from ${from} is ${news2.total}: ${NEWS2_RESPONSE.low.response.replace(/^Ward-based response: /, '')} Re-check the values below first: they may call for more.`;
  }
  return confirm
    ? '**No response band yet:** NEWS2 from verified, current values is 0, but the values below must be re-checked first.'
    : '**No response band yet:** NEWS2 from the values that could be read is 0, but a newer value below could not be read: re-check it first.';
}

/** Under 16 by the Patient's birth date: NEWS2 (RCP 2017) is not validated in children. */
function isChild(inputs: PatientInputs): boolean {
  return inputs.ageYears !== undefined && inputs.ageYears < 16;
}

/**
 * For a child at NEWS2 1–4, in place of "Low clinical risk": the adult band's floor (a nurse's
 * assessment now) stays, its calm name goes (fifth pass, 2026-11-29: a 6-year-old at NEWS2 3 read "Low
 * clinical risk … ward-based response", and beside values to re-check, the adult floor's summary).
 */
function childLowFloor(news2: News2Result, recheck: boolean): string {
  return `**At least a ward-based response now:** NEWS2 is ${news2.total} on adults' bands, which do not say how ill a child is: a registered nurse assesses the child now, with a paediatric early warning score and age-specific ranges.${recheck ? ' Re-check the values below first: they may call for more.' : ''}`;
}

const CHILD_CAUTION =
  "**Caution: the patient is under 16.** NEWS2 is not validated in children and its bands are adults' bands: assess with a paediatric early warning score and age-specific ranges.";

/** A summary's room: CDS Hooks asks for fewer than 140 characters. */
const SUMMARY_ROOM = 139;

/** What must be re-checked, each in a few words, for the summary. */
function recheckItems(unconfirmed: UnconfirmedNews2, now: Date, withIfConfirmed = true): string[] {
  return [
    ...unconfirmed.alarming.map((v) => unconfirmedShort(v, now)),
    ...unconfirmed.beyondRange.map((b) => beyondRangeShort(b, now)),
    ...(unconfirmed.gcsNotAlert !== undefined ? [gcsShort(unconfirmed.gcsNotAlert, now)] : []),
    ...(unconfirmed.ifScale2 !== undefined ? [scale2Short(unconfirmed.ifScale2)] : []),
    ...unconfirmed.unreadable.map((u) => unreadableShort(u, now)),
    // What makes the card a warning when no single value scores 3 (a review, 2026-11-29: NEWS2 4 beside a
    // preliminary 39.5 °C was a warning whose summary named nothing to re-check).
    ...(withIfConfirmed && unconfirmed.ifConfirmed !== undefined && unconfirmed.alarming.length === 0
      ? [`out-of-date or unverified values (NEWS2 ${unconfirmed.ifConfirmed.total} if they stand)`]
      : []),
  ];
}

/** The shortest re-check segment: " · re-check 3 values" (none for nothing to re-check). */
function recheckCount(items: readonly string[]): string {
  return items.length === 0 ? '' : ` · re-check ${items.length} value${items.length === 1 ? '' : 's'}`;
}

/** " · re-check a, b +2 more": as many of `items` as fit in `room` characters, and how many did not. */
function recheckSegment(items: readonly string[], room: number): string {
  if (items.length === 0) return '';
  for (let shown = items.length; shown >= 1; shown--) {
    const rest = items.length - shown;
    const text = ` · re-check ${items.slice(0, shown).join(', ')}${rest > 0 ? ` +${rest} more` : ''}`;
    if (text.length <= room) return text;
  }
  return recheckCount(items);
}

/** NEWS2's trend in words, or none for a mixed-age set (its earlier chart predates its newest values). */
function trendWords(n: News2Result, inputs: PatientInputs, ctx: CardContext): string {
  return isMixedAgeSet(inputs) ? '' : news2TrendWords(n, ctx.earlier, ctx.now);
}

/** Summary segments by priority when the model raised the card: NEWS2, re-check, model, trend, drivers. */
const MODEL_BEFORE_TREND = [0, 1, 3, 2, 4] as const;

/**
 * The card's summary. When the model raised the card's colour, its estimate outranks the trend and the
 * drivers for the summary's room, so a card coloured by the model says why in its first line.
 */
function summaryFor(
  a: RiskAssessment,
  inputs: PatientInputs,
  unconfirmed: UnconfirmedNews2,
  ctx: CardContext,
  modelRaised: boolean,
): string {
  const now = ctx.now;
  const n = a.news2;
  const action =
    n.risk === 'low' && isChild(inputs)
      ? `at least ${ACTION_WORDS.low}, use a paediatric score`
      : n.risk === 'low' && mustRecheck(unconfirmed)
        ? `at least ${ACTION_WORDS.low}`
        : n.risk !== 'none'
          ? ACTION_WORDS[n.risk]
          : isChild(inputs)
            ? 'not validated under 16, use a paediatric score'
            : n.partial
              ? 'chart now'
              : unconfirmed.alarming.length > 0 || unconfirmed.ifConfirmed !== undefined
                ? 'from verified values only'
                : mustConfirm(unconfirmed)
                  ? 'from the values that could be scored'
                  : unconfirmed.unreadable.length > 0
                    ? 'from older values: a newer one is unreadable'
                    : ctx.observationsMayBeIncomplete === true
                      ? 'from the values sent, which may be incomplete'
                      : ACTION_WORDS.none;
  const toRecheck = recheckItems(unconfirmed, now);
  // The response band and what to re-check must survive the 139 characters: a long list of missing
  // parameters gives way to a count (the detail names them). Third review, 2026-11-29.
  const full = n.partial ? `${news2Headline(n)}: ${missingWords(n, inputs)} — ${action}` : `${news2Headline(n)}: ${action}`;
  const head =
    n.partial && full.length + recheckCount(toRecheck).length > SUMMARY_ROOM
      ? `${news2Headline(n)}: ${n.missing.length} of 7 parameters missing — ${action}`
      : full;
  const recheck = recheckSegment(toRecheck, SUMMARY_ROOM - head.length);
  // While something must be re-checked, no calmer words beside it: no trend, no model figure (unless the
  // model raised the card). A mixed-age set's trend compares with a chart older than its newest values.
  const pending = toRecheck.length > 0;
  const model =
    pending && !modelRaised
      ? ''
      : a.model !== undefined
        ? ` · ${modelSummary(a.model)}`
        : a.modelStatus.state === 'unavailable'
          ? ' · model unavailable'
          : '';
  const driverText = drivers(n, inputs);
  const trend = pending ? '' : trendWords(n, inputs, ctx);
  return assembleSummary(
    [head, recheck, trend === '' ? '' : ` · ${trend}`, model, driverText === '' ? '' : ` — ${driverText}`],
    modelRaised ? MODEL_BEFORE_TREND : undefined,
  );
}

/** How the model's band sits beside NEWS2's indicator, and whether it raised the card. */
function modelBeside(news2: Indicator | undefined, model: Indicator | undefined): ModelBeside {
  const n = news2 === undefined ? -1 : INDICATOR_RANK[news2];
  const m = model === undefined ? -1 : INDICATOR_RANK[model];
  if (m > n) return 'raises';
  return m < n ? 'lower' : 'agrees';
}

/** The card for a scored patient, or none when nothing reaches the configured card threshold. */
export function deteriorationCard(a: RiskAssessment, inputs: PatientInputs, ctx: CardContext): Card | undefined {
  const unconfirmed = unconfirmedNews2(inputs, a.news2);
  const news2Colour = news2Indicator(a.news2, ctx.policy);
  // An out-of-date or unverified value that would score 3 (or a GCS below 15 where ACVPU does not say
  // so), or values that would take NEWS2 to medium or above, need a re-check now: at least a warning,
  // never a critical on unconfirmed data alone.
  const worse = unconfirmed.ifConfirmed;
  const onScale2 = unconfirmed.ifScale2;
  // A newer value that could not be read leaves the score resting on an older one: never silence.
  const recheckColour: Indicator | undefined =
    needsRecheckNow(unconfirmed) || (worse !== undefined && worse.total >= 5) || (onScale2 !== undefined && onScale2.total >= 5)
      ? 'warning'
      : unconfirmed.unreadable.length > 0
        ? 'info'
        : undefined;
  const modelColour = a.model !== undefined ? MODEL_BAND_INDICATOR[a.model.band] : undefined;
  // NEWS2 is not validated under 16: a score of 0 there is no reassurance, so a child always gets a card
  // that says so (third review, 2026-11-29: a 1-year-old with HR 60 read "Low clinical risk").
  const childColour: Indicator | undefined = isChild(inputs) ? 'info' : undefined;
  // Observations that may be incomplete make a calm score no reassurance: always a card that says so.
  const incompleteColour: Indicator | undefined = ctx.observationsMayBeIncomplete === true ? 'info' : undefined;
  const indicator = mostSevere(news2Colour, recheckColour, modelColour, childColour, incompleteColour);
  if (indicator === undefined) return undefined;

  const parts: string[] = [];
  const trend = trendWords(a.news2, inputs, ctx);
  parts.push(
    `**${news2Headline(a.news2)}**${trend === '' ? '' : ` (${trend})`}, ${asOfWords(inputs, ctx.now)}.` +
      `${a.news2.spo2Scale === 2 ? ' SpO2 scored on scale 2: a hypercapnic target (88–92 %) is recorded.' : ''}`,
  );
  // A routine band beside a value that must be re-checked would reassure: it is replaced, not printed.
  if (isChild(inputs)) parts.push(CHILD_CAUTION);
  parts.push(
    isChild(inputs) && a.news2.risk === 'none' && !a.news2.partial
      ? '**No response band:** NEWS2 bands are for adults; a NEWS2 of 0 does not say this child is well.'
      : isChild(inputs) && a.news2.risk === 'low' && !a.news2.partial
        ? childLowFloor(a.news2, mustRecheck(unconfirmed))
        : (a.news2.risk === 'none' || a.news2.risk === 'low') && !a.news2.partial && mustRecheck(unconfirmed)
          ? noBandYet(a.news2, mustConfirm(unconfirmed))
          : a.news2.risk === 'none' && !a.news2.partial && ctx.observationsMayBeIncomplete === true
            ? '**No response band yet:** NEWS2 from the values sent is 0, but what the EHR sent may be incomplete (below): check the chart.'
            : news2Response(a.news2, inputs),
  );
  const recheck = recheckLines(unconfirmed, ctx.now);
  if (recheck.length > 0) parts.push(`**Re-check now:**\n${recheck.join('\n')}`);
  parts.push(news2Table(a.news2, inputs, unconfirmed, ctx.now, ctx.staleAfterHours));
  const assumptions = assumptionLines(a.news2);
  if (assumptions.length > 0) parts.push(`Assumed, so as to act on the worse case:\n${assumptions.join('\n')}`);
  const note = modelStatusNote(a.modelStatus);
  if (note !== undefined) parts.push(`**${note}**`);
  const beside = a.model !== undefined ? modelBeside(mostSevere(news2Colour, recheckColour), modelColour) : undefined;
  if (a.model !== undefined && beside !== undefined) {
    parts.push(modelSection(a.model, beside, indicator));
    // The estimate was worked out from the values NEWS2 used: not from those waiting to be re-checked.
    if (mustRecheck(unconfirmed)) parts.push("_The model's estimate rests on the values NEWS2 used, not on the values to re-check above._");
  }
  parts.push(qsofaLine(a.qsofa, inputs, ctx.now, unconfirmed));
  const unusable = unusableLines(inputs, ctx.now, unconfirmed.beyondRange);
  if (unusable.length > 0) parts.push(`Charted but not usable:\n${unusable.join('\n')}`);
  parts.push(...couldNotObtain(ctx.problems));
  if (inputs.ageYears === undefined) parts.push('Age not known (no birth date was obtained): NEWS2 is scored as for an adult.');
  parts.push(DISCLAIMER);

  const suggestions = deteriorationSuggestions(a.news2, ctx.patient.id, mustRecheck(unconfirmed));
  const draft: DraftCard = {
    summary: summaryFor(a, inputs, unconfirmed, ctx, beside === 'raises'),
    detail: parts.join('\n\n'),
    indicator,
    source: SOURCE,
    ...(suggestions.length > 0 ? { suggestions, selectionBehavior: 'any' as const } : {}),
    overrideReasons: OVERRIDE_REASONS,
    links: [aboutLink(ctx), NEWS2_LINK],
    extension: scoreExtension(a, inputs, unconfirmed),
  };
  return withStableIdentity(draft, SERVICE, ctx.patient.pseudonym, ctx.keyed);
}

function newestAt(vitals: VitalSigns): Date | undefined {
  let newest: Date | undefined;
  for (const name of VITAL_NAMES) {
    const at = vitals[name]?.at;
    if (at !== undefined && (newest === undefined || at > newest)) newest = at;
  }
  return newest;
}

/**
 * Honest card when no vital sign is recent enough to score: says so, gives no score, and shows the
 * last values with their ages. An out-of-date value that would score 3 makes it a warning.
 */
export function noRecentVitalsCard(inputs: PatientInputs, ctx: CardContext): Card {
  const window = formatHours(ctx.staleAfterHours);
  const lastStale = newestAt(inputs.stale);
  const lastUnverified = newestAt(inputs.unverified);
  const empty: News2Result = {
    total: 0,
    partial: true,
    missing: [...VITAL_NAMES],
    subscores: [],
    anySingleThree: false,
    risk: 'none',
    spo2Scale: inputs.spo2Scale,
  };
  const unconfirmed = unconfirmedNews2(inputs, empty);
  const alarming = needsRecheckNow(unconfirmed);
  // No score here: NEWS2 if the old values stood is no value to re-check (a review, 2026-11-29).
  const toRecheck = recheckItems(unconfirmed, ctx.now, false);
  const head =
    lastStale === undefined
      ? `No verified vital signs in the last ${window}: NEWS2 cannot be scored — chart a full set now`
      : `No vital signs in the last ${window} (last charted ${formatAge(lastStale, ctx.now)}): NEWS2 not scored — chart now`;
  const recheck = alarming ? recheckSegment(toRecheck, SUMMARY_ROOM - head.length) : '';
  const lines = [
    `Vigil found no verified vital signs charted in the last ${window}, so it gives no score. Chart a full set of observations now to get NEWS2.`,
  ];
  if (unconfirmed.values.length > 0) {
    const rows = ['| Parameter | Last value | Charted | Would score |', '|---|---|---|---|'];
    for (const v of unconfirmed.values) {
      const why = v.kind === 'stale' ? 'out of date' : `${v.reading.status ?? 'unverified'}, not verified`;
      rows.push(
        `| ${PARAMETER_LABELS[v.parameter]} | ${formatReading(v.parameter, v.reading)} (${why}) | ${formatAge(v.reading.at, ctx.now)} | ${v.points}${v.points === 3 ? ': re-check now' : ''} |`,
      );
    }
    lines.push(rows.join('\n'));
  }
  const recheckText = recheckLines(unconfirmed, ctx.now);
  if (recheckText.length > 0) lines.push(`**Re-check now:**\n${recheckText.join('\n')}`);
  lines.push(...couldNotObtain(ctx.problems));
  const unusable = unusableLines(inputs, ctx.now, unconfirmed.beyondRange);
  if (unusable.length > 0) lines.push(`Charted but not usable:\n${unusable.join('\n')}`);
  lines.push(DISCLAIMER);
  const ext: Record<string, unknown> = {
    path: 'rules',
    scored: false,
    reason: lastStale === undefined && lastUnverified === undefined ? 'no-vitals' : 'stale-vitals',
  };
  if (lastStale !== undefined) ext.dataAsOf = lastStale.toISOString();
  const extension = { 'vigil.score': withFields(ext, unconfirmedJson(unconfirmed)) };
  const suggestions = deteriorationSuggestions(empty, ctx.patient.id, true);
  const draft: DraftCard = {
    summary: assembleSummary([head, recheck]),
    detail: lines.join('\n\n'),
    indicator: alarming ? 'warning' : 'info',
    source: SOURCE,
    suggestions,
    selectionBehavior: 'any',
    overrideReasons: OVERRIDE_REASONS,
    links: [aboutLink(ctx), NEWS2_LINK],
    extension,
  };
  return withStableIdentity(draft, SERVICE, ctx.patient.pseudonym, ctx.keyed);
}
