import { describe, expect, it } from 'vitest';
import { MODEL_FEATURES } from '../../src/models/feature-contract.js';
import {
  BAND_OFF,
  METADATA_KEYS,
  parseMetadataProps,
  toMetadataProps,
  type ModelMetadata,
  type ReferenceDistributions,
} from '../../src/models/model-metadata.js';

const histogram = { edges: [1], proportions: [0.75, 0.25], missing: 0.1 };
const DISTRIBUTIONS: ReferenceDistributions = {
  population: 'training rows (synthetic)',
  rows: 1000,
  features: MODEL_FEATURES.map((f) => ({ name: f.name, histogram })),
  probability: { edges: [0.01, 0.05, 0.2], proportions: [0.25, 0.25, 0.25, 0.25], missing: 0 },
};

const META: ModelMetadata = {
  contract: 'vigil.deterioration.v1',
  name: 'test-model',
  version: '1.2.3',
  features: MODEL_FEATURES.map((f) => ({ name: f.name, unit: f.unit, reference: f.min })),
  outcome: 'deterioration',
  outcomeWindowHours: 24,
  thresholds: { medium: 0.1, high: 0.3 },
};

/** The metadata as props, with one key's value replaced. */
function withProp(meta: ModelMetadata, key: string, value: string) {
  return toMetadataProps(meta).map((p) => (p.key === key ? { key, value } : p));
}

describe('reading a model\'s metadata', () => {
  it('reads back what the trainer writes, training data and reference distributions included', () => {
    const meta = { ...META, trainingData: 'synthetic', referenceDistributions: DISTRIBUTIONS };
    expect(parseMetadataProps(toMetadataProps(meta))).toEqual(meta);
  });

  it('treats training data and reference distributions as optional', () => {
    const meta = parseMetadataProps(toMetadataProps(META));
    expect(meta.trainingData).toBeUndefined();
    expect(meta.referenceDistributions).toBeUndefined();
  });

  it('still reads a model whose training data is a sentence, as models written before the one-word convention do', () => {
    const sentence = 'SYNTHETIC cohort (training/cohort.ts); not clinically validated';
    expect(parseMetadataProps(toMetadataProps({ ...META, trainingData: sentence })).trainingData).toBe(sentence);
  });

  it.each([
    ['a band switched off', { medium: 0.1, high: BAND_OFF }],
    ['both bands off', { medium: BAND_OFF, high: BAND_OFF }],
    ['no medium band (medium equal to high)', { medium: 0.2, high: 0.2 }],
  ])('accepts thresholds with %s', (_name, thresholds) => {
    expect(parseMetadataProps(toMetadataProps({ ...META, thresholds })).thresholds).toEqual(thresholds);
  });

  it.each([
    ['a threshold written as a percentage', { medium: 5, high: 20 }],
    ['medium above high', { medium: 0.3, high: 0.1 }],
    ['a threshold of 1', { medium: 0.1, high: 1 }],
  ])('refuses thresholds with %s', (_name, thresholds) => {
    expect(() => parseMetadataProps(toMetadataProps({ ...META, thresholds }))).toThrow(
      expect.objectContaining({ code: 'VIGIL_MODEL_CONTRACT_MISMATCH' }),
    );
  });

  it.each([
    ['not JSON', '{"population":'],
    ['one proportion too few', JSON.stringify({ ...DISTRIBUTIONS, probability: { ...DISTRIBUTIONS.probability, proportions: [0.5, 0.5] } })],
    ['edges that do not increase', JSON.stringify({ ...DISTRIBUTIONS, probability: { ...DISTRIBUTIONS.probability, edges: [0.2, 0.05, 0.01] } })],
    ['a missing rate above 1', JSON.stringify({ ...DISTRIBUTIONS, probability: { ...DISTRIBUTIONS.probability, missing: 1.5 } })],
    ['features in another order', JSON.stringify({ ...DISTRIBUTIONS, features: [...DISTRIBUTIONS.features].reverse() })],
  ])('refuses reference distributions with %s, naming the problem', (_name, value) => {
    const meta = { ...META, referenceDistributions: DISTRIBUTIONS };
    expect(() => parseMetadataProps(withProp(meta, METADATA_KEYS.referenceDistributions, value))).toThrow(/reference|referenceDistributions/);
  });
});
