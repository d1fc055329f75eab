// What every Vigil card shares: its source, the override reasons clinicians pick from, how
// indicators rank, the context card builders need, the blocks every card may carry (what could not
// be obtained, the disclaimer) and the machine-readable `vigil.score` twin of the card's reasoning.
import type { UnconfirmedNews2 } from '../fallback-rules/news2-unconfirmed.js';
import type { News2Result, QsofaResult } from '../fallback-rules/types.js';
import { capLines } from '../explain/lists.js';
import type { RiskAssessment } from '../models/scorer.js';
import { isMixedAgeSet, type OxygenStatus, type PatientInputs } from '../domain/vital-signs.js';
import type { KeyedHash } from '../identity/keyed-hash.js';
import { INDICATOR_RANK, type Indicator } from '../cds-hooks/card-schema.js';
import type { IndicatorPolicy } from './indicator.js';

/** What the card builders need to know besides the assessment. */
export interface CardContext {
  now: Date;
  staleAfterHours: number;
  policy: IndicatorPolicy;
  /** Data that could not be obtained (from Gathered problems), in words safe to show. */
  problems: string[];
  /**
   * Set when observations were had but may be incomplete (a search that reported an error, one page of
   * a search with more, not newest first): a calm score from them is no reassurance.
   */
  observationsMayBeIncomplete?: true;
  /** NEWS2 before the current set, when the data hold a complete earlier set (for "up from 3"). */
  earlier?: { total: number; at: Date };
  /** The patient: the id for the resources suggestions propose, the pseudonym for the card's identity. */
  patient: { id: string; pseudonym: string };
  /** Derives stable card and suggestion uuids (card-identity.ts). */
  keyed: KeyedHash;
  /** The page explaining the service's score, linked from every card. */
  aboutUrl: string;
}

/** The "About this score" link every card carries (a page of Vigil's with no patient data). */
export function aboutLink(ctx: Pick<CardContext, 'aboutUrl'>) {
  return { label: 'About this score: what it is, its limits, how to override', url: ctx.aboutUrl, type: 'absolute' as const };
}

export const DISCLAIMER =
  '_Decision support only: it does not replace clinical judgement. NEWS2 is not validated under 16 years or in pregnancy._';

/** The "Data Vigil could not obtain" block, or nothing when everything was had. */
export function couldNotObtain(problems: readonly string[]): string[] {
  if (problems.length === 0) return [];
  return [
    `Data Vigil could not obtain:\n${capLines(
      problems.map((p) => `- ${p}`),
      'items',
    ).join('\n')}`,
  ];
}

/** Coding system for Vigil's own codes (topics, override reasons). A URN: it resolves nowhere. */
export const VIGIL_CODE_SYSTEM = 'urn:vigil:codes';

export function cardSource(topicCode: string, topicDisplay: string) {
  return {
    label: 'Vigil early warning',
    topic: { system: VIGIL_CODE_SYSTEM, code: topicCode, display: topicDisplay },
  };
}

/**
 * The CDS Hooks 3.0 (ballot) override reasons: HL7's Non-Adherence Reason codes, from the AHRQ CDSiC
 * override taxonomy (http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes, checked
 * 2026-11-27 in HL7/cds-hooks, input/vocabulary). The displays are clinicians' words for the same
 * meaning, as the menu shows them.
 */
export const NON_ADHERENCE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes';

/**
 * Offered on every card so the EHR shows its dismiss menu and feedback says why a card was overridden.
 * Standard codes where they fit; Vigil's own where clinicians here need a reason the taxonomy lacks
 * (data that are wrong or out of date, and comfort care).
 */
export const OVERRIDE_REASONS = [
  { system: NON_ADHERENCE_SYSTEM, code: 'action-completed', display: 'Already reviewed or escalated' },
  { system: VIGIL_CODE_SYSTEM, code: 'values-not-current', display: 'Values are wrong or not current' },
  { system: NON_ADHERENCE_SYSTEM, code: 'cds-not-applicable', display: 'Expected for this patient (e.g. chronic condition)' },
  { system: VIGIL_CODE_SYSTEM, code: 'comfort-care', display: 'Patient on end-of-life or comfort care' },
  { system: NON_ADHERENCE_SYSTEM, code: 'need-more-info', display: 'Awaiting results or a senior review' },
  { system: NON_ADHERENCE_SYSTEM, code: 'risk-benefit-ratio', display: 'Clinical judgement: benefits outweigh the risk' },
];

/** Codes cards offered before the standard ones (feedback on older cards still arrives with them). */
export const LEGACY_OVERRIDE_CODES = ['already-escalated', 'expected-for-patient', 'clinical-judgement'] as const;

/** The most severe of some indicators (undefined when none is given). */
export function mostSevere(...indicators: (Indicator | undefined)[]): Indicator | undefined {
  let best: Indicator | undefined;
  for (const i of indicators) if (i !== undefined && (best === undefined || INDICATOR_RANK[i] > INDICATOR_RANK[best])) best = i;
  return best;
}

/**
 * What the model's band adds to a card's colour: a medium or high estimate may raise it; a low one
 * adds nothing (so VIGIL_LOW_SCORE_CARD=none is honoured with the model on, and NEWS2 0 stays quiet).
 */
