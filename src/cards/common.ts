// What every Vigil card shares: its source, the override reasons clinicians pick from, how
// indicators rank, and the machine-readable `vigil.score` twin of the card's reasoning.
import type { News2Result, QsofaResult } from '../fallback-rules/types.js';
import type { RiskAssessment } from '../models/scorer.js';
import type { Indicator } from './card-schema.js';

/** Coding system for Vigil's own codes (topics, override reasons). A URN: it resolves nowhere. */
export const VIGIL_CODE_SYSTEM = 'urn:vigil:codes';

export function cardSource(topicCode: string, topicDisplay: string) {
  return {
    label: 'Vigil early warning',
    topic: { system: VIGIL_CODE_SYSTEM, code: topicCode, display: topicDisplay },
  };
}

/** Offered on every card so the EHR shows its dismiss menu and feedback says why a card was overridden. */
export const OVERRIDE_REASONS = [
  { system: VIGIL_CODE_SYSTEM, code: 'already-escalated', display: 'Already reviewed or escalated' },
  { system: VIGIL_CODE_SYSTEM, code: 'values-not-current', display: 'Values are wrong or not current' },
  { system: VIGIL_CODE_SYSTEM, code: 'expected-for-patient', display: 'Expected for this patient (e.g. chronic condition)' },
  { system: VIGIL_CODE_SYSTEM, code: 'comfort-care', display: 'Patient on end-of-life or comfort care' },
  { system: VIGIL_CODE_SYSTEM, code: 'clinical-judgement', display: 'Clinical judgement' },
];

const RANK: Record<Indicator, number> = { info: 0, warning: 1, critical: 2 };

export function mostSevere(...indicators: (Indicator | undefined)[]): Indicator | undefined {
  let best: Indicator | undefined;
  for (const i of indicators) if (i !== undefined && (best === undefined || RANK[i] > RANK[best])) best = i;
  return best;
}

export const MODEL_BAND_INDICATOR: Record<'low' | 'medium' | 'high', Indicator> = {
  low: 'info',
  medium: 'warning',
  high: 'critical',
};

/** The `vigil.score` extension: the card's reasoning as data (dates as RFC 3339 strings). */
export function scoreExtension(assessment: RiskAssessment, dataAsOf: Date | undefined) {
  const ext: Record<string, unknown> = {
    path: assessment.path,
    news2: news2Json(assessment.news2),
    qsofa: qsofaJson(assessment.qsofa),
  };
  if (dataAsOf !== undefined) ext.dataAsOf = dataAsOf.toISOString();
  if (assessment.model !== undefined) {
    const m = assessment.model;
    ext.model = {
      name: m.name,
      version: m.version,
      probability: m.probability,
      band: m.band,
      outcome: m.outcome,
      outcomeWindowHours: m.outcomeWindowHours,
      baselineLogOdds: m.baselineLogOdds,
      contributions: m.contributions.map((c) => ({ ...c })),
    };
  }
  if (assessment.modelStatus.state !== 'used') {
    ext.modelStatus = { ...assessment.modelStatus };
  }
  return { 'vigil.score': ext };
}

function news2Json(n: News2Result) {
  return {
    total: n.total,
    partial: n.partial,
    missing: [...n.missing],
    risk: n.risk,
    spo2Scale: n.spo2Scale,
    subscores: n.subscores.map((s) => {
      const out: Record<string, unknown> = { parameter: s.parameter, value: s.value, points: s.points, at: s.at.toISOString() };
      if (s.unit !== undefined && s.unit !== '') out.unit = s.unit;
      return out;
    }),
  };
}

function qsofaJson(q: QsofaResult) {
  return { score: q.score, positive: q.positive, partial: q.partial, missing: [...q.missing] };
}

/** Shortens a summary to the specification's < 140 characters without cutting a word in half. */
export function fitSummary(text: string, max = 139): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:·—-]+$/, '')}…`;
}
