// FHIR → PatientInputs: reads the Observations, Patient and Goals gathered from prefetch into the typed
// vitals every scorer uses. Pure: `now` is a parameter. Decisions a reviewer should know:
//
// - Status: final, amended and corrected are used. entered-in-error and cancelled are ignored (they
//   were never true), and so is registered (no result exists yet). preliminary, unknown or a missing
//   status is not scored (an unverified device or draft value), but its value is kept in
//   `unverified` when it is newer than the value used, or charted at the same moment and worse: an
//   alarming unverified value must be seen and re-checked, never quietly dropped. Of unverified values
//   at one moment, the worst is kept and the others are listed as set aside, as for verified ones
//   below (review 25a, N1). Any other status is unusable.
// - Time: effectiveDateTime, else effectivePeriod.end (or .start), else effectiveInstant, else issued.
//   It must carry a time of day and a zone: a date alone, or a time without a zone, cannot say how
//   old a vital is, so the value is unusable. A time more than CLOCK_SKEW_TOLERANCE_MINUTES after
//   `now` is unusable ("charted in the future"); within the tolerance it is kept as charted, so a
//   reading's `at` (and `dataAsOf`) may lie up to that many minutes after `now`.
// - Newest wins per vital. Two values charted at the same moment that score differently on NEWS2: the
//   worse is used (act on the worse assumption; scale 2 SpO2 as if on oxygen; `severity` is NEWS2's
//   points, passed in from the layer that holds the chart), and the other is listed
//   as set aside, so the disagreement is seen. A quieter value must never win a tie by its id (clinical
//   safety review, 2026-11-29: HR 140 and HR 80 at one moment gave no card when the 80 had the smaller
//   id). Other ties are broken without regard to input order: the later `issued`, then the smaller
//   Observation id, then the smaller value. A value timed ahead of now (within the tolerance) is one
//   moment with those charted within the tolerance before now (`momentStart`). Oxygen evidence
//   charted at one moment is merged (flow from one Observation, FiO2 from another); where it
//   conflicts, "on oxygen" wins, the answer that does not under-score, and the evidence that said air
//   is listed as set aside.
// - Air or oxygen coded in SNOMED CT ("patient on oxygen", "breathing room air"): the code alone is a
//   statement; with a yes/no answer the answer decides ("breathing room air: no" is on oxygen); with
//   any other value it is unusable.
// - Freshness: a value exactly `staleAfterHours` old is fresh; older is stale. `stale` only holds
//   vitals with no fresh value (a stale value hidden behind a fresh one is of no use to anyone).
// - "As of": `dataAsOf` is the oldest fresh value used, `newestAt` the newest: a score is only as
//   current as its oldest input.
// - `unusable` lists values that could not be used and are newer than the value used for that vital
//   (or, when none was used, newer than the freshness window): what a clinician needs to know is
//   "the latest respiratory rate could not be read", not every bad value of last week.
// - Duplicates (the same Observation from several prefetch keys or pages) count once, by id; of two
//   versions, the higher meta.versionId (else the later meta.lastUpdated) is kept.
import { formatValue, MEASURE_WORDS } from '../domain/labels.js';
import { asArray, isJsonObject as isObject, type FhirResource, type Json } from '../fhir/resources.js';
import {
  BP_PANEL_LOINC,
  CONSCIOUSNESS_ANSWERS,
  CONSCIOUSNESS_LOINC,
  canonicalSystem,
  CONSCIOUSNESS_SNOMED,
  GCS_TOTAL_LOINC,
  LOINC,
  O2_CONCENTRATION_LOINC,
  O2_FLOW_LOINC,
  REFUSED_TEMPERATURE_LOINC,
  SNOMED,
  SNOMED_ACUTE_CONFUSION,
  SNOMED_NO,
  SNOMED_ON_OXYGEN,
  SNOMED_ROOM_AIR,
  SNOMED_YES,
  VITAL_LOINC,
} from '../fhir/codes.js';
import { ageFromPatient } from './patient.js';
import { hasUnreadSpo2Target, spo2ScaleFromGoals } from './spo2-target.js';
import { convertQuantity, PLAUSIBLE_LIMITS, type Bound } from './units.js';
import {
  VITAL_NAMES,
  type Consciousness,
  type Measure,
  type NumericVital,
  type ObservedName,
  type OtherObservations,
  type OxygenStatus,
  type PatientInputs,
  type Reading,
  type UnusableValue,
  type VitalReading,
} from '../domain/vital-signs.js';
import { withFields } from '../lang/with-fields.js';

export interface NormaliseSources {
  /** From every key (vitals, consciousness, oxygen): may hold duplicates by id and other resources. */
  observations: FhirResource[];
  /** The Patient, when had. */
  patient?: FhirResource;
  /** Goal resources: an active SpO2 target of ≤ 92 % selects scale 2 (spo2-target.ts). */
  goals: FhirResource[];
}

/**
 * How bad a value is (higher is worse), to choose between values charted at one moment: NEWS2's
 * points, given by the layer that holds the chart (fallback-rules/news2.ts `news2Severity`).
 */
export type Severity = (vital: NumericVital | 'consciousness', value: number | Consciousness, spo2Scale: 1 | 2) => number;

export interface NormaliseOptions {
  now: Date;
  staleAfterHours: number;
  severity: Severity;
}

/** How far ahead of `now` a charted time may be before it is treated as wrong (EHR/server clock skew). */
export const CLOCK_SKEW_TOLERANCE_MINUTES = 5;

const USED_STATUSES: ReadonlySet<string> = new Set(['final', 'amended', 'corrected']);
const IGNORED_STATUSES: ReadonlySet<string> = new Set(['entered-in-error', 'cancelled', 'registered']);
/** Not scored, but shown with their value: a result that exists and has not been verified. */
const UNVERIFIED_STATUSES: ReadonlySet<string> = new Set(['preliminary', 'unknown']);

/** Everything read from an Observation: the NEWS2 parameters, and GCS (for qSOFA). */
const OBSERVED_NAMES: readonly ObservedName[] = [...VITAL_NAMES, 'gcs'];

const NUMERIC_VITALS = Object.keys(VITAL_LOINC) as NumericVital[];

/** GCS totals run from 3 (no response) to 15 (fully alert). */
const GCS_RANGE = [3, 15] as const;

/**
 * Plain words for HL7 data-absent-reason codes (terminology.hl7.org/CodeSystem/data-absent-reason). A
 * map, looked up with the EHR's code: a plain object would answer `constructor` with a function.
 */
