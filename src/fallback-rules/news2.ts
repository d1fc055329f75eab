// NEWS2 (Royal College of Physicians, 2017) from normalised vital signs: a pure function of its
// inputs, banded by the chart in news2-chart.ts. Missing parameters are reported, never scored as normal.
import { roundHalfUp } from '../domain/rounding.js';
import {
  CANONICAL_UNITS,
  VITAL_NAMES,
  type Consciousness,
  type NumericVital,
  type PatientInputs,
  type VitalName,
} from '../domain/vital-signs.js';
import {
  NEWS2_BANDS,
  NEWS2_CONSCIOUSNESS_POINTS,
  NEWS2_DECIMALS,
  NEWS2_OXYGEN_POINTS,
  NEWS2_RESPONSE_THRESHOLDS,
  NEWS2_SPO2_BANDS,
  type Band,
  type Points,
} from './news2-chart.js';
import type { Severity } from '../prefetch/normalise.js';
import type { News2Result, News2Risk, News2Subscore } from './types.js';

/** What SpO2 points depend on besides the saturation itself. */
export interface Spo2Context {
  spo2Scale: 1 | 2;
  /** Unknown (undefined) scores as on air here; scoreNews2 decides what to assume (the worse case). */
  onOxygen?: boolean;
}

/** A value as scored (after rounding) and its points. */
export interface Scored<T> {
  value: T;
  points: Points;
}

/**
 * Scale 2 at ≥ 93 % is the one place the chart needs the oxygen answer to score SpO2: 0 on air, up to
 * 3 on oxygen. Unknown, the worse case is the one to act on (a hypercapnic patient over-oxygenated is
 * in danger), so SpO2 is scored as on oxygen and the card says so.
 */
function scale2AssumedOxygenNote(onAirPoints: Points): string {
  return `oxygen status not charted: SpO2 on scale 2 scored as on oxygen, the worse case (${onAirPoints} on air)`;
}

function band(bands: readonly Band[], value: number): Points {
  for (const b of bands) if (value <= b.upTo) return b.points;
  // Unreachable for finite values: every band list ends at Infinity.
  throw new RangeError('value outside the NEWS2 chart');
}

function spo2Bands(context: Spo2Context): readonly Band[] {
  if (context.spo2Scale !== 2) return NEWS2_SPO2_BANDS.scale1;
  return context.onOxygen === true ? NEWS2_SPO2_BANDS.scale2OnOxygen : NEWS2_SPO2_BANDS.scale2OnAir;
}

/**
 * Points for one parameter's value, per the RCP chart. Numeric values are rounded first (temperature
 * to 0.1 °C, the rest to whole numbers) and the rounded value is returned with the points. Throws a
 * RangeError for a non-finite number: callers check (scoreNews2 reports such a value as missing).
 */
export function pointsFor(parameter: NumericVital, value: number, context?: Spo2Context): Scored<number>;
export function pointsFor(parameter: 'consciousness', value: Consciousness): Scored<Consciousness>;
export function pointsFor(parameter: 'supplementalOxygen', onOxygen: boolean): Scored<boolean>;
export function pointsFor(
  parameter: VitalName,
  value: number | Consciousness | boolean,
  context: Spo2Context = { spo2Scale: 1 },
): Scored<number | Consciousness | boolean> {
  if (parameter === 'consciousness') {
    return { value, points: NEWS2_CONSCIOUSNESS_POINTS[value as Consciousness] };
  }
  if (parameter === 'supplementalOxygen') {
    return { value, points: value === true ? NEWS2_OXYGEN_POINTS.onOxygen : NEWS2_OXYGEN_POINTS.onAir };
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`NEWS2 ${parameter} needs a finite number`);
  }
  const rounded = roundHalfUp(value, NEWS2_DECIMALS[parameter]);
  const bands = parameter === 'spo2' ? spo2Bands(context) : NEWS2_BANDS[parameter];
  return { value: rounded, points: band(bands, rounded) };
}

