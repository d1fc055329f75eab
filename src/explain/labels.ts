// Clinicians' words for each NEWS2 parameter and model feature, and how their values read on a card.
import type { News2Parameter } from '../fallback-rules/types.js';

export const PARAMETER_LABELS: Record<News2Parameter, string> = {
  respiratoryRate: 'Respiratory rate',
  spo2: 'SpO2',
  supplementalOxygen: 'Air or oxygen',
  systolicBP: 'Systolic BP',
  heartRate: 'Pulse',
  consciousness: 'Consciousness',
  temperature: 'Temperature',
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

const CONSCIOUSNESS_WORDS: Record<string, string> = {
  alert: 'Alert',
  confused: 'New confusion',
  voice: 'Responds to voice',
  pain: 'Responds to pain',
  unresponsive: 'Unresponsive',
};

/** A scored value as a ward chart would write it: "26/min", "37.8 °C", "On oxygen", "Alert". */
export function formatValue(parameter: News2Parameter, value: number | string | boolean, unit?: string): string {
  if (parameter === 'supplementalOxygen') return value === true ? 'On oxygen' : 'Air';
  if (parameter === 'consciousness') return CONSCIOUSNESS_WORDS[String(value)] ?? String(value);
  const u = displayUnit(unit);
  if (u === '' ) return String(value);
  return u === '%' || u.startsWith('/') ? `${value}${u}` : `${value} ${u}`;
}

/** Model features beyond the NEWS2 parameters, in words; unknown features fall back to their name. */
export const FEATURE_LABELS: Record<string, string> = {
  respiratoryRate: 'Respiratory rate',
  spo2: 'SpO2',
  onOxygen: 'Supplemental oxygen',
  systolicBP: 'Systolic BP',
  heartRate: 'Pulse',
  consciousnessNotAlert: 'Not alert',
  temperature: 'Temperature',
  ageYears: 'Age',
};

export function featureLabel(feature: string): string {
  return FEATURE_LABELS[feature] ?? feature;
}