const ABSENT_REASONS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    unknown: 'unknown',
    'asked-unknown': 'unknown',
    'temp-unknown': 'temporarily unknown',
    'not-asked': 'not asked',
    'asked-declined': 'declined by the patient',
    masked: 'masked',
    'not-applicable': 'not applicable',
    unsupported: 'not supported by the system',
    'as-text': 'charted as text only',
    error: 'measurement error',
    'not-a-number': 'not a number',
    'negative-infinity': 'below the measurable range',
    'positive-infinity': 'above the measurable range',
    'not-performed': 'not performed',
    'not-permitted': 'not permitted',
  }),
);

// ---------------------------------------------------------------------------------------------
// Reading loose JSON

const clip = (s: string, n = 40): string => (s.length > n ? `${s.slice(0, n)}…` : s);

const NO_CODES: readonly string[] = [];

/** A CodeableConcept's LOINC and SNOMED CT codes (short arrays: one or two codes), read in one pass over its codings. */
interface ConceptCodes {
  loinc: readonly string[];
  snomed: readonly string[];
}
const NO_CONCEPT_CODES: ConceptCodes = { loinc: NO_CODES, snomed: NO_CODES };

function loincAndSnomed(concept: unknown): ConceptCodes {
  if (!isObject(concept)) return NO_CONCEPT_CODES;
  const coding = concept['coding'];
  if (!Array.isArray(coding)) return NO_CONCEPT_CODES;
  let loinc: string[] | undefined;
  let snomed: string[] | undefined;
  for (const c of coding) {
    if (!isObject(c)) continue;
    const code = c['code'];
    if (typeof code !== 'string') continue;
    const system = canonicalSystem(c['system']);
    if (system === LOINC) (loinc ??= []).push(code.trim());
    else if (system === SNOMED) (snomed ??= []).push(code.trim());
  }
  return loinc === undefined && snomed === undefined ? NO_CONCEPT_CODES : { loinc: loinc ?? NO_CODES, snomed: snomed ?? NO_CODES };
}

function absentReason(dar: unknown): string {
  if (!isObject(dar)) return 'no value charted';
  const coding = asArray(dar['coding']).find(isObject);
  const code = coding && typeof coding['code'] === 'string' ? coding['code'] : undefined;
  const words =
    (code !== undefined ? ABSENT_REASONS.get(code) : undefined) ??
    (typeof dar['text'] === 'string' ? dar['text'] : undefined) ??
    (coding && typeof coding['display'] === 'string' ? coding['display'] : undefined) ??
    code;
  return words === undefined ? 'no value charted' : `no value charted (${clip(words)})`;
}

// ---------------------------------------------------------------------------------------------
// One Observation → findings

interface OxygenEvidence {
  flowLpm?: number;
  fio2Percent?: number;
  /** From a coded statement (SNOMED "patient on oxygen" / "breathing room air"). */
  coded?: boolean;
}

type Finding =
  | { vital: NumericVital; ok: true; value: number; unit: string }
  | { vital: 'consciousness'; ok: true; value: Consciousness; newOnset: boolean }
  | { vital: 'supplementalOxygen'; ok: true; value: OxygenEvidence }
  | { vital: 'gcs'; ok: true; value: number }
  | { vital: ObservedName; ok: false; reason: string; bound?: Bound; beyond?: 'above' | 'below' };

/** `positive-infinity` / `negative-infinity` (FHIR data-absent-reason): the value was beyond what the device measures. */
function beyondRange(dar: unknown): 'above' | 'below' | undefined {
  if (!isObject(dar)) return undefined;
  for (const c of asArray(dar['coding'])) {
    if (!isObject(c)) continue;
    if (c['code'] === 'positive-infinity') return 'above';
    if (c['code'] === 'negative-infinity') return 'below';
  }
  return undefined;
}

function numericFinding(vital: NumericVital, holder: Json): Finding {
  const dar = holder['dataAbsentReason'];
  if (dar !== undefined) {
    const reason = `${MEASURE_WORDS[vital]}: ${absentReason(dar)}`;
    const beyond = beyondRange(dar);
    return beyond === undefined ? { vital, ok: false, reason } : { vital, ok: false, reason, beyond };
  }
  if (!isObject(holder['valueQuantity'])) {
    return { vital, ok: false, reason: `${MEASURE_WORDS[vital]} is not charted as a quantity` };
  }
  const converted = convertQuantity(vital, holder['valueQuantity']);
  if (converted.ok) return { vital, ok: true, value: converted.value, unit: converted.unit };
  return converted.bound === undefined
    ? { vital, ok: false, reason: converted.reason }
    : { vital, ok: false, reason: converted.reason, bound: converted.bound };
}

/** Inhaled O2 flow (3151-8) or concentration (3150-0) from an Observation or a component. */
function oxygenQuantityFinding(measure: Extract<Measure, 'o2Flow' | 'o2Concentration'>, holder: Json): Finding {
  const vital = 'supplementalOxygen' as const;
  if (holder['dataAbsentReason'] !== undefined) {
    return { vital, ok: false, reason: `${MEASURE_WORDS[measure]}: ${absentReason(holder['dataAbsentReason'])}` };
  }
  if (!isObject(holder['valueQuantity'])) {
    return { vital, ok: false, reason: `${MEASURE_WORDS[measure]} is not charted as a quantity` };
  }
  const converted = convertQuantity(measure, holder['valueQuantity']);
  if (!converted.ok) return { vital, ok: false, reason: converted.reason };
  return { vital, ok: true, value: measure === 'o2Flow' ? { flowLpm: converted.value } : { fio2Percent: converted.value } };
}

/** CONSCIOUSNESS_ANSWERS by code system, then code: looked up without building a `system|code` key per coding. */
const CONSCIOUSNESS_BY_SYSTEM: ReadonlyMap<string, ReadonlyMap<string, Consciousness>> = (() => {
  const bySystem = new Map<string, Map<string, Consciousness>>();
  for (const [key, level] of CONSCIOUSNESS_ANSWERS) {
    const bar = key.lastIndexOf('|');
    const system = key.slice(0, bar);
    let codes = bySystem.get(system);
    if (codes === undefined) bySystem.set(system, (codes = new Map<string, Consciousness>()));
    codes.set(key.slice(bar + 1), level);
  }
  return bySystem;
})();

