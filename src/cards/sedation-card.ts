// The sedation-safety card: a sedative was just ordered for a patient whose breathing puts them at
// risk, or whose breathing cannot be judged from what is charted. Offers removing the draft order;
// the reasons are the patient's own values, the most severe first.
import { formatHours } from '../explain/age.js';
import { capLines } from '../explain/lists.js';
import { modelStatusNote } from '../explain/model-explain.js';
import { asOfWords, news2Headline, news2Table, qsofaLine } from '../explain/news2-explain.js';
import type { UnconfirmedNews2 } from '../fallback-rules/news2-unconfirmed.js';
import { RECENTLY_ENDED_HOURS, type BreathingRisk } from '../sedation/breathing-risk.js';
import { SEDATIVE_CLASS_WORDS, type SelectedSedative } from '../sedation/classify-order.js';
import type { RiskAssessment } from '../models/scorer.js';
import type { PatientInputs } from '../domain/vital-signs.js';
import { fitSummary, type Card } from '../cds-hooks/card-schema.js';
import { withStableIdentity, type DraftCard } from './card-identity.js';
import { aboutLink, cardSource, couldNotObtain, DISCLAIMER, OVERRIDE_REASONS, scoreExtension, type CardContext } from './common.js';
import { continuousOximetrySuggestion, type SuggestionDraft } from './suggestions.js';
import { withFields } from '../lang/with-fields.js';

const SERVICE = 'sedation-safety';

const SOURCE = cardSource(SERVICE, 'Sedative ordered for a patient at respiratory risk');

/**
 * Remove the draft order (recommended), or, where breathing is the reason, go ahead with continuous
 * pulse oximetry: alternatives, so at most one is chosen.
 */
function suggestionsFor(order: SelectedSedative, risk: BreathingRisk, ctx: CardContext): SuggestionDraft[] {
  const suggestions: SuggestionDraft[] = [
    {
      key: 'remove-order',
      label: `Remove the ${order.match.ingredient} order`,
      // Not recommended when the only reason is a check Vigil could not make.
      isRecommended: !risk.notCheckedOnly,
      actions: [{ type: 'delete', description: `Remove draft order ${order.orderName}`, resourceId: order.reference }],
    },
  ];
  // A finding about breathing, not another drug nor a check Vigil could not make (a child, an unread target).
  const breathing = risk.reasons.find((r) => r.combination !== true && r.level !== 'not-checked');
  if (breathing !== undefined)
    suggestions.push(continuousOximetrySuggestion(ctx.patient.id, `${order.match.ingredient} ordered: ${breathing.text}`));
  return suggestions;
}

function orderExtension(order: SelectedSedative, risk: BreathingRisk) {
  return {
    reference: order.reference,
    drugClass: order.match.drugClass,
    ingredient: order.match.ingredient,
    matchedBy: order.match.matchedBy,
    ...reasonsAsData(risk),
  };
}

/**
 * What the other sedatives add to the order's data (how many, and of which classes), and the reasons
 * no NEWS2 point carries, by code: each new one is a new concern to the repeat-card rule (repeat-cards.ts).
 */
function reasonsAsData(risk: BreathingRisk) {
  return {
    // How many other sedatives the patient already takes: a new one is a new reason.
    alreadyPrescribed: risk.reasons.filter((r) => r.combination === true && r.level !== 'not-checked').length,
    // Their classes, not their names: a sedative of a new class is a new reason.
    otherSedativeClasses: [...new Set(risk.reasons.flatMap((r) => (r.drugClass !== undefined ? [r.drugClass] : [])))].sort(),
    unscoredReasons: [...new Set(risk.reasons.flatMap((r) => (r.unscored !== undefined ? [r.unscored] : [])))].sort(),
  };
}

/** True when a reason says the patient is at risk (not only that something could not be judged or checked). */
function judgedAtRisk(risk: BreathingRisk): boolean {
  return risk.reasons.some((r) => r.level === 'severe' || r.level === 'at-risk');
}

/** "at risk" when any reason says so; else breathing cannot be judged. */
function verdict(risk: BreathingRisk): string {
  return judgedAtRisk(risk) ? 'respiratory depression risk' : 'breathing cannot be judged';
}

