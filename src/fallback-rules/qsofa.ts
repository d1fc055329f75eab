// qSOFA (Seymour et al., JAMA 2016;315(8):762–774): one point each for respiratory rate ≥ 22/min,
// systolic BP ≤ 100 mmHg and altered mentation; ≥ 2 is positive. A pure function of the fresh vitals.
import { CONSCIOUSNESS_LEVELS, type PatientInputs, type VitalName } from '../prefetch/vital-signs.js';
import { roundHalfUp } from './news2.js';
import type { QsofaResult } from './types.js';

/** Thresholds from Seymour et al. 2016 (Sepsis-3), applied to values rounded to whole numbers as NEWS2 does. */
export const QSOFA_CRITERIA = {
  respiratoryRateAtLeast: 22,
  systolicBPAtMost: 100,
  positiveAtLeast: 2,
} as const;

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? roundHalfUp(value, 0) : undefined;
}

/**
 * qSOFA from `inputs.vitals`. Altered mentation is any ACVPU level other than alert (GCS < 15 in the
 * original; ACVPU is what a ward charts). A missing criterion is listed in `missing`, makes the
 * result `partial` and adds no point: `score` is then a floor and `positive` may yet become true.
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
  if (!(CONSCIOUSNESS_LEVELS as readonly unknown[]).includes(level)) missing.push('consciousness');
  else criteria.alteredMentation = level !== 'alert';

  const score = Object.values(criteria).filter((met) => met === true).length;
  return {
    score,
    positive: score >= QSOFA_CRITERIA.positiveAtLeast,
    partial: missing.length > 0,
    missing,
    criteria,
  };
}
