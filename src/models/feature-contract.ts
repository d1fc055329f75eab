// The feature contract between Vigil and any early-warning model it serves: which features, in which
// order and unit, the limits a value must fall within, and the rule for missing values. A site's own
// ONNX model that honours this contract runs with no code change (README, "Bring your own model").
import { featureWords } from '../domain/labels.js';
import { roundHalfUp } from '../domain/rounding.js';
import { CANONICAL_UNITS } from '../domain/vital-signs.js';
import type { PatientInputs } from '../domain/vital-signs.js';

/** Identifies this contract inside a model's metadata (`vigil.contract`). Bump on any change below. */
export const FEATURE_CONTRACT_ID = 'vigil.deterioration.v1';

export interface FeatureSpec {
  name: string;
  /** UCUM unit (CANONICAL_UNITS for a vital); `1` for a yes/no feature coded 1 = yes, 0 = no. */
  unit: string;
  /**
   * Inclusive range the model accepts. Wider than the NEWS2 chart, narrower than any feed's typos:
   * outside it the value is more likely an error than physiology, and a model must not extrapolate.
   */
  min: number;
  max: number;
  /** Decimal places the value is rounded to (charting precision, as NEWS2 rounds before banding). */
  decimals: number;
}

/** Feature order is the ONNX input's column order. */
export const MODEL_FEATURES: readonly FeatureSpec[] = [
  { name: 'respiratoryRate', unit: CANONICAL_UNITS.respiratoryRate, min: 1, max: 80, decimals: 0 },
  { name: 'spo2', unit: CANONICAL_UNITS.spo2, min: 40, max: 100, decimals: 0 },
  { name: 'onOxygen', unit: '1', min: 0, max: 1, decimals: 0 },
  { name: 'systolicBP', unit: CANONICAL_UNITS.systolicBP, min: 40, max: 300, decimals: 0 },
  { name: 'heartRate', unit: CANONICAL_UNITS.heartRate, min: 20, max: 250, decimals: 0 },
  { name: 'consciousnessNotAlert', unit: '1', min: 0, max: 1, decimals: 0 },
  { name: 'temperature', unit: CANONICAL_UNITS.temperature, min: 30, max: 44, decimals: 1 },
  // Adults only: NEWS2 is not validated under 16 and the shipped model was trained on adults.
  { name: 'ageYears', unit: 'a', min: 16, max: 120, decimals: 0 },
];

export const FEATURE_COUNT = MODEL_FEATURES.length;

/**
 * The missing-value rule: up to this many features may be missing, each replaced by the model's
 * reference ("normal physiology") value and flagged `imputed`; this is what NEWS2 does implicitly
 * (a missing parameter adds 0 points). With more missing the model is not used and NEWS2 answers.
 */
export const MAX_IMPUTED_FEATURES = 2;

/** Tensor names every contract model uses: input float32 [N, FEATURE_COUNT], output float32 [N, 1]. */
export const INPUT_NAME = 'features';
export const OUTPUT_NAME = 'probability';

export type FeatureVectorResult =
  | { ok: true; values: number[]; imputed: boolean[] }
  | { ok: false; state: 'insufficient-data' | 'unavailable'; reason: string };

/** Raw feature values from the fresh vitals; `undefined` when not charted (stale values do not count). */
export function rawFeatures(inputs: PatientInputs): (number | undefined)[] {
  const { vitals } = inputs;
  const consciousness = vitals.consciousness?.value;
  const onOxygen = vitals.supplementalOxygen?.value?.onOxygen;
  const byName: Record<string, number | undefined> = {
    respiratoryRate: vitals.respiratoryRate?.value,
    spo2: vitals.spo2?.value,
    onOxygen: typeof onOxygen === 'boolean' ? (onOxygen ? 1 : 0) : undefined,
    systolicBP: vitals.systolicBP?.value,
    heartRate: vitals.heartRate?.value,
    consciousnessNotAlert: typeof consciousness === 'string' ? (consciousness === 'alert' ? 0 : 1) : undefined,
    temperature: vitals.temperature?.value,
    ageYears: inputs.ageYears,
  };
  return MODEL_FEATURES.map((f) => byName[f.name]);
}

/**
 * Applies the contract to one patient: validation, rounding, and the missing-value rule.
 * `references` are the model's reference values in contract order. Reasons carry no patient values.
 */
export function toFeatureVector(inputs: PatientInputs, references: readonly number[]): FeatureVectorResult {
  // The shipped model learnt SpO2 on scale 1; on a hypercapnic target low saturations mean something else.
  if (inputs.spo2Scale === 2) {
    return { ok: false, state: 'insufficient-data', reason: 'the model does not cover a prescribed SpO2 target of 88–92 % (scale 2)' };
  }
  const raw = rawFeatures(inputs);
  const values: number[] = [];
  const imputed: boolean[] = [];
  const missing: string[] = [];
  for (const [i, spec] of MODEL_FEATURES.entries()) {
    const value = raw[i];
    if (value === undefined) {
      missing.push(featureWords(spec.name));
      values.push(references[i] ?? Number.NaN);
      imputed.push(true);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return { ok: false, state: 'unavailable', reason: `${featureWords(spec.name)} is not a number the model can read` };
    }
    const rounded = roundHalfUp(value, spec.decimals);
    if (rounded < spec.min || rounded > spec.max) {
      // Not a fault: the patient is outside the model's population, so it is "not used", not "unavailable".
      return { ok: false, state: 'insufficient-data', reason: `${featureWords(spec.name)} is outside the range the model was built for` };
    }
    values.push(rounded);
    imputed.push(false);
  }
  if (missing.length > MAX_IMPUTED_FEATURES) {
    return {
      ok: false,
      state: 'insufficient-data',
      reason: `${missing.length} of ${FEATURE_COUNT} model inputs not charted (${missing.join(', ')}); the model needs all but ${MAX_IMPUTED_FEATURES}`,
    };
  }
  return { ok: true, values, imputed };
}