function consciousnessFinding(obs: Json): Finding {
  const vital = 'consciousness' as const;
  if (obs['dataAbsentReason'] !== undefined) {
    return { vital, ok: false, reason: `${MEASURE_WORDS[vital]}: ${absentReason(obs['dataAbsentReason'])}` };
  }
  let level: Consciousness | undefined;
  let conflicting = false;
  const value = obs['valueCodeableConcept'];
  if (isObject(value)) {
    for (const c of asArray(value['coding'])) {
      if (!isObject(c) || typeof c['system'] !== 'string' || typeof c['code'] !== 'string') continue;
      const found = CONSCIOUSNESS_BY_SYSTEM.get(canonicalSystem(c['system']) as string)?.get(c['code'].trim());
      if (found === undefined) continue;
      if (level === undefined) level = found;
      else if (found !== level) conflicting = true;
    }
  }
  if (level === undefined) return { vital, ok: false, reason: 'level of consciousness answer is not a recognised ACVPU code' };
  if (conflicting) return { vital, ok: false, reason: 'level of consciousness has conflicting answers' };
  // Only SNOMED's "Acute confusion" says the confusion is new; LOINC's "Confused" does not.
  const newOnset = level === 'confused' && loincAndSnomed(value).snomed.includes(SNOMED_ACUTE_CONFUSION);
  return { vital, ok: true, value: level, newOnset };
}

/** Glasgow Coma Scale total: a whole number 3–15, as valueQuantity (unit `{score}` or none) or valueInteger. */
function gcsFinding(obs: Json): Finding {
  const vital = 'gcs' as const;
  if (obs['dataAbsentReason'] !== undefined) {
    return { vital, ok: false, reason: `${MEASURE_WORDS.gcs}: ${absentReason(obs['dataAbsentReason'])}` };
  }
  const q = isObject(obs['valueQuantity']) ? obs['valueQuantity'] : undefined;
  const value = typeof obs['valueInteger'] === 'number' ? obs['valueInteger'] : q?.['value'];
  if (typeof value !== 'number' || !Number.isInteger(value))
    return { vital, ok: false, reason: 'Glasgow Coma Scale total is not a whole number' };
  if (q?.['comparator'] !== undefined) return { vital, ok: false, reason: 'Glasgow Coma Scale total is a bound, not a score' };
  if (value < GCS_RANGE[0] || value > GCS_RANGE[1]) return { vital, ok: false, reason: 'Glasgow Coma Scale total is outside 3–15' };
  return { vital, ok: true, value };
}

/**
 * A yes/no answer: SNOMED Yes / No as a valueCodeableConcept, or a valueBoolean; undefined when the
 * holder carries neither.
 */
function yesOrNoAnswer(holder: Json): boolean | undefined {
  const answer = loincAndSnomed(holder['valueCodeableConcept']).snomed;
  if (answer.includes(SNOMED_NO)) return false;
  if (answer.includes(SNOMED_YES)) return true;
  return typeof holder['valueBoolean'] === 'boolean' ? holder['valueBoolean'] : undefined;
}

/** True when the holder carries any value[x]. Read for every room-air statement: no array of keys is made. */
function hasValue(holder: Json): boolean {
  for (const key in holder) if (key.startsWith('value')) return true;
  return false;
}

/**
 * Air or oxygen as a coded statement: SNOMED 371825009 / 722742002 (src/fhir/codes.ts for sources).
 * Either code may be charted as a question ("On room air? Y/N"): a yes/no answer then decides, and
 * only the code with no value is a statement. Found by review 25a (N5): "breathing room air" answered
 * No was read as room air, so a patient on oxygen scored 0 for it and morphine got no card.
 */
function codedOxygenFinding(holder: Json, codes: readonly string[]): Finding | undefined {
  const vital = 'supplementalOxygen' as const;
  if (codes.length === 0) return undefined;
  const roomAir = codes.includes(SNOMED_ROOM_AIR);
  if (!roomAir && !codes.includes(SNOMED_ON_OXYGEN)) return undefined;
  if (holder['dataAbsentReason'] !== undefined) {
    return { vital, ok: false, reason: `${MEASURE_WORDS[vital]}: ${absentReason(holder['dataAbsentReason'])}` };
  }
  const answer = yesOrNoAnswer(holder);
  // "Not breathing room air" is on oxygen, as "patient on oxygen: yes" is.
  if (answer !== undefined) return { vital, ok: true, value: { coded: roomAir ? !answer : answer } };
  if (!roomAir && isObject(holder['valueQuantity'])) {
    // Some UK profiles chart the flow as the value of "patient on oxygen".
    const q = holder['valueQuantity'];
    const measure = q['code'] === '%' || q['unit'] === '%' ? 'o2Concentration' : 'o2Flow';
    const quantity = oxygenQuantityFinding(measure, holder);
    return quantity.ok && quantity.vital === 'supplementalOxygen'
      ? { vital, ok: true, value: withFields(quantity.value, { coded: true }) }
      : quantity;
  }
  return hasValue(holder)
    ? { vital, ok: false, reason: 'air or oxygen answer is not recognised' }
    : { vital, ok: true, value: { coded: !roomAir } };
}

/**
 * Each vital-sign LOINC code → the numeric vitals it names, as bits of NUMERIC_VITALS positions: built
 * once, so an Observation's codes are looked up, not searched for in every vital's list.
 */
const VITAL_BITS_BY_LOINC: ReadonlyMap<string, number> = (() => {
  const bits = new Map<string, number>();
  NUMERIC_VITALS.forEach((v, i) => {
    for (const code of VITAL_LOINC[v]) bits.set(code, (bits.get(code) ?? 0) | (1 << i));
  });
  return bits;
})();

const NO_VITALS: readonly NumericVital[] = [];

/** The numeric vitals a set of LOINC codes names, in NUMERIC_VITALS order. */
function vitalsCoded(loinc: readonly string[]): readonly NumericVital[] {
  let bits = 0;
  for (const code of loinc) bits |= VITAL_BITS_BY_LOINC.get(code) ?? 0;
  if (bits === 0) return NO_VITALS;
  const out: NumericVital[] = [];
  for (let i = 0; i < NUMERIC_VITALS.length; i++) if ((bits & (1 << i)) !== 0) out.push(NUMERIC_VITALS[i]!);
  return out;
}

