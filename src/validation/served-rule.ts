// The rule Vigil serves, as the evaluation must see it: a card takes the more severe of NEWS2's
// indicator and the model's band, so the model can only add alerts to NEWS2's. Per band, who alerts:
// NEWS2 alone, the model alone, and the served rule "NEWS2 or model, whichever is more severe"; and the
// alerts the model adds beyond NEWS2, whose PPV must be at least NEWS2's own.
import type { News2Risk } from '../fallback-rules/types.js';
import { bandFor } from '../models/contributions.js';
import type { ModelMetadata } from '../models/model-metadata.js';
import type { ModelBand } from '../models/scorer.js';
import { alertStats, pairedPpvBootstrap, type AlertStats, type PairedPpv, type PatientBootstrap } from './metrics.js';

/** Alert bands, mildest first: a critical alert is also a warning-or-above alert. */
export const ALERT_BANDS = ['warning', 'critical'] as const;
export type AlertBand = (typeof ALERT_BANDS)[number];

/**
 * NEWS2's own alert at each band, as Vigil's cards raise it (RCP 2017, chart 2): warning-or-above is
 * a total ≥ 5 or a single parameter scoring 3 (risk medium or low–medium); critical is a total ≥ 7.
 */
const NEWS2_ALERTS: Readonly<Record<AlertBand, readonly News2Risk[]>> = {
  warning: ['low-medium', 'medium', 'high'],
  critical: ['high'],
};
/** The model bands that raise each alert band (medium → warning card, high → critical card). */
const MODEL_ALERTS: Readonly<Record<AlertBand, readonly ModelBand[]>> = {
  warning: ['medium', 'high'],
  critical: ['high'],
};

/** One scoring moment as the evaluation needs it. */
export interface Moment {
  patientId: number;
  label: boolean;
  news2Risk: News2Risk;
  probability: number;
}

export type Thresholds = ModelMetadata['thresholds'];

/** Whether NEWS2's response band (as scored, or as an audit record keeps it) raises an alert at this band. */
export const news2RiskAlerts = (risk: News2Risk, band: AlertBand) => NEWS2_ALERTS[band].includes(risk);
export const news2Alerts = (m: Moment, band: AlertBand) => news2RiskAlerts(m.news2Risk, band);
/** Whether a model band, as serving gave it, raises an alert at this band. */
export const bandAlerts = (modelBand: ModelBand, band: AlertBand) => MODEL_ALERTS[band].includes(modelBand);
/** Uses the serving code's own banding, so a threshold means here what it means on a card. */
export const modelAlerts = (m: Moment, band: AlertBand, t: Thresholds) => bandAlerts(bandFor(m.probability, t), band);

export interface BandEvaluation {
  band: AlertBand;
  news2: AlertStats;
  model: AlertStats;
  served: AlertStats;
  /** Alerts the model adds where NEWS2 stays below this band: their share of rows and PPV … */
  added: { alertRate: number; alerts: number };
  /** … against the PPV of NEWS2's own alerts at this band, with patient-bootstrap intervals. */
  ppv: PairedPpv;
}

export function evaluateBand(
  moments: readonly Moment[],
  band: AlertBand,
  thresholds: Thresholds,
  /** Drawn over the same moments' patients. */
  bootstrap: PatientBootstrap,
): BandEvaluation {
  const labels = moments.map((m) => m.label);
  const news2 = moments.map((m) => news2Alerts(m, band));
  const model = moments.map((m) => modelAlerts(m, band, thresholds));
  const added = model.map((alert, i) => alert && !news2[i]);
  const alerts = added.filter(Boolean).length;
  return {
    band,
    news2: alertStats(news2, labels),
    model: alertStats(model, labels),
    served: alertStats(
      model.map((alert, i) => alert || (news2[i] ?? false)),
      labels,
    ),
    added: { alertRate: alerts / moments.length, alerts },
    ppv: pairedPpvBootstrap(added, news2, labels, bootstrap),
  };
}
