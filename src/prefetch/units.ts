// Unit conversion for charted quantities: every accepted spelling is listed here, converted to the
// canonical UCUM unit at full precision (NEWS2 rounds), checked against physiological limits; an
// unknown or absent unit makes the value unusable, never guessed.
import { MEASURE_WORDS } from '../domain/labels.js';
import { CANONICAL_UNITS, type Measure } from '../domain/vital-signs.js';
import { UCUM } from '../fhir/codes.js';

/**
 * Physiological limits, inclusive, in the canonical unit: a value outside is a charting or device
 * error (or a unit mix-up such as FiO2 0.4 sent as "%"), never scored. Wide on purpose: they reject
 * the impossible, not the alarming.
 */
export const PLAUSIBLE_LIMITS: Readonly<Record<Measure, readonly [number, number]>> = {
  respiratoryRate: [0, 80],
  heartRate: [0, 300],
  spo2: [0, 100],
  temperature: [25, 45],
  systolicBP: [30, 300],
  // High-flow nasal oxygen runs up to about 60–70 L/min.
  o2Flow: [0, 80],
  // Room air is 20.9 %; below 20 % is a fraction sent as a percentage or an error.
  o2Concentration: [20, 100],
};

type Dimension = 'rate' | 'percent' | 'temperature' | 'pressure' | 'flow';

const DIMENSION: Readonly<Record<Measure, Dimension>> = {
  respiratoryRate: 'rate',
  heartRate: 'rate',
  spo2: 'percent',
  temperature: 'temperature',
  systolicBP: 'pressure',
  o2Flow: 'flow',
  o2Concentration: 'percent',
};

type Convert = (x: number) => number;
const same: Convert = (x) => x;
const fahrenheitToCelsius: Convert = (f) => ((f - 32) * 5) / 9;
const kelvinToCelsius: Convert = (k) => k - 273.15;
/** 1 mmHg = 133.322387415 Pa (exact by definition), so 1 kPa ≈ 7.50062 mmHg. */
const MMHG_PER_KPA = 1000 / 133.322387415;
const kpaToMmHg: Convert = (kpa) => kpa * MMHG_PER_KPA;
const mlToLitres: Convert = (ml) => ml / 1000;

/**
 * UCUM codes, matched exactly (UCUM is case-sensitive: `C` is the coulomb, `F` the farad, so those
 * appear only among the free-text spellings below). Used when `valueQuantity.system` is UCUM.
 */
const UCUM_CODES: Readonly<Record<Dimension, Readonly<Record<string, Convert>>>> = {
  rate: { '/min': same, '1/min': same, '{beats}/min': same, '{beat}/min': same, '{breaths}/min': same, '{breath}/min': same },
  percent: { '%': same },
  temperature: { Cel: same, '[degF]': fahrenheitToCelsius, K: kelvinToCelsius },
  pressure: { 'mm[Hg]': same, kPa: kpaToMmHg },
  flow: { 'L/min': same, 'l/min': same, 'mL/min': mlToLitres, 'ml/min': mlToLitres },
};

/**
 * Free-text spellings real feeds put in `valueQuantity.unit` (or in `code` without a system),
 * matched after trimming, case-insensitively. Each entry is deliberate: anything else is rejected.
 * Rates: beats and breaths are both "per minute", so either spelling is accepted for either vital.
 */
const TEXT_SPELLINGS: Readonly<Record<Dimension, Readonly<Record<string, Convert>>>> = {
  rate: {
    '/min': same,
    '1/min': same,
    'per min': same,
    '/minute': same,
    'per minute': same,
    '{beats}/min': same,
    '{beat}/min': same,
    '{breaths}/min': same,
    '{breath}/min': same,
    'beats/min': same,
    'beat/min': same,
    'beats/minute': same,
    'breaths/min': same,
    'breath/min': same,
    'breaths/minute': same,
    bpm: same,
    'b/min': same,
    'br/min': same,
  },
  percent: { '%': same, percent: same },
  temperature: {
    cel: same,
    c: same,
    '°c': same,
    degc: same,
    'deg c': same,
    '℃': same,
    celsius: same,
    'degrees c': same,
    '[degf]': fahrenheitToCelsius,
    f: fahrenheitToCelsius,
    '°f': fahrenheitToCelsius,
    degf: fahrenheitToCelsius,
    'deg f': fahrenheitToCelsius,
    '℉': fahrenheitToCelsius,
    fahrenheit: fahrenheitToCelsius,
    'degrees f': fahrenheitToCelsius,
    k: kelvinToCelsius,
    kelvin: kelvinToCelsius,
  },
  pressure: { 'mm[hg]': same, mmhg: same, 'mm hg': same, kpa: kpaToMmHg },
  flow: {
    'l/min': same,
    lpm: same,
    'litres/min': same,
    'liters/min': same,
    'l/minute': same,
    'ml/min': mlToLitres,
  },
};