export const MODEL_BAND_INDICATOR: Record<'low' | 'medium' | 'high', Indicator | undefined> = {
  low: undefined,
  medium: 'warning',
  high: 'critical',
};

/** The `vigil.score` extension: the card's reasoning as data (dates as RFC 3339 strings). */
export function scoreExtension(assessment: RiskAssessment, inputs: PatientInputs, unconfirmed?: UnconfirmedNews2) {
  const ext: Record<string, unknown> = {
    path: assessment.path,
    news2: news2Json(assessment.news2, inputs.vitals.supplementalOxygen?.value),
    qsofa: qsofaJson(assessment.qsofa),
  };
  // Dated by the oldest input: a score is only as current as its oldest value.
  if (inputs.dataAsOf !== undefined) ext.dataAsOf = inputs.dataAsOf.toISOString();
  if (inputs.newestAt !== undefined) ext.newestAt = inputs.newestAt.toISOString();
  if (isMixedAgeSet(inputs)) ext.mixedAges = true;
  if (unconfirmed !== undefined) Object.assign(ext, unconfirmedJson(unconfirmed));
  if (assessment.model !== undefined) {
    const m = assessment.model;
    ext.model = {
      name: m.name,
      version: m.version,
      ...(m.trainingData !== undefined ? { trainingData: m.trainingData, synthetic: m.trainingData === 'synthetic' } : {}),
      probability: m.probability,
      band: m.band,
      outcome: m.outcome,
      outcomeWindowHours: m.outcomeWindowHours,
      baselineLogOdds: m.baselineLogOdds,
      contributions: m.contributions.map((c) => ({ ...c })),
    };
  }
  // `not-configured` (no model, or a silent one) says nothing: a silent model never changes a card.
  if (assessment.modelStatus.state !== 'used' && assessment.modelStatus.state !== 'not-configured') {
    ext.modelStatus = { ...assessment.modelStatus };
  }
  return { 'vigil.score': ext };
}

/** Values charted but not scored (out of date, unverified; newer ones unreadable), with what they would score, as data. */
export function unconfirmedJson(unconfirmed: UnconfirmedNews2): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (unconfirmed.unreadable.length > 0) {
    out.unreadable = unconfirmed.unreadable.map((u) => ({
      parameter: u.parameter,
      ...(u.at !== undefined ? { at: u.at.toISOString() } : {}),
      scoredAt: u.scoredAt.toISOString(),
    }));
  }
  if (unconfirmed.beyondRange.length > 0) {
    out.beyondRange = unconfirmed.beyondRange.map((b) => ({
      parameter: b.parameter,
      beyond: b.beyond,
      at: b.at.toISOString(),
      points: b.points,
    }));
  }
  const gcs = unconfirmed.gcsNotAlert;
  if (gcs !== undefined) {
    out.gcsNotAlert = {
      gcs: gcs.gcs.value,
      ...(gcs.gcs.status !== undefined ? { status: gcs.gcs.status } : {}),
      at: gcs.gcs.at.toISOString(),
      ...(gcs.alertAt !== undefined ? { alertAt: gcs.alertAt.toISOString() } : {}),
    };
  }
  if (unconfirmed.ifScale2 !== undefined) out.ifScale2 = { ...unconfirmed.ifScale2 };
  if (unconfirmed.values.length === 0) return out;
  Object.assign(out, {
    unconfirmed: unconfirmed.values.map((v) => ({
      parameter: v.parameter,
      kind: v.kind,
      ...(v.reading.status !== undefined ? { status: v.reading.status } : {}),
      value: typeof v.reading.value === 'object' ? (v.reading.value as { onOxygen?: boolean }).onOxygen : v.reading.value,
      ...(v.reading.unit !== undefined ? { unit: v.reading.unit } : {}),
      at: v.reading.at.toISOString(),
      points: v.points,
    })),
  });
  if (unconfirmed.ifConfirmed !== undefined) out.ifConfirmed = { ...unconfirmed.ifConfirmed };
  return out;
}

/**
 * NEWS2 as data. The oxygen subscore also carries the flow and inspired fraction charted: how much
 * oxygen is a fact of the card (2 and 15 L/min both score 2), and the repeat-card rule bands it.
 */
function news2Json(n: News2Result, oxygen: OxygenStatus | undefined) {
  return {
    total: n.total,
    partial: n.partial,
    missing: [...n.missing],
    risk: n.risk,
    spo2Scale: n.spo2Scale,
    subscores: n.subscores.map((s) => {
      const out: Record<string, unknown> = { parameter: s.parameter, value: s.value, points: s.points, at: s.at.toISOString() };
      if (s.unit !== undefined && s.unit !== '') out.unit = s.unit;
      if (s.note !== undefined) out.assumption = s.note;
      if (s.parameter === 'supplementalOxygen' && oxygen !== undefined) {
        if (oxygen.flowLpm !== undefined) out.flowLpm = oxygen.flowLpm;
        if (oxygen.fio2Percent !== undefined) out.fio2Percent = oxygen.fio2Percent;
      }
      return out;
    }),
  };
}

function qsofaJson(q: QsofaResult) {
  return { score: q.score, positive: q.positive, partial: q.partial, missing: [...q.missing] };
}
