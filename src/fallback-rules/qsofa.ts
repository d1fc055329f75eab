// qSOFA (Seymour et al., JAMA 2016;315(8):762–774): one point each for respiratory rate ≥ 22/min,
// systolic BP ≤ 100 mmHg and altered mentation; ≥ 2 is positive. A pure function of the fresh vitals.
import { CONSCIOUSNESS_LEVELS, type PatientInputs, type VitalName } from '../domain/vital-signs.js';
import { roundHalfUp } from '../domain/rounding.js';
import type { QsofaResult } from './types.js';

/** Thresholds from Seymour et al. 2016 (Sepsis-3), applied to values rounded to whole numbers as NEWS2 does. */
export const QSOFA_CRITERIA = {
  respiratoryRateAtLeast: 22,
  systolicBPAtMost: 100,
  /** Altered mentation: Glasgow Coma Scale below 15. */
  gcsBelow: 15,
  positiveAtLeast: 2,
} as const;

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? roundHalfUp(value, 0) : undefined;
}

/**
 * qSOFA from `inputs.vitals` and a fresh GCS. Altered mentation is GCS < 15 (the original definition)
 * when a GCS total is charted, or any ACVPU level other than alert (what a ward charts); either one
 * showing it is enough. A missing criterion is listed in `missing`, makes the result `partial` and
 * adds no point: `score` is then a floor and `positive` may yet become true.
 */
export function scoreQsofa(inputs: PatientInputs): QsofaResult {
  const { vitals } = inputs;
  const missing: VitalName[] = [];
  const criteria: QsofaResult['criteria'] = {};

  const rr = finite(vitals.respiratoryRate?.value);
  if (rr === undefined) missing.push('respiratoryRate');
  else criteria.respiratoryRate = rr >= QSOFA_CRITERIA.respiratoryRateAtLeast;

  const sbp = finite(vitals.systolicBP?.value);
  if (sbp === undefined) missing.push('systolicBP');
  else criteria.systolicBP = sbp <= QSOFA_CRITERIA.systolicBPAtMost;

  const level = vitals.consciousness?.value;
  const acvpuAltered = (CONSCIOUSNESS_LEVELS as readonly unknown[]).includes(level) ? level !== 'alert' : undefined;
  const gcs = inputs.other.fresh.gcs?.value;
  const gcsAltered = typeof gcs === 'number' && Number.isFinite(gcs) ? gcs < QSOFA_CRITERIA.gcsBelow : undefined;
  if (acvpuAltered === undefined && gcsAltered === undefined) missing.push('consciousness');
  else criteria.alteredMentation = acvpuAltered === true || gcsAltered === true;

  const score = Object.values(criteria).filter((met) => met === true).length;
  return {
    score,
    positive: score >= QSOFA_CRITERIA.positiveAtLeast,
    partial: missing.length > 0,
    missing,
    criteria,
  };
}
