// NEWS2 for the values that could not be scored: stale ones (older than the freshness window) and
// unverified ones (preliminary or unknown status). They never enter the score, but a clinician must
// see what they would score, because an alarming value that is old or unconfirmed is a reason to
// re-check the patient now, not a reason for silence. Also the newer values that could not be read at
// all (an unknown unit, a bound, a time in the future, ...): a score resting on an older value while a
// newer one exists unread is not current, whatever it totals. Pure.
import {
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
}

const RANK: Record<News2Risk, number> = { none: 0, low: 1, 'low-medium': 2, medium: 3, high: 4 };

/** Points one reading would score, in the context of the patient's other fresh values. */
function pointsOf(inputs: PatientInputs, parameter: VitalName, reading: Reading<unknown>): Points | undefined {
  const vitals = withFields(inputs.vitals, { [parameter]: reading });
  return scoreNews2(withFields(inputs, { vitals })).subscores.find((s) => s.parameter === parameter)?.points;
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
      // Dated before undated: a known time says more; among dated, the newest.
      if (newest === undefined || (u.at !== undefined && (newest.at === undefined || u.at > newest.at))) newest = u;
    }
    if (newest !== undefined)
      out.push({ parameter, reason: newest.reason, scoredAt: scored.at, ...(newest.at !== undefined ? { at: newest.at } : {}) });
  }
  return out;
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
  const result: UnconfirmedNews2 = { values, unreadable: unreadableValues(inputs), alarming: values.filter((v) => v.points === 3) };
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
