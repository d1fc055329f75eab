// Chooses the model's band thresholds on the validation split, for the rule Vigil serves: the model
// may add alerts to NEWS2's only where those added alerts are at least as often right as NEWS2's own
// at that band. Per band, the lowest candidate threshold that meets this wins (the most alerts the
// rule allows); where none does, the band is switched off (BAND_OFF) so the model adds nothing there.
import { BAND_OFF } from '../src/models/model-metadata.js';
import type { PatientBootstrap } from '../src/validation/metrics.js';
import { ALERT_BANDS, evaluateBand, type AlertBand, type Moment, type Thresholds } from '../src/validation/served-rule.js';

/**
 * Probabilities tried as thresholds: a fixed grid (not the validation data's own quantiles) so a
 * threshold reads as a round number and cannot be tuned to single rows.
 */
export const CANDIDATE_THRESHOLDS: readonly number[] = [
  0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.22, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9,
  0.95, 0.99,
];

/**
 * Fewest added alerts on the validation split for a threshold to count: below this a PPV is a
 * handful of rows, too few to say anything about the next patients.
 */
export const MIN_ADDED_ALERTS = 20;

export interface Candidate {
  threshold: number;
  addedAlertRate: number;
  addedAlerts: number;
  addedPpv: number;
  /** One-sided 95 % lower bound (patient bootstrap) of PPV(added) − PPV(NEWS2). */
  differenceLower: number;
  servedSensitivity: number;
  meets: boolean;
}

export interface ThresholdChoice {
  thresholds: Thresholds;
  /** NEWS2's own PPV at each band on the validation split: the bar added alerts must clear. */
  news2Ppv: Record<AlertBand, number>;
  /** Every candidate, per band, for the model card's trade-off table. */
  candidates: Record<AlertBand, Candidate[]>;
  /** Bands where no candidate met the rule: the model adds no alerts there. */
  off: AlertBand[];
}

/**
 * The rule a threshold must meet: enough added alerts, and the one-sided 95 % lower bound of their PPV
 * minus NEWS2's at or above 0, i.e. evidence, not a lucky point estimate on the validation split, that
 * the added alerts are at least as often right (a point estimate chosen as the lowest passing threshold
 * would by construction sit at the bar and fall below it on new patients about half the time).
 */
function meets(addedAlerts: number, differenceLower: number): boolean {
  return addedAlerts >= MIN_ADDED_ALERTS && differenceLower >= 0;
}

function candidatesFor(
  moments: readonly Moment[],
  band: AlertBand,
  thresholdsAt: (t: number) => Thresholds,
  bootstrap: PatientBootstrap,
): Candidate[] {
  return CANDIDATE_THRESHOLDS.map((threshold) => {
    const e = evaluateBand(moments, band, thresholdsAt(threshold), bootstrap);
    const differenceLower = e.ppv.difference.lowerOneSided;
    return {
      threshold,
      addedAlertRate: e.added.alertRate,
      addedAlerts: e.added.alerts,
      addedPpv: e.ppv.a.value,
      differenceLower,
      servedSensitivity: e.served.sensitivity,
      meets: meets(e.added.alerts, differenceLower),
    };
  });
}

/** The lowest candidate at or above `floor` that meets the rule, or the band is off. */
function pick(candidates: readonly Candidate[], floor: number): number {
  return candidates.find((c) => c.threshold >= floor && c.meets)?.threshold ?? BAND_OFF;
}

/**
 * Warning first: every model alert is also a warning-or-above alert, so `medium` bounds what the model
 * adds at that band and `high` is chosen at or above it. With the warning band off, `high` is off too:
 * a model-high alert on a patient NEWS2 leaves below warning would be an added warning-or-above alert.
 */
export function chooseThresholds(validation: readonly Moment[], bootstrap: PatientBootstrap): ThresholdChoice {
  const warning = candidatesFor(validation, 'warning', (t) => ({ medium: t, high: BAND_OFF }), bootstrap);
  const medium = pick(warning, 0);
  const critical = candidatesFor(validation, 'critical', (t) => ({ medium: Math.min(medium, t), high: t }), bootstrap);
  const high = pick(critical, medium);
  const thresholds = { medium, high };
  const news2Ppv = Object.fromEntries(
    ALERT_BANDS.map((band) => [band, evaluateBand(validation, band, thresholds, bootstrap).news2.ppv]),
  ) as Record<AlertBand, number>;
  return {
    thresholds,
    news2Ppv,
    candidates: { warning, critical },
    off: ALERT_BANDS.filter((band) => thresholds[band === 'warning' ? 'medium' : 'high'] === BAND_OFF),
  };
}
