// Whether a patient's breathing makes a sedative dangerous now, or cannot be judged. Reasons come in
// three levels, most severe first (so a summary cut to length keeps the worst one):
// - severe (critical card): respiratory rate ≤ 8/min, not alert (new confusion, voice, pain,
//   unresponsive), or NEWS2 ≥ 7;
// - at risk (warning): respiratory rate ≤ 11/min, SpO2 below the patient's target (94 % on scale 1,
//   88 % on scale 2: BTS oxygen guideline 2017), SpO2 or respiratory rate scoring 3 on NEWS2,
//   NEWS2 ≥ 5, a prescribed 88–92 % target (hypercapnic respiratory failure: sedatives blunt the
//   drive to breathe), needing supplemental oxygen, another sedative already prescribed or ordered in
//   the same session (opioids with
//   benzodiazepines or gabapentinoids: FDA drug safety communications 2016 and 2019), an
//   out-of-date or unverified breathing value that would score 3, or a Glasgow Coma Scale below 15
//   where ACVPU does not say the patient is not alert, or a respiratory rate or SpO2 charted beyond
//   the device's measurable range (news2-unconfirmed.ts);
// - cannot be judged (warning): respiratory rate, SpO2, air or oxygen, or consciousness not charted, out of date,
//   unverified, or its newest value unreadable (the one judged is older). A sedative ordered blind is
//   a reason to look, not a reason for silence;
// - not checked (info): a patient under 16 (these limits are adults'), an SpO2 target recorded in a
//   form Vigil does not read (it may be the 88–92 % one), or the patient's active
//   medication orders could not be obtained, so a sedative
//   already prescribed could not be counted (clinical safety review, 2026-11-29: with breathing judged
//   safe this gave no card at all, as if there were none).
import { formatAge, formatHours } from '../explain/age.js';
import { formatReading, formatValue, PARAMETER_WORDS } from '../domain/labels.js';
import type { UnconfirmedNews2 } from '../fallback-rules/news2-unconfirmed.js';
import type { RiskAssessment } from '../models/scorer.js';
import type { PatientInputs, VitalName } from '../domain/vital-signs.js';
import { SEDATIVE_CLASS_WORDS, type SedativeMatch } from './classify-order.js';

export const RR_AT_RISK_MAX = 11;
export const RR_CRITICAL_MAX = 8;
export const SPO2_TARGET_FLOOR = { 1: 94, 2: 88 } as const;
/**
 * What must be known to judge breathing before a sedative: the rate, the saturation, whether that
 * saturation is on air or oxygen (SpO2 97 % reassures on air, not on 4 L/min: clinical safety review,
 * 2026-11-29), and the conscious level.
 */
export const BREATHING_PARAMETERS: readonly VitalName[] = ['respiratoryRate', 'spo2', 'supplementalOxygen', 'consciousness'];

export type ReasonLevel = 'severe' | 'at-risk' | 'cannot-judge' | 'not-checked';

/**
 * Reasons no NEWS2 point carries, each by a stable code: a prescribed 88–92 % target, a target that
 * could not be read, a child, other sedatives not checked. The card lists them as data, and the
 * repeat-card rule takes a new one for a new concern (review 25a: a newly recorded 88–92 % target on a
 * morphine order was quietened as "no rise").
 */
export const UNSCORED_REASONS = [
  'spo2-target-88-92',
  'spo2-target-unread',
  'under-16',
  'other-sedatives-not-checked',
  'vitals-may-be-incomplete',
] as const;
export type UnscoredReason = (typeof UNSCORED_REASONS)[number];

const LEVEL_RANK: Record<ReasonLevel, number> = { severe: 0, 'at-risk': 1, 'cannot-judge': 2, 'not-checked': 3 };

export interface BreathingReason {
  level: ReasonLevel;
  /** Plain words with the patient's own value, e.g. "respiratory rate 7/min (≤ 8)". */
  text: string;
  /** True for "another sedative already prescribed": a reason about drugs, not the patient's breathing. */
  combination?: true;
  /** True for "… not charted in the last 12 h": what a card with no vitals at all says once for all. */
  notCharted?: true;
  /** For a "not checked" reason: what the clinician should do instead. */
  advice?: string;
  /** For another sedative (prescribed or ordered now): its class. */
  drugClass?: SedativeMatch['drugClass'];
  /** For a reason no NEWS2 point carries: its code. */
  unscored?: UnscoredReason;
}

