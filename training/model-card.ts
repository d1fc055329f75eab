// Renders the model card (<model>.md beside <model>.onnx) from a training result: what the model is,
// what it was trained on (synthetic data, said plainly), what it does not see, how Vigil serves it,
// how its bands were chosen for the served rule and how that rule does against NEWS2 alone on held-out
// patients, what each NEWS2 derangement does to its estimate, its weights, its reference histograms
// and the contract a site's own model must honour. The measured-performance section is written by
// `npm run bench:model` between markers and carried over by `npm run train`.
import type { VitalName } from '../src/domain/vital-signs.js';
import { featureWords, formatValue } from '../src/domain/labels.js';
import {
  FEATURE_CONTRACT_ID,
  FEATURE_COUNT,
  INPUT_NAME,
  MAX_IMPUTED_FEATURES,
  MODEL_FEATURES,
  OUTPUT_NAME,
} from '../src/models/feature-contract.js';
import { BAND_OFF, METADATA_KEYS, type Histogram } from '../src/models/model-metadata.js';
import { PHENOTYPES } from './cohort.js';
import type { Interval } from '../src/validation/metrics.js';
import { DEFAULT_OPTIONS, type TrainingResult } from './pipeline.js';
import type { AlertBand } from '../src/validation/served-rule.js';
import { CANDIDATE_THRESHOLDS, MIN_ADDED_ALERTS, type Candidate } from './thresholds.js';

export const BENCH_START = '<!-- bench:start -->';
export const BENCH_END = '<!-- bench:end -->';
const BENCH_PLACEHOLDER = 'Not measured yet: run `npm run bench:model -- --write-card`.';

/** Candidate thresholds shown in the trade-off tables (all were tried; these keep the tables short). */
const SHOWN_CANDIDATES: readonly number[] = [0.04, 0.06, 0.08, 0.1, 0.14, 0.2, 0.25, 0.3, 0.4, 0.5];

const f3 = (v: number) => v.toFixed(3);
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '—');
const signed = (v: number) => (v >= 0 ? `+${v.toFixed(3)}` : v.toFixed(3));
const signedPct = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)} pp` : '—');
const withCi = (i: Interval) => (Number.isFinite(i.value) ? `${pct(i.value)} (95 % CI ${pct(i.lower)} to ${pct(i.upper)})` : 'no alerts');
const differenceWithCi = (i: Interval) => `${signedPct(i.value)} (95 % CI ${signedPct(i.lower)} to ${signedPct(i.upper)})`;
/** How a yes/no input's "yes" reads in a table. */
const YES_WORDS: Readonly<Record<string, string>> = { onOxygen: 'on oxygen', consciousnessNotAlert: 'not alert' };
const threshold = (t: number) => (t === BAND_OFF ? 'off' : `p ≥ ${t}`);

const BAND_WORDS: Readonly<Record<AlertBand, { title: string; news2: string; model: string; key: 'medium' | 'high' }>> = {
  warning: { title: 'Warning or above', news2: 'NEWS2 ≥ 5 or a single parameter scoring 3', model: 'model ≥ `medium`', key: 'medium' },
  critical: { title: 'Critical', news2: 'NEWS2 ≥ 7', model: 'model ≥ `high`', key: 'high' },
};

/** The bench section of an existing card, so retraining keeps the last measurement. */
export function benchSection(card: string | undefined): string {
  if (card === undefined) return BENCH_PLACEHOLDER;
  const start = card.indexOf(BENCH_START);
  const end = card.indexOf(BENCH_END);
  if (start < 0 || end < start) return BENCH_PLACEHOLDER;
  return card.slice(start + BENCH_START.length, end).trim();
}

export function replaceBenchSection(card: string, section: string): string {
  const start = card.indexOf(BENCH_START);
  const end = card.indexOf(BENCH_END);
  if (start < 0 || end < start) return card;
  return `${card.slice(0, start + BENCH_START.length)}\n${section.trim()}\n${card.slice(end)}`;
}

function servedHeadline(r: TrainingResult): string {
  const { choice, bands } = r.evaluation;
  const added = bands.map((b) => `${b.added.alerts} ${b.band}`).join(' and ');
  if (choice.off.length === 2) {
    return `As served ("NEWS2 or model, whichever is more severe"), **the model adds no alerts**: on the validation
