import { describe, expect, it } from 'vitest';
import { NEWS2_DERANGEMENTS } from '../../training/derangements.js';
import { FEATURE_BASIS } from '../../training/feature-basis.js';

const hinges = (name: string) => FEATURE_BASIS.find((b) => b.name === name)?.hinges.map((h) => `${h.side} ${h.knot}`);

describe('the hinged basis, derived from the NEWS2 chart', () => {
  it.each([
    ['respiratoryRate', ['below 16', 'below 12', 'below 9', 'above 16', 'above 20', 'above 24']],
    ['spo2', ['below 98', 'below 96', 'below 94', 'below 92']],
    ['onOxygen', ['above 0']],
    ['systolicBP', ['below 120', 'below 111', 'below 101', 'below 91', 'above 120', 'above 219']],
    ['heartRate', ['below 70', 'below 51', 'below 41', 'above 70', 'above 90', 'above 110', 'above 130']],
    ['consciousnessNotAlert', ['above 0']],
    ['temperature', ['below 37', 'below 36.1', 'below 35.1', 'above 37', 'above 38', 'above 39']],
    ['ageYears', []],
  ])('gives %s hinges at its reference and at every NEWS2 band edge on both sides of normal', (name, expected) => {
    expect(hinges(name)).toEqual(expected);
  });

  it.each(NEWS2_DERANGEMENTS.map((d) => [d.feature, d.value, d.points] as const))(
    'bends at a band edge of its own before %s %s (NEWS2 %s points), not only at the reference',
    (feature, value) => {
      const basis = FEATURE_BASIS.find((b) => b.name === feature);
      const active = (basis?.hinges ?? []).filter((h) => (h.side === 'below' ? value < h.knot : value > h.knot));
      // Yes/no features have a single hinge, above 0, which is their band edge.
      const edges = basis?.hinges.length === 1 ? active : active.filter((h) => h.knot !== basis?.reference);
      expect(edges.length).toBeGreaterThan(0);
    },
  );
});