/**
 * NEWS2 points as normalisation's measure of how bad a value is, to choose between two values charted
 * at one moment: SpO2 on scale 2 as if on oxygen, the worse case, as scoreNews2 assumes when unknown.
 */
export const news2Severity: Severity = (vital, value, spo2Scale) =>
  vital === 'consciousness'
    ? pointsFor('consciousness', value as Consciousness).points
    : pointsFor(vital, value as number, { spo2Scale, onOxygen: true }).points;

/**
 * The RCP clinical response band. A single parameter scoring 3 lifts a total of 1–4 to low–medium;
 * it is checked before the "none" case so an inconsistent caller (0 with a three) errs towards review.
 */
export function news2Risk(total: number, anySingleThree: boolean): News2Risk {
  if (total >= NEWS2_RESPONSE_THRESHOLDS.high) return 'high';
  if (total >= NEWS2_RESPONSE_THRESHOLDS.medium) return 'medium';
  if (anySingleThree) return 'low-medium';
  if (total >= NEWS2_RESPONSE_THRESHOLDS.low) return 'low';
  return 'none';
}

function isConsciousness(value: unknown): value is Consciousness {
  return typeof value === 'string' && Object.hasOwn(NEWS2_CONSCIOUSNESS_POINTS, value);
}

/** One parameter's subscore from the fresh vitals, or undefined when it cannot be scored. */
function subscore(parameter: VitalName, inputs: PatientInputs, spo2Scale: 1 | 2): News2Subscore | undefined {
  const { vitals } = inputs;
  switch (parameter) {
    case 'consciousness': {
      const reading = vitals.consciousness;
      if (!reading || !isConsciousness(reading.value)) return undefined;
      return { parameter, ...pointsFor('consciousness', reading.value), at: reading.at };
    }
    case 'supplementalOxygen': {
      const reading = vitals.supplementalOxygen;
      if (!reading || typeof reading.value?.onOxygen !== 'boolean') return undefined;
      return { parameter, ...pointsFor('supplementalOxygen', reading.value.onOxygen), at: reading.at };
    }
    default: {
      const reading = vitals[parameter];
      if (!reading || typeof reading.value !== 'number' || !Number.isFinite(reading.value)) return undefined;
      const oxygen = vitals.supplementalOxygen?.value?.onOxygen;
      const onOxygen = typeof oxygen === 'boolean' ? oxygen : undefined;
      const scored = pointsFor(parameter, reading.value, { spo2Scale, onOxygen });
      const result: News2Subscore = { parameter, ...scored, unit: CANONICAL_UNITS[parameter], at: reading.at };
      if (parameter === 'spo2' && spo2Scale === 2 && onOxygen === undefined) {
        const worse = pointsFor('spo2', reading.value, { spo2Scale, onOxygen: true });
        if (worse.points > scored.points) {
          result.points = worse.points;
          result.note = scale2AssumedOxygenNote(scored.points);
        }
      }
      return result;
    }
  }
}

/**
 * NEWS2 from `inputs.vitals` (the fresh values only; stale ones count as missing) and
 * `inputs.spo2Scale` (anything but 2 means scale 1, the RCP default). When a parameter is missing,
 * `partial` is true, `missing` names it and `total` is the sum of the rest: a floor, never a guess.
 */
export function scoreNews2(inputs: PatientInputs): News2Result {
  const spo2Scale = inputs.spo2Scale === 2 ? 2 : 1;
  const subscores: News2Subscore[] = [];
  const missing: VitalName[] = [];
  for (const parameter of VITAL_NAMES) {
    const scored = subscore(parameter, inputs, spo2Scale);
    if (scored) subscores.push(scored);
    else missing.push(parameter);
  }
  const total = subscores.reduce((sum, s) => sum + s.points, 0);
  const anySingleThree = subscores.some((s) => s.points === 3);
  return {
    total,
    partial: missing.length > 0,
    missing,
    subscores,
    anySingleThree,
    risk: news2Risk(total, anySingleThree),
    spo2Scale,
  };
}