export interface BreathingRisk {
  /** Most severe first; empty when breathing was judged and found safe by these rules. */
  reasons: BreathingReason[];
  /** Reasons severe enough for a critical card. */
  severe: boolean;
  /** True when every reason is "not checked": nothing about the patient, only what could not be looked at. */
  notCheckedOnly: boolean;
  /** The vital signs could not be obtained: cards speak of what could be obtained, not of the chart. */
  vitalsNotObtained?: true;
}

/** Why the patient's other sedatives are unknown: no active orders could be had, or some were another patient's. */
export type PrescribedUnknown = 'not-obtained' | 'search-error' | 'more-pages' | 'another-patient' | 'unidentified';

const UNKNOWN_WORDS: Record<PrescribedUnknown, string> = {
  'not-obtained': 'active medication orders not obtained',
  'search-error': "the EHR's search for active medication orders reported an error",
  'more-pages': 'only one page of the active medication orders was sent',
  'another-patient': 'some active medication orders were about another patient',
  unidentified: 'a medication order names its drug only by a reference not sent',
};

/** How long a completed or stopped sedative order still counts (a dose given, a patch just taken off). */
export const RECENTLY_ENDED_HOURS = 24;

/** A sedative the patient already takes (an active order), for the "already prescribed" reason. */
export interface PrescribedSedative {
  name: string;
  match: SedativeMatch;
  /** True for another draft order of the same session (given together), not an active order. */
  orderedNow?: true;
  /** True for an order completed or stopped in the last day: a dose given, or a long-acting drug just stopped. */
  recentlyEnded?: true;
}

export interface BreathingEvidence {
  assessment: RiskAssessment;
  inputs: PatientInputs;
  unconfirmed: UnconfirmedNews2;
  staleAfterHours: number;
  now: Date;
  alreadyPrescribed: readonly PrescribedSedative[];
  /** Set when sedatives already prescribed are unknown, and why. */
  prescribedUnknown?: PrescribedUnknown;
  /** Set when the vital signs were neither sent nor obtainable: what is missing was not seen, not "not charted". */
  vitalsNotObtained?: true;
  /** Breathing values whose own search was neither sent nor obtainable (consciousness has its own key). */
  notObtained?: readonly VitalName[];
  /**
   * Set when observations were had but may be incomplete (a search that reported an error, one page of
   * more, not newest first): a newer value may be on what was not sent.
   */
  observationsMayBeIncomplete?: true;
}

/** The reason given when the observations sent may be incomplete (why is listed under what could not be obtained). */
export const MAY_BE_INCOMPLETE_TEXT = 'the vital signs sent may be incomplete (a newer value may be missing)';

