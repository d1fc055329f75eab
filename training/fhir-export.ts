// The synthetic cohort as a FHIR R4 Bulk Data export: SYNTHETIC DATA, for `npm run validate` to run
// out of the box and for its tests, never for clinical claims. Each charted set becomes the
// Observations a ward feed sends (FHIR R4 vital-signs profiles: LOINC codes, UCUM units, the blood
// pressure panel with systolic and diastolic components, SpO2 coded 59408-5 with 2708-6 as US Core
// does), timed in UK local time with its offset (GMT or BST), subject `Patient/<id>`; each patient a
// Patient with a birth date; each outcome event a row of the outcome list. Every resource is marked
// as test data (security label HTEST), so the validation report labels its numbers synthetic.
// Same options, same export.
import { CONSCIOUSNESS_LEVELS, type Consciousness } from '../src/domain/vital-signs.js';
import { createRandom, type Random } from '../src/validation/random.js';
import { generateCohort, type ChartedSet, type Encounter } from './cohort.js';

export interface ExportOptions {
  seed: number;
  patients: number;
}

export interface SyntheticExport {
  patients: object[];
  observations: object[];
  /** Outcome list rows: patient id, event time (local, with offset), event. */
  outcomes: { patient: string; time: string; event: string }[];
  encounters: number;
}

const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const UCUM = 'http://unitsofmeasure.org';
const TEST_DATA = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HTEST', display: 'test health data' };
const VITAL_SIGNS = [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }] },
];

/** First admission falls in 2025 (any constant would do: dates only order the readings). */
const FIRST_DAY_MS = Date.UTC(2025, 0, 6);
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** The feed files each set a couple of minutes after it was taken (a constant: it compresses). */
const ISSUED_AFTER_MS = 2 * 60_000;

/** Composite outcome parts, with the share of events given each name (names only; the cohort has one hazard). */
const EVENTS: readonly [string, number][] = [
  ['unplanned-icu-transfer', 0.65],
  ['death', 0.25],
  ['cardiac-arrest', 0.1],
];

/** LA answers of LOINC 67775-7 (level of consciousness), the codes normalise.ts reads. */
const ACVPU_ANSWERS: Readonly<Record<Consciousness, { code: string; display: string }>> = {
  alert: { code: 'LA9340-6', display: 'Alert' },
  confused: { code: 'LA6560-2', display: 'Confused' },
  voice: { code: 'LA17108-4', display: 'Voice' },
  pain: { code: 'LA17107-6', display: 'Pain' },
  unresponsive: { code: 'LA9343-0', display: 'Unresponsive' },
};

