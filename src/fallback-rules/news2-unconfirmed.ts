// NEWS2 for the values that could not be scored: stale ones (older than the freshness window) and
// unverified ones (preliminary or unknown status). They never enter the score, but a clinician must
// see what they would score, because an alarming value that is old or unconfirmed is a reason to
// re-check the patient now, not a reason for silence. Also the newer values that could not be read at
// all (an unknown unit, a bound, a time in the future, ...): a score resting on an older value while a
// newer one exists unread is not current, whatever it totals. And a Glasgow Coma Scale below 15 where
// ACVPU is not charted (or says alert, charted before it): NEWS2 scores ACVPU, not GCS, and mapping
// one onto the other is a clinical rule Vigil does not make; but a GCS below 15 is evidence the patient
// may not be alert, which would score 3, so it is a reason to assess now, never silence. And a current
// value charted as beyond the device's measurable range (data-absent reason positive- or
// negative-infinity): no number to score, but a value at that end of the chart. Pure.
import {
  CANONICAL_UNITS,
  VITAL_NAMES,
  type PatientInputs,
  type Reading,
  type VitalName,
  type VitalReading,
  type VitalSigns,
} from '../domain/vital-signs.js';
import type { Points } from './news2-chart.js';
import { news2Risk, scoreNews2 } from './news2.js';
import type { News2Result, News2Risk } from './types.js';
import { withFields } from '../lang/with-fields.js';
import { PLAUSIBLE_LIMITS } from '../prefetch/units.js';

/** A value that was charted but not scored, with what it would score. */
export interface UnconfirmedValue {
  parameter: VitalName;
  kind: 'stale' | 'unverified';
  reading: VitalReading;
  /** Points it would score (scale-2 SpO2 with oxygen unknown: the worse case, as NEWS2 itself does). */
  points: Points;
}

/**
 * A value charted at or after the one a parameter was scored on (or at an unknown time) that could not
 * be used: the parameter's score may be out of date. What it would score is unknown.
 */
export interface UnreadableValue {
  parameter: VitalName;
  /** When it was charted, when that could be read. */
  at?: Date;
  /** Why it could not be used, as normalisation said it. */
  reason: string;
  /** When the value that was scored instead was charted. */
  scoredAt: Date;
}

/**
 * A fresh GCS below 15 (verified, or a newer unverified one: `gcs.status`) while consciousness is not
 * charted as ACVPU, or was charted alert before it or at the same moment:
 * the patient may not be alert (NEWS2 scores any new confusion, voice, pain or unresponsive as 3).
 * Found by the clinical safety review (2026-11-29): GCS 3 with no ACVPU gave an `info` card.
 */
export interface GcsNotAlert {
  gcs: Reading<number>;
  /** The alert ACVPU the GCS is newer than; absent when consciousness was not scored at all. */
  alertAt?: Date;
  /** Set when no ACVPU was scored but an out-of-date or unverified one exists (its own re-check says so). */
  acvpuNotCurrent?: true;
}

/**
 * A current value charted as beyond what the device measures, newer than (or instead of) the value
 * scored. Found by the clinical safety review (2026-11-29): a heart rate "above the measurable range"
 * was only "not usable". What the device's range is cannot be known, but any vital-sign device measures
 * the normal range, so the value lies in the chart's band at that end: `points` is what that band scores.
 */
export interface BeyondRangeValue {
  parameter: 'respiratoryRate' | 'spo2' | 'systolicBP' | 'heartRate' | 'temperature';
  beyond: 'above' | 'below';
  at: Date;
  points: Points;
}

export interface UnconfirmedNews2 {
  values: UnconfirmedValue[];
  /** The newest unreadable value of each scored parameter, newer than (or as new as) the scored one. */
  unreadable: UnreadableValue[];
  /** Values that would score 3 on their own: each one a reason to re-check now. */
  alarming: UnconfirmedValue[];
  /**
   * NEWS2 if every unconfirmed value were confirmed (unverified ones replacing older scored values,
   * stale ones filling missing parameters), when that is a worse band than the score given.
   */
  ifConfirmed?: { total: number; risk: News2Risk; partial: boolean };
  /** A GCS that says the patient may not be alert, where ACVPU does not say so. */
  gcsNotAlert?: GcsNotAlert;
  /** Current values beyond the device's measurable range: each one a reason to re-check now. */
  beyondRange: BeyondRangeValue[];
  /**
   * NEWS2 on SpO2 scale 2, when an SpO2 target is recorded that cannot be read (so scale 1 was used) and
   * scale 2 would score more: the target must be confirmed before the score can be trusted.
   */
  ifScale2?: { total: number; risk: News2Risk; spo2Points: Points };
}