/** The card's opening line, after the order's name and class. */
function opening(risk: BreathingRisk): string {
  // Vital signs not obtained say nothing of the chart (a review, 2026-11-29).
  const seen = risk.vitalsNotObtained === true ? 'what could be obtained' : 'what is charted';
  if (judgedAtRisk(risk)) return `this patient's breathing or conscious level is already compromised, or cannot be judged from ${seen}:`;
  if (risk.notCheckedOnly) return `this patient's breathing was judged from ${seen}, but not everything could be checked:`;
  return `this patient's breathing cannot be judged from ${seen}:`;
}

/** What to do, by verdict. */
function advice(risk: BreathingRisk): string {
  if (judgedAtRisk(risk))
    return 'Consider a lower dose or an alternative, closer monitoring (respiratory rate, SpO2, sedation score) after the dose, and naloxone or flumazenil availability as appropriate.';
  if (risk.notCheckedOnly) return risk.reasons.flatMap((r) => (r.advice !== undefined ? [r.advice] : [])).join(' ');
  return risk.vitalsNotObtained === true
    ? 'Check respiratory rate, SpO2 and level of consciousness before the first dose: Vigil could not obtain the vital signs.'
    : 'Chart respiratory rate, SpO2 and level of consciousness before the first dose.';
}

export function sedationCard(
  order: SelectedSedative,
  risk: BreathingRisk,
  a: RiskAssessment,
  inputs: PatientInputs,
  unconfirmed: UnconfirmedNews2,
  ctx: CardContext,
): Card {
  const what = `${SEDATIVE_CLASS_WORDS[order.match.drugClass].heading} (${order.match.ingredient})`;
  const reasons = risk.reasons.map((r) => r.text);
  // A card only about a check Vigil could not make says so plainly: its reason is its verdict.
  const summary = fitSummary(`${what} ordered: ${risk.notCheckedOnly ? '' : `${verdict(risk)} — `}${reasons.join(', ')}`);
  const parts = [
    `**${order.orderName}** is ${SEDATIVE_CLASS_WORDS[order.match.drugClass].withArticle}, and ${opening(risk)}`,
    capLines(
      reasons.map((r) => `- ${r}`),
      'reasons',
    ).join('\n'),
    advice(risk),
    `**${news2Headline(a.news2)}**, ${asOfWords(inputs, ctx.now)}.`,
    risk.vitalsNotObtained === true
      ? news2Table(a.news2, inputs, unconfirmed, ctx.now, ctx.staleAfterHours, 'not obtained')
      : news2Table(a.news2, inputs, unconfirmed, ctx.now, ctx.staleAfterHours),
    qsofaLine(a.qsofa, inputs, ctx.now, unconfirmed),
  ];
  const note = modelStatusNote(a.modelStatus);
  if (note !== undefined) parts.push(note);
  return finish(sedativeOrder(order, risk, ctx), ctx, summary, parts, scoreExtension(a, inputs, unconfirmed));
}

/**
 * A sedative was ordered but no vital sign is recent enough to judge breathing, or none could be
 * obtained at all (`notObtained`: the chart was not seen, so nothing is said of it; integration review,
 * 2026-11-29: "no verified vital signs in the last 12 h" was said of a chart Vigil never saw). A
 * warning, never silence.
 */
export function sedationNoVitalsCard(
  order: SelectedSedative,
  inputs: PatientInputs,
  risk: BreathingRisk,
  ctx: CardContext,
  notObtained = false,
): Card {
  const what = `${SEDATIVE_CLASS_WORDS[order.match.drugClass].heading} (${order.match.ingredient})`;
  const window = formatHours(ctx.staleAfterHours);
  const parts = [
    notObtained
      ? `**${order.orderName}** can depress breathing, and Vigil could not obtain this patient's vital signs (below), so it could not check respiratory rate, SpO2 or conscious level. Check them before the first dose.`
      : `**${order.orderName}** can depress breathing, and Vigil found no verified vital signs charted in the last ${window} to check this patient's respiratory rate, SpO2 or conscious level. Chart observations before the first dose.`,
  ];
  const known = risk.reasons.filter((r) => r.notCharted !== true);
  if (known.length > 0)
    parts.push(
      capLines(
        known.map((r) => `- ${r.text}`),
        'reasons',
      ).join('\n'),
    );
  const ext: Record<string, unknown> = {
    path: 'rules',
    scored: false,
    reason: notObtained
      ? 'vitals-not-obtained'
      : Object.keys(inputs.stale).length > 0 || Object.keys(inputs.unverified).length > 0
        ? 'stale-vitals'
        : 'no-vitals',
  };
  const why = notObtained ? 'vital signs could not be obtained' : `no verified vital signs in the last ${window}`;
  const summary = fitSummary(`${what} ordered: breathing cannot be judged — ${why}${known[0] !== undefined ? `; ${known[0].text}` : ''}`);
  return finish(sedativeOrder(order, risk, ctx), ctx, summary, parts, { 'vigil.score': ext });
}

