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
 * Words and codes that say a target is about the oxygen saturation NEWS2 scores, though Vigil may not
 * read its scale from them: SNOMED CT 431314004 |Peripheral oxygen saturation (observable entity)| (the
 * concept the SNOMED IG value set "SnomedOxygenSat" is rooted at, danka74/snomed-ig-fsh, read
 * 2026-11-29) and 103228002 |Hemoglobin saturation with oxygen (observable entity)|; LOINC 20564-1
 * (oxygen saturation in blood); and in words "SpO2" (also "SpO₂", "Sp02", "SpO2s"), "SaO2", "sat(s)",
 * "saturation(s)", "O2 sat" or "pulse oximetry". A saturation qualified just before by "transferrin" or
 * "venous" (central or mixed venous) is another measure: each mention is judged on its own, so "SpO2
 * 88–92 %; venous blood gas if drowsy" still counts (reviews of the first versions, 2026-11-29).
 */
const SPO2_WORD = /\bs[pa]\s*[o0][2₂]s?(?![a-z0-9])|\bsat(?:s|uration|urations)?\b|\bo[2₂]\s*sat|pulse\s+ox/gi;
const QUALIFIED_AS_OTHER = /(transferrin|venous)\W*(?:\w+\W+){0,2}$/i;
const SNOMED_SPO2_MEASURE = new Set(['431314004', '103228002']);
const OTHER_LOINC_SPO2_MEASURE = new Set(['20564-1', '2713-6']);

function wordsMeanSpo2(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  for (const m of text.matchAll(SPO2_WORD)) {
    if (!QUALIFIED_AS_OTHER.test(text.slice(Math.max(0, m.index - 40), m.index))) return true;
  }
  return false;
}

/** A target measure that means SpO2, however it is coded or named. */
function measureMeansSpo2(measure: unknown): boolean {
  if (measuresSpo2(measure)) return true;
  if (!isObject(measure)) return false;
  if (wordsMeanSpo2(measure['text'])) return true;
  return asArray(measure['coding']).some((c) => {
    if (!isObject(c)) return false;
    const system = canonicalSystem(c['system']);
    const code = typeof c['code'] === 'string' ? c['code'] : '';
    return (
      (system === SNOMED && SNOMED_SPO2_MEASURE.has(code)) ||
      (system === LOINC && OTHER_LOINC_SPO2_MEASURE.has(code)) ||
      wordsMeanSpo2(c['display'])
    );
  });
}

/** A bound in percent Vigil reads: a number with a `%` unit, 75–100. */
function readablePercent(q: unknown): q is Json & { value: number } {
  if (!isObject(q)) return false;
  const value = q['value'];
  return typeof value === 'number' && isPercent(q) && value >= LOWEST_READABLE_TARGET_HIGH && value <= 100;
}

/**
 * What a target's bounds say, whatever its measure is coded as: an ordinary target (an upper bound
 * above 92 %, or only a lower bound above 92 %) is no hypercapnic one; an upper bound of 92 % or less
 * is; anything else cannot be read.
 */
function boundsSay(target: Json): 'ordinary' | 'hypercapnic' | 'unreadable' {
  const range = target['detailRange'];
  if (!isObject(range)) return 'unreadable';
  const high = range['high'];
  if (high !== undefined) {
    if (!readablePercent(high)) return 'unreadable';
    return high.value > SCALE_2_MAX_TARGET_HIGH ? 'ordinary' : 'hypercapnic';
  }
  const low = range['low'];
  return readablePercent(low) && low.value > SCALE_2_MAX_TARGET_HIGH ? 'ordinary' : 'unreadable';
}

/**
 * A hypercapnic target in words: a range whose upper end is 75–92 ("88–92%", "88 to 92", "88/92",
 * "between 88 and 92"), or a bound of 75–92 ("≤ 92%", "> 88%"). A range above it (92–96 %, 94–98 %) is
 * an ordinary target; an age ("85-year-old") or another figure ("FEV1 80%") is no range or bound.
 */
const RANGE = /\b(\d{2,3}(?:\.\d+)?)\s*(?:%\s*)?(?:-|–|—|to|\/|and)\s*(\d{2,3}(?:\.\d+)?)(?![\d-])/gi;
const BOUND =
  /(?:≤|≥|<=|>=|<|>|\bat (?:least|most)\b|\babove\b|\bbelow\b|\bover\b|\bunder\b|\bno (?:higher|more|lower|less) than\b|\bmax(?:imum)?\b|\bmin(?:imum)?\b)\s*(\d{2}(?:\.\d+)?)\s*%/gi;

