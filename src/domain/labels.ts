// Clinicians' words for each NEWS2 parameter and model feature, and how their values read on a card:
// one table per kind of name (a heading, a word in a sentence, a short form for a summary line).
import type { Measure, ObservedName, VitalName, VitalReading } from './vital-signs.js';

/** Headings, as a ward chart's rows are named. */
export const PARAMETER_LABELS: Record<ObservedName, string> = {
  respiratoryRate: 'Respiratory rate',
  spo2: 'SpO2',
  supplementalOxygen: 'Air or oxygen',
  systolicBP: 'Systolic BP',
  heartRate: 'Pulse',
  consciousness: 'Consciousness',
  temperature: 'Temperature',
  gcs: 'Glasgow Coma Scale',
};

/** The same names inside a sentence ("respiratory rate, SpO2 not charted"). */
export const PARAMETER_WORDS: Record<ObservedName, string> = {
  respiratoryRate: 'respiratory rate',
  spo2: 'SpO2',
  supplementalOxygen: 'air or oxygen',
  systolicBP: 'systolic BP',
  heartRate: 'pulse',
  consciousness: 'consciousness',
  temperature: 'temperature',
  gcs: 'GCS',
};

/**
 * What was measured, in the reasons a value could not be used ("Pulse: heart rate is outside plausible
 * limits"): the quantity itself, so the two oxygen measures that make "air or oxygen" stay apart.
 */
export const MEASURE_WORDS: Readonly<Record<Measure | ObservedName, string>> = {
  respiratoryRate: 'respiratory rate',
  heartRate: 'heart rate',
  spo2: 'SpO2',
  temperature: 'temperature',
  systolicBP: 'systolic blood pressure',
  o2Flow: 'inhaled oxygen flow',
  o2Concentration: 'inhaled oxygen concentration',
  consciousness: 'level of consciousness',
  supplementalOxygen: 'air or oxygen',
  gcs: 'Glasgow Coma Scale',
};

/** Short forms for a summary line, where 139 characters must hold a whole picture. */
export const PARAMETER_SHORT: Record<ObservedName, string> = {
  respiratoryRate: 'RR',
  spo2: 'SpO2',
  supplementalOxygen: 'O2',
  systolicBP: 'SBP',
  heartRate: 'HR',
  consciousness: '',
  temperature: 'Temp',
  gcs: 'GCS',
};

/** Display units: UCUM codes are for machines; cards show what a ward chart shows. */
const DISPLAY_UNITS: Record<string, string> = {
  '/min': '/min',
  '%': '%',
  Cel: '°C',
  'mm[Hg]': 'mmHg',
  'L/min': 'L/min',
  a: 'years',
};

export function displayUnit(ucum: string | undefined): string {
  if (ucum === undefined) return '';
  return DISPLAY_UNITS[ucum] ?? ucum;
}

/**
 * ACVPU in words. The chart scores *new* confusion; a record says "Confused" without saying since
 * when, so only a record that says acute (SNOMED CT 130987000) reads "New confusion".
 */
const CONSCIOUSNESS_WORDS: Record<string, string> = {
  alert: 'Alert',
  confused: 'Confusion',
  voice: 'Responds to voice',
  pain: 'Responds to pain',
  unresponsive: 'Unresponsive',
};

/** A scored value as a ward chart would write it: "26/min", "37.8 °C", "On oxygen", "Alert". */
export function formatValue(parameter: VitalName, value: number | string | boolean, unit?: string, newOnset?: boolean): string {
  if (parameter === 'supplementalOxygen') return value === true ? 'On oxygen' : 'Air';
  if (parameter === 'consciousness') {
    if (value === 'confused' && newOnset === true) return 'New confusion';
    return CONSCIOUSNESS_WORDS[String(value)] ?? String(value);
  }
  const u = displayUnit(unit);
  const shown = typeof value === 'number' ? displayNumber(value) : String(value);
  if (u === '') return shown;
  return u === '%' || u.startsWith('/') ? `${shown}${u}` : `${shown} ${u}`;
}

/**
 * A number as a chart would write it: at most two decimals. A value converted from another unit
 * (kelvin, kPa, °F) carries floating-point noise otherwise: "Temp 34.85000000000002 °C" on a card
 * (clinical safety review, 2026-11-29). Charted values have one decimal at most and show unchanged.
 */
function displayNumber(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** A charted reading in words, whatever its kind (oxygen status, ACVPU, a number with its unit). */
export function formatReading(parameter: VitalName, reading: VitalReading): string {
  const value = reading.value;
  if (parameter === 'supplementalOxygen') {
    const o2 = value as { onOxygen?: boolean; flowLpm?: number };
    const words = formatValue(parameter, o2.onOxygen === true);
    return o2.onOxygen === true && typeof o2.flowLpm === 'number' ? `${words} (${o2.flowLpm} L/min)` : words;
  }
  const text = formatValue(parameter, value as number | string, reading.unit, reading.newOnset);
  // A value charted as a bound ("<80 %") is written as one.
  return reading.comparator === undefined ? text : `${reading.comparator}${text}`;
}

/** "RR 26/min" or, where the value speaks for itself, just the value ("Unresponsive"). */
export function shortValue(parameter: VitalName, formatted: string): string {
  const short = PARAMETER_SHORT[parameter];
  return short === '' ? formatted : `${short} ${formatted}`;
}

/**
 * The model's inputs (the feature contract, models/feature-contract.ts) as headings of a factor line:
 * a yes/no input is headed by its "yes" ("Not alert", "Supplemental oxygen"); the rest as the chart.
 */
export const FEATURE_LABELS: Readonly<Record<string, string>> = {
  respiratoryRate: PARAMETER_LABELS.respiratoryRate,
  spo2: PARAMETER_LABELS.spo2,
  onOxygen: 'Supplemental oxygen',
  systolicBP: PARAMETER_LABELS.systolicBP,
  heartRate: PARAMETER_LABELS.heartRate,
  consciousnessNotAlert: 'Not alert',
  temperature: PARAMETER_LABELS.temperature,
  ageYears: 'Age',
};

/** The same inputs inside a sentence ("pulse, age not charted"): the parameter each one reads. */
export const FEATURE_WORDS: Readonly<Record<string, string>> = {
  respiratoryRate: PARAMETER_WORDS.respiratoryRate,
  spo2: PARAMETER_WORDS.spo2,
  onOxygen: PARAMETER_WORDS.supplementalOxygen,
  systolicBP: PARAMETER_WORDS.systolicBP,
  heartRate: PARAMETER_WORDS.heartRate,
  consciousnessNotAlert: PARAMETER_WORDS.consciousness,
  temperature: PARAMETER_WORDS.temperature,
  ageYears: 'age',
};

/** A feature's heading; an unknown feature (a site's own model's) falls back to its name. */
export function featureLabel(feature: string): string {
  return FEATURE_LABELS[feature] ?? feature;
}

/** A feature in a sentence; an unknown feature falls back to its name. */
export function featureWords(feature: string): string {
  return FEATURE_WORDS[feature] ?? feature;
}