/**
 * What "other sedatives" covered, so no one reads more into it (fourth review, 2026-11-29): the orders
 * the EHR sent, not the doses it recorded as given.
 */
const OTHER_SEDATIVES_SCOPE = `_Other sedatives are looked for among the medication orders the EHR sent: active, on hold or of unknown status, and completed or stopped in the last ${RECENTLY_ENDED_HOURS} h only if the EHR sent those (Vigil does not ask for them). Doses recorded as given (administrations) are not read._`;

/**
 * A selected order that names its drug only by a reference to a Medication the EHR did not send, for a
 * patient whose breathing is judged at risk: whether it sedates cannot be known, so the card says what
 * would matter if it does (fourth review, 2026-11-29: such an order gave no card). One step milder than
 * a sedative's card (warning at most), as the drug may be no sedative at all; the breathing findings
 * themselves are the deterioration card's to escalate.
 */
export function unidentifiedDrugCard(
  reference: string,
  risk: BreathingRisk,
  a: RiskAssessment,
  inputs: PatientInputs,
  unconfirmed: UnconfirmedNews2,
  ctx: CardContext,
): Card {
  const reasons = risk.reasons.map((r) => r.text);
  const summary = fitSummary(`Unidentified drug: if a sedative, ${verdict(risk)} — ${reasons.join(', ')}`);
  const parts = [
    `This order names its drug only by a reference to a Medication the EHR did not send, so Vigil could not tell whether it is an opioid, a benzodiazepine or another sedative. If it is one, ${opening(risk)}`,
    capLines(
      reasons.map((r) => `- ${r}`),
      'reasons',
    ).join('\n'),
    `Check which drug this order is before it is given. If it is a sedative, ${lowerFirst(advice(risk))}`,
    `**${news2Headline(a.news2)}**, ${asOfWords(inputs, ctx.now)}.`,
    news2Table(a.news2, inputs, unconfirmed, ctx.now, ctx.staleAfterHours),
    qsofaLine(a.qsofa, inputs, ctx.now, unconfirmed),
  ];
  const note = modelStatusNote(a.modelStatus);
  if (note !== undefined) parts.push(note);
  const breathing = risk.reasons.find((r) => r.combination !== true && r.level !== 'not-checked');
  const order: OrderParts = {
    indicator: risk.severe ? 'warning' : 'info',
    suggestions: breathing === undefined ? [] : [continuousOximetrySuggestion(ctx.patient.id, `drug not identified: ${breathing.text}`)],
    extension: { reference, drugClass: 'not-identified', ...reasonsAsData(risk) },
  };
  return finish(order, ctx, summary, parts, scoreExtension(a, inputs, unconfirmed));
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** What a sedation card says of its order: its colour, what it offers, and the order as data. */
interface OrderParts {
  indicator: Card['indicator'];
  suggestions: SuggestionDraft[];
  extension: Record<string, unknown>;
}

function sedativeOrder(order: SelectedSedative, risk: BreathingRisk, ctx: CardContext): OrderParts {
  return {
    // Only "could not check" is information, not a warning: nothing about the patient was found wrong.
    indicator: risk.severe ? 'critical' : risk.notCheckedOnly ? 'info' : 'warning',
    suggestions: suggestionsFor(order, risk, ctx),
    extension: orderExtension(order, risk),
  };
}

/** What every sedation card ends with: what could not be had, the disclaimer, the suggestions, the order as data. */
function finish(order: OrderParts, ctx: CardContext, summary: string, parts: string[], score: Record<string, unknown>): Card {
  const draft: DraftCard = {
    summary,
    detail: [...parts, OTHER_SEDATIVES_SCOPE, ...couldNotObtain(ctx.problems), DISCLAIMER].join('\n\n'),
    indicator: order.indicator,
    source: SOURCE,
    ...(order.suggestions.length > 0 ? { suggestions: order.suggestions, selectionBehavior: 'at-most-one' as const } : {}),
    overrideReasons: OVERRIDE_REASONS,
    links: [aboutLink(ctx)],
    extension: withFields(score, { 'vigil.order': order.extension }),
  };
  return withStableIdentity(draft, SERVICE, ctx.patient.pseudonym, ctx.keyed);
}
