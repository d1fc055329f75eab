// The benchmark's throughput verdict (bench/lib/steadiness.ts): a target reached only by the median of
// rounds that disagree is not reported as met. The ratios are the per-round ones of two real runs of
// 2026-11-29 (bench/RESULTS.md, nineteenth pass), one on a noisy host and one steady.
import { describe, expect, it } from 'vitest';
import { MAX_ROUND_RATIO_SPREAD, roundRatios, throughputVerdict } from '../../bench/lib/steadiness.js';

const TARGET = 0.75;

describe("the benchmark's throughput verdict", () => {
  it('does not count a target met by the median of rounds a noisy host pulled apart', () => {
    // 06:10 UTC: Vigil 1,345/1,414/1,341/1,463 calls/s against the bare server's 1,658/1,914/1,733/2,538.
    const noisy = roundRatios([1345 / 1658, 1414 / 1914, 1341 / 1733, 1463 / 2538]);
    expect(noisy.median).toBeGreaterThanOrEqual(TARGET);
    expect(throughputVerdict(noisy, TARGET)).toBe('unsteady');
  });

  it('reports a miss as a miss, however the rounds spread', () => {
    // 06:25 UTC, a steady run: 1,699/1,922/1,774/1,974 against 2,648/2,982/2,924/3,078.
    expect(throughputVerdict(roundRatios([1699 / 2648, 1922 / 2982, 1774 / 2924, 1974 / 3078]), TARGET)).toBe('missed');
    expect(throughputVerdict(roundRatios([0.4, 0.9, 0.5, 0.6]), TARGET)).toBe('missed');
  });

  it('counts a target met when the rounds agree', () => {
    // The twelfth pass's run of 2026-11-28 15:45 UTC, on another machine: rounds 0.84, 0.81, 0.89, 0.86.
    expect(throughputVerdict(roundRatios([0.84, 0.81, 0.89, 0.86]), TARGET)).toBe('met');
    // At the edge of the spread allowed, still one host state.
    expect(throughputVerdict(roundRatios([0.75, 0.75 + MAX_ROUND_RATIO_SPREAD]), TARGET)).toBe('met');
  });

  it('takes the median of an even number of rounds between the middle two', () => {
    expect(roundRatios([0.9, 0.6, 0.7, 0.8])).toEqual({ median: 0.75, lowest: 0.6, highest: 0.9 });
    expect(() => roundRatios([])).toThrow(RangeError);
  });
});