function judged(e: BreathingEvidence, reasons: BreathingReason[]): void {
  const { news2 } = e.assessment;
  const sub = (p: VitalName) => news2.subscores.find((s) => s.parameter === p);
  // The value as charted: a bound stays a bound ("SpO2 <85%", not "SpO2 85%": fifth review, 2026-11-29).
  const charted = (p: VitalName, s: { value: number | string | boolean; unit?: string }): string => {
    const reading = e.inputs.vitals[p];
    return reading !== undefined && reading.value === s.value ? formatReading(p, reading) : formatValue(p, s.value, s.unit);
  };

  const rr = sub('respiratoryRate');
  if (rr !== undefined && typeof rr.value === 'number' && rr.value <= RR_AT_RISK_MAX) {
    const severe = rr.value <= RR_CRITICAL_MAX;
    reasons.push({
      level: severe ? 'severe' : 'at-risk',
      text: `respiratory rate ${charted('respiratoryRate', rr)} (≤ ${severe ? RR_CRITICAL_MAX : RR_AT_RISK_MAX})`,
    });
  } else if (rr !== undefined && rr.points === 3) {
    reasons.push({ level: 'at-risk', text: `respiratory rate ${charted('respiratoryRate', rr)} scores 3 on NEWS2` });
  }
  const consciousness = sub('consciousness');
  if (consciousness !== undefined && consciousness.points === 3) {
    const reading = e.inputs.vitals.consciousness;
    reasons.push({
      level: 'severe',
      text: `not alert: ${formatValue('consciousness', consciousness.value, undefined, reading?.newOnset)}`,
    });
  }
  const gcs = e.unconfirmed.gcsNotAlert;
  if (gcs !== undefined) {
    // Not mapped to ACVPU (a clinical rule Vigil does not make), so not "severe"; never silence either.
    const acvpu =
      gcs.alertAt !== undefined
        ? `newer than ACVPU alert ${formatAge(gcs.alertAt, e.now)}`
        : gcs.acvpuNotCurrent === true
          ? 'no current, verified ACVPU'
          : 'ACVPU not charted';
    reasons.push({
      level: 'at-risk',
      text: `Glasgow Coma Scale ${gcs.gcs.value}/15${gcs.gcs.status !== undefined ? ` (${gcs.gcs.status})` : ''} charted ${formatAge(gcs.gcs.at, e.now)} (${acvpu}): may not be alert, assess before the first dose`,
    });
  }
  const spo2 = sub('spo2');
  const floor = SPO2_TARGET_FLOOR[news2.spo2Scale];
  if (spo2 !== undefined && typeof spo2.value === 'number' && spo2.value < floor) {
    reasons.push({ level: 'at-risk', text: `SpO2 ${charted('spo2', spo2)}, below the target of ${floor} %` });
  } else if (spo2 !== undefined && spo2.points === 3) {
    reasons.push({
      level: 'at-risk',
      text: `SpO2 ${charted('spo2', spo2)} scores 3 on NEWS2 (scale ${news2.spo2Scale})`,
    });
  }
  if (news2.total >= 7) reasons.push({ level: 'severe', text: `NEWS2 ${news2.partial ? '≥ ' : ''}${news2.total}` });
  else if (news2.total >= 5) reasons.push({ level: 'at-risk', text: `NEWS2 ${news2.partial ? '≥ ' : ''}${news2.total}` });
  if (news2.spo2Scale === 2) {
    reasons.push({
      level: 'at-risk',
      text: 'a prescribed SpO2 target of 88–92 % (hypercapnic respiratory failure: sedatives blunt the drive to breathe)',
      unscored: 'spo2-target-88-92',
    });
  }
  // A target recorded in a form Vigil does not read may be the 88–92 % one above (fourth review, 2026-11-29).
  if (news2.spo2Scale !== 2 && e.inputs.spo2TargetUnread === true) {
    reasons.push({
      level: 'not-checked',
      // Short: the summary keeps the words that matter (a review of the first version cut "not checked" off).
      text: 'SpO2 target unreadable (88–92 % not ruled out)',
      unscored: 'spo2-target-unread',
      advice:
        "Check the patient's prescribed SpO2 target before the first dose: with a target of 88–92 % (hypercapnic respiratory failure), sedatives blunt the drive to breathe.",
    });
  }
  const oxygen = e.inputs.vitals.supplementalOxygen;
  if (oxygen?.value.onOxygen === true) {
    const flow = oxygen.value.flowLpm;
    reasons.push({ level: 'at-risk', text: `needs supplemental oxygen${typeof flow === 'number' ? ` (${flow} L/min)` : ''}` });
  }
  for (const p of e.alreadyPrescribed) {
    reasons.push({
      level: 'at-risk',
      text: `${p.orderedNow === true ? 'also ordered now' : p.recentlyEnded === true ? 'completed, stopped or changed in the last 24 h' : 'already prescribed'}: ${p.name} (${SEDATIVE_CLASS_WORDS[p.match.drugClass].word})`,
      combination: true,
      drugClass: p.match.drugClass,
    });
  }
  // The limits above are adults' (a respiratory rate of 14 is low for an infant): a child is not judged by them.
  if (e.inputs.ageYears !== undefined && e.inputs.ageYears < 16) {
    reasons.push({
      level: 'not-checked',
      text: 'patient under 16: these breathing limits are for adults, judge with age-specific ranges',
      unscored: 'under-16',
      advice: "Judge this child's respiratory rate, SpO2 and conscious level against age-specific ranges before the first dose.",
    });
  }
  if (e.prescribedUnknown !== undefined) {
    reasons.push({
      level: 'not-checked',
      text: `other sedatives not checked (${UNKNOWN_WORDS[e.prescribedUnknown]})`,
      advice:
        "Check the patient's current medications for other opioids, benzodiazepines or gabapentinoids before the first dose: together they depress breathing more.",
      combination: true,
      unscored: 'other-sedatives-not-checked',
    });
  }
}