const RANK: Record<News2Risk, number> = { none: 0, low: 1, 'low-medium': 2, medium: 3, high: 4 };

/** Points one reading would score, in the context of the patient's other fresh values. */
function pointsOf(inputs: PatientInputs, parameter: VitalName, reading: Reading<unknown>): Points | undefined {
  const vitals = withFields(inputs.vitals, { [parameter]: reading });
  return scoreNews2(withFields(inputs, { vitals })).subscores.find((s) => s.parameter === parameter)?.points;
}

const BEYOND_RANGE_PARAMETERS: readonly BeyondRangeValue['parameter'][] = [
  'respiratoryRate',
  'spo2',
  'systolicBP',
  'heartRate',
  'temperature',
];

/** True for an unusable value reported as beyond range instead (no device reads SpO2 above 100 %). */
function isBeyondRange(u: { vital: string; beyond?: 'above' | 'below' }): boolean {
  return u.beyond !== undefined && !(u.vital === 'spo2' && u.beyond === 'above');
}

/** For each parameter, the newest current value charted beyond the device's range (normalise kept only those at or after the value used). */
function beyondRangeValues(inputs: PatientInputs): BeyondRangeValue[] {
  const out: BeyondRangeValue[] = [];
  if (inputs.unusable.length === 0) return out;
  for (const parameter of BEYOND_RANGE_PARAMETERS) {
    let newest: (typeof inputs.unusable)[number] | undefined;
    for (const u of inputs.unusable)
      if (u.vital === parameter && u.at !== undefined && isBeyondRange(u) && (newest === undefined || u.at > newest.at!)) newest = u;
    if (newest === undefined) continue;
    const beyond = newest.beyond!;
    const [low, high] = PLAUSIBLE_LIMITS[parameter];
    const end = { value: beyond === 'above' ? high : low, unit: CANONICAL_UNITS[parameter], at: newest.at! };
    const points = pointsOf(inputs, parameter, end);
    if (points !== undefined) out.push({ parameter, beyond, at: newest.at!, points });
  }
  return out;
}

/** For each scored parameter, the newest value charted at or after it (or undated) that could not be used. */
function unreadableValues(inputs: PatientInputs): UnreadableValue[] {
  const out: UnreadableValue[] = [];
  if (inputs.unusable.length === 0) return out;
  for (const parameter of VITAL_NAMES) {
    const scored = inputs.vitals[parameter];
    if (scored === undefined) continue;
    const scoredMs = scored.at.getTime();
    let newest: (typeof inputs.unusable)[number] | undefined;
    for (const u of inputs.unusable) {
      // A value set aside for a worse one charted at the same moment was read: the worse is scored.
      if (u.vital !== parameter || u.conflict === true || (u.at !== undefined && u.at.getTime() < scoredMs)) continue;
      // Beyond the device's range is a value at one end of the chart, re-checked as such (beyondRangeValues).
      if (u.at !== undefined && isBeyondRange(u)) continue;
      // Dated before undated: a known time says more; among dated, the newest.
      if (newest === undefined || (u.at !== undefined && (newest.at === undefined || u.at > newest.at))) newest = u;
    }
    if (newest !== undefined)
      out.push({ parameter, reason: newest.reason, scoredAt: scored.at, ...(newest.at !== undefined ? { at: newest.at } : {}) });
  }
  return out;
}

/** GCS 15 is fully alert; anything below it may be confusion, voice, pain or unresponsive (qSOFA's line too). */
const GCS_ALERT = 15;

