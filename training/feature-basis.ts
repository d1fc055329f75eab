// How each contract feature enters the model, derived from the NEWS2 chart so the two cannot drift:
// a hinge at every band edge where NEWS2 adds points, on both sides of normal, plus hinges at the
// reference value so risk can also bend inside the zero band. Yes/no features are a single hinge
// above 0 (= the feature itself) so their weight is held non-negative like every other derangement.
import { NEWS2_BANDS, NEWS2_DECIMALS, NEWS2_SPO2_BANDS, type Band } from '../src/fallback-rules/news2-chart.js';
import { MODEL_FEATURES } from '../src/models/feature-contract.js';
import type { FeatureBasis, HingeSpec } from './logistic.js';

/**
 * Reference values ("normal physiology", what an explanation is relative to) sit in the middle of each
 * NEWS2 zero band (RCP 2017, chart 1). Systolic BP is the exception: the zero band 111–219 is so wide
 * its middle (165) is not normal, so the reference is 120 mmHg. Age has no band: 60 years, linear.
 */
export const REFERENCES: Readonly<Record<string, number>> = {
  respiratoryRate: 16,
  spo2: 98,
  onOxygen: 0,
  systolicBP: 120,
  heartRate: 70,
  consciousnessNotAlert: 0,
  temperature: 37,
  ageYears: 60,
};

/** The next value a chart can hold after `value` (36.0 → 36.1 at one decimal; 11 → 12 at none). */
export function nextChartValue(value: number, decimals: number): number {
  return Number((value + 10 ** -decimals).toFixed(decimals));
}

/**
 * Hinges at the edges of a numeric parameter's zero band and of every scoring band beyond it. A
 * "below" knot is the lowest value of the milder band and an "above" knot the highest, so the first
 * value that scores (RR 11, RR 21, SBP 220, 36.0 °C...) is one charting step past its knot.
 */
export function chartKnots(bands: readonly Band[], decimals: number): HingeSpec[] {
  const zero = bands.findIndex((b) => b.points === 0);
  const knots: HingeSpec[] = [];
  for (let i = zero - 1; i >= 0; i--) knots.push({ side: 'below', knot: nextChartValue(bands[i]?.upTo ?? 0, decimals) });
  for (let i = zero; i < bands.length - 1; i++) knots.push({ side: 'above', knot: bands[i]?.upTo ?? 0 });
  return knots;
}

function numeric(name: string, bands: readonly Band[], decimals: number): FeatureBasis {
  const reference = REFERENCES[name] ?? 0;
  const edges = chartKnots(bands, decimals);
  const hasAbove = edges.some((k) => k.side === 'above');
  const hinges: HingeSpec[] = [
    { side: 'below', knot: reference },
    ...edges.filter((k) => k.side === 'below'),
    ...(hasAbove ? [{ side: 'above' as const, knot: reference }] : []),
    ...edges.filter((k) => k.side === 'above'),
  ];
  return { name, reference, linear: false, hinges };
}

const yesNo = (name: string): FeatureBasis => ({ name, reference: 0, linear: false, hinges: [{ side: 'above', knot: 0 }] });

const BY_NAME: Readonly<Record<string, FeatureBasis>> = {
  respiratoryRate: numeric('respiratoryRate', NEWS2_BANDS.respiratoryRate, NEWS2_DECIMALS.respiratoryRate),
  // Scale 1 only: the model does not score patients on a hypercapnic target (scale 2).
  spo2: numeric('spo2', NEWS2_SPO2_BANDS.scale1, NEWS2_DECIMALS.spo2),
  onOxygen: yesNo('onOxygen'),
  systolicBP: numeric('systolicBP', NEWS2_BANDS.systolicBP, NEWS2_DECIMALS.systolicBP),
  heartRate: numeric('heartRate', NEWS2_BANDS.heartRate, NEWS2_DECIMALS.heartRate),
  consciousnessNotAlert: yesNo('consciousnessNotAlert'),
  temperature: numeric('temperature', NEWS2_BANDS.temperature, NEWS2_DECIMALS.temperature),
  // Age raises the hazard steadily; it may also lower it, so it is a free linear term.
  ageYears: { name: 'ageYears', reference: REFERENCES.ageYears ?? 60, linear: true, hinges: [] },
};

/** The basis in contract order. */
export const FEATURE_BASIS: readonly FeatureBasis[] = MODEL_FEATURES.map((f) => {
  const basis = BY_NAME[f.name];
  if (!basis) throw new Error(`no basis for contract feature ${f.name}`);
  return basis;
});
