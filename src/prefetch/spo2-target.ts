// Chooses the NEWS2 SpO2 scale from the record. Scale 2 is a clinical decision for patients with
// hypercapnic respiratory failure and a prescribed target of 88–92 % (RCP NEWS2, 2017); Vigil must
// never infer it from a diagnosis or a low reading, only read it where a clinician recorded it.
//
// How the decision is signalled (Vigil's convention, quoted in the README):
//   An active SpO2 target on the patient's record selects scale 2: a FHIR `Goal` with
//   `lifecycleStatus` "active" or "accepted", one of whose `target` entries has a `measure` coded
//   LOINC 2708-6 or 59408-5 (oxygen saturation) and a `detailRange.high` of at most 92 % (the
//   prescribed 88–92 % range, or a lower one down to 75 %). Anything else, including no Goals at all,
//   means scale 1.
// Why a Goal: FHIR's own model of "a desired target for a patient" (Goal.target.measure / detail[x]),
// searchable by patient and lifecycle-status, so one prefetch template finds it. "planned",
// "proposed", "on-hold", "completed", "cancelled" and "entered-in-error" Goals do not count: the
// target must be in force now. The high bound must be in percent (UCUM `%`, or unit "%"); a bound
// without a unit, or as a fraction (0.92, even with a "%" unit), is not read, because reading it would
// be guessing.
import { asArray, isJsonObject as isObject, type FhirResource, type Json } from '../fhir/resources.js';
import { canonicalSystem, LOINC, SNOMED, SPO2_TARGET_MEASURE_LOINC, UCUM } from '../fhir/codes.js';

/** SpO2 targets with an upper bound at or below this select scale 2. */
export const SCALE_2_MAX_TARGET_HIGH = 92;

/**
 * An upper bound below this is not a percentage target a clinician prescribes: it is a fraction written
 * with a `%` unit (0.92 for 92 %; 0.98 for an ordinary 94–98 % target) or a slip, and is not read.
 * Found by the second clinical safety review (2026-11-29): a 0.94–0.98 "%" target selected scale 2, so
 * SpO2 89 % on air scored 0. BTS guidance (2017) prescribes 88–92 % for hypercapnic failure; a lower
 * individual range still lies well above this floor.
 */
export const LOWEST_READABLE_TARGET_HIGH = 75;

const IN_FORCE = new Set(['active', 'accepted']);

function measuresSpo2(measure: unknown): boolean {
  if (!isObject(measure)) return false;
  return asArray(measure['coding']).some(
    (c) =>
      isObject(c) &&
      canonicalSystem(c['system']) === LOINC &&
      typeof c['code'] === 'string' &&
      SPO2_TARGET_MEASURE_LOINC.includes(c['code']),
  );
}

function isPercent(q: Json): boolean {
  if (q['system'] === UCUM && typeof q['code'] === 'string') return q['code'] === '%';
  return typeof q['unit'] === 'string' && q['unit'].trim() === '%';
}

/** True when this target says "keep SpO2 at or below 92 %" (an upper bound in percent, 75–92). */
function isHypercapnicTarget(target: unknown): boolean {
  if (!isObject(target) || !measuresSpo2(target['measure'])) return false;
  const range = target['detailRange'];
  if (!isObject(range) || !isObject(range['high'])) return false;
  const high = range['high'];
  const value = high['value'];
  return typeof value === 'number' && isPercent(high) && value >= LOWEST_READABLE_TARGET_HIGH && value <= SCALE_2_MAX_TARGET_HIGH;
}

/** The Goal that selects scale 2, when there is one (for explanations: "scale 2: target 88–92 %"). */
export function findHypercapnicTargetGoal(goals: readonly FhirResource[]): FhirResource | undefined {
  return goals.find(
    (g) =>
      g.resourceType === 'Goal' &&
      typeof g['lifecycleStatus'] === 'string' &&
      IN_FORCE.has(g['lifecycleStatus']) &&
      asArray(g['target']).some(isHypercapnicTarget),
  );
}

