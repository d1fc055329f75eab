import { describe, expect, it } from 'vitest';
import { NEWS2_BANDS, NEWS2_SPO2_BANDS, type Band } from '../../src/fallback-rules/news2-chart.js';

const lists: [string, readonly Band[]][] = [...Object.entries(NEWS2_BANDS), ...Object.entries(NEWS2_SPO2_BANDS)];

describe('the NEWS2 chart data', () => {
  it.each(lists)('lists %s bands in ascending order, ending at Infinity so no value falls through', (_name, bands) => {
    const limits = bands.map((b) => b.upTo);
    expect(limits).toEqual([...limits].sort((a, b) => a - b));
    expect(new Set(limits).size).toBe(limits.length);
    expect(limits.at(-1)).toBe(Infinity);
  });
});
