// The NEWS2 scoring chart as data: bands, rounding and response thresholds, so the scorer holds no
// clinical literals. Source: Royal College of Physicians, National Early Warning Score (NEWS) 2,
// 2017, Chart 1 "The NEWS scoring system" and Chart 2 (clinical response thresholds); checked
// boundary by boundary against the chart (also reproduced in O'Driscoll et al., Thorax 2017, table 1).
import type { Consciousness, NumericVital } from '../domain/vital-signs.js';

export type Points = 0 | 1 | 2 | 3;

/**
 * One band of the chart: a rounded value scores `points` when it is at most `upTo` and above the
 * previous band's `upTo`. Bands are ascending and the last one ends at Infinity, so every value falls
 * in exactly one band (no gaps between e.g. 35.0 and 35.1 °C, whatever rounding lets through).
 */
export interface Band {
  upTo: number;
  points: Points;
}

/** Decimal places each numeric parameter is rounded to before banding (RCP: temperature to 0.1 °C). */
export const NEWS2_DECIMALS: Readonly<Record<NumericVital, number>> = {
  respiratoryRate: 0,
  spo2: 0,
  systolicBP: 0,
  heartRate: 0,
  temperature: 1,
};

/** Bands of the numeric parameters whose points do not depend on SpO2 scale or oxygen. */
export const NEWS2_BANDS: Readonly<Record<Exclude<NumericVital, 'spo2'>, readonly Band[]>> = {
  // ≤8: 3 · 9–11: 1 · 12–20: 0 · 21–24: 2 · ≥25: 3
  respiratoryRate: [
    { upTo: 8, points: 3 },
    { upTo: 11, points: 1 },
    { upTo: 20, points: 0 },
    { upTo: 24, points: 2 },
    { upTo: Infinity, points: 3 },
  ],
  // ≤90: 3 · 91–100: 2 · 101–110: 1 · 111–219: 0 · ≥220: 3
  systolicBP: [
    { upTo: 90, points: 3 },
    { upTo: 100, points: 2 },
    { upTo: 110, points: 1 },
    { upTo: 219, points: 0 },
    { upTo: Infinity, points: 3 },
  ],
  // ≤40: 3 · 41–50: 1 · 51–90: 0 · 91–110: 1 · 111–130: 2 · ≥131: 3
  heartRate: [
    { upTo: 40, points: 3 },
    { upTo: 50, points: 1 },
    { upTo: 90, points: 0 },
    { upTo: 110, points: 1 },
    { upTo: 130, points: 2 },
    { upTo: Infinity, points: 3 },
  ],
  // ≤35.0: 3 · 35.1–36.0: 1 · 36.1–38.0: 0 · 38.1–39.0: 1 · ≥39.1: 2
  temperature: [
    { upTo: 35.0, points: 3 },
    { upTo: 36.0, points: 1 },
    { upTo: 38.0, points: 0 },
    { upTo: 39.0, points: 1 },
    { upTo: Infinity, points: 2 },
  ],
};

/** SpO2 bands by scale; scale 2 also depends on whether the patient breathes air or oxygen. */
export const NEWS2_SPO2_BANDS = {
  // Scale 1 (default): ≤91: 3 · 92–93: 2 · 94–95: 1 · ≥96: 0
  scale1: [
    { upTo: 91, points: 3 },
    { upTo: 93, points: 2 },
    { upTo: 95, points: 1 },
    { upTo: Infinity, points: 0 },
  ],
  // Scale 2 on air: ≤83: 3 · 84–85: 2 · 86–87: 1 · 88–92 and ≥93 on air: 0
  scale2OnAir: [
    { upTo: 83, points: 3 },
    { upTo: 85, points: 2 },
    { upTo: 87, points: 1 },
    { upTo: Infinity, points: 0 },
  ],
  // Scale 2 on oxygen: as on air up to 92, then 93–94: 1 · 95–96: 2 · ≥97: 3 (over-oxygenation of a
  // hypercapnic patient is itself a danger sign).
  scale2OnOxygen: [
    { upTo: 83, points: 3 },
    { upTo: 85, points: 2 },
    { upTo: 87, points: 1 },
    { upTo: 92, points: 0 },
    { upTo: 94, points: 1 },
    { upTo: 96, points: 2 },
    { upTo: Infinity, points: 3 },
  ],
} as const satisfies Record<string, readonly Band[]>;

/** Air or oxygen? Oxygen: 2 · Air: 0. */
export const NEWS2_OXYGEN_POINTS = { onOxygen: 2, onAir: 0 } as const satisfies Record<string, Points>;

/**
 * Alert: 0 · new Confusion, Voice, Pain, Unresponsive: 3. The chart scores *new* confusion; a record
 * cannot tell new from chronic, so charted confusion scores 3 (the safe reading, and what the
 * bedside chart does unless a clinician annotates it).
 */
export const NEWS2_CONSCIOUSNESS_POINTS: Readonly<Record<Consciousness, Points>> = {
  alert: 0,
  confused: 3,
  voice: 3,
  pain: 3,
  unresponsive: 3,
};

/** Chart 2 clinical response thresholds on the aggregate score. */
export const NEWS2_RESPONSE_THRESHOLDS = {
  /** 1–4: low (ward-based response), or low–medium when any single parameter scores 3. */
  low: 1,
  /** 5–6: medium, urgent response within 1 hour. */
  medium: 5,
  /** ≥7: high, emergency response. */
  high: 7,
} as const;
