// Exact additive explanation of a hinged logistic model: each feature's contribution in log-odds
// relative to the model's reference ("normal physiology") values. The contributions add up exactly
// to the logit minus the baseline (the logit at the reference values), so nothing is approximated.
import type { Contribution, ModelBand } from './scorer.js';
import { MODEL_FEATURES } from './feature-contract.js';
import type { AdditiveExplanation, AdditiveTerm, ModelMetadata } from './model-metadata.js';

const relu = (v: number) => (v > 0 ? v : 0);

/** One term's value at x (the linear part measured from the reference). */
function termAt(term: AdditiveTerm, x: number, reference: number): number {
  let value = term.linear * (x - reference);
  for (const h of term.hinges) value += h.weight * relu(h.side === 'below' ? h.knot - x : x - h.knot);
  return value;
}

/** The model's logit computed from its explanation (what the ONNX graph computes, in float64). */
export function explanationLogit(explanation: AdditiveExplanation, references: readonly number[], values: readonly number[]): number {
  let logit = explanation.intercept;
  explanation.terms.forEach((term, i) => {
    logit += termAt(term, values[i] ?? Number.NaN, references[i] ?? Number.NaN);
  });
  return logit;
}

export function contributionsFor(
  explanation: AdditiveExplanation,
  references: readonly number[],
  values: readonly number[],
  imputed: readonly boolean[],
): { contributions: Contribution[]; baselineLogOdds: number } {
  const baselineLogOdds = explanationLogit(explanation, references, references);
  const contributions = explanation.terms.map((term, i): Contribution => {
    const reference = references[i] ?? Number.NaN;
    const value = values[i] ?? Number.NaN;
    return {
      feature: term.feature,
      value,
      unit: MODEL_FEATURES[i]?.unit,
      logOdds: termAt(term, value, reference) - termAt(term, reference, reference),
      imputed: imputed[i] ?? false,
    };
  });
  return { contributions, baselineLogOdds };
}

export function bandFor(probability: number, thresholds: ModelMetadata['thresholds']): ModelBand {
  if (probability >= thresholds.high) return 'high';
  if (probability >= thresholds.medium) return 'medium';
  return 'low';
}

export const logit = (p: number) => Math.log(p / (1 - p));
export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
