// Drift: how far the patients a model sees now have moved from the population it was trained on. Each
// model keeps the same histograms its metadata holds for the training rows (`vigil.reference_distributions`:
// every input, and the predicted probability) over a sliding window of its last calls, and compares the
// two with the population stability index when metrics are scraped. The request path only bins nine
// values and moves a few counters; the logarithms wait for the scrape.
//
// PSI = Σ over bins (live − reference) · ln(live / reference), shares of the values present, each
// share floored at PSI_FLOOR first so an empty bin gives a large finite term rather than infinity.
// It is the symmetrised Kullback–Leibler divergence of the two histograms. Conventional reading
// (E. M. Lewis, An Introduction to Credit Scoring, 1994; N. Siddiqi, Credit Risk Scorecards, Wiley
// 2006): below 0.1 no real change, 0.1–0.25 a moderate shift, above 0.25 a major one. The statistic
// grows with sampling noise on a small window: with B bins and n live values from the training
// population itself, its expectation is about (B − 1)/n (B. Yurdakul, Statistical Properties of
// Population Stability Index, Western Michigan University, 2018), so 0.045 for the probability's ten
// bins at n = 200. Below VIGIL_DRIFT_MIN_CALLS values no PSI is reported.
import { roundHalfUp } from '../domain/rounding.js';
import { MODEL_FEATURES } from './feature-contract.js';
import type { Histogram, ReferenceDistributions } from './model-metadata.js';

/** Shares below this (empty bins, live or reference) count as this much before the logarithm. */
export const PSI_FLOOR = 1e-4;

/** The `input` label of the predicted probability's PSI, beside the contract input names. */
export const SCORE_INPUT = 'score';

/** The bin of `value`: the number of edges at or below it (the reference histograms' own rule). */
export function binOf(edges: readonly number[], value: number): number {
  let bin = 0;
  while (bin < edges.length && value >= (edges[bin] ?? Infinity)) bin++;
  return bin;
}

/** Population stability index of live bin counts against reference shares (same bins, in order). */
export function psi(reference: readonly number[], counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i] ?? 0;
  if (total === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < reference.length; i++) {
    const expected = Math.max(reference[i] ?? 0, PSI_FLOOR);
    const actual = Math.max((counts[i] ?? 0) / total, PSI_FLOOR);
    sum += (actual - expected) * Math.log(actual / expected);
  }
  return sum;
}

export interface DriftSettings {
  /** Calls kept: the window slides by one with every call (VIGIL_DRIFT_WINDOW_CALLS). */
  windowCalls: number;
  /** Values needed in the window before a PSI or a missing rate is reported (VIGIL_DRIFT_MIN_CALLS). */
  minCalls: number;
}

/** One input's (or the score's) state in the window; undefined numbers: too few values yet. */
export interface DriftReading {
  input: string;
  psi?: number;
  /** Share of the window's calls where the input was not charted (not for the score). */
  missing?: number;
  /** The training population's missing share, from the metadata (not for the score). */
  referenceMissing?: number;
  /** Values present in the window. */
  present: number;
}

export interface DriftSnapshot {
  calls: number;
  readings: DriftReading[];
}

const MISSING = -1;
/** The ring holds one byte per value: bins are few (a dozen at most), so -1 and -2 mark the absent. */
const NOT_SCORED = -2;

interface Track {
  input: string;
  reference: Histogram;
  /** Counts per bin, then (last) the absent ones. */
  counts: Int32Array;
}

function track(input: string, reference: Histogram): Track {
  return { input, reference, counts: new Int32Array(reference.proportions.length + 1) };
}

/**
 * The last `windowCalls` calls one model saw, binned like its reference histograms. Feature values
 * come in contract order, undefined where not charted; the probability is undefined on calls the
 * model declined (their inputs still count: the population is what is sent, not only what is scored).
 */
export class DriftWindow {
  private readonly tracks: Track[];
  private readonly ring: Int8Array;
  private readonly width: number;
  private next = 0;
  private filled = 0;

  constructor(
    reference: ReferenceDistributions,
    private readonly settings: DriftSettings,
  ) {
    this.tracks = [...reference.features.map((f) => track(f.name, f.histogram)), track(SCORE_INPUT, reference.probability)];
    this.width = this.tracks.length;
    this.ring = new Int8Array(settings.windowCalls * this.width);
  }

  record(features: readonly (number | undefined)[], probability: number | undefined): void {
    const base = this.next * this.width;
    if (this.filled === this.settings.windowCalls) {
      // The oldest call leaves the window: take its bins off the counts.
      for (let t = 0; t < this.width; t++) this.uncount(t, this.ring[base + t] ?? MISSING);
    } else {
      this.filled++;
    }
    for (let t = 0; t < this.width; t++) {
      const bin = t < this.width - 1 ? this.featureBin(t, features[t]) : this.scoreBin(probability);
      this.ring[base + t] = bin;
      this.count(t, bin);
    }
    this.next = (this.next + 1) % this.settings.windowCalls;
  }

  snapshot(): DriftSnapshot {
    const enough = (n: number) => n >= this.settings.minCalls;
    const readings = this.tracks.map((t, i): DriftReading => {
      const absent = t.counts[t.counts.length - 1] ?? 0;
      const present = this.filled - absent;
      const binCounts = t.counts.subarray(0, t.counts.length - 1);
      const reading: DriftReading = { input: t.input, present };
      if (enough(present)) reading.psi = psi(t.reference.proportions, binCounts);
      if (i < this.width - 1) {
        reading.referenceMissing = t.reference.missing;
        if (enough(this.filled)) reading.missing = absent / this.filled;
      }
      return reading;
    });
    return { calls: this.filled, readings };
  }

  private featureBin(t: number, value: number | undefined): number {
    if (value === undefined || !Number.isFinite(value)) return MISSING;
    const spec = MODEL_FEATURES[t];
    // Binned at charting precision, as the model sees it (and as the training rows were binned).
    const rounded = spec === undefined ? value : roundHalfUp(value, spec.decimals);
    return binOf(this.tracks[t]?.reference.edges ?? [], rounded);
  }

  private scoreBin(probability: number | undefined): number {
    if (probability === undefined || !Number.isFinite(probability)) return NOT_SCORED;
    return binOf(this.tracks[this.width - 1]?.reference.edges ?? [], probability);
  }

  private slot(t: number, bin: number): number {
    const counts = this.tracks[t]!.counts;
    return bin < 0 ? counts.length - 1 : bin;
  }

  private count(t: number, bin: number): void {
    this.tracks[t]!.counts[this.slot(t, bin)]! += 1;
  }

  private uncount(t: number, bin: number): void {
    this.tracks[t]!.counts[this.slot(t, bin)]! -= 1;
  }
}