function gcsNotAlert(inputs: PatientInputs): GcsNotAlert | undefined {
  const acvpu = inputs.vitals.consciousness;
  // A non-alert ACVPU already scores 3: nothing to add.
  if (acvpu !== undefined && acvpu.value !== 'alert') return undefined;
  // The fresh verified GCS, and a newer unverified one (normalise.ts keeps it only when newer): a newer
  // preliminary 15 must not silence a verified 8, so each counts, and the lower one is shown.
  let worst: Reading<number> | undefined;
  for (const gcs of [inputs.other.fresh.gcs, inputs.other.unverified.gcs]) {
    if (gcs === undefined || gcs.value >= GCS_ALERT) continue;
    // An alert ACVPU charted after the GCS is the newer judgement; at the same moment the two conflict,
    // and the worse stands (as for any parameter: H20).
    if (acvpu !== undefined && gcs.at < acvpu.at) continue;
    if (worst === undefined || gcs.value < worst.value) worst = gcs;
  }
  if (worst === undefined) return undefined;
  const acvpuElsewhere = inputs.stale.consciousness !== undefined || inputs.unverified.consciousness !== undefined;
  if (acvpu !== undefined) return { gcs: worst, alertAt: acvpu.at };
  return acvpuElsewhere ? { gcs: worst, acvpuNotCurrent: true } : { gcs: worst };
}

/**
 * NEWS2 on scale 2 when the record states an SpO2 target Vigil cannot read and scale 2 scores more
 * (on oxygen at 93 % or above). Scale 2 is a prescriber's decision, never Vigil's guess: scale 1 stays
 * the score, and this is what the clinician must rule out.
 */
function scale2Alternative(inputs: PatientInputs, scored: News2Result): UnconfirmedNews2['ifScale2'] {
  if (inputs.spo2TargetUnread !== true || inputs.spo2Scale !== 1 || inputs.vitals.spo2 === undefined) return undefined;
  const onScale2 = scoreNews2(withFields(inputs, { spo2Scale: 2 as const }));
  if (onScale2.total <= scored.total) return undefined;
  const spo2Points = onScale2.subscores.find((s) => s.parameter === 'spo2')?.points ?? 0;
  return { total: onScale2.total, risk: news2Risk(onScale2.total, onScale2.anySingleThree), spo2Points };
}

/** True when a value must be re-checked before the score can be trusted (each one raises the card to warning). */
export function needsRecheckNow(unconfirmed: UnconfirmedNews2): boolean {
  return (
    unconfirmed.alarming.length > 0 ||
    unconfirmed.gcsNotAlert !== undefined ||
    unconfirmed.beyondRange.length > 0 ||
    unconfirmed.ifScale2?.spo2Points === 3
  );
}

export function unconfirmedNews2(inputs: PatientInputs, scored: News2Result): UnconfirmedNews2 {
  const values: UnconfirmedValue[] = [];
  for (const parameter of VITAL_NAMES) {
    for (const kind of ['unverified', 'stale'] as const) {
      const reading: VitalReading | undefined = (kind === 'stale' ? inputs.stale : inputs.unverified)[parameter];
      if (reading === undefined) continue;
      const points = pointsOf(inputs, parameter, reading);
      if (points !== undefined) values.push({ parameter, kind, reading, points });
    }
  }
  const result: UnconfirmedNews2 = {
    values,
    unreadable: unreadableValues(inputs),
    alarming: values.filter((v) => v.points === 3),
    beyondRange: beyondRangeValues(inputs),
  };
  const gcs = gcsNotAlert(inputs);
  if (gcs !== undefined) result.gcsNotAlert = gcs;
  const scale2 = scale2Alternative(inputs, scored);
  if (scale2 !== undefined) result.ifScale2 = scale2;
  if (values.length === 0) return result;

  // Later sources win, as a spread would; Object.assign onto `{}` keeps V8's hidden classes shared (src/lang/with-fields.ts).
  const confirmed: VitalSigns = Object.assign({}, inputs.stale, inputs.vitals, inputs.unverified);
  const worse = scoreNews2(withFields(inputs, { vitals: confirmed }));
  const worseRisk = news2Risk(worse.total, worse.anySingleThree);
  if (worse.total > scored.total && RANK[worseRisk] > RANK[scored.risk]) {
    result.ifConfirmed = { total: worse.total, risk: worseRisk, partial: worse.partial };
  }
  return result;
}
