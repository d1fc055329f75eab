// Whether a run's rounds agree closely enough for a throughput target reached by their median to count.
// Rounds alternate Vigil and the bare server, so a slow minute on the host should slow both; on this
// 2-vCPU VM it does not always slow them alike (bench/RESULTS.md, seventeenth and nineteenth passes):
// in one run the bare server fell from ~2,950 to 1,658–2,538 calls/s while Vigil fell less, and the
// rounds' ratios ranged 0.58–0.81×, a median of 0.76× that the steady run minutes later (rounds
// 0.61–0.65×) did not bear out. A target met only by such a median is reported as unsteady, not met.
// Ratios move by about ±0.1 from run to run here, so rounds more than 0.2 apart are not one host state.

import { median } from './load.js';

/** Rounds whose ratios lie further apart than this do not confirm a met target. */
export const MAX_ROUND_RATIO_SPREAD = 0.2;

export interface RoundRatios {
  median: number;
  lowest: number;
  highest: number;
}

export type ThroughputVerdict = 'met' | 'missed' | 'unsteady';

/** The median, lowest and highest of per-round throughput ratios. */
export function roundRatios(ratios: readonly number[]): RoundRatios {
  if (ratios.length === 0) throw new RangeError('no rounds');
  return { median: median(ratios), lowest: Math.min(...ratios), highest: Math.max(...ratios) };
}

/**
 * `missed` when the median is below `minRatio`; `unsteady` when it reaches it but the rounds lie more
 * than MAX_ROUND_RATIO_SPREAD apart; otherwise `met`. A miss is never softened: only a pass is checked.
 */
export function throughputVerdict(r: RoundRatios, minRatio: number): ThroughputVerdict {
  if (r.median < minRatio) return 'missed';
  return r.highest - r.lowest > MAX_ROUND_RATIO_SPREAD ? 'unsteady' : 'met';
}
