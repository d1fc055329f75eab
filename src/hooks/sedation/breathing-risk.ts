// Whether a patient's breathing or NEWS2 makes a sedative dangerous now. The thresholds are those of
// the sedation-safety service's specification: respiratory rate ≤ 11/min, SpO2 below the patient's
// target (94 % on scale 1, 88 % on scale 2: BTS oxygen guideline 2017), a single NEWS2 parameter
// scoring 3 on breathing or consciousness, or NEWS2 ≥ 5.
import { formatValue } from '../../explain/labels.js';
import type { News2Parameter } from '../../fallback-rules/types.js';
import type { RiskAssessment } from '../../models/scorer.js';

export const RR_AT_RISK_MAX = 11;
export const RR_CRITICAL_MAX = 8;
export const SPO2_TARGET_FLOOR = { 1: 94, 2: 88 } as const;
const BREATHING_OR_CONSCIOUSNESS: News2Parameter[] = ['respiratoryRate', 'spo2', 'consciousness'];

export interface BreathingRisk {
  /** Plain-language reasons, empty when the patient is not at risk by these rules. */
  reasons: string[];
  /** Reasons severe enough for a critical card (NEWS2 ≥ 7, RR ≤ 8, not alert). */
  severe: boolean;
}

export function breathingRisk(a: RiskAssessment): BreathingRisk {
  const reasons: string[] = [];
  let severe = false;
  const sub = (p: News2Parameter) => a.news2.subscores.find((s) => s.parameter === p);

  const rr = sub('respiratoryRate');
  if (rr !== undefined && typeof rr.value === 'number' && rr.value <= RR_AT_RISK_MAX) {
    reasons.push(`respiratory rate ${formatValue('respiratoryRate', rr.value, rr.unit)} (≤ ${RR_AT_RISK_MAX})`);
    if (rr.value <= RR_CRITICAL_MAX) severe = true;
  }
  const spo2 = sub('spo2');
  const floor = SPO2_TARGET_FLOOR[a.news2.spo2Scale];
  if (spo2 !== undefined && typeof spo2.value === 'number' && spo2.value < floor) {
    reasons.push(`SpO2 ${formatValue('spo2', spo2.value, spo2.unit)}, below the target of ${floor} %`);
  }
  for (const p of BREATHING_OR_CONSCIOUSNESS) {
    const s = sub(p);
    if (s === undefined || s.points !== 3) continue;
    if (p === 'consciousness') {
      reasons.push(`consciousness: ${formatValue(p, s.value)} (NEWS2 3 points)`);
      severe = true;
    } else if (!reasons.some((r) => r.startsWith(p === 'spo2' ? 'SpO2' : 'respiratory rate'))) {
      reasons.push(`${p === 'spo2' ? 'SpO2' : 'respiratory rate'} ${formatValue(p, s.value, s.unit)} scores 3 on NEWS2`);
    }
  }
  if (a.news2.total >= 5) {
    reasons.push(`NEWS2 ${a.news2.partial ? '≥ ' : ''}${a.news2.total}`);
    if (a.news2.total >= 7) severe = true;
  }
  return { reasons, severe };
}
