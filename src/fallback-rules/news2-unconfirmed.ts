// NEWS2 for the values that could not be scored: stale ones (older than the freshness window) and
// unverified ones (preliminary or unknown status). They never enter the score, but a clinician must
// see what they would score, because an alarming value that is old or unconfirmed is a reason to
// re-check the patient now, not a reason for silence. Pure.
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

export interface UnconfirmedNews2 {
  values: UnconfirmedValue[];
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
  const result: UnconfirmedNews2 = { values, alarming: values.filter((v) => v.points === 3) };
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