patients no threshold made the alerts it would add beyond NEWS2's demonstrably at least as often right as
NEWS2's own, so both bands are off and every card's severity is NEWS2's (held-out alerts added: ${added}).`;
  }
  const on = bands.filter((b) => !choice.off.includes(b.band));
  return `As served ("NEWS2 or model, whichever is more severe"), the model adds ${on
    .map((b) => `${pct(b.added.alertRate)} ${b.band} alerts with PPV ${pct(b.ppv.a.value)} (NEWS2's own: ${pct(b.ppv.b.value)})`)
    .join('; ')}${choice.off.length > 0 ? `; the ${choice.off.join(' and ')} band is off (adds no alerts)` : ''}.`;
}

function thresholdsTable(r: TrainingResult): string {
  const { choice } = r.evaluation;
  const t = choice.thresholds;
  const status = (band: AlertBand) => {
    const bar = `NEWS2's PPV there ${pct(choice.news2Ppv[band])}`;
    if (!choice.off.includes(band)) return `lowest candidate meeting the rule on validation (${bar})`;
    const why = choice.candidates[band].some((c) => c.meets)
      ? `the warning band is off, and a model-high alert is also a warning-or-above alert`
      : `no candidate met the rule on validation (${bar})`;
    return `off: ${why}; the model adds no ${band} alerts`;
  };
  return `| band | probability | card indicator | how it was set |
|---|---|---|---|
| low | below \`medium\` | none from the model | — |
| medium | ${threshold(t.medium)} | warning | ${status('warning')} |
| high | ${threshold(t.high)} | critical | ${status('critical')} |`;
}

function tradeOffTable(candidates: readonly Candidate[], chosen: number): string {
  const shown = candidates.filter((c) => SHOWN_CANDIDATES.includes(c.threshold) || c.threshold === chosen);
  const rows = shown.map(
    (c) =>
      `| ${c.threshold}${c.threshold === chosen ? ' (chosen)' : ''} | ${pct(c.addedAlertRate)} (${c.addedAlerts}) | ${pct(c.addedPpv)} | ${signedPct(c.differenceLower)} | ${pct(c.servedSensitivity)} | ${c.meets ? 'yes' : 'no'} |`,
  );
  return `| threshold | added alerts (rows) | PPV of added | lower bound of PPV difference | served sensitivity | meets |
|---|---|---|---|---|---|
${rows.join('\n')}`;
}

function bandSection(r: TrainingResult, band: AlertBand): string {
  const e = r.evaluation.bands.find((b) => b.band === band);
  if (!e) return '';
  const w = BAND_WORDS[band];
  const t = r.evaluation.choice.thresholds[w.key];
  const difference = e.added.alerts === 0 ? 'no added alerts' : differenceWithCi(e.ppv.difference);
  return `#### ${w.title}: ${w.news2}, or ${w.model} (${threshold(t)})
| rule | alert rate | sensitivity | PPV |
|---|---|---|---|
| NEWS2 alone | ${pct(e.news2.alertRate)} | ${pct(e.news2.sensitivity)} | ${withCi(e.ppv.b)} |
| model alone | ${pct(e.model.alertRate)} | ${pct(e.model.sensitivity)} | ${pct(e.model.ppv)} |
| **served: NEWS2 or model** | ${pct(e.served.alertRate)} | ${pct(e.served.sensitivity)} | ${pct(e.served.ppv)} |
| alerts the model adds | ${pct(e.added.alertRate)} (${e.added.alerts} rows) | | ${withCi(e.ppv.a)} |

PPV of the added alerts minus NEWS2's: ${difference}.`;
}

function derangementTable(r: TrainingResult): string {
  const { normal, effects } = r.evaluation.derangements;
  const rows = effects.map((d) => {
    const spec = MODEL_FEATURES.find((f) => f.name === d.feature);
    const value = YES_WORDS[d.feature] ?? formatValue(d.feature as VitalName, d.value, spec?.unit);
    return `| ${featureWords(d.feature)} | ${value} | ${d.points} | ${pct(d.probability)} | ${(d.probability / normal).toFixed(2)} | ${d.largestFactor ? 'yes' : '**no**'} |`;
  });
  return `| parameter | value | NEWS2 points | model estimate | × normal | largest factor |
|---|---|---|---|---|---|
${rows.join('\n')}`;
}

function derangementHeading(r: TrainingResult): string {
  const { normal, effects } = r.evaluation.derangements;
  const flat = effects.filter((d) => !(d.probability > normal));
  if (flat.length === 0) return 'Every NEWS2 derangement raises the estimate';
  return `NEWS2 derangements: ${flat.length} of ${effects.length} do NOT raise the estimate (this model contradicts NEWS2)`;
}

