// Reference histograms of the training population, shipped in the model's metadata so serving can
// watch for drift (population stability index of live inputs and predictions against these). Vital
// signs are binned at the NEWS2 band edges (a shift reads as "more patients scoring 3 on respiratory
// rate") with the reference value splitting the zero band; age by decade; the predicted probability at
// the training deciles, so each of its bins starts with a tenth of the rows.
import { NEWS2_BANDS, NEWS2_DECIMALS, NEWS2_SPO2_BANDS, type Band } from '../src/fallback-rules/news2-chart.js';
import { MODEL_FEATURES } from '../src/models/feature-contract.js';
import { binOf } from '../src/models/drift.js';
import type { Histogram, ReferenceDistributions } from '../src/models/model-metadata.js';
import { nextChartValue, REFERENCES } from './feature-basis.js';

/** Proportions are stored to this many decimals: enough for a PSI, short enough for metadata. */
const DECIMALS = 5;

/** Lower edges of every band but the first (a value v is in a band from its lower edge up). */
function bandEdges(bands: readonly Band[], decimals: number, reference: number): number[] {
  const edges = bands.slice(0, -1).map((b) => nextChartValue(b.upTo, decimals));
  return [...new Set([...edges, reference])].sort((a, b) => a - b);
}

const numeric = (name: keyof typeof NEWS2_DECIMALS, bands: readonly Band[]) =>
  bandEdges(bands, NEWS2_DECIMALS[name], REFERENCES[name] ?? 0);

/** Bin edges per contract input. */
export const FEATURE_EDGES: Readonly<Record<string, readonly number[]>> = {
  respiratoryRate: numeric('respiratoryRate', NEWS2_BANDS.respiratoryRate),
  spo2: numeric('spo2', NEWS2_SPO2_BANDS.scale1),
  onOxygen: [1],
  systolicBP: numeric('systolicBP', NEWS2_BANDS.systolicBP),
  heartRate: numeric('heartRate', NEWS2_BANDS.heartRate),
  consciousnessNotAlert: [1],
  temperature: numeric('temperature', NEWS2_BANDS.temperature),
  ageYears: [30, 40, 50, 60, 70, 80, 90],
};

const round = (v: number) => Number(v.toFixed(DECIMALS));

// One binning rule for training and serving: the drift window bins live values with the same function.
export { binOf };

/** A histogram of the present values (undefined = not charted, counted as missing). */
export function histogram(edges: readonly number[], values: readonly (number | undefined)[]): Histogram {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let present = 0;
  for (const v of values) {
    if (v === undefined) continue;
    const bin = binOf(edges, v);
    counts[bin] = (counts[bin] ?? 0) + 1;
    present++;
  }
  return {
    edges: [...edges],
    proportions: counts.map((c) => round(present === 0 ? 0 : c / present)),
    missing: round(values.length === 0 ? 0 : 1 - present / values.length),
  };
}

/** Deciles of the values, three significant digits, duplicates dropped (edges must increase). */
export function decileEdges(values: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const edges = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => Number((sorted[Math.floor((d * sorted.length) / 10)] ?? 0).toPrecision(3)));
  return [...new Set(edges)];
}

export interface PopulationRow {
  /** Feature values in contract order, after imputation. */
  features: readonly number[];
  /** Which features were not charted (imputed). */
  imputed: readonly boolean[];
  probability: number;
}

export function referenceDistributions(rows: readonly PopulationRow[], population: string): ReferenceDistributions {
  const probabilities = rows.map((r) => r.probability);
  return {
    population,
    rows: rows.length,
    features: MODEL_FEATURES.map((f, i) => ({
      name: f.name,
      histogram: histogram(
        FEATURE_EDGES[f.name] ?? [],
        rows.map((r) => (r.imputed[i] ? undefined : r.features[i])),
      ),
    })),
    probability: histogram(decileEdges(probabilities), probabilities),
  };
}
