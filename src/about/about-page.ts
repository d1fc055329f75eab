// The page every card links to: what the score is, what the model is and is not, the limits, and how
// to override. Static for a running service (no patient data, nothing from the call: the URL carries
// only the service id), plain HTML with no script or style, so the strict CSP every answer carries holds.
import { NEWS2_RESPONSE, NEWS2_SOURCE_URL } from '../explain/news2-response.js';
import type { News2Risk } from '../fallback-rules/types.js';
import type { ModelMode } from '../models/scorer.js';
import { OVERRIDE_REASONS } from '../cards/common.js';

export interface AboutFacts {
  /** The model in service, if any, and what it may do. */
  model?: { name: string; version: string; mode: ModelMode; trainingData?: string; headline?: string; canary?: CanaryFacts };
  staleAfterHours: number;
}

/** A candidate serving some patients in the primary's place. */
export interface CanaryFacts {
  name: string;
  version: string;
  percent: number;
  trainingData?: string;
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const BANDS: [News2Risk, string][] = [
  ['none', 'NEWS2 0'],
  ['low', 'NEWS2 1–4'],
  ['low-medium', 'A single parameter scoring 3'],
  ['medium', 'NEWS2 5–6'],
  ['high', 'NEWS2 7 or more'],
];

function modelSection(facts: AboutFacts): string {
  const m = facts.model;
  if (m === undefined || m.mode === 'off') return '<p>No learned model is in use here: cards show NEWS2 alone.</p>';
  const synthetic = m.trainingData === 'synthetic';
  const lines = [
    `<p>Model in service: <b>${escape(m.name)} ${escape(m.version)}</b>${synthetic ? ', trained on <b>synthetic data and not clinically validated</b>' : m.trainingData !== undefined ? `, trained on ${escape(m.trainingData)} data` : ''}.</p>`,
    m.mode === 'silent'
      ? '<p>It runs <b>silently</b>: it scores every patient and its estimates are recorded for evaluation, but no card shows them or changes because of them.</p>'
      : '<p>It is <b>active</b>: its estimate appears on cards second to NEWS2. It can raise a card (a medium estimate to warning, a high one to critical, when its alert bands are in use) and never lowers what NEWS2 indicates, in words or colour. A card it raised says so.</p>',
    ...(m.canary !== undefined && m.mode === 'active'
      ? [
          `<p>For ${m.canary.percent} % of patients a newer version, <b>${escape(m.canary.name)} ${escape(m.canary.version)}</b>${m.canary.trainingData === 'synthetic' ? ' (synthetic data, not clinically validated)' : ''}, takes its place (a canary), always the same one for a given patient, so that the two can be compared before one of them is chosen.</p>`,
        ]
      : []),
    m.headline !== undefined
      ? `<p>From its model card: ${escape(m.headline)}</p>`
      : '<p>Its numbers are in its model card, published beside the model file.</p>',
    "<p>The model does not see: patients with a prescribed 88–92 % saturation target (SpO2 scale 2), people under 16 or pregnancy, trends, laboratory values, diagnoses, medicines, treatment limits or a clinician's concern. Its estimate is not shown when a parameter NEWS2 scores was not charted (it would rest on an assumed normal value).</p>",
  ];
  return lines.join('\n');
}

export function renderAboutPage(service: 'deterioration-risk' | 'sedation-safety', facts: AboutFacts): string {
  const bands = BANDS.map(
    ([risk, when]) =>
      `<tr><td>${when}</td><td>${escape(NEWS2_RESPONSE[risk].band)}</td><td>${escape(NEWS2_RESPONSE[risk].response)}</td></tr>`,
  ).join('\n');
  const reasons = OVERRIDE_REASONS.map((r) => `<li>${escape(r.display)}</li>`).join('\n');
  const intro =
    service === 'sedation-safety'
      ? '<p>The <b>sedation-safety</b> card appears when an opioid, benzodiazepine or other sedative is ordered for a patient whose breathing or conscious level is compromised, or cannot be judged from what is charted (respiratory rate, SpO2 or consciousness missing, out of date or unverified). The most severe reason comes first. It offers removing the draft order, or continuous pulse oximetry.</p>'
      : "<p>The <b>deterioration-risk</b> card shows the patient's National Early Warning Score 2 (NEWS2) and the response the Royal College of Physicians sets for it, with qSOFA beside it.</p>";
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Vigil: about this score</title></head>
<body>
<h1>About this score</h1>
${intro}
<h2>NEWS2 leads</h2>
<p>NEWS2 (<a href="${NEWS2_SOURCE_URL}">Royal College of Physicians, 2017</a>) scores seven observations: respiratory rate, SpO2, air or oxygen, systolic blood pressure, pulse, level of consciousness and temperature. Each card's words and colour come from NEWS2 and this response:</p>
<table>
<tr><th>Score</th><th>Clinical risk</th><th>Response</th></tr>
${bands}
</table>
<h2>Incomplete, old or unverified data are never shown as normal</h2>
<ul>
<li>A parameter not charted is never scored as normal: the card says the score is incomplete and asks for it.</li>
<li>Values older than ${facts.staleAfterHours} h are out of date: shown with their age and what they would score, not scored. Unverified (preliminary) values are shown the same way. One that would score 3 asks for a re-check now.</li>
<li>A score is dated by its oldest value; values charted far apart are flagged as a mixed set.</li>
<li>With a prescribed 88–92 % target and oxygen not charted, SpO2 is scored as on oxygen, the worse case, and the card says so.</li>
</ul>
<h2>The model informs</h2>
${modelSection(facts)}
<h2>Limits</h2>
<p>Decision support only: it does not replace clinical judgement. NEWS2 is not validated under 16 years or in pregnancy. Vigil sees only what the record holds.</p>
<h2>How to override</h2>
<p>Dismiss the card in your EHR and choose a reason; the reason (never your free-text comment, unless your site keeps them) is recorded so the service can be reviewed. The reasons offered:</p>
<ul>
${reasons}
</ul>
<p>The same card does not return while nothing about the patient has changed; a rise in risk always shows at once.</p>
</body>
</html>
`;
}