function featureRows(r: TrainingResult): string[] {
  const m = r.metadata;
  return m.features.map((f, i) => {
    const spec = MODEL_FEATURES[i];
    const term = m.explanation.terms[i];
    const weights = [
      term && term.linear !== 0 ? `linear ${term.linear.toPrecision(4)} per unit` : '',
      ...(term?.hinges ?? []).map((h) => `${h.side} ${h.knot}: ${h.weight === 0 ? '0 (dropped)' : h.weight.toPrecision(4)}`),
    ]
      .filter((s) => s !== '')
      .join('; ');
    return `| ${i} | \`${f.name}\` | \`${f.unit}\` | ${f.reference} | ${spec?.min}–${spec?.max} | ${weights} |`;
  });
}

const histogramCells = (h: Histogram) => `${h.edges.join(', ')} | ${h.proportions.map((p) => (p * 100).toFixed(1)).join(' / ')}`;

function referenceTable(r: TrainingResult): string {
  const d = r.metadata.referenceDistributions;
  if (!d) return '';
  const rows = d.features.map((f) => `| \`${f.name}\` | ${histogramCells(f.histogram)} | ${pct(f.histogram.missing)} |`);
  return `| input | bin edges | % of rows with a value, per bin | missing |
|---|---|---|---|
${rows.join('\n')}
| predicted probability | ${histogramCells(d.probability)} | — |`;
}

function reproduce(r: TrainingResult): string {
  const m = r.metadata;
  const shipped =
    r.options.seed === DEFAULT_OPTIONS.seed &&
    r.options.patients === DEFAULT_OPTIONS.patients &&
    r.options.bootstrapReplicates === DEFAULT_OPTIONS.bootstrapReplicates &&
    r.options.version === DEFAULT_OPTIONS.version;
  return `\`${m.trainingCommand}\` (seed ${m.seed}) regenerates the cohort, this model and this card, byte for byte${
    shipped ? `; so does plain \`npm run train\`, which writes \`models/${m.name}.onnx\` and \`models/${m.name}.md\`` : ''
  }.
A candidate model (same contract, another seed or cohort) goes to its own file with its card beside it:
\`npm run train -- --seed <n> --version <v> --out <file>.onnx\` writes \`<file>.onnx\` and \`<file>.md\`.`;
}

export function renderModelCard(result: TrainingResult, bench: string = BENCH_PLACEHOLDER): string {
  const { metadata: m, evaluation: e } = result;
  const d = e.difference;
  const ci = `95 % CI ${signed(d.lower)} to ${signed(d.upper)}`;
  const { choice } = e;
  const calibrationRows = e.calibration.map((b, i) => `| ${i + 1} | ${b.n} | ${pct(b.meanPredicted)} | ${pct(b.observed)} |`);
  const hingeCount = m.explanation.terms.reduce((n, t) => n + t.hinges.length, 0);
  const phenotypes = PHENOTYPES.map((p) => `${p} ${pct(e.encounters.byPhenotype[p] / e.encounters.total)}`).join(', ');
  const s = e.split;
  const matched = e.matched;
  return `# Model card: ${m.name} ${m.version}

> **Synthetic data. Not clinically validated.** This model was trained and evaluated on a synthetic
> ward cohort generated by \`training/cohort.ts\`. Its numbers test Vigil's pipeline, not clinical
> performance. A site validates and deploys its own model through the same contract (below).

**Headline (synthetic held-out patients):** AUROC model **${f3(e.aurocModel)}** vs NEWS2 **${f3(e.aurocNews2)}**;
difference ${signed(d.difference)} (${ci}, paired bootstrap over patients, ${d.replicates} replicates).
${servedHeadline(result)}

## What it predicts
- Outcome: ${m.outcome} within ${m.outcomeWindowHours} h of a set of observations (composite, synthetic).
- Population: adults (16 and over; the cohort is 18–100) on a general ward, SpO2 scale 1 only.
- Output: a probability over the window, banded for cards with the thresholds below.
- Model: L2-penalised logistic regression on ${hingeCount} hinges and a linear age term, fitted by Newton's
  method. Every vital has hinges at its reference value and at each NEWS2 band edge on both sides of
  normal (SpO2 on scale 1 has only a low side), so every derangement NEWS2 scores can raise the risk.
  Hinge weights are held ≥ 0 (a hinge that fits negative is dropped), so risk never falls as a value
  moves away from normal. The explanation is exact: each feature's contribution is its term's value
  minus the term at the reference, in log-odds, and the contributions add up to the logit minus the baseline.

## How Vigil serves it
- A card's indicator is the more severe of NEWS2's (≥ 7 critical; 5–6 or a single parameter scoring 3
  warning) and the model band's (\`medium\` warning, \`high\` critical): the model can raise a card's
  severity, never lower NEWS2's.
- A model \`low\` band adds no card: whether there is a card, and how severe, is then NEWS2's alone.
- The model's estimate (probability, band, contributing factors) is shown only where a site has set
  the model to active, and wherever it appears it is labelled with the model's \`${METADATA_KEYS.trainingData}\`:
  \`${m.trainingData}\` for this model.
- A band that is off has threshold ${BAND_OFF} in \`${METADATA_KEYS.thresholds}\`, which no probability reaches: the
  model never gives that band, so it adds no alerts there.${
    choice.off.length === 2
      ? ` With both bands off every estimate falls in band \`low\`,
  whatever its size: the band then says only that the model adds no alert; read the probability.`
      : ''
  }