/** Everything one Observation says about the NEWS2 parameters (none for unrelated Observations). */
function readObservation(obs: Json): Finding[] {
  const { loinc, snomed } = loincAndSnomed(obs['code']);
  const findings: Finding[] = [];

  const topVitals = vitalsCoded(loinc);
  if (topVitals.length > 1) {
    for (const v of topVitals) findings.push({ vital: v, ok: false, reason: 'coded as more than one vital sign' });
  } else if (topVitals[0] !== undefined) {
    findings.push(numericFinding(topVitals[0], obs));
  }

  if (topVitals.length === 0) {
    const refused = loinc.map((code) => REFUSED_TEMPERATURE_LOINC.get(code)).find((w) => w !== undefined);
    if (refused !== undefined) {
      findings.push({
        vital: 'temperature',
        ok: false,
        reason: `${refused} is not read: NEWS2 scores a body, oral, tympanic, axillary, rectal or core temperature`,
      });
    }
  }
  if (loinc.includes(CONSCIOUSNESS_LOINC) || snomed.includes(CONSCIOUSNESS_SNOMED)) findings.push(consciousnessFinding(obs));
  if (loinc.includes(GCS_TOTAL_LOINC)) findings.push(gcsFinding(obs));
  if (loinc.includes(O2_FLOW_LOINC)) findings.push(oxygenQuantityFinding('o2Flow', obs));
  if (loinc.includes(O2_CONCENTRATION_LOINC)) findings.push(oxygenQuantityFinding('o2Concentration', obs));
  const coded = codedOxygenFinding(obs, snomed);
  if (coded !== undefined) findings.push(coded);

  // Components: systolic in the BP panel, inhaled O2 in the SpO2 Observation, and any other vital a
  // device bundles in. A vital the Observation itself already carries is not read twice.
  const components = obs['component'];
  if (Array.isArray(components)) {
    for (const component of components) {
      if (!isObject(component)) continue;
      const { loinc: cLoinc, snomed: cSnomed } = loincAndSnomed(component['code']);
      const absent = component['dataAbsentReason'] !== undefined;
      for (const v of vitalsCoded(cLoinc)) {
        if (!topVitals.includes(v)) findings.push(numericFinding(v, component));
      }
      // An O2 component with no value (typical on room air) says nothing: skipped, not "unusable".
      if (cLoinc.includes(O2_FLOW_LOINC) && !absent) findings.push(oxygenQuantityFinding('o2Flow', component));
      if (cLoinc.includes(O2_CONCENTRATION_LOINC) && !absent) findings.push(oxygenQuantityFinding('o2Concentration', component));
      const cCoded = codedOxygenFinding(component, cSnomed);
      if (cCoded !== undefined) findings.push(cCoded);
    }
  }

  if (loinc.includes(BP_PANEL_LOINC) && !findings.some((f) => f.vital === 'systolicBP')) {
    findings.push({
      vital: 'systolicBP',
      ok: false,
      reason:
        obs['dataAbsentReason'] !== undefined
          ? `${MEASURE_WORDS.systolicBP}: ${absentReason(obs['dataAbsentReason'])}`
          : 'blood pressure panel has no systolic component',
    });
  }

  // "Air or Oxygen" charted with a text-only code and the SNOMED statement as its value.
  if (findings.length === 0) {
    const valueCodes = loincAndSnomed(obs['valueCodeableConcept']).snomed;
    if (valueCodes.includes(SNOMED_ON_OXYGEN)) findings.push({ vital: 'supplementalOxygen', ok: true, value: { coded: true } });
    else if (valueCodes.includes(SNOMED_ROOM_AIR)) findings.push({ vital: 'supplementalOxygen', ok: true, value: { coded: false } });
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Time

const PARTIAL_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
const NO_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

type Timed = { ok: true; at: Date } | { ok: false; reason: string };
/** A charted time as milliseconds since 1970, or why it cannot be used. */
type TimedMs = { ok: true; ms: number } | { ok: false; reason: string };

/** The digits at `s[i..i+n)` as a number, or -1 when any is not a digit. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Days in a month of the proleptic Gregorian calendar. */
function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * `YYYY-MM-DDThh:mm[:ss[.fff…]](Z|±hh:mm)`, a real calendar time (Date.parse rolls 31 February over
 * into March, so the fields themselves are checked), as epoch ms; NaN for anything else. Read by hand,
 * one character at a time: a vital sign's time is read for every Observation of every call.
 */
function instantMs(value: string): number {
  const n = value.length;
  if (n < 17 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45 || value.charCodeAt(10) !== 84 || value.charCodeAt(13) !== 58)
    return Number.NaN;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59)
    return Number.NaN;
  let i = 16;
  let second = 0;
  let fraction = 0;
  let long = false;
  if (value.charCodeAt(i) === 58) {
    second = digits(value, i + 1, 2);
    if (second < 0 || second > 59) return Number.NaN;
    i += 3;
    if (value.charCodeAt(i) === 46) {
      const from = ++i;
      while (i < n && value.charCodeAt(i) >= 48 && value.charCodeAt(i) <= 57) i++;
      if (i === from) return Number.NaN;
      // Past milliseconds, Date.parse's own reading of the digits is the rule (rare: .NET's seven).
      if (i - from > 3) long = true;
      else fraction = digits(`${value.slice(from, i)}00`, 0, 3);
    }
  }
  let offsetMinutes = 0;
  const zone = value.charCodeAt(i);
  if (zone === 90 && i + 1 === n) {
    // Z
  } else if ((zone === 43 || zone === 45) && i + 6 === n && value.charCodeAt(i + 3) === 58) {
    const oh = digits(value, i + 1, 2);
    const om = digits(value, i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return Number.NaN;
    offsetMinutes = (zone === 43 ? 1 : -1) * (oh * 60 + om);
  } else {
    return Number.NaN;
  }
  if (long) return Date.parse(value);
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, fraction);
  return utc.getTime() - offsetMinutes * 60_000;
}

function parseDateTimeMs(value: string): TimedMs {
  const ms = instantMs(value);
  if (!Number.isNaN(ms)) return { ok: true, ms };
  if (PARTIAL_DATE.test(value)) return { ok: false, reason: 'charted time is a date without a time of day' };
  if (NO_ZONE.test(value)) return { ok: false, reason: 'charted time has no time zone' };
  return { ok: false, reason: 'charted time is not a valid date and time' };
}

/** The string effective[x] (falling back to `issued`) a value's time is read from, if any. */
function chartedTimeText(obs: Json): string | undefined {
  const candidates = [obs['effectiveDateTime'], undefined, undefined, obs['effectiveInstant'], obs['issued']];
  const period = obs['effectivePeriod'];
  if (isObject(period)) {
    candidates[1] = period['end'];
    candidates[2] = period['start'];
  }
  for (const c of candidates) if (typeof c === 'string' && c.length > 0) return c;
  return undefined;
}

/** When the value was true of the patient: effective[x], falling back to `issued`. */
export function observationTime(obs: Json): Timed {
  const text = chartedTimeText(obs);
  if (text === undefined) return { ok: false, reason: 'no time charted' };
  const t = parseDateTimeMs(text);
  return t.ok ? { ok: true, at: new Date(t.ms) } : t;
}

// ---------------------------------------------------------------------------------------------
// Reading every Observation once

interface Candidate {
  vital: ObservedName;
  value: number | Consciousness | OxygenEvidence;
  unit: string | undefined;
  newOnset: boolean;
  atMs: number;
  /** The Observation's `issued`, read only when a tie must be broken. */
  issued: unknown;
  issuedMs: number | undefined;
  id: string;
  /** Set on unverified candidates: the status that keeps them from being scored. */
  status: string | undefined;
  /** Set on a bound ("<80"): used only when every value within it scores alike (`decisive`). */
  comparator?: Bound['comparator'];
  /** Set on oxygen evidence merged from several Observations of one moment: what each of them said. */
  mergedFrom?: Candidate[];
}

/** One Observation as read: refused whole (status, time), or its findings at its time. */
type ReadObservation =
  | { kind: 'refused'; vitals: ObservedName[]; reason: string; atMs: number | undefined }
  | {
      kind: 'timed';
      vitals: ObservedName[];
      atMs: number;
      unverified: boolean;
      candidates: Candidate[];
      unusable: { vital: ObservedName; reason: string; beyond?: 'above' | 'below' }[];
      /** Values charted as bounds: scored when decisive (chooseInputs), else unusable with `reason`. */
      bounds: { candidate: Candidate; reason: string }[];
    };

/**
 * Every Observation of the sources read once (codes, units, time), in the order normalisation
 * considers them; `chooseInputs` then picks from them as of any moment without reading FHIR again.
 */
export interface ReadObservations {
  list: ReadObservation[];
  /** True when two versions of one Observation id were sent (an earlier moment must re-read them). */
  versioned: boolean;
}

function issuedMsOf(c: Candidate): number {
  if (c.issuedMs === undefined) {
    const ms = typeof c.issued === 'string' ? Date.parse(c.issued) : Number.NaN;
    c.issuedMs = Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
  }
  return c.issuedMs;
}

/** Newest first; ties broken by later `issued`, then smaller id, then smaller value: input order never matters. */
function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.atMs !== b.atMs) return b.atMs - a.atMs;
  const ai = issuedMsOf(a);
  const bi = issuedMsOf(b);
  return (
    (bi > ai ? 1 : bi < ai ? -1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) ||
    (typeof a.value === 'number' && typeof b.value === 'number'
      ? a.value - b.value
      : JSON.stringify(a.value).localeCompare(JSON.stringify(b.value)))
  );
}

