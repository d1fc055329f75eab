// The sedation-safety card: a sedative was just ordered for a patient whose breathing or NEWS2 puts
// them at risk. Offers removing the draft order; the reasons are the patient's own values.
import { randomUUID } from 'node:crypto';
import { formatHours } from '../explain/age.js';
import { news2Headline, news2Table, qsofaLine } from '../explain/news2-explain.js';
import { modelStatusNote } from '../explain/model-explain.js';
import type { SedativeMatch } from '../hooks/sedation/classify-order.js';
import type { BreathingRisk } from '../hooks/sedation/breathing-risk.js';
import type { RiskAssessment } from '../models/scorer.js';
import type { PatientInputs } from '../prefetch/vital-signs.js';
import type { Card } from './card-schema.js';
import { cardSource, fitSummary, OVERRIDE_REASONS, scoreExtension } from './common.js';
import { DISCLAIMER, type CardContext } from './deterioration-card.js';

const SOURCE = cardSource('sedation-safety', 'Sedative ordered for a patient at respiratory risk');

const CLASS_WORDS: Record<SedativeMatch['drugClass'], string> = {
  opioid: 'Opioid',
  benzodiazepine: 'Benzodiazepine',
  'other-sedative': 'Sedative',
};

export interface SelectedSedative {
  /** `MedicationRequest/id` as named in `selections`. */
  reference: string;
  /** The order's own name as the EHR wrote it, for the card. */
  orderName: string;
  match: SedativeMatch;
}

function removeSuggestion(order: SelectedSedative) {
  return {
    label: `Remove the ${order.match.ingredient} order`,
    uuid: randomUUID(),
    actions: [{ type: 'delete' as const, description: `Remove draft order ${order.orderName}`, resourceId: order.reference }],
  };
}

export function sedationCard(
  order: SelectedSedative,
  risk: BreathingRisk,
  a: RiskAssessment,
  inputs: PatientInputs,
  ctx: CardContext,
): Card {
  const what = `${CLASS_WORDS[order.match.drugClass]} (${order.match.ingredient})`;
  const summary = fitSummary(`${what} ordered: respiratory depression risk — ${risk.reasons.join(', ')}`);
  const parts = [
    `**${order.orderName}** is ${order.match.drugClass === 'other-sedative' ? 'a sedative' : `an ${order.match.drugClass === 'opioid' ? 'opioid' : 'benzodiazepine'}`}, and this patient already shows signs that their breathing or conscious level is compromised:`,
    risk.reasons.map((r) => `- ${r}`).join('\n'),
    'Consider a lower dose or an alternative, closer monitoring (respiratory rate, SpO2, sedation score) after the dose, and naloxone or flumazenil availability as appropriate.',
    `**${news2Headline(a.news2)}**`,
    news2Table(a.news2, inputs, ctx.now, ctx.staleAfterHours),
    qsofaLine(a.qsofa),
  ];
  const note = modelStatusNote(a.modelStatus);
  if (note !== undefined) parts.push(note);
  if (ctx.problems.length > 0) parts.push(`Data Vigil could not obtain:\n${ctx.problems.map((p) => `- ${p}`).join('\n')}`);
  parts.push(DISCLAIMER);
  return {
    uuid: randomUUID(),
    summary,
    detail: parts.join('\n\n'),
    indicator: risk.severe ? 'critical' : 'warning',
    source: SOURCE,
    suggestions: [removeSuggestion(order)],
    selectionBehavior: 'at-most-one',
    overrideReasons: OVERRIDE_REASONS,
    extension: { ...scoreExtension(a, inputs.dataAsOf), 'vigil.order': { reference: order.reference, drugClass: order.match.drugClass, ingredient: order.match.ingredient, matchedBy: order.match.matchedBy } },
  };
}

/** A sedative was ordered but no vital sign is recent enough to check breathing: say so. */
export function sedationNoVitalsCard(order: SelectedSedative, inputs: PatientInputs, ctx: CardContext): Card {
  const what = `${CLASS_WORDS[order.match.drugClass]} (${order.match.ingredient})`;
  const window = formatHours(ctx.staleAfterHours);
  const parts = [
    `**${order.orderName}** can depress breathing, and Vigil found no vital signs charted in the last ${window} to check this patient's respiratory rate, SpO2 or conscious level. Consider charting observations before the first dose.`,
  ];
  if (ctx.problems.length > 0) parts.push(`Data Vigil could not obtain:\n${ctx.problems.map((p) => `- ${p}`).join('\n')}`);
  parts.push(DISCLAIMER);
  const ext: Record<string, unknown> = { path: 'rules', scored: false, reason: Object.keys(inputs.stale).length > 0 ? 'stale-vitals' : 'no-vitals' };
  return {
    uuid: randomUUID(),
    summary: fitSummary(`${what} ordered: no vital signs in the last ${window} to check breathing`),
    detail: parts.join('\n\n'),
    indicator: 'info',
    source: SOURCE,
    overrideReasons: OVERRIDE_REASONS,
    extension: { 'vigil.score': ext, 'vigil.order': { reference: order.reference, drugClass: order.match.drugClass, ingredient: order.match.ingredient, matchedBy: order.match.matchedBy } },
  };
}
