// Turns synthetic encounters into scoring moments, one per charted set, exactly as the service would
// see them: PatientInputs with the newest value of each vital from the last 24 h (older ones are
// stale, as in the prefetch normaliser), then NEWS2 from this project's own fallback code and the
// model's feature vector from the serving contract. Same rows, same imputation, for both scores.
import { scoreNews2 } from '../src/fallback-rules/news2.js';
import type { News2Risk } from '../src/fallback-rules/types.js';
import { toFeatureVector } from '../src/models/feature-contract.js';
import { CANONICAL_UNITS, patientInputsOf, type PatientInputs, type VitalSigns } from '../src/domain/vital-signs.js';
import { OUTCOME_WINDOW_HOURS, type ChartedSet, type Encounter } from './cohort.js';

/** Values older than this are stale, not scored (the service's default VIGIL_STALE_AFTER_HOURS). */
const FRESH_HOURS = 24;
/** A fixed admission instant: dates only order readings, so any constant keeps runs identical. */
const ADMISSION_MS = Date.UTC(2024, 0, 1);

export interface ScoredRow {
  patientId: number;
  /** Outcome event within the window after this moment. */
  label: boolean;
  news2Total: number;
  /** The RCP response band (a single parameter scoring 3 makes a total of 1–4 "low–medium"). */
  news2Risk: News2Risk;
  /** The contract feature vector, or undefined when the serving rule would not use the model. */
  features?: number[];
  /** Which features were not charted and took their reference value (contract order). */
  imputed?: boolean[];
}

type Latest = { [K in keyof Omit<ChartedSet, 'hour'>]?: { value: NonNullable<ChartedSet[K]>; hour: number } };

function inputsAt(latest: Latest, hour: number, ageYears: number): PatientInputs {
  const at = (h: number) => new Date(ADMISSION_MS + h * 3_600_000);
  const fresh = <K extends keyof Latest>(key: K) => {
    const entry = latest[key];
    return entry && hour - entry.hour <= FRESH_HOURS ? entry : undefined;
  };
  const vitals: VitalSigns = {};
  for (const key of ['respiratoryRate', 'spo2', 'systolicBP', 'heartRate', 'temperature'] as const) {
    const entry = fresh(key);
    if (entry) vitals[key] = { value: entry.value, unit: CANONICAL_UNITS[key], at: at(entry.hour) };
  }
  const oxygen = fresh('onOxygen');
  if (oxygen) vitals.supplementalOxygen = { value: { onOxygen: oxygen.value }, at: at(oxygen.hour) };
  const consciousness = fresh('consciousness');
  if (consciousness) vitals.consciousness = { value: consciousness.value, at: at(consciousness.hour) };
  return patientInputsOf({ vitals, ageYears, dataAsOf: at(hour) });
}

export function scoredRows(encounters: readonly Encounter[], references: readonly number[]): ScoredRow[] {
  const rows: ScoredRow[] = [];
  for (const enc of encounters) {
    const latest: Latest = {};
    for (const set of enc.sets) {
      for (const key of Object.keys(set) as (keyof ChartedSet)[]) {
        if (key === 'hour') continue;
        const value = set[key];
        if (value !== undefined) (latest as Record<string, unknown>)[key] = { value, hour: set.hour };
      }
      const inputs = inputsAt(latest, set.hour, enc.ageYears);
      const vector = toFeatureVector(inputs, references);
      const label = enc.eventHour !== undefined && enc.eventHour > set.hour && enc.eventHour - set.hour <= OUTCOME_WINDOW_HOURS;
      const news2 = scoreNews2(inputs);
      rows.push({
        patientId: enc.patientId,
        label,
        news2Total: news2.total,
        news2Risk: news2.risk,
        ...(vector.ok ? { features: vector.values, imputed: vector.imputed } : {}),
      });
    }
  }
  return rows;
}
