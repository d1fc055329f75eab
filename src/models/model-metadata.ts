// What a contract model says about itself in its ONNX `metadata_props`: identity, feature order, units,
// reference values, probability bands, outcome, provenance, (optionally) its additive explanation, what
// it was trained on, and reference histograms of its training population for drift monitoring.
// The trainer writes these with `toMetadataProps`; the server reads them back with `parseMetadataProps`.
import { z } from 'zod';
import { FEATURE_CONTRACT_ID, MODEL_FEATURES } from './feature-contract.js';

/** metadata_props keys. Values are strings; structured ones are JSON. */
export const METADATA_KEYS = {
  contract: 'vigil.contract',
  name: 'name',
  version: 'version',
  features: 'vigil.features',
  outcome: 'vigil.outcome',
  outcomeWindowHours: 'vigil.outcome_window_hours',
  thresholds: 'vigil.thresholds',
  explanation: 'vigil.explanation',
  trainingCommand: 'vigil.training_command',
  seed: 'vigil.seed',
  trainingData: 'vigil.training_data',
  referenceDistributions: 'vigil.reference_distributions',
} as const;

const finite = z.number().refine(Number.isFinite, 'must be finite');

/**
 * One feature's additive term, in the feature's own unit: linear·(x − reference) plus hinges, each
 * weight·max(0, knot − x) ("below") or weight·max(0, x − knot) ("above"). Hinges let a term bend
 * like NEWS2's bands while staying continuous and exactly additive.
 */
const termSchema = z.object({
  feature: z.string(),
  linear: finite,
  hinges: z.array(z.object({ side: z.enum(['below', 'above']), knot: finite, weight: finite })),
});

export const explanationSchema = z.object({
  kind: z.literal('hinged-logistic'),
  intercept: finite,
  terms: z.array(termSchema),
});
export type AdditiveExplanation = z.infer<typeof explanationSchema>;
export type AdditiveTerm = z.infer<typeof termSchema>;

/**
 * A threshold that no probability reaches: the band is switched off and the model never raises it
 * (its alerts were not shown to be as often right as NEWS2's own there). Any other threshold is a
 * probability strictly between 0 and 1, so a threshold written as a percentage (5 for 5 %) is refused.
 */
export const BAND_OFF = 2;
const threshold = z.union([z.number().gt(0).lt(1), z.literal(BAND_OFF)]);

const thresholdsSchema = z
  .object({
    /** Probability at or above which the band is `medium` (card indicator `warning`). */
    medium: threshold,
    /** Probability at or above which the band is `high` (card indicator `critical`). */
    high: threshold,
  })
  // Equal thresholds leave no medium band: the model goes from low straight to high.
  .refine((t) => t.medium <= t.high, 'medium must not be above high');

/**
 * One input's (or the output's) distribution in the training population: bin i holds values v with
 * edges[i − 1] ≤ v < edges[i] (the first bin everything below edges[0], the last everything from the
 * last edge up); `proportions` are shares of the rows where the value was present (they sum to 1, up to
 * rounding) and `missing` the share of rows where it was not charted.
 */
const histogramSchema = z
  .object({
    edges: z.array(finite).min(1),
    proportions: z.array(z.number().min(0).max(1)),
    missing: z.number().min(0).max(1),
  })
  .refine((h) => h.proportions.length === h.edges.length + 1, 'needs one proportion more than edges')
  .refine((h) => h.edges.every((e, i) => i === 0 || e > (h.edges[i - 1] ?? e)), 'edges must increase');

/** Reference histograms for drift monitoring (population stability index against live traffic). */
export const referenceDistributionsSchema = z.object({
  /** Which rows the histograms describe, in words (e.g. "training rows"). */
  population: z.string().min(1),
  rows: z.number().int().positive(),
  /** One per contract input, in contract order. */
  features: z.array(z.object({ name: z.string(), histogram: histogramSchema })),
  /** The model's predicted probability on the same rows. */
  probability: histogramSchema,
});
export type ReferenceDistributions = z.infer<typeof referenceDistributionsSchema>;
export type Histogram = z.infer<typeof histogramSchema>;

export const modelMetadataSchema = z.object({
  contract: z.string(),
  name: z.string().min(1),
  version: z.string().min(1),
  features: z.array(z.object({ name: z.string(), unit: z.string(), reference: finite })),
  outcome: z.string().min(1),
  outcomeWindowHours: z.number().positive(),
  thresholds: thresholdsSchema,
  explanation: explanationSchema.optional(),
  trainingCommand: z.string().optional(),
  seed: z.string().optional(),
  /**
   * What the model learnt from, in a word serving prints beside its estimate: `synthetic` for the
   * shipped model, e.g. `site` for a model trained on a site's own patients. Not limited in length:
   * models written before this convention carry a sentence here and must still load.
   */
  trainingData: z.string().min(1).optional(),
  referenceDistributions: referenceDistributionsSchema.optional(),
});
export type ModelMetadata = z.infer<typeof modelMetadataSchema>;

