// Result types of the deterministic early-warning rules (NEWS2, qSOFA): shared by scorers,
// explanations, cards and the `vigil.score` extension.
import type { VitalName } from '../domain/vital-signs.js';

export interface News2Subscore {
  parameter: VitalName;
  /** The value as scored, after rounding (temperature to 0.1 °C, others to whole numbers). */
  value: number | string | boolean;
  unit?: string;
  points: 0 | 1 | 2 | 3;
  at: Date;
  /**
   * An assumption the points rest on, in plain words for the card (scale 2 SpO2 with oxygen unknown
   * is scored as on oxygen, the worse case). Every note is printed on the card.
   */
  note?: string;
}

/** RCP NEWS2 clinical response bands. */
export type News2Risk = 'none' | 'low' | 'low-medium' | 'medium' | 'high';

export interface News2Result {
  /** Sum of the available sub-scores (0–20). When `partial`, a floor: missing parameters add nothing. */
  total: number;
  /** True when at least one parameter was missing, so `total` understates the true score. */
  partial: boolean;
  missing: VitalName[];
  subscores: News2Subscore[];
  /** True when any single parameter scored 3 (RCP "low–medium": urgent ward-based review). */
  anySingleThree: boolean;
  risk: News2Risk;
  spo2Scale: 1 | 2;
}

export interface QsofaResult {
  /** 0–3; a floor when `partial`. */
  score: number;
  positive: boolean;
  partial: boolean;
  missing: VitalName[];
  criteria: { respiratoryRate?: boolean; systolicBP?: boolean; alteredMentation?: boolean };
}