/**
 * Two pieces of oxygen evidence charted at one moment, as one: each field from whichever has it, and
 * where both do, the worse (on oxygen over air, the higher flow, the higher FiO2). Found by the second
 * clinical safety review (2026-11-29): flow 0 and flow 2 L/min at one moment were settled by which
 * Observation sorted first, so SpO2 97 % on scale 2 scored 0 or 3 by its id (H20's hazard, for oxygen).
 */
function mergeOxygen(a: OxygenEvidence, b: OxygenEvidence): OxygenEvidence {
  const merged: OxygenEvidence = withFields(b, a);
  if (a.coded !== undefined || b.coded !== undefined) merged.coded = a.coded === true || b.coded === true;
  if (a.flowLpm !== undefined && b.flowLpm !== undefined) merged.flowLpm = Math.max(a.flowLpm, b.flowLpm);
  if (a.fio2Percent !== undefined && b.fio2Percent !== undefined) merged.fio2Percent = Math.max(a.fio2Percent, b.fio2Percent);
  return merged;
}

function toOxygenStatus(e: OxygenEvidence): OxygenStatus {
  const onOxygen = e.coded === true || (e.flowLpm ?? 0) > 0 || (e.fio2Percent ?? 0) > 21;
  const status: OxygenStatus = { onOxygen };
  if (e.flowLpm !== undefined) status.flowLpm = e.flowLpm;
  if (e.fio2Percent !== undefined) status.fio2Percent = e.fio2Percent;
  return status;
}

/**
 * Where the moment of a value charted at `atMs` begins. A value timed after `nowMs` (allowed within
 * the clock-skew tolerance) is no later, for all anyone knows, than one charted within that tolerance
 * before now: they are one moment. Found by the third clinical safety review (2026-11-29): RR 16 timed
 * 4 min ahead hid RR 7 charted 2 min ago, and morphine got no card.
 */
function momentStart(atMs: number, nowMs: number): number {
  return atMs > nowMs ? nowMs - CLOCK_SKEW_TOLERANCE_MINUTES * 60_000 : atMs;
}

/**
 * Oxygen evidence charted at one moment (flow and FiO2 as separate Observations) becomes one reading.
 * The newest moment reaches back the clock tolerance when it is timed ahead of now (`momentStart`):
 * review 25a (N3) found "breathing room air" timed 4 min ahead hiding 2 L/min charted 1 min ago.
 */
function mergeSameMomentOxygen(sorted: Candidate[], nowMs: number): Candidate[] {
  const out: Candidate[] = [];
  const newestFrom = sorted.length > 0 ? momentStart(sorted[0]!.atMs, nowMs) : 0;
  // What each piece of the newest moment said, for the notes (`oxygenSetAside`); older moments need none.
  let newestPieces: Candidate[] | undefined;
  for (const c of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && (last.atMs === c.atMs || (out.length === 1 && c.atMs >= newestFrom))) {
      const value = mergeOxygen(last.value as OxygenEvidence, c.value as OxygenEvidence);
      if (out.length === 1) (newestPieces ??= [last]).push(c);
      out[out.length - 1] = withFields(last, out.length === 1 ? { value, mergedFrom: newestPieces } : { value });
    } else {
      out.push(c);
    }
  }
  return out;
}

/** Oxygen evidence in the words it was charted in: "Breathing room air", "O2 flow 2 L/min", "FiO2 28%". */
function oxygenEvidenceWords(e: OxygenEvidence): string {
  const words: string[] = [];
  if (e.coded !== undefined) words.push(e.coded ? 'Patient on oxygen' : 'Breathing room air');
  if (e.flowLpm !== undefined) words.push(`O2 flow ${e.flowLpm} L/min`);
  if (e.fio2Percent !== undefined) words.push(`FiO2 ${e.fio2Percent}%`);
  return words.join(', ');
}