export interface MetadataEntry {
  key: string;
  value: string;
}

export function toMetadataProps(meta: ModelMetadata): MetadataEntry[] {
  const entries: [string, string | undefined][] = [
    [METADATA_KEYS.contract, meta.contract],
    [METADATA_KEYS.name, meta.name],
    [METADATA_KEYS.version, meta.version],
    [METADATA_KEYS.features, JSON.stringify(meta.features)],
    [METADATA_KEYS.outcome, meta.outcome],
    [METADATA_KEYS.outcomeWindowHours, String(meta.outcomeWindowHours)],
    [METADATA_KEYS.thresholds, JSON.stringify(meta.thresholds)],
    [METADATA_KEYS.explanation, meta.explanation && JSON.stringify(meta.explanation)],
    [METADATA_KEYS.trainingCommand, meta.trainingCommand],
    [METADATA_KEYS.seed, meta.seed],
    [METADATA_KEYS.trainingData, meta.trainingData],
    [METADATA_KEYS.referenceDistributions, meta.referenceDistributions && JSON.stringify(meta.referenceDistributions)],
  ];
  return entries.filter((e): e is [string, string] => e[1] !== undefined).map(([key, value]) => ({ key, value }));
}

export class ModelContractError extends Error {
  readonly code = 'VIGIL_MODEL_CONTRACT_MISMATCH';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`model does not honour the feature contract: ${problems.join('; ')}`);
    this.name = 'ModelContractError';
    this.problems = problems;
  }
}

function json(value: string | undefined, key: string, problems: string[]): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    problems.push(`${key} is not JSON`);
    return undefined;
  }
}

/** Reads metadata_props back; throws ModelContractError listing every problem. */
export function parseMetadataProps(props: readonly { key?: string | null; value?: string | null }[]): ModelMetadata {
  const map = new Map(props.map((p) => [p.key ?? '', p.value ?? '']));
  const problems: string[] = [];
  const windowText = map.get(METADATA_KEYS.outcomeWindowHours);
  const candidate = {
    contract: map.get(METADATA_KEYS.contract),
    name: map.get(METADATA_KEYS.name),
    version: map.get(METADATA_KEYS.version),
    features: json(map.get(METADATA_KEYS.features), METADATA_KEYS.features, problems),
    outcome: map.get(METADATA_KEYS.outcome),
    outcomeWindowHours: windowText === undefined ? undefined : Number(windowText),
    thresholds: json(map.get(METADATA_KEYS.thresholds), METADATA_KEYS.thresholds, problems),
    explanation: json(map.get(METADATA_KEYS.explanation), METADATA_KEYS.explanation, problems),
    trainingCommand: map.get(METADATA_KEYS.trainingCommand),
    seed: map.get(METADATA_KEYS.seed),
    trainingData: map.get(METADATA_KEYS.trainingData),
    referenceDistributions: json(map.get(METADATA_KEYS.referenceDistributions), METADATA_KEYS.referenceDistributions, problems),
  };
  const parsed = modelMetadataSchema.safeParse(candidate);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((i) => `${i.path.join('.') || 'metadata'}: ${i.message}`));
  }
  if (problems.length > 0 || !parsed.success) throw new ModelContractError(problems);
  const meta = parsed.data;
  const mismatches = contractMismatches(meta);
  if (mismatches.length > 0) throw new ModelContractError(mismatches);
  return meta;
}

/** Names, order and units against MODEL_FEATURES; explanation terms and reference histograms against the features. */
export function contractMismatches(meta: ModelMetadata): string[] {
  const problems: string[] = [];
  if (meta.contract !== FEATURE_CONTRACT_ID) {
    problems.push(`contract is "${meta.contract}", expected "${FEATURE_CONTRACT_ID}"`);
  }
  if (meta.features.length !== MODEL_FEATURES.length) {
    problems.push(`${meta.features.length} features, expected ${MODEL_FEATURES.length}`);
  }
  MODEL_FEATURES.forEach((spec, i) => {
    const got = meta.features[i];
    if (!got) return;
    if (got.name !== spec.name) problems.push(`feature ${i} is "${got.name}", expected "${spec.name}"`);
    else if (got.unit !== spec.unit) problems.push(`feature "${spec.name}" in "${got.unit}", expected "${spec.unit}"`);
    else if (got.reference < spec.min || got.reference > spec.max) {
      problems.push(`feature "${spec.name}" reference outside ${spec.min}–${spec.max}`);
    }
  });
  if (meta.explanation) {
    const names = meta.explanation.terms.map((t) => t.feature);
    if (names.join(',') !== MODEL_FEATURES.map((f) => f.name).join(',')) {
      problems.push('explanation terms do not follow the feature order');
    }
  }
  if (meta.referenceDistributions) {
    const names = meta.referenceDistributions.features.map((f) => f.name);
    if (names.join(',') !== MODEL_FEATURES.map((f) => f.name).join(',')) {
      problems.push('reference distributions do not follow the feature order');
    }
  }
  return problems;
}
