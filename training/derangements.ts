// Every derangement NEWS2 scores, as single values: for each band that scores points, the value at its
// edge nearest normal (RR 11 and 8, 21 and 25; SBP 110, 100, 90 and 220; ...), plus oxygen and a
// patient who is not alert. The model card shows what each does to the model's estimate with
// everything else normal; a model in which any of them does not raise the estimate contradicts NEWS2.
import {
  NEWS2_BANDS,
  NEWS2_CONSCIOUSNESS_POINTS,
  NEWS2_DECIMALS,
  NEWS2_OXYGEN_POINTS,
  NEWS2_SPO2_BANDS,
  type Band,
  type Points,
} from '../src/fallback-rules/news2-chart.js';
import { contributionsFor, explanationLogit, sigmoid } from '../src/models/contributions.js';
import { MODEL_FEATURES } from '../src/models/feature-contract.js';
import type { AdditiveExplanation } from '../src/models/model-metadata.js';
import { nextChartValue } from './feature-basis.js';

export interface Derangement {
  /** Contract feature name. */
  feature: string;
  value: number;
  points: Points;
}

function edgeValues(feature: keyof typeof NEWS2_DECIMALS, bands: readonly Band[]): Derangement[] {
  const zero = bands.findIndex((b) => b.points === 0);
  return bands.flatMap((b, i): Derangement[] => {
    if (b.points === 0) return [];
    const value = i < zero ? b.upTo : nextChartValue(bands[i - 1]?.upTo ?? 0, NEWS2_DECIMALS[feature]);
    return [{ feature, value, points: b.points }];
  });
}

const maxPoints = (table: Readonly<Record<string, Points>>) => Math.max(...Object.values(table)) as Points;

export const NEWS2_DERANGEMENTS: readonly Derangement[] = [
  ...edgeValues('respiratoryRate', NEWS2_BANDS.respiratoryRate),
  ...edgeValues('spo2', NEWS2_SPO2_BANDS.scale1),
  { feature: 'onOxygen', value: 1, points: NEWS2_OXYGEN_POINTS.onOxygen },
  ...edgeValues('systolicBP', NEWS2_BANDS.systolicBP),
  ...edgeValues('heartRate', NEWS2_BANDS.heartRate),
  { feature: 'consciousnessNotAlert', value: 1, points: maxPoints(NEWS2_CONSCIOUSNESS_POINTS) },
  ...edgeValues('temperature', NEWS2_BANDS.temperature),
];

export interface DerangementEffect extends Derangement {
  probability: number;
  /** The deranged feature is the largest contribution to the estimate. */
  largestFactor: boolean;
}

/** Each derangement's estimate at otherwise reference ("normal") values, and the normal estimate. */
export function derangementEffects(
  explanation: AdditiveExplanation,
  references: readonly number[],
): { normal: number; effects: DerangementEffect[] } {
  const effects = NEWS2_DERANGEMENTS.map((d) => {
    const index = MODEL_FEATURES.findIndex((f) => f.name === d.feature);
    const values = references.map((r, i) => (i === index ? d.value : r));
    const { contributions } = contributionsFor(
      explanation,
      references,
      values,
      values.map(() => false),
    );
    const largest = [...contributions].sort((a, b) => b.logOdds - a.logOdds)[0];
    return {
      ...d,
      probability: sigmoid(explanationLogit(explanation, references, values)),
      largestFactor: largest?.feature === d.feature && largest.logOdds > 0,
    };
  });
  return { normal: sigmoid(explanationLogit(explanation, references, references)), effects };
}