/**
 * For oxygen evidence merged from several Observations into "on oxygen", a note for each that said
 * air on its own: the disagreement is seen (H25 left it unlisted).
 */
function oxygenSetAside(merged: Candidate, settled: string): UnusableValue[] {
  if (merged.mergedFrom === undefined || !toOxygenStatus(merged.value as OxygenEvidence).onOxygen) return [];
  const onOxygen = merged.mergedFrom.filter((c) => toOxygenStatus(c.value as OxygenEvidence).onOxygen);
  const onWords = onOxygen.map((c) => oxygenEvidenceWords(c.value as OxygenEvidence)).join(' and ');
  return merged.mergedFrom
    .filter((c) => !onOxygen.includes(c))
    .map((c) => setAsideNote(c, oxygenEvidenceWords(c.value as OxygenEvidence), onOxygen[0]!, onWords, settled));
}

/**
 * True when every value a bound allows (within PLAUSIBLE_LIMITS, at NEWS2's rounding: 0.1 °C, else
 * whole numbers) scores the same points: "SpO2 <80 %" certainly scores 3, and is scored as 80 shown
 * "<80%". Found by the clinical safety review (2026-11-29): such a value was "not usable", an info
 * card. SpO2 on scale 2 is left unusable: its points there also depend on air or oxygen.
 */
function decisive(c: Candidate, severity: Severity, spo2Scale: 1 | 2): boolean {
  if (
    c.vital !== 'respiratoryRate' &&
    c.vital !== 'heartRate' &&
    c.vital !== 'systolicBP' &&
    c.vital !== 'temperature' &&
    c.vital !== 'spo2'
  )
    return false;
  if (c.vital === 'spo2' && spo2Scale === 2) return false;
  const bound = c.value as number;
  const [low, high] = PLAUSIBLE_LIMITS[c.vital];
  const below = c.comparator === '<' || c.comparator === '<=';
  const from = below ? low : bound;
  const to = below ? bound : high;
  if (!(from <= to)) return false;
  const steps = c.vital === 'temperature' ? 10 : 1;
  const points = severity(c.vital, from, spo2Scale);
  for (let i = Math.ceil(from * steps); i <= Math.floor(to * steps); i++)
    if (severity(c.vital, i / steps, spo2Scale) !== points) return false;
  return severity(c.vital, to, spo2Scale) === points;
}

/**
 * `severity` for any candidate: GCS by its total (lower is worse); oxygen evidence as on oxygen (1) or
 * not (0), only ever compared with other oxygen evidence.
 */
function severityOf(c: Candidate, severity: Severity, spo2Scale: 1 | 2): number {
  if (c.vital === 'supplementalOxygen') return toOxygenStatus(c.value as OxygenEvidence).onOxygen ? 1 : 0;
  if (c.vital === 'consciousness') return severity('consciousness', c.value as Consciousness, spo2Scale);
  const value = c.value as number;
  if (!Number.isFinite(value)) return 0;
  return c.vital === 'gcs' ? -value : severity(c.vital, value, spo2Scale);
}

/** How a disagreement of one moment was settled, said on each value set aside. */
const SETTLED = {
  verified: { worse: 'the worse is used', oxygen: 'on oxygen is used' },
  unverified: { worse: 'the worse is shown, to be re-checked', oxygen: 'on oxygen is shown, to be re-checked' },
} as const;

/** A note for `c`, set aside for `chosen` charted at the same moment (both in words, as charted). */
function setAsideNote(c: Candidate, words: string, chosen: Candidate, chosenWords: string, settled: string): UnusableValue {
  // An unverified value is named with its status: "preliminary 16/min".
  const what = (w: string, of: Candidate) => (of.status === undefined ? w : `${of.status === 'missing' ? 'unverified' : of.status} ${w}`);
  return {
    vital: c.vital,
    reason:
      c.atMs === chosen.atMs
        ? `${what(words, c)} was charted at the same time as ${what(chosenWords, chosen)}; ${settled}`
        : `${what(words, c)} was charted within the clock tolerance of ${what(chosenWords, chosen)} (one of them timed ahead of now); ${settled}`,
    at: new Date(c.atMs),
    conflict: true,
  };
}

/**
 * Of the values charted at the newest moment (`sorted` newest first, the moment as `momentStart`
 * says), the worse when they score differently, and a note for each one set aside; otherwise the
 * newest as sorted, and no note. Oxygen evidence of one moment is already merged (on oxygen wins): its
 * notes are for the evidence that said air. `unverified` values are shown, not scored, and say so.
 */
function newestOrWorse(
  sorted: Candidate[],
  severity: Severity,
  spo2Scale: 1 | 2,
  nowMs: number,
  kind: keyof typeof SETTLED = 'verified',
): { chosen: Candidate | undefined; setAside: UnusableValue[] } {
  const first = sorted[0];
  if (first === undefined) return { chosen: first, setAside: [] };
  if (first.vital === 'supplementalOxygen') return { chosen: first, setAside: oxygenSetAside(first, SETTLED[kind].oxygen) };
  if (sorted.length < 2) return { chosen: first, setAside: [] };
  const momentFrom = momentStart(first.atMs, nowMs);
  if (sorted[1]!.atMs < momentFrom) return { chosen: first, setAside: [] };
  const sameMoment = sorted.filter((c) => c.atMs >= momentFrom);
  const scores = sameMoment.map((c) => severityOf(c, severity, spo2Scale));
  const worst = Math.max(...scores);
  if (scores.every((x) => x === worst)) return { chosen: first, setAside: [] };
  const chosen = sameMoment[scores.indexOf(worst)]!;
  const words = (c: Candidate) =>
    c.vital === 'gcs' ? `${c.value as number}/15` : formatValue(c.vital, c.value as number | Consciousness, c.unit, c.newOnset);
  const setAside = sameMoment
    .filter((_, i) => scores[i] !== worst)
    .map((c) => setAsideNote(c, words(c), chosen, words(chosen), SETTLED[kind].worse));
  return { chosen, setAside };
}

/**
 * True when an unverified value must be shown beside the value scored for its vital (`scored`, when
 * one was): it is newer, or it was charted at the same moment and would score worse. Act on the worse
 * assumption, as H20 does for verified values: review 25a (N1) found a preliminary RR 7 dropped
 * because a final RR 16 was charted at the very same instant, and morphine got no card.
 */
function outranksScored(
  unverified: Candidate,
  scored: Candidate | undefined,
  severity: Severity,
  spo2Scale: 1 | 2,
  nowMs: number,
): boolean {
  if (scored === undefined || unverified.atMs > scored.atMs) return true;
  return (
    unverified.atMs >= momentStart(scored.atMs, nowMs) &&
    severityOf(unverified, severity, spo2Scale) > severityOf(scored, severity, spo2Scale)
  );
}