## What the model does not see
- Patients on SpO2 scale 2 (a prescribed 88–92 % target for hypercapnic respiratory failure): the
  model does not score them; their cards are NEWS2's.
- People under 16 (outside the accepted age range; NEWS2 is not validated under 16 either) and
  pregnancy (not an input; NEWS2 is not validated in pregnancy).
- Trends: only the newest value of each vital from the last 24 h, not the change since the previous
  set or how fast it is changing.
- Laboratory values (lactate, white cells, creatinine...), urine output, diastolic pressure, pain,
  oxygen flow or concentration (only on oxygen, yes or no), and how deep an altered consciousness is
  (new confusion and unresponsive are the same input).
- Diagnoses, comorbidities, frailty, medicines (opioids and sedatives; beta-blockers that hide a
  tachycardia), recent surgery, the reason for admission, the ward.
- Treatment limits and goals of care (DNACPR, end-of-life care): its outcome counts a death the same
  whatever the plan.
- A nurse's or doctor's concern, and anything else not charted as one of the eight inputs.

## Bands and the served rule
${thresholdsTable(result)}

Thresholds are chosen on the **validation** patients, never on the held-out ones. The rule: the alerts
the model adds beyond NEWS2's at a band must be at least as often right as NEWS2's own alerts at that
band. A candidate threshold meets it when, on the validation split, the model adds at least
${MIN_ADDED_ALERTS} alerts there and the one-sided 95 % lower bound (5th percentile of a paired bootstrap over
patients, ${e.difference.replicates} replicates) of PPV(added alerts) − PPV(NEWS2's alerts) is at least 0: evidence, not a point
estimate, because the lowest threshold whose point estimate clears the bar sits on the bar by construction
and falls below it on new patients about half the time. Of the candidates (${CANDIDATE_THRESHOLDS[0]} to
${CANDIDATE_THRESHOLDS[CANDIDATE_THRESHOLDS.length - 1]}) the lowest that meets the rule is chosen, which allows the most added alerts. Warning first:
every model alert is also a warning-or-above alert, so \`high\` is chosen at or above \`medium\`, and with
the warning band off the critical band is off too. Where no candidate meets the rule the band is off
(threshold ${BAND_OFF}): the rule is never relaxed to let the model alert.

Trade-off on the validation split (added alerts are model alerts where NEWS2 stays below the band;
the lower bound is of PPV(added) − PPV(NEWS2), in percentage points):

**Warning or above** (NEWS2's own PPV ${pct(choice.news2Ppv.warning)}; candidates for \`medium\`):

${tradeOffTable(choice.candidates.warning, choice.thresholds.medium)}

**Critical** (NEWS2's own PPV ${pct(choice.news2Ppv.critical)}; candidates for \`high\`, before the warning band's constraint):

${tradeOffTable(choice.candidates.critical, choice.thresholds.high)}

## Evaluation on held-out patients (synthetic)
Same rows for both scores: NEWS2 is computed by Vigil's own fallback code (\`scoreNews2\`) on the same
inputs; a missing parameter scores 0 there and the model imputes its reference, the same imputation.

### The served rule, per band, at the deployed thresholds
PPV intervals: 95 % percentile intervals of a bootstrap over patients (${e.difference.replicates} replicates).

${bandSection(result, 'warning')}

${bandSection(result, 'critical')}

### Discrimination and calibration
| metric | model | NEWS2 |
|---|---|---|
| AUROC | ${f3(e.aurocModel)} | ${f3(e.aurocNews2)} |
| AUROC difference (paired patient bootstrap) | ${signed(d.difference)} (${ci}) | |
| AUPRC (prevalence ${pct(e.prevalence)}) | ${f3(e.auprcModel)} | ${f3(e.auprcNews2)} |
| alert rate, ranking alone (not as served) | ${pct(matched.model.alertRate)} (p ≥ ${matched.threshold.toPrecision(3)}, set on validation) | ${pct(matched.news2.alertRate)} (NEWS2 ≥ 5 or a single 3) |
| sensitivity at that alert rate | ${pct(matched.model.sensitivity)} | ${pct(matched.news2.sensitivity)} |
| PPV at that alert rate | ${pct(matched.model.ppv)} | ${pct(matched.news2.ppv)} |

The ranking rows compare the two scores as rankers (the model's threshold matches NEWS2's
warning-or-above alert rate on the validation split); they are not how the model is served.

Calibration (logistic recalibration of outcome on logit p): intercept ${e.calibrationFit.intercept.toFixed(2)},
slope ${e.calibrationFit.slope.toFixed(2)} (perfect: 0 and 1).

| decile of predicted risk | rows | mean predicted | observed |
|---|---|---|---|
${calibrationRows.join('\n')}

## ${derangementHeading(result)}
Each value NEWS2 scores, at the edge of its band nearest normal, with every other input at its
reference value (age ${m.features[7]?.reference}): the model's estimate against ${pct(e.derangements.normal)} at normal physiology, and
whether that parameter is then the largest contributing factor. (Not risk for a real patient: one
derangement alone, synthetic data.)

${derangementTable(result)}

## Features (ONNX input \`${INPUT_NAME}\`, float32 [N, ${FEATURE_COUNT}], in this order)
| # | name | unit (UCUM) | reference | accepted range | weights (per unit beyond the knot) |
|---|---|---|---|---|---|
${featureRows(result).join('\n')}

Intercept (logit at the reference values): ${m.explanation.intercept.toPrecision(6)}.
Yes/no features are coded 1 = yes (on oxygen; not alert: new confusion, voice, pain or unresponsive)
and enter as one hinge above 0, so their weight is held ≥ 0 like every other derangement's.
Values are rounded to charting precision first (temperature 0.1 °C, the rest whole numbers), as NEWS2 is.

**Missing values:** up to ${MAX_IMPUTED_FEATURES} of ${FEATURE_COUNT} inputs may be missing (not charted in the freshness
window); each is replaced by its reference value and flagged \`imputed\` in the explanation, which is what
NEWS2 does implicitly (a missing parameter adds 0 points). With more missing, the model is not used and
the card says so (NEWS2 only). A value outside the accepted range, or not a finite number, also means
NEWS2 only.

## Training data (synthetic)
- ${e.encounters.total} encounters of ${result.options.patients} patients; ${e.encounters.withEvent} with an outcome event.
- Each encounter has a latent severity over time (stable 65 %, recovering 20 %, deteriorating 15 %).
  How it shows is drawn per encounter (${phenotypes}), with a little of the others:
  respiratory illness raises breathing and pulse and lowers saturation; sepsis raises pulse and breathing,
  lowers pressure and brings fever (a quarter run cold); hypoventilation (opioids, sedation, CO2 narcosis)
  **slows** breathing, lowers saturation and clouds consciousness; circulatory failure (bleeding,
  cardiogenic shock) drops the pressure; bradyarrhythmia **slows** the heart; neurological emergencies
  push the pressure **up** and the pulse down. On top: patient-level baselines, shared noise (pulse and
  breathing move together), oxygen started when saturations fall, digit preference (even respiratory
  rates, pulses and pressures in fives and tens), skipped vitals, some vitals never charted for some
  patients, and charting every 1–8 h depending on how sick the patient looks.
- The outcome is a hazard of latent severity and age only. **NEWS2 is never used to make outcomes**;
  the model and NEWS2 are two readers of the same noisy vitals.
- Each charted set is one scoring moment, seen as the service sees it: newest value of each vital from
  the last 24 h; label = event in the next ${m.outcomeWindowHours} h.
- Split by patient: training ${s.train.patients} patients (${s.train.rows} rows), validation ${s.validation.patients}
  (${s.validation.rows} rows, ${s.validation.positives} positive), held out ${s.test.patients} (${s.test.rows} rows, ${s.test.positives} positive).
  Rows the missing-value rule would not score are left out of every comparison (${s.train.excluded}, ${s.validation.excluded} and ${s.test.excluded}).

## Reference distributions (drift monitoring)
\`${METADATA_KEYS.referenceDistributions}\` carries, as JSON, histograms of the ${m.referenceDistributions?.population ?? 'training rows'}
(${m.referenceDistributions?.rows ?? 0} rows) for each of the ${FEATURE_COUNT} inputs and for the predicted probability:
\`{ population, rows, features: [{ name, histogram }] (contract order), probability: histogram }\`, each
histogram \`{ edges, proportions, missing }\`. Bin i holds values v with edges[i − 1] ≤ v < edges[i]
(the first bin everything below the first edge, the last everything from the last edge up), so
there is one proportion more than edges. Proportions are shares of the rows where the value was
present (they sum to 1 up to rounding to 5 decimals); \`missing\` is the share of rows where it was not
charted (imputed), kept apart. Vital signs are binned at the NEWS2 band edges with the reference value
splitting the zero band, age by decade, the probability at the training deciles. A population
stability index compares live shares with these bin by bin; floor empty bins (e.g. at 0.0001) before
taking logarithms.

${referenceTable(result)}

## Serving performance (measured)
${BENCH_START}
${bench}
${BENCH_END}

## The contract for a site's own model
Vigil serves any ONNX model with no code change if it honours contract \`${FEATURE_CONTRACT_ID}\`:
1. One input \`${INPUT_NAME}\`: float32 [N, ${FEATURE_COUNT}], the features above in that order and unit
   (\`src/models/feature-contract.ts\`). One output \`${OUTPUT_NAME}\`: float32 [N, 1], a probability in [0, 1].
   Standard ONNX operators that onnxruntime-node runs on CPU; no ZipMap.
2. \`metadata_props\`: \`${METADATA_KEYS.contract}\` = \`${FEATURE_CONTRACT_ID}\`; \`${METADATA_KEYS.name}\`; \`${METADATA_KEYS.version}\`;
   \`${METADATA_KEYS.features}\` (JSON \`[{name, unit, reference}]\` in input order; names and units must match);
   \`${METADATA_KEYS.outcome}\` (words for cards); \`${METADATA_KEYS.outcomeWindowHours}\`; \`${METADATA_KEYS.thresholds}\` (JSON
   \`{medium, high}\`: probabilities strictly between 0 and 1, \`medium\` ≤ \`high\`, or ${BAND_OFF} for a band that is off).
   Optional: \`${METADATA_KEYS.explanation}\` (JSON, hinged logistic terms as in this model; without it cards show the
   probability but no contributing factors), \`${METADATA_KEYS.trainingCommand}\`, \`${METADATA_KEYS.seed}\`, \`${METADATA_KEYS.trainingData}\`
   (one word printed beside the estimate: \`synthetic\`, or e.g. \`site\` for a model trained on the site's own
   patients), \`${METADATA_KEYS.referenceDistributions}\` (the format above).
3. At start-up Vigil checks the metadata against the contract and, when an explanation is present,
   that it reproduces the model's output on fixed probe vectors. A missing, corrupt or mismatched model
   does not stop the service: it serves NEWS2 only, logs why, reports fallback-only readiness, and
   every card says the model was unavailable. Point \`VIGIL_MODEL_PATH\` at the file.
4. The site validates its model on its own patients (same rows as NEWS2, patient-level split,
   thresholds chosen on a validation split for the served rule as above) before use.

## Reproduce
${reproduce(result)}

## Limitations
- Synthetic data: the cohort's physiology and outcome model are assumptions written in code; real
  wards differ. The AUROC gap shows the pipeline can find a signal NEWS2's bands blur, nothing more.
- The model sees age and NEWS2 does not; in this cohort age raises the hazard, so part of the gain
  is age. Whether that holds on a site's wards is for its own validation.
- The cohort's derangements are all driven by one latent severity; real low values often have benign
  causes the cohort has only as patient baselines (fit people's slow pulses, chronic hypoxia).
- Rows of one patient are correlated and sick patients are charted often, so a few patients weigh
  heavily in every PPV; the bootstrap resamples patients, and the intervals are wide accordingly.
`;
}
