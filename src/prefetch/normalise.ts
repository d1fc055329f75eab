// FHIR → PatientInputs: reads the Observations, Patient and Goals gathered from prefetch into the typed
// vitals every scorer uses. Pure: `now` is a parameter. Decisions a reviewer should know:
//
// - Status: final, amended and corrected are used. entered-in-error and cancelled are ignored (they
//   were never true), and so is registered (no result exists yet). preliminary, unknown or a missing
//   status is not scored (an unverified device or draft value), but its value is kept in
//   `unverified` when it is newer than the value used: an alarming unverified value must be seen and
//   re-checked, never quietly dropped. Any other status is unusable.
// - Time: effectiveDateTime, else effectivePeriod.end (or .start), else effectiveInstant, else issued.
//   It must carry a time of day and a zone: a date alone, or a time without a zone, cannot say how
//   old a vital is, so the value is unusable. A time more than CLOCK_SKEW_TOLERANCE_MINUTES after
//   `now` is unusable ("charted in the future"); within the tolerance it is kept as charted, so a
//   reading's `at` (and `dataAsOf`) may lie up to that many minutes after `now`.
// - Newest wins per vital. Ties (same time) are broken without regard to input order: the later
//   `issued`, then the smaller Observation id, then the smaller value. Oxygen evidence charted at the
//   same time is merged (flow from one Observation, FiO2 from another); where it conflicts, "on
//   oxygen" wins, the answer that does not under-score.
// - Freshness: a value exactly `staleAfterHours` old is fresh; older is stale. `stale` only holds
//   vitals with no fresh value (a stale value hidden behind a fresh one is of no use to anyone).
// - "As of": `dataAsOf` is the oldest fresh value used, `newestAt` the newest: a score is only as
//   current as its oldest input.
// - `unusable` lists values that could not be used and are newer than the value used for that vital
//   (or, when none was used, newer than the freshness window): what a clinician needs to know is
//   "the latest respiratory rate could not be read", not every bad value of last week.
// - Duplicates (the same Observation from several prefetch keys or pages) count once, by id; of two
//   versions, the higher meta.versionId (else the later meta.lastUpdated) is kept.
import { MEASURE_WORDS } from '../domain/labels.js';
import { asArray, isJsonObject as isObject, type FhirResource, type Json } from '../fhir/resources.js';
import {
  BP_PANEL_LOINC,
  CONSCIOUSNESS_ANSWERS,
  CONSCIOUSNESS_LOINC,
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
import { spo2ScaleFromGoals } from './spo2-target.js';
import { convertQuantity } from './units.js';
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

export interface NormaliseSources {
  /** From every key (vitals, consciousness, oxygen): may hold duplicates by id and other resources. */
  observations: FhirResource[];
  /** The Patient, when had. */
  patient?: FhirResource;
  /** Goal resources: an active SpO2 target of ≤ 92 % selects scale 2 (spo2-target.ts). */
  goals: FhirResource[];
}

export interface NormaliseOptions {
  now: Date;
  staleAfterHours: number;
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

/** Plain words for HL7 data-absent-reason codes (terminology.hl7.org/CodeSystem/data-absent-reason). */
const ABSENT_REASONS: Readonly<Record<string, string>> = {
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
};

// ---------------------------------------------------------------------------------------------
// Reading loose JSON

const clip = (s: string, n = 40): string => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Codes of `system` among a CodeableConcept's codings. */
function codesOf(concept: unknown, system: string): Set<string> {
  const out = new Set<string>();
  if (!isObject(concept)) return out;
  for (const c of asArray(concept['coding'])) {
    if (isObject(c) && c['system'] === system && typeof c['code'] === 'string') out.add(c['code'].trim());
  }
  return out;
}

const hasAny = (codes: Set<string>, wanted: readonly string[]): boolean => wanted.some((w) => codes.has(w));

function absentReason(dar: unknown): string {
  if (!isObject(dar)) return 'no value charted';
  const coding = asArray(dar['coding']).find(isObject);
  const code = coding && typeof coding['code'] === 'string' ? coding['code'] : undefined;
  const words =
    (code !== undefined ? ABSENT_REASONS[code] : undefined) ??
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
  | { vital: ObservedName; ok: false; reason: string };

function numericFinding(vital: NumericVital, holder: Json): Finding {
  if (holder['dataAbsentReason'] !== undefined) {
    return { vital, ok: false, reason: `${MEASURE_WORDS[vital]}: ${absentReason(holder['dataAbsentReason'])}` };
  }
  if (!isObject(holder['valueQuantity'])) {
    return { vital, ok: false, reason: `${MEASURE_WORDS[vital]} is not charted as a quantity` };
  }
  const converted = convertQuantity(vital, holder['valueQuantity']);
  return converted.ok
    ? { vital, ok: true, value: converted.value, unit: converted.unit }
    : { vital, ok: false, reason: converted.reason };
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

function consciousnessFinding(obs: Json): Finding {
  const vital = 'consciousness' as const;
  if (obs['dataAbsentReason'] !== undefined) {
    return { vital, ok: false, reason: `${MEASURE_WORDS[vital]}: ${absentReason(obs['dataAbsentReason'])}` };
  }
  const levels = new Set<Consciousness>();
  const value = obs['valueCodeableConcept'];
  if (isObject(value)) {
    for (const c of asArray(value['coding'])) {
      if (!isObject(c) || typeof c['system'] !== 'string' || typeof c['code'] !== 'string') continue;
      const level = CONSCIOUSNESS_ANSWERS.get(`${c['system']}|${c['code'].trim()}`);
      if (level !== undefined) levels.add(level);
    }
  }
  const [level, ...others] = [...levels];
  if (level === undefined) return { vital, ok: false, reason: 'level of consciousness answer is not a recognised ACVPU code' };
  if (others.length > 0) return { vital, ok: false, reason: 'level of consciousness has conflicting answers' };
  // Only SNOMED's "Acute confusion" says the confusion is new; LOINC's "Confused" does not.
  const newOnset = level === 'confused' && codesOf(value, SNOMED).has(SNOMED_ACUTE_CONFUSION);
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
  if (typeof value !== 'number' || !Number.isInteger(value)) return { vital, ok: false, reason: 'Glasgow Coma Scale total is not a whole number' };
  if (q?.['comparator'] !== undefined) return { vital, ok: false, reason: 'Glasgow Coma Scale total is a bound, not a score' };
  if (value < GCS_RANGE[0] || value > GCS_RANGE[1]) return { vital, ok: false, reason: 'Glasgow Coma Scale total is outside 3–15' };
  return { vital, ok: true, value };
}

/** Air or oxygen as a coded statement: SNOMED 371825009 / 722742002 (src/fhir/codes.ts for sources). */
function codedOxygenFinding(holder: Json, codes: Set<string>): Finding | undefined {
  const vital = 'supplementalOxygen' as const;
  if (!codes.has(SNOMED_ROOM_AIR) && !codes.has(SNOMED_ON_OXYGEN)) return undefined;
  if (holder['dataAbsentReason'] !== undefined) {
    return { vital, ok: false, reason: `${MEASURE_WORDS[vital]}: ${absentReason(holder['dataAbsentReason'])}` };
  }
  if (codes.has(SNOMED_ROOM_AIR)) return { vital, ok: true, value: { coded: false } };
  // 371825009 used as a question: a yes/no answer decides; used as a statement (no value) it is "on".
  const answer = codesOf(holder['valueCodeableConcept'], SNOMED);
  if (answer.has(SNOMED_NO)) return { vital, ok: true, value: { coded: false } };
  if (answer.has(SNOMED_YES)) return { vital, ok: true, value: { coded: true } };
  if (typeof holder['valueBoolean'] === 'boolean') return { vital, ok: true, value: { coded: holder['valueBoolean'] } };
  if (isObject(holder['valueQuantity'])) {
    // Some UK profiles chart the flow as the value of "patient on oxygen".
    const q = holder['valueQuantity'];
    const measure = q['code'] === '%' || q['unit'] === '%' ? 'o2Concentration' : 'o2Flow';
    const quantity = oxygenQuantityFinding(measure, holder);
    return quantity.ok && quantity.vital === 'supplementalOxygen'
      ? { vital, ok: true, value: { ...quantity.value, coded: true } }
      : quantity;
  }
  const hasOtherValue = Object.keys(holder).some((k) => k.startsWith('value'));
  return hasOtherValue
    ? { vital, ok: false, reason: 'air or oxygen answer is not recognised' }
    : { vital, ok: true, value: { coded: true } };
}

/** Everything one Observation says about the NEWS2 parameters (none for unrelated Observations). */
function readObservation(obs: Json): Finding[] {
  const loinc = codesOf(obs['code'], LOINC);
  const snomed = codesOf(obs['code'], SNOMED);
  const findings: Finding[] = [];

  const topVitals = NUMERIC_VITALS.filter((v) => hasAny(loinc, VITAL_LOINC[v]));
  if (topVitals.length > 1) {
    for (const v of topVitals) findings.push({ vital: v, ok: false, reason: 'coded as more than one vital sign' });
  } else if (topVitals[0] !== undefined) {
    findings.push(numericFinding(topVitals[0], obs));
  }

  if (topVitals.length === 0) {
    const refused = [...loinc].map((code) => REFUSED_TEMPERATURE_LOINC.get(code)).find((w) => w !== undefined);
    if (refused !== undefined) {
      findings.push({ vital: 'temperature', ok: false, reason: `${refused} is not read: NEWS2 scores a body, oral, tympanic, axillary, rectal or core temperature` });
    }
  }
  if (loinc.has(CONSCIOUSNESS_LOINC) || snomed.has(CONSCIOUSNESS_SNOMED)) findings.push(consciousnessFinding(obs));
  if (loinc.has(GCS_TOTAL_LOINC)) findings.push(gcsFinding(obs));
  if (loinc.has(O2_FLOW_LOINC)) findings.push(oxygenQuantityFinding('o2Flow', obs));
  if (loinc.has(O2_CONCENTRATION_LOINC)) findings.push(oxygenQuantityFinding('o2Concentration', obs));
  const coded = codedOxygenFinding(obs, snomed);
  if (coded !== undefined) findings.push(coded);

  // Components: systolic in the BP panel, inhaled O2 in the SpO2 Observation, and any other vital a
  // device bundles in. A vital the Observation itself already carries is not read twice.
  for (const component of asArray(obs['component'])) {
    if (!isObject(component)) continue;
    const cLoinc = codesOf(component['code'], LOINC);
    const cSnomed = codesOf(component['code'], SNOMED);
    const absent = component['dataAbsentReason'] !== undefined;
    for (const v of NUMERIC_VITALS) {
      if (hasAny(cLoinc, VITAL_LOINC[v]) && !topVitals.includes(v)) findings.push(numericFinding(v, component));
    }
    // An O2 component with no value (typical on room air) says nothing: skipped, not "unusable".
    if (cLoinc.has(O2_FLOW_LOINC) && !absent) findings.push(oxygenQuantityFinding('o2Flow', component));
    if (cLoinc.has(O2_CONCENTRATION_LOINC) && !absent) findings.push(oxygenQuantityFinding('o2Concentration', component));
    const cCoded = codedOxygenFinding(component, cSnomed);
    if (cCoded !== undefined) findings.push(cCoded);
  }

  if (loinc.has(BP_PANEL_LOINC) && !findings.some((f) => f.vital === 'systolicBP')) {
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
    const valueCodes = codesOf(obs['valueCodeableConcept'], SNOMED);
    if (valueCodes.has(SNOMED_ON_OXYGEN)) findings.push({ vital: 'supplementalOxygen', ok: true, value: { coded: true } });
    else if (valueCodes.has(SNOMED_ROOM_AIR)) findings.push({ vital: 'supplementalOxygen', ok: true, value: { coded: false } });
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Time

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const PARTIAL_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
const NO_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

type Timed = { ok: true; at: Date } | { ok: false; reason: string };

/** Date.parse rolls 31 February over into March: check the calendar fields themselves. */
function isRealCalendarTime(value: string): boolean {
  const [year, month, day, hour, minute] = [0, 5, 8, 11, 14].map((i) => Number(value.slice(i, i + (i === 0 ? 4 : 2))));
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59;
}

function parseDateTime(value: string): Timed {
  if (DATE_TIME.test(value) && isRealCalendarTime(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return { ok: true, at: new Date(ms) };
  }
  if (PARTIAL_DATE.test(value)) return { ok: false, reason: 'charted time is a date without a time of day' };
  if (NO_ZONE.test(value)) return { ok: false, reason: 'charted time has no time zone' };
  return { ok: false, reason: 'charted time is not a valid date and time' };
}

/** When the value was true of the patient: effective[x], falling back to `issued`. */
export function observationTime(obs: Json): Timed {
  const period = isObject(obs['effectivePeriod']) ? obs['effectivePeriod'] : undefined;
  const candidates = [obs['effectiveDateTime'], period?.['end'], period?.['start'], obs['effectiveInstant'], obs['issued']];
  const first = candidates.find((c): c is string => typeof c === 'string' && c.length > 0);
  return first === undefined ? { ok: false, reason: 'no time charted' } : parseDateTime(first);
}

// ---------------------------------------------------------------------------------------------
// Choosing

interface Candidate {
  vital: ObservedName;
  value: number | Consciousness | OxygenEvidence;
  unit?: string;
  newOnset?: boolean;
  at: Date;
  issuedMs: number;
  id: string;
  /** Set on unverified candidates: the status that keeps them from being scored. */
  status?: string;
}

function issuedMs(obs: Json): number {
  const ms = typeof obs['issued'] === 'string' ? Date.parse(obs['issued']) : Number.NaN;
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

/** Newest first; ties broken by later `issued`, then smaller id, then smaller value: input order never matters. */
function compareCandidates(a: Candidate, b: Candidate): number {
  return (
    b.at.getTime() - a.at.getTime() ||
    (b.issuedMs > a.issuedMs ? 1 : b.issuedMs < a.issuedMs ? -1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) ||
    (typeof a.value === 'number' && typeof b.value === 'number'
      ? a.value - b.value
      : JSON.stringify(a.value).localeCompare(JSON.stringify(b.value)))
  );
}

function mergeOxygen(a: OxygenEvidence, b: OxygenEvidence): OxygenEvidence {
  const merged: OxygenEvidence = { ...b, ...a };
  if (a.coded !== undefined || b.coded !== undefined) merged.coded = a.coded === true || b.coded === true;
  return merged;
}

function toOxygenStatus(e: OxygenEvidence): OxygenStatus {
  const onOxygen = e.coded === true || (e.flowLpm ?? 0) > 0 || (e.fio2Percent ?? 0) > 21;
  const status: OxygenStatus = { onOxygen };
  if (e.flowLpm !== undefined) status.flowLpm = e.flowLpm;
  if (e.fio2Percent !== undefined) status.fio2Percent = e.fio2Percent;
  return status;
}

/** Oxygen evidence charted at one moment (flow and FiO2 as separate Observations) becomes one reading. */
function mergeSameTimeOxygen(sorted: Candidate[]): Candidate[] {
  const out: Candidate[] = [];
  for (const c of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.at.getTime() === c.at.getTime()) {
      out[out.length - 1] = { ...last, value: mergeOxygen(last.value as OxygenEvidence, c.value as OxygenEvidence) };
    } else {
      out.push(c);
    }
  }
  return out;
}

function toReading(c: Candidate): VitalReading {
  const reading: VitalReading =
    c.vital === 'supplementalOxygen' ? { value: toOxygenStatus(c.value as OxygenEvidence), at: c.at } : { value: c.value, at: c.at };
  if (c.unit !== undefined) reading.unit = c.unit;
  if (c.newOnset === true) reading.newOnset = true;
  if (c.status !== undefined) reading.status = c.status;
  return reading;
}

function versionRank(r: FhirResource): [number, number] {
  const meta = isObject(r['meta']) ? r['meta'] : {};
  const version = typeof meta['versionId'] === 'string' ? Number(meta['versionId']) : Number.NaN;
  const updated = typeof meta['lastUpdated'] === 'string' ? Date.parse(meta['lastUpdated']) : Number.NaN;
  return [Number.isNaN(version) ? -1 : version, Number.isNaN(updated) ? -1 : updated];
}

/** Observations only, each id once (the newer version when two differ). */
function distinctObservations(resources: readonly FhirResource[]): FhirResource[] {
  const byId = new Map<string, FhirResource>();
  const anonymous: FhirResource[] = [];
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
    const [sv, su] = versionRank(seen);
    const [rv, ru] = versionRank(r);
    if (rv > sv || (rv === sv && ru > su)) byId.set(r.id, r);
  }
  return [...byId.values(), ...anonymous];
}

// ---------------------------------------------------------------------------------------------

export function normaliseInputs(sources: NormaliseSources, options: NormaliseOptions): PatientInputs {
  const nowMs = options.now.getTime();
  const staleBefore = nowMs - options.staleAfterHours * 3_600_000;
  const futureAfter = nowMs + CLOCK_SKEW_TOLERANCE_MINUTES * 60_000;

  const candidates = new Map<ObservedName, Candidate[]>(OBSERVED_NAMES.map((v) => [v, []]));
  const unverifiedCandidates = new Map<ObservedName, Candidate[]>(OBSERVED_NAMES.map((v) => [v, []]));
  const unusable: UnusableValue[] = [];

  for (const obs of distinctObservations(sources.observations)) {
    const findings = readObservation(obs);
    if (findings.length === 0) continue;

    const status = typeof obs['status'] === 'string' ? obs['status'] : undefined;
    if (status !== undefined && IGNORED_STATUSES.has(status)) continue;
    const time = observationTime(obs);
    const at = time.ok ? time.at : undefined;
    const refuse = (reason: string): void => {
      const vitals = new Set(findings.map((f) => f.vital));
      for (const vital of vitals) unusable.push(at === undefined ? { vital, reason } : { vital, reason, at });
    };
    const unverified = status === undefined || UNVERIFIED_STATUSES.has(status);

    if (!unverified && !USED_STATUSES.has(status)) refuse(`observation status is ${clip(status, 20)}`);
    else if (!time.ok) refuse(time.reason);
    else if (time.at.getTime() > futureAfter) refuse('charted in the future');
    else {
      const id = typeof obs.id === 'string' ? obs.id : '';
      const into = unverified ? unverifiedCandidates : candidates;
      for (const f of findings) {
        if (!f.ok) {
          unusable.push({ vital: f.vital, reason: f.reason, at: time.at });
          continue;
        }
        into.get(f.vital)?.push({
          vital: f.vital,
          value: f.value,
          ...('unit' in f ? { unit: f.unit } : {}),
          ...('newOnset' in f && f.newOnset ? { newOnset: true } : {}),
          ...(unverified ? { status: status ?? 'missing' } : {}),
          at: time.at,
          issuedMs: issuedMs(obs),
          id,
        });
      }
    }
  }

  const vitals: Record<string, Reading<unknown>> = {};
  const stale: Record<string, Reading<unknown>> = {};
  const previous: Record<string, Reading<unknown>> = {};
  const unverifiedReadings: Record<string, Reading<unknown>> = {};
  const relevantUnusable: UnusableValue[] = [];

  for (const vital of OBSERVED_NAMES) {
    const sorted = sortedOf(candidates.get(vital) ?? [], vital);
    const newest = sorted[0];
    if (newest !== undefined) {
      if (newest.at.getTime() >= staleBefore) {
        vitals[vital] = toReading(newest);
        // The value charted before it, for trends ("up from 18 four hours ago").
        const before = sorted.find((c) => c.at.getTime() < newest.at.getTime());
        if (before !== undefined) previous[vital] = toReading(before);
      } else {
        stale[vital] = toReading(newest);
      }
    }
    const threshold = newest?.at.getTime() ?? staleBefore;
    // An unverified value matters when it is newer than what was used (or than the window, when nothing was).
    const newestUnverified = sortedOf(unverifiedCandidates.get(vital) ?? [], vital)[0];
    if (newestUnverified !== undefined && newestUnverified.at.getTime() > Math.max(threshold, staleBefore - 1)) {
      unverifiedReadings[vital] = toReading(newestUnverified);
    }
    relevantUnusable.push(
      ...unusable
        .filter((u) => u.vital === vital && (u.at === undefined || u.at.getTime() >= threshold))
        .sort((a, b) => (b.at?.getTime() ?? -Infinity) - (a.at?.getTime() ?? -Infinity)),
    );
  }

  const { gcs: freshGcs, ...freshVitals } = vitals;
  const { gcs: staleGcs, ...staleVitals } = stale;
  const { gcs: _unverifiedGcs, ...unverifiedVitals } = unverifiedReadings;
  const { gcs: _previousGcs, ...previousVitals } = previous;
  const other = { fresh: {} as OtherObservations, stale: {} as OtherObservations };
  if (freshGcs !== undefined) other.fresh.gcs = freshGcs as Reading<number>;
  if (staleGcs !== undefined) other.stale.gcs = staleGcs as Reading<number>;

  const times = Object.values(freshVitals).map((r) => r.at.getTime());
  const inputs: PatientInputs = {
    vitals: freshVitals,
    stale: staleVitals,
    unverified: unverifiedVitals,
    previous: previousVitals,
    other,
    unusable: relevantUnusable,
    spo2Scale: spo2ScaleFromGoals(sources.goals),
  };
  const ageYears = ageFromPatient(sources.patient, options.now);
  if (ageYears !== undefined) inputs.ageYears = ageYears;
  if (times.length > 0) {
    inputs.dataAsOf = new Date(Math.min(...times));
    inputs.newestAt = new Date(Math.max(...times));
  }
  return inputs;
}

/** One vital's candidates, newest first (oxygen evidence charted at one moment merged first). */
function sortedOf(list: Candidate[], vital: ObservedName): Candidate[] {
  const sorted = list.sort(compareCandidates);
  return vital === 'supplementalOxygen' ? mergeSameTimeOxygen(sorted) : sorted;
}