function toReading(c: Candidate): VitalReading {
  const at = new Date(c.atMs);
  const reading: VitalReading =
    c.vital === 'supplementalOxygen' ? { value: toOxygenStatus(c.value as OxygenEvidence), at } : { value: c.value, at };
  if (c.unit !== undefined) reading.unit = c.unit;
  if (c.newOnset) reading.newOnset = true;
  if (c.status !== undefined) reading.status = c.status;
  if (c.comparator !== undefined) reading.comparator = c.comparator;
  return reading;
}

function versionRank(r: FhirResource): [number, number] {
  const meta = isObject(r['meta']) ? r['meta'] : {};
  const version = typeof meta['versionId'] === 'string' ? Number(meta['versionId']) : Number.NaN;
  const updated = typeof meta['lastUpdated'] === 'string' ? Date.parse(meta['lastUpdated']) : Number.NaN;
  return [Number.isNaN(version) ? -1 : version, Number.isNaN(updated) ? -1 : updated];
}

/** Observations only, each id once (the newer version when two differ). */
function distinctObservations(resources: readonly FhirResource[]): { observations: FhirResource[]; versioned: boolean } {
  const byId = new Map<string, FhirResource>();
  const anonymous: FhirResource[] = [];
  let versioned = false;
  for (const r of resources) {
    if (!isObject(r) || r.resourceType !== 'Observation') continue;
    if (typeof r.id !== 'string' || r.id.length === 0) {
      anonymous.push(r);
      continue;
    }
    const seen = byId.get(r.id);
    if (seen === undefined) {
      byId.set(r.id, r);
      continue;
    }
    if (seen !== r) versioned = true;
    const [sv, su] = versionRank(seen);
    const [rv, ru] = versionRank(r);
    if (rv > sv || (rv === sv && ru > su)) byId.set(r.id, r);
  }
  return { observations: anonymous.length === 0 ? [...byId.values()] : [...byId.values(), ...anonymous], versioned };
}

/** The distinct vitals of some findings, in order of first appearance. */
function vitalsOf(findings: readonly Finding[]): ObservedName[] {
  const out: ObservedName[] = [];
  for (const f of findings) if (!out.includes(f.vital)) out.push(f.vital);
  return out;
}

/** Reads every Observation once: codes, units, status and time. Pure. */
export function readObservations(resources: readonly FhirResource[]): ReadObservations {
  const { observations, versioned } = distinctObservations(resources);
  const list: ReadObservation[] = [];
  // A set of vitals is charted at one time: its instant is read once per call, not once per value.
  const times = new Map<string, TimedMs>();
  let lastText: string | undefined;
  let lastTime: TimedMs | undefined;
  for (const obs of observations) {
    const findings = readObservation(obs);
    if (findings.length === 0) continue;

    const status = typeof obs['status'] === 'string' ? obs['status'] : undefined;
    if (status !== undefined && IGNORED_STATUSES.has(status)) continue;
    const text = chartedTimeText(obs);
    let time: TimedMs;
    if (text === undefined) time = { ok: false, reason: 'no time charted' };
    else if (text === lastText && lastTime !== undefined) time = lastTime;
    else {
      // The values of one set usually follow each other: the last time is compared before the map.
      const known = times.get(text);
      time = known ?? parseDateTimeMs(text);
      if (known === undefined) times.set(text, time);
      lastText = text;
      lastTime = time;
    }
    const atMs = time.ok ? time.ms : undefined;
    const unverified = status === undefined || UNVERIFIED_STATUSES.has(status);

    if (!unverified && !USED_STATUSES.has(status))
      list.push({ kind: 'refused', vitals: vitalsOf(findings), reason: `observation status is ${clip(status, 20)}`, atMs });
    else if (!time.ok) list.push({ kind: 'refused', vitals: vitalsOf(findings), reason: time.reason, atMs: undefined });
    else {
      const id = typeof obs.id === 'string' ? obs.id : '';
      const candidates: Candidate[] = [];
      const unusable: { vital: ObservedName; reason: string; beyond?: 'above' | 'below' }[] = [];
      const bounds: { candidate: Candidate; reason: string }[] = [];
      for (const f of findings) {
        if (!f.ok) {
          if (f.bound === undefined)
            unusable.push(
              f.beyond === undefined ? { vital: f.vital, reason: f.reason } : { vital: f.vital, reason: f.reason, beyond: f.beyond },
            );
          else {
            const candidate: Candidate = {
              vital: f.vital,
              value: f.bound.value,
              unit: f.bound.unit,
              newOnset: false,
              status: unverified ? (status ?? 'missing') : undefined,
              atMs: time.ms,
              issued: obs['issued'],
              issuedMs: undefined,
              id,
              comparator: f.bound.comparator,
            };
            bounds.push({ candidate, reason: f.reason });
          }
          continue;
        }
        candidates.push({
          vital: f.vital,
          value: f.value,
          unit: 'unit' in f ? f.unit : undefined,
          newOnset: 'newOnset' in f && f.newOnset,
          status: unverified ? (status ?? 'missing') : undefined,
          atMs: time.ms,
          issued: obs['issued'],
          issuedMs: undefined,
          id,
        });
      }
      list.push({ kind: 'timed', vitals: vitalsOf(findings), atMs: time.ms, unverified, candidates, unusable, bounds });
    }
  }
  return { list, versioned };
}

// ---------------------------------------------------------------------------------------------
// Choosing

export interface ChooseOptions extends NormaliseOptions {
  /** Only values charted strictly before this instant (ms) count, as if the rest had never been sent. */
  chartedBeforeMs?: number;
}