/**
 * A description that is nothing but a target range in percent ("Target 88–92%", "Aim: 88-92 %"): no
 * measure is named, but a bare percentage target of 88–92 on a ward record is the SpO2 one (fifth
 * review, 2026-11-29). Only the whole text counts, so "ScvO2 70-80%" or "Adherence 80-90%" never does.
 */
const BARE_TARGET = /^\s*(?:target|aim|goal)(?:\s+range)?\s*:?\s*(\d{2})\s*%?\s*(?:-|–|—|to)\s*(\d{2})\s*%\s*\.?\s*$/i;

function statesBareHypercapnicTarget(text: string): boolean {
  const m = BARE_TARGET.exec(text);
  if (m === null) return false;
  const [low, high] = [Number(m[1]), Number(m[2])];
  return low >= 70 && low < high && high >= LOWEST_READABLE_TARGET_HIGH && high <= SCALE_2_MAX_TARGET_HIGH;
}

/** A Goal's description that states a hypercapnic SpO2 target: named as SpO2, or a bare target range. */
function describesHypercapnicTarget(goal: FhirResource): boolean {
  const description = isObject(goal['description']) ? goal['description']['text'] : undefined;
  if (typeof description !== 'string') return false;
  return (wordsMeanSpo2(description) && statesHypercapnicTarget(description)) || statesBareHypercapnicTarget(description);
}

function statesHypercapnicTarget(text: string): boolean {
  for (const m of text.matchAll(RANGE)) {
    const [low, high] = [Number(m[1]), Number(m[2])];
    if (low >= 70 && low < high && high >= LOWEST_READABLE_TARGET_HIGH && high <= 100) {
      if (high <= SCALE_2_MAX_TARGET_HIGH) return true;
    }
  }
  for (const m of text.matchAll(BOUND)) {
    const value = Number(m[1]);
    if (value >= LOWEST_READABLE_TARGET_HIGH && value <= SCALE_2_MAX_TARGET_HIGH) return true;
  }
  return false;
}

/**
 * True when an in-force Goal may state a hypercapnic SpO2 target that Vigil cannot read, and none
 * selects scale 2: a target about SpO2 coded other than by LOINC 2708-6/59408-5 whose bounds say 92 %
 * or less, or whose bounds cannot be read (no `%` unit, fractions), or a Goal with no such target whose
 * description states a hypercapnic SpO2 target (named as SpO2, or a bare "Target 88–92%"), even beside
 * an ordinary structured target: the two disagree, and the worse must be checked (fifth review,
 * 2026-11-29: a description of 88–92 % was overruled by a structured 94–98 %, silently). SpO2 is then
 * scored on scale 1, and the card must
 * say so and what scale 2 would score (news2-unconfirmed.ts). Found by the fourth clinical safety pass
 * (2026-11-29): a SNOMED-coded 88–92 % target read as no target at all, so SpO2 97 % on 2 L/min gave
 * "NEWS2 2: Low clinical risk" where scale 2 scores 5. An ordinary target (94–98 %) is read from its
 * bounds however its measure is coded, and raises nothing.
 */
export function hasUnreadSpo2Target(goals: readonly FhirResource[]): boolean {
  if (findHypercapnicTargetGoal(goals) !== undefined) return false;
  for (const g of goals) {
    if (g.resourceType !== 'Goal' || typeof g['lifecycleStatus'] !== 'string' || !IN_FORCE.has(g['lifecycleStatus'])) continue;
    const targets = asArray(g['target']).filter(isObject);
    // Bounds in % at 75–92 are an SpO2 target whatever the measure says: no other goal is set so.
    if (targets.some((t) => boundsSay(t) === 'hypercapnic')) return true;
    if (targets.some((t) => measureMeansSpo2(t['measure']) && boundsSay(t) !== 'ordinary')) return true;
    // A description that states a hypercapnic SpO2 target is one, with or without a structured target.
    if (describesHypercapnicTarget(g)) return true;
  }
  return false;
}

/** NEWS2 SpO2 scale for this record: 2 only with an in-force hypercapnic SpO2 target Goal. */
export function spo2ScaleFromGoals(goals: readonly FhirResource[]): 1 | 2 {
  return findHypercapnicTargetGoal(goals) === undefined ? 1 : 2;
}