function cannotJudge(e: BreathingEvidence, reasons: BreathingReason[]): void {
  // A calm set may not be the newest: fifth review (2026-11-29), morphine on one page of more, not
  // newest first, gave no card where patient-view said the values may be incomplete (H30).
  if (e.observationsMayBeIncomplete === true)
    reasons.push({ level: 'cannot-judge', text: MAY_BE_INCOMPLETE_TEXT, unscored: 'vitals-may-be-incomplete' });
  for (const p of BREATHING_PARAMETERS) {
    const words = PARAMETER_WORDS[p];
    const unverified = e.unconfirmed.values.find((v) => v.parameter === p && v.kind === 'unverified');
    const stale = e.unconfirmed.values.find((v) => v.parameter === p && v.kind === 'stale');
    for (const v of [unverified, stale]) {
      if (v === undefined) continue;
      const why = v.kind === 'stale' ? 'out of date' : `${v.reading.status ?? 'unverified'}, not verified`;
      const text = `${words} ${formatReading(p, v.reading)} charted ${formatAge(v.reading.at, e.now)} (${why})`;
      reasons.push({
        level: v.points === 3 ? 'at-risk' : 'cannot-judge',
        text: v.points === 3 ? `${text} would score 3: re-check before the first dose` : text,
      });
    }
    const beyond = e.unconfirmed.beyondRange.find((b) => b.parameter === p);
    if (beyond !== undefined) {
      reasons.push({
        level: 'at-risk',
        text: `${words} charted ${formatAge(beyond.at, e.now)} as ${beyond.beyond} the measurable range: re-check before the first dose`,
      });
    }
    const unreadable = e.unconfirmed.unreadable.find((u) => u.parameter === p);
    if (unreadable !== undefined) {
      const when = unreadable.at !== undefined ? `charted ${formatAge(unreadable.at, e.now)}` : 'charted at a time that could not be read';
      reasons.push({ level: 'cannot-judge', text: `the latest ${words}, ${when}, could not be used` });
    }
    const scored = e.assessment.news2.subscores.some((s) => s.parameter === p);
    if (!scored && stale === undefined && beyond === undefined) {
      // Charted but unusable is not "not charted": the nurse who charted it would rightly doubt the card.
      const unusable = e.inputs.unusable.some((u) => u.vital === p);
      // Vital signs that could not be obtained say nothing of the chart (a review, 2026-11-29).
      const text = unusable
        ? `${words} charted but not usable in the last ${formatHours(e.staleAfterHours)}`
        : e.vitalsNotObtained === true || e.notObtained?.includes(p) === true
          ? `${words} not obtained`
          : `${words} not charted in the last ${formatHours(e.staleAfterHours)}`;
      reasons.push({ level: 'cannot-judge', text, ...(unusable ? {} : { notCharted: true as const }) });
    }
  }
}

export function breathingRisk(e: BreathingEvidence): BreathingRisk {
  const reasons: BreathingReason[] = [];
  judged(e, reasons);
  cannotJudge(e, reasons);
  // Stable sort: most severe first, the order above within a level.
  reasons.sort((a, b) => LEVEL_RANK[a.level] - LEVEL_RANK[b.level]);
  return {
    reasons,
    severe: reasons.some((r) => r.level === 'severe'),
    notCheckedOnly: reasons.length > 0 && reasons.every((r) => r.level === 'not-checked'),
    ...(e.vitalsNotObtained === true ? { vitalsNotObtained: true as const } : {}),
  };
}

/**
 * True when a reason is about the patient's own breathing or conscious level and says they are at
 * risk: not another drug, and not only something that could not be judged or checked.
 */
export function breathingJudgedAtRisk(risk: BreathingRisk): boolean {
  return risk.reasons.some((r) => r.combination !== true && (r.level === 'severe' || r.level === 'at-risk'));
}
