// Coarse severity beyond the NEWS2 chart's points, for the repeat-card rule. Points stop at 3, so RR 25
// and RR 42, SBP 88 and 62, SpO2 91 and 78, confusion and unresponsive, 2 and 15 L/min of oxygen each
// score the same, and a patient who worsened within a parameter's top band read as "no rise" (review
// 25a, N4). Each function here gives a level, never a value: the rule's store may hold levels only.
//
// Every level is 0 for what the older concern tokens already said (a 3-point value in its ordinary
// range, confusion, oxygen at up to 4 L/min) and writes no token then: an entry written before these
// levels existed reads as level 0, so it still compares as it did, and only a value beyond it is new.
import type { VitalName } from '../domain/vital-signs.js';

/**
 * ACVPU beyond confusion, worse higher: V 1, P 2, U 3. Confusion is level 0 because `consciousness=3`
 * already says "not alert"; alert scores no points and has no level. A Map, not an object: a value
 * spelt like an object member ("constructor") must find nothing (H17).
 */
const ACVPU_BEYOND_CONFUSION = new Map<unknown, number>([
  ['voice', 1],
  ['pain', 2],
  ['unresponsive', 3],
]);

export function acvpuLevel(consciousness: unknown): number {
  return ACVPU_BEYOND_CONFUSION.get(consciousness) ?? 0;
}

/** A value at most `atMost` or at least `atLeast` (either may be absent) is beyond the chart's worst band. */
interface ExtremeCutOffs {
  atMost?: number;
  atLeast?: number;
}

/**
 * Where a value is clearly worse than the chart's worst band says: Vigil's choices, each inside the
 * band NEWS2 already scores at its worst (so an extreme value always scores 3 too, or 2 for fever,
 * NEWS2's worst there), chosen to catch a clear worsening rather than to grade it finely. A false
 * "extreme" only shows a card in full again; a missed one quietens a peri-arrest change.
 * - Respiratory rate ≤ 5 or ≥ 35/min (NEWS2 3 at ≤ 8 and ≥ 25): near the medical emergency team
 *   calling criteria, RR < 5 or > 36/min (MERIT study, Hillman et al., Lancet 2005), taken a breath
 *   wider on each side.
 * - Systolic BP ≤ 70 mmHg (NEWS2 3 at ≤ 90): below it the mean arterial pressure is almost certainly
 *   under the 65 mmHg the Surviving Sepsis Campaign (2021) targets. No upper extreme: NEWS2's ≥ 220
 *   already marks a hypertensive crisis.
 * - Heart rate ≥ 150 or ≤ 30/min (NEWS2 3 at ≥ 131 and ≤ 40): 150/min is where the Resuscitation
 *   Council UK's adult tachycardia guidance expects the rate itself to cause instability; 30/min is
 *   Vigil's choice, a quarter below the chart's 40.
 * - Temperature ≤ 34.0 °C or ≥ 40.0 °C (NEWS2 3 at ≤ 35.0, 2 at ≥ 39.1): a further degree of
 *   hypothermia, Vigil's choice; above 40 °C is the core temperature of the usual definition of
 *   heatstroke (Bouchama and Knochel, NEJM 2002).
 */
const EXTREME: ReadonlyMap<VitalName, ExtremeCutOffs> = new Map<VitalName, ExtremeCutOffs>([
  ['respiratoryRate', { atMost: 5, atLeast: 35 }],
  ['systolicBP', { atMost: 70 }],
  ['heartRate', { atMost: 30, atLeast: 150 }],
  ['temperature', { atMost: 34, atLeast: 40 }],
]);

/**
 * SpO2 by scale: ≤ 85 % on scale 1 (NEWS2 3 at ≤ 91), the saturation below which the BTS oxygen
 * guideline (O'Driscoll et al., Thorax 2017) starts a reservoir mask at 15 L/min; on scale 2 (NEWS2 3
 * at ≤ 83) Vigil's choice of ≤ 77 %, as far below that scale's 3-point cut-off as 85 is below 91. No
 * upper extreme for scale 2 on oxygen (3 at ≥ 97 %): the range left above it is too narrow to grade.
 */
const SPO2_EXTREME: Readonly<Record<1 | 2, ExtremeCutOffs>> = { 1: { atMost: 85 }, 2: { atMost: 77 } };

/** 1 when a scored value lies beyond its parameter's extreme cut-off (above), else 0. */
export function extremeLevel(parameter: unknown, value: unknown, spo2Scale: unknown): number {
  if (typeof value !== 'number') return 0;
  const cutOffs = parameter === 'spo2' ? SPO2_EXTREME[spo2Scale === 2 ? 2 : 1] : EXTREME.get(parameter as VitalName);
  if (cutOffs === undefined) return 0;
  return (cutOffs.atMost !== undefined && value <= cutOffs.atMost) || (cutOffs.atLeast !== undefined && value >= cutOffs.atLeast) ? 1 : 0;
}

/**
 * How much oxygen the patient needs, worse higher, from the flow or the inspired fraction charted
 * (the higher level when both are). Cut-offs are Vigil's, from the device ranges of the BTS oxygen
 * guideline (O'Driscoll et al., Thorax 2017): nasal cannulae at low flow, a simple face mask at
 * 5–10 L/min, a reservoir mask at 15 L/min for the critically ill.
 * - 0: up to 4 L/min, or FiO2 up to 35 % (nasal cannulae; Venturi 24–35 %), or neither charted;
 * - 1: 5–10 L/min, or FiO2 36–59 % (simple face mask; Venturi 40 %);
 * - 2: over 10 L/min, or FiO2 60 % or more (reservoir mask, Venturi 60 %, high-flow).
 */
export function oxygenLevel(flowLpm: unknown, fio2Percent: unknown): number {
  const byFlow = typeof flowLpm !== 'number' ? 0 : flowLpm > 10 ? 2 : flowLpm > 4 ? 1 : 0;
  const byFraction = typeof fio2Percent !== 'number' ? 0 : fio2Percent >= 60 ? 2 : fio2Percent > 35 ? 1 : 0;
  return Math.max(byFlow, byFraction);
}

/**
 * A GCS as a coarse band, worse higher (13–14: 1, 9–12: 2, 3–8: 3): a fall across bands is a new concern,
 * and the store keeps no exact score.
 */
export function gcsBand(gcs: number): number {
  return gcs <= 8 ? 3 : gcs <= 12 ? 2 : 1;
}