/** The parts of a FHIR Quantity this module reads; anything may be missing or mistyped. */
export interface QuantityLike {
  value?: unknown;
  comparator?: unknown;
  unit?: unknown;
  system?: unknown;
  code?: unknown;
}

/** A value charted as a bound ("<80"), converted: unusable as a measurement, maybe still decisive. */
export interface Bound {
  comparator: '<' | '<=' | '>' | '>=';
  value: number;
  unit: string;
}

export type Conversion = { ok: true; value: number; unit: string } | { ok: false; reason: string; bound?: Bound };

const COMPARATORS: ReadonlySet<string> = new Set(['<', '<=', '>', '>=']);

/** Unit text is echoed in reasons shown to clinicians: bounded, never a value. */
function quoteUnit(text: string): string {
  const t = text.length > 20 ? `${text.slice(0, 20)}…` : text;
  return `"${t}"`;
}

function nonEmpty(x: unknown): string | undefined {
  if (typeof x !== 'string') return undefined;
  const trimmed = x.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

/**
 * The tables above as maps, which is how a charted unit is looked up: indexing a plain object with
 * the EHR's text would find Object.prototype's members, so a unit spelt `constructor` was once
 * accepted as a rate (and `__proto__` threw, failing the call with a 500).
 */
function byDimension(
  table: Readonly<Record<Dimension, Readonly<Record<string, Convert>>>>,
): ReadonlyMap<Dimension, ReadonlyMap<string, Convert>> {
  return new Map(Object.entries(table).map(([dimension, units]) => [dimension as Dimension, new Map(Object.entries(units))]));
}
const UCUM_LOOKUP = byDimension(UCUM_CODES);
const TEXT_LOOKUP = byDimension(TEXT_SPELLINGS);

/** Finds the converter for a quantity's unit: the UCUM code when the system says UCUM, else the text. */
function findConverter(dimension: Dimension, q: QuantityLike): { ok: true; convert: Convert } | { ok: false; reason: string } {
  const code = nonEmpty(q.code);
  const unit = nonEmpty(q.unit);
  if (q.system === UCUM && code !== undefined) {
    const convert = UCUM_LOOKUP.get(dimension)?.get(code);
    return convert ? { ok: true, convert } : { ok: false, reason: `unit ${quoteUnit(code)} is not a recognised unit` };
  }
  // A code from a system other than UCUM is someone's local unit code: only the text can be read.
  const text = unit ?? (q.system === undefined ? code : undefined);
  if (text === undefined) return { ok: false, reason: 'no unit given' };
  const convert = TEXT_LOOKUP.get(dimension)?.get(text.replace(/\s+/g, ' ').toLowerCase());
  return convert ? { ok: true, convert } : { ok: false, reason: `unit ${quoteUnit(text)} is not a recognised unit` };
}

/**
 * Converts a charted quantity to the measure's canonical unit, at full precision, and checks it
 * against PLAUSIBLE_LIMITS. A comparator (`<`, `>=`…) makes it a bound, not a measurement: unusable,
 * but the bound is returned converted, for normalisation to score when it decides the points alone.
 */
export function convertQuantity(measure: Measure, q: QuantityLike): Conversion {
  const label = MEASURE_WORDS[measure];
  if (typeof q.value !== 'number' || !Number.isFinite(q.value)) {
    return { ok: false, reason: `${label} has no numeric value` };
  }
  if (q.comparator !== undefined) {
    const comparator = typeof q.comparator === 'string' ? ` (${q.comparator.slice(0, 2)})` : '';
    const reason = `${label} is a bound${comparator}, not a measured value`;
    const found = typeof q.comparator === 'string' && COMPARATORS.has(q.comparator) ? findConverter(DIMENSION[measure], q) : undefined;
    if (found?.ok !== true) return { ok: false, reason };
    const value = found.convert(q.value);
    const bound: Bound = { comparator: q.comparator as Bound['comparator'], value, unit: CANONICAL_UNITS[measure] };
    return Number.isFinite(value) ? { ok: false, reason, bound } : { ok: false, reason };
  }
  const found = findConverter(DIMENSION[measure], q);
  if (!found.ok) return { ok: false, reason: `${label}: ${found.reason}` };
  const value = found.convert(q.value);
  const unit = CANONICAL_UNITS[measure];
  const [low, high] = PLAUSIBLE_LIMITS[measure];
  if (!(value >= low && value <= high)) {
    return { ok: false, reason: `${label} is outside plausible limits (${low}–${high} ${unit})` };
  }
  return { ok: true, value, unit };
}
