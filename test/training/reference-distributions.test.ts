import { describe, expect, it } from 'vitest';
import { binOf, decileEdges, FEATURE_EDGES, histogram } from '../../training/reference-distributions.js';

describe('reference histograms', () => {
  it.each([
    [8, 0],
    [9, 1],
    [11, 1],
    [12, 2],
    [20, 3],
    [21, 4],
    [25, 5],
    [60, 5],
  ])('puts a respiratory rate of %s in bin %s (NEWS2 edges 9, 12, 21, 25 and the reference 16)', (value, bin) => {
    expect(FEATURE_EDGES.respiratoryRate).toEqual([9, 12, 16, 21, 25]);
    expect(binOf(FEATURE_EDGES.respiratoryRate ?? [], value)).toBe(bin);
  });

  it.each([
    ['systolicBP', [91, 101, 111, 120, 220]],
    ['heartRate', [41, 51, 70, 91, 111, 131]],
    ['temperature', [35.1, 36.1, 37, 38.1, 39.1]],
    ['spo2', [92, 94, 96, 98]],
    ['onOxygen', [1]],
  ])('bins %s at %j', (feature, edges) => {
    expect(FEATURE_EDGES[feature]).toEqual(edges);
  });

  it('counts missing values apart and gives the rest as shares of the rows with a value', () => {
    expect(histogram([1], [0, 0, 1, undefined])).toEqual({ edges: [1], proportions: [0.66667, 0.33333], missing: 0.25 });
  });

  it('takes deciles as probability edges, dropping repeats so edges increase', () => {
    expect(decileEdges(Array.from({ length: 100 }, (_, i) => i / 100))).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(decileEdges([0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.5, 0.9])).toEqual([0.01, 0.5, 0.9]);
  });
});