/** Last Sunday of a month, 01:00 UTC: when UK clocks change (Summer Time Order 2002). */
function lastSundayOneAm(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/** An instant as UK local time with its offset, as a ward feed writes effectiveDateTime. */
export function ukLocalTime(ms: number): string {
  const year = new Date(ms).getUTCFullYear();
  const summer = ms >= lastSundayOneAm(year, 2) && ms < lastSundayOneAm(year, 9);
  const offset = summer ? HOUR_MS : 0;
  return `${new Date(ms + offset).toISOString().slice(0, 19)}${summer ? '+01:00' : '+00:00'}`;
}

function uuid(random: Random): string {
  const hex = Array.from({ length: 32 }, () => random.int(16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[random.int(4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const quantity = (value: number, unit: string, code: string) => ({ value, unit, system: UCUM, code });
const concept = (system: string, code: string, display: string) => ({ coding: [{ system, code, display }], text: display });

function drawEvent(random: Random): string {
  let u = random.next();
  for (const [name, share] of EVENTS) {
    u -= share;
    if (u < 0) return name;
  }
  return EVENTS[0]?.[0] ?? 'event';
}

export function buildSyntheticExport(options: ExportOptions): SyntheticExport {
  const encounters = generateCohort(options);
  // A second stream for everything the cohort does not decide (ids, dates, units of charting), so the
  // cohort is exactly training's generator at this seed.
  const random = createRandom(options.seed ^ 0xf41e);
  const patients: object[] = [];
  const observations: object[] = [];
  const outcomes: SyntheticExport['outcomes'] = [];
  let nextObservation = 1;

  const byPatient = new Map<number, Encounter[]>();
  for (const e of encounters) byPatient.set(e.patientId, [...(byPatient.get(e.patientId) ?? []), e]);

  for (const [, list] of [...byPatient.entries()].sort((a, b) => a[0] - b[0])) {
    const first = list[0];
    if (first === undefined) continue;
    const id = uuid(random);
    const subject = { reference: `Patient/${id}` };
    let admission = FIRST_DAY_MS + random.int(330) * DAY_MS + random.int(24) * HOUR_MS;
    // Born age years before the first admission, on a day drawn within that year.
    const born = new Date(admission - first.ageYears * 365.25 * DAY_MS - random.int(365) * DAY_MS);
    patients.push({
      resourceType: 'Patient',
      id,
      meta: { security: [TEST_DATA] },
      gender: random.bernoulli(0.5) ? 'female' : 'male',
      birthDate: born.toISOString().slice(0, 10),
    });

    const observation = (at: number, code: object, value: object): void => {
      observations.push({
        resourceType: 'Observation',
        id: `obs-${nextObservation++}`,
        meta: { security: [TEST_DATA] },
        status: 'final',
        category: VITAL_SIGNS,
        code,
        subject,
        effectiveDateTime: ukLocalTime(at),
        issued: new Date(at + ISSUED_AFTER_MS).toISOString(),
        ...value,
      });
    };

    for (const encounter of list) {
      const hourMs = (h: number) => admission + Math.round(h * 3600) * 1000;
      encounter.sets.forEach((set, k) => {
        const at = hourMs(set.hour);
        if (k === 0) {
          observation(at, concept(LOINC, '29463-7', 'Body weight'), {
            valueQuantity: quantity(Math.round(random.normal(76, 15) * 10) / 10, 'kg', 'kg'),
          });
        }
        chartSet(set, at, observation, random);
      });
      if (encounter.eventHour !== undefined) {
        outcomes.push({ patient: id, time: ukLocalTime(hourMs(encounter.eventHour)), event: drawEvent(random) });
      }
      const end = encounter.eventHour ?? encounter.lengthOfStayHours;
      admission = hourMs(end) + (7 + random.int(90)) * DAY_MS;
    }
  }
  return { patients, observations, outcomes, encounters: encounters.length };
}

type Emit = (at: number, code: object, value: object) => void;

/** One charted set as the Observations a feed sends: one per vital, the BP panel with its components. */
function chartSet(set: ChartedSet, at: number, emit: Emit, random: Random): void {
  if (set.respiratoryRate !== undefined) {
    emit(at, concept(LOINC, '9279-1', 'Respiratory rate'), { valueQuantity: quantity(set.respiratoryRate, 'breaths/minute', '/min') });
  }
  if (set.spo2 !== undefined) {
    const code = {
      coding: [
        { system: LOINC, code: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry' },
        { system: LOINC, code: '2708-6', display: 'Oxygen saturation in Arterial blood' },
      ],
      text: 'SpO2',
    };
    emit(at, code, { valueQuantity: quantity(set.spo2, '%', '%') });
  }
  if (set.onOxygen !== undefined) {
    if (set.onOxygen) {
      const flow = [1, 2, 2, 3, 4, 6][random.int(6)] ?? 2;
      emit(at, concept(LOINC, '3151-8', 'Inhaled oxygen flow rate'), { valueQuantity: quantity(flow, 'L/min', 'L/min') });
    } else {
      emit(at, concept(SNOMED, '722742002', 'Breathing room air'), {});
    }
  }
  if (set.systolicBP !== undefined) {
    const diastolic = Math.round(set.systolicBP * 0.55 + random.normal(8, 6));
    emit(at, concept(LOINC, '85354-9', 'Blood pressure panel with all children optional'), {
      component: [
        { code: concept(LOINC, '8480-6', 'Systolic blood pressure'), valueQuantity: quantity(set.systolicBP, 'mmHg', 'mm[Hg]') },
        { code: concept(LOINC, '8462-4', 'Diastolic blood pressure'), valueQuantity: quantity(diastolic, 'mmHg', 'mm[Hg]') },
      ],
    });
  }
  if (set.heartRate !== undefined) {
    emit(at, concept(LOINC, '8867-4', 'Heart rate'), { valueQuantity: quantity(set.heartRate, 'beats/minute', '/min') });
  }
  if (set.consciousness !== undefined && CONSCIOUSNESS_LEVELS.includes(set.consciousness)) {
    const answer = ACVPU_ANSWERS[set.consciousness];
    emit(at, concept(LOINC, '67775-7', 'Level of responsiveness'), { valueCodeableConcept: concept(LOINC, answer.code, answer.display) });
  }
  if (set.temperature !== undefined) {
    emit(at, concept(LOINC, '8310-5', 'Body temperature'), { valueQuantity: quantity(set.temperature, '°C', 'Cel') });
  }
}

/** The outcome list as CSV (header patient,time,event). */
export function outcomesCsv(rows: SyntheticExport['outcomes']): string {
  return `patient,time,event\n${rows.map((r) => `${r.patient},${r.time},${r.event}`).join('\n')}\n`;
}

export const toNdjson = (resources: readonly object[]): string => resources.map((r) => JSON.stringify(r)).join('\n') + '\n';