/** The inputs as of `options.now`, chosen from Observations read once. */
export function chooseInputs(
  read: ReadObservations,
  others: Omit<NormaliseSources, 'observations'>,
  options: ChooseOptions,
): PatientInputs {
  const nowMs = options.now.getTime();
  const staleBefore = nowMs - options.staleAfterHours * 3_600_000;
  const futureAfter = nowMs + CLOCK_SKEW_TOLERANCE_MINUTES * 60_000;
  const before = options.chartedBeforeMs;

  const spo2Scale = spo2ScaleFromGoals(others.goals);
  const candidates = new Map<ObservedName, Candidate[]>(OBSERVED_NAMES.map((v) => [v, []]));
  const unverifiedCandidates = new Map<ObservedName, Candidate[]>();
  const unusable: UnusableValue[] = [];

  for (const entry of read.list) {
    if (before !== undefined && (entry.atMs === undefined || entry.atMs >= before)) continue;
    if (entry.kind === 'refused') {
      for (const vital of entry.vitals)
        unusable.push(
          entry.atMs === undefined ? { vital, reason: entry.reason } : { vital, reason: entry.reason, at: new Date(entry.atMs) },
        );
      continue;
    }
    if (entry.atMs > futureAfter) {
      for (const vital of entry.vitals) unusable.push({ vital, reason: 'charted in the future', at: new Date(entry.atMs) });
      continue;
    }
    // Findings that could not be used and those that could, in the order they were charted.
    for (const u of entry.unusable) {
      const at = new Date(entry.atMs);
      unusable.push(
        u.beyond !== undefined ? { vital: u.vital, reason: u.reason, at, beyond: u.beyond } : { vital: u.vital, reason: u.reason, at },
      );
    }
    const usable = entry.bounds.length === 0 ? entry.candidates : [...entry.candidates];
    for (const b of entry.bounds) {
      if (decisive(b.candidate, options.severity, spo2Scale)) usable.push(b.candidate);
      else unusable.push({ vital: b.candidate.vital, reason: b.reason, at: new Date(entry.atMs) });
    }
    for (const c of usable) {
      let into = (entry.unverified ? unverifiedCandidates : candidates).get(c.vital);
      if (into === undefined) unverifiedCandidates.set(c.vital, (into = []));
      into.push(c);
    }
  }

  const vitals: Record<string, Reading<unknown>> = {};
  const stale: Record<string, Reading<unknown>> = {};
  const previous: Record<string, Reading<unknown>> = {};
  const unverifiedReadings: Record<string, Reading<unknown>> = {};
  const relevantUnusable: UnusableValue[] = [];

  for (const vital of OBSERVED_NAMES) {
    const sorted = sortedOf(candidates.get(vital) ?? [], vital, nowMs);
    const { chosen: newest, setAside } = newestOrWorse(sorted, options.severity, spo2Scale, nowMs);
    if (newest !== undefined) {
      if (newest.atMs >= staleBefore) {
        vitals[vital] = toReading(newest);
        // The value charted before it, for trends ("up from 18 four hours ago").
        const earlier = sorted.find((c) => c.atMs < newest.atMs);
        if (earlier !== undefined) previous[vital] = toReading(earlier);
      } else {
        stale[vital] = toReading(newest);
      }
    }
    const threshold = newest?.atMs ?? staleBefore;
    if (newest !== undefined && newest.atMs >= staleBefore) for (const u of setAside) relevantUnusable.push(u);
    // An unverified value matters when it is in the window and newer than what was used, or as new and
    // worse; of those at its newest moment, the worst is the one to re-check.
    const unverifiedList = unverifiedCandidates.get(vital);
    if (unverifiedList !== undefined) {
      const sortedUnverified = sortedOf(unverifiedList, vital, nowMs);
      const { chosen: toRecheck, setAside: unverifiedSetAside } = newestOrWorse(
        sortedUnverified,
        options.severity,
        spo2Scale,
        nowMs,
        'unverified',
      );
      if (
        toRecheck !== undefined &&
        toRecheck.atMs >= staleBefore &&
        outranksScored(toRecheck, newest, options.severity, spo2Scale, nowMs)
      ) {
        unverifiedReadings[vital] = toReading(toRecheck);
        for (const u of unverifiedSetAside) relevantUnusable.push(u);
      }
    }
    if (unusable.length > 0) {
      // A value beyond the device's range counts until a newer value is charted, however old: like an
      // out-of-date number, it is shown with its age (news2-unconfirmed.ts re-checks it).
      const beyondSince = newest?.atMs ?? Number.NEGATIVE_INFINITY;
      relevantUnusable.push(
        ...unusable
          .filter((u) => u.vital === vital && (u.at === undefined || u.at.getTime() >= (u.beyond !== undefined ? beyondSince : threshold)))
          .sort((a, b) => (b.at?.getTime() ?? -Infinity) - (a.at?.getTime() ?? -Infinity)),
      );
    }
  }

  const { gcs: freshGcs, ...freshVitals } = vitals;
  const { gcs: staleGcs, ...staleVitals } = stale;
  const { gcs: unverifiedGcs, ...unverifiedVitals } = unverifiedReadings;
  const { gcs: _previousGcs, ...previousVitals } = previous;
  const other = { fresh: {} as OtherObservations, stale: {} as OtherObservations, unverified: {} as OtherObservations };
  if (freshGcs !== undefined) other.fresh.gcs = freshGcs as Reading<number>;
  if (staleGcs !== undefined) other.stale.gcs = staleGcs as Reading<number>;
  // Never scored, but a newer preliminary GCS below 15 is a reason to assess (news2-unconfirmed.ts).
  if (unverifiedGcs !== undefined) other.unverified.gcs = unverifiedGcs as Reading<number>;

  const inputs: PatientInputs = {
    vitals: freshVitals,
    stale: staleVitals,
    unverified: unverifiedVitals,
    previous: previousVitals,
    other,
    unusable: relevantUnusable,
    spo2Scale,
  };
  if (spo2Scale === 1 && others.goals.length > 0 && hasUnreadSpo2Target(others.goals)) inputs.spo2TargetUnread = true;
  const ageYears = ageFromPatient(others.patient, options.now);
  if (ageYears !== undefined) inputs.ageYears = ageYears;
  let oldest = Number.POSITIVE_INFINITY;
  let newestMs = Number.NEGATIVE_INFINITY;
  for (const r of Object.values(freshVitals)) {
    const t = r.at.getTime();
    if (t < oldest) oldest = t;
    if (t > newestMs) newestMs = t;
  }
  if (newestMs !== Number.NEGATIVE_INFINITY) {
    inputs.dataAsOf = new Date(oldest);
    inputs.newestAt = new Date(newestMs);
  }
  return inputs;
}

export function normaliseInputs(sources: NormaliseSources, options: NormaliseOptions): PatientInputs {
  return chooseInputs(readObservations(sources.observations), sources, options);
}

/** One vital's candidates, newest first (oxygen evidence charted at one moment merged first). */
function sortedOf(list: Candidate[], vital: ObservedName, nowMs: number): Candidate[] {
  const sorted = list.length > 1 ? list.sort(compareCandidates) : list;
  return vital === 'supplementalOxygen' ? mergeSameMomentOxygen(sorted, nowMs) : sorted;
}