/**
 * Words and codes that say a Goal is about oxygen saturation, though Vigil cannot read its scale from
 * it: SNOMED CT 431314004 |Peripheral oxygen saturation (observable entity)| (the concept the SNOMED IG
 * value set "SnomedOxygenSat" is rooted at, danka74/snomed-ig-fsh, read 2026-11-29), and "SpO2",
 * "SaO2", "sats" or "oxygen saturation" in a measure's text or display or the Goal's description.
 */
const SPO2_WORDS = /\bs[pa]\s*o2\b|\bsats\b|\bo2\s*sat|oxygen\s+sat|\bsaturation/i;
const SNOMED_SPO2_MEASURE = new Set(['431314004']);

function mentionsSpo2(concept: unknown): boolean {
  if (!isObject(concept)) return false;
  if (typeof concept['text'] === 'string' && SPO2_WORDS.test(concept['text'])) return true;
  return asArray(concept['coding']).some(
    (c) =>
      isObject(c) &&
      ((canonicalSystem(c['system']) === SNOMED && typeof c['code'] === 'string' && SNOMED_SPO2_MEASURE.has(c['code'])) ||
        (typeof c['display'] === 'string' && SPO2_WORDS.test(c['display']))),
  );
}

/** A bound in percent Vigil reads: a number with a `%` unit, 75–100. */
function readablePercent(q: unknown): q is Json & { value: number } {
  if (!isObject(q)) return false;
  const value = q['value'];
  return typeof value === 'number' && isPercent(q) && value >= LOWEST_READABLE_TARGET_HIGH && value <= 100;
}

/**
 * True when this target's scale can be read: a LOINC SpO2 measure with an upper bound in percent (at
 * most 92 selects scale 2, above it is an ordinary target), or with only a lower bound of 93 % or more
 * (an ordinary "at least 94 %").
 */
function isReadableTarget(target: Json): boolean {
  if (!measuresSpo2(target['measure'])) return false;
  const range = target['detailRange'];
  if (!isObject(range)) return false;
  if (range['high'] !== undefined) return readablePercent(range['high']);
  return readablePercent(range['low']) && (range['low'] as { value: number }).value > SCALE_2_MAX_TARGET_HIGH;
}

/**
 * True when an in-force Goal states an SpO2 target Vigil cannot read (coded other than by LOINC, given
 * only in words, bounds without a `%` unit or written as fractions) and none selects scale 2: SpO2 is
 * then scored on scale 1, and the card must say so, and what scale 2 would score (news2-unconfirmed.ts).
 * Found by the fourth clinical safety pass (2026-11-29): a SNOMED-coded 88–92 % target read as no
 * target at all, so SpO2 97 % on 2 L/min gave "NEWS2 2: Low clinical risk" where scale 2 scores 5.
 */
export function hasUnreadSpo2Target(goals: readonly FhirResource[]): boolean {
  if (findHypercapnicTargetGoal(goals) !== undefined) return false;
  for (const g of goals) {
    if (g.resourceType !== 'Goal' || typeof g['lifecycleStatus'] !== 'string' || !IN_FORCE.has(g['lifecycleStatus'])) continue;
    const targets = asArray(g['target']).filter(isObject);
    const aboutSpo2 = targets.filter((t) => measuresSpo2(t['measure']) || mentionsSpo2(t['measure']));
    if (aboutSpo2.length === 0) {
      // No target Vigil recognises; a Goal whose description alone states an SpO2 target is still one.
      if (mentionsSpo2(g['description'])) return true;
      continue;
    }
    if (!aboutSpo2.every(isReadableTarget)) return true;
  }
  return false;
}

/** NEWS2 SpO2 scale for this record: 2 only with an in-force hypercapnic SpO2 target Goal. */
export function spo2ScaleFromGoals(goals: readonly FhirResource[]): 1 | 2 {
  return findHypercapnicTargetGoal(goals) === undefined ? 1 : 2;
}
