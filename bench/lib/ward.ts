// SYNTHETIC ward patients for the benchmarks: N patients, each with 48 hours of NEWS2 vital signs
// charted every four hours (12 sets, as FHIR R4 vital-signs Observations like the fixtures'; or hourly,
// 48 sets, ~193 KiB per call, as a closely watched patient's chart would be), a Patient
// and a level of consciousness; a third of them deteriorate over the two days, so the cards differ
// (no card, info, warning, critical) as on a real ward. About 49 KiB per patient-view request.
// Seeded: the same patients every run. Times are relative to `now`, so a server reading the real clock
// finds the newest set minutes old. Not clinical data; numbers measured on it are labelled synthetic.
import { randomUUID } from 'node:crypto';
import { createRandom, type Random } from '../../src/validation/random.js';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const CATEGORY = (code: string, display: string) => [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code, display }] },
];
const HOUR_MS = 3_600_000;

type Json = Record<string, unknown>;

export interface WardPatient {
  id: string;
  patient: Json;
  /** Vital-signs Observations, newest first. */
  vitals: Json[];
  /** Level-of-consciousness Observations (category exam), newest first. */
  consciousness: Json[];
}

interface VitalSet {
  rr: number;
  spo2: number;
  o2: number;
  sbp: number;
  hr: number;
  temp: number;
  acvpu: [string, string];
}

const ALERT: [string, string] = ['LA9340-6', 'Alert'];
const CONFUSED: [string, string] = ['LA6560-2', 'Confused'];

const round1 = (x: number) => Math.round(x * 10) / 10;

/** One patient's sets, oldest first: steady, or sliding towards deterioration over the 48 h. */
function sets(random: Random, sliding: boolean, count: number): VitalSet[] {
  const out: VitalSet[] = [];
  for (let k = 0; k < count; k++) {
    const drift = sliding ? k / (count - 1) : 0;
    out.push({
      rr: Math.round(random.normal(16 + 8 * drift, 1.5)),
      spo2: Math.min(100, Math.round(random.normal(97 - 5 * drift, 1))),
      o2: sliding && drift > 0.6 ? 2 : 0,
      sbp: Math.round(random.normal(128 - 25 * drift, 8)),
      hr: Math.round(random.normal(76 + 30 * drift, 6)),
      temp: round1(random.normal(36.9 + 1.4 * drift, 0.3)),
      acvpu: sliding && k === count - 1 && random.bernoulli(0.3) ? CONFUSED : ALERT,
    });
  }
  return out;
}

/** How often the ward charts vital signs over its 48 hours: every 4 hours (12 sets) or every hour (48). */
export type Charting = 'four-hourly' | 'hourly';

/** The ward, seeded; `now` places the newest set 10 to 50 minutes ago. */
export function ward(count: number, now: Date, seed = 20261127, charting: Charting = 'four-hourly'): WardPatient[] {
  const everyHours = charting === 'hourly' ? 1 : 4;
  const random = createRandom(seed);
  const patients: WardPatient[] = [];
  let obsSeq = 0;
  for (let p = 0; p < count; p++) {
    const id = `syn-bench-${String(p + 1).padStart(4, '0')}`;
    const subject = { reference: `Patient/${id}` };
    const newestAt = now.getTime() - (10 + random.int(40)) * 60_000;
    const observation = (at: number, category: unknown, codes: [string, string][], body: Json): Json => ({
      resourceType: 'Observation',
      id: `obs-b${++obsSeq}`,
      status: 'final',
      category,
      code: { coding: codes.map(([code, display]) => ({ system: LOINC, code, display })) },
      subject,
      effectiveDateTime: new Date(at).toISOString().replace('.000Z', 'Z'),
      ...body,
    });
    const q = (value: number, unit: string, code: string) => ({ value, unit, system: UCUM, code });
    const vitals: Json[] = [];
    const consciousness: Json[] = [];
    const charted = sets(random, random.bernoulli(1 / 3), 48 / everyHours);
    for (let k = charted.length - 1; k >= 0; k--) {
      const s = charted[k]!;
      const at = newestAt - (charted.length - 1 - k) * everyHours * HOUR_MS;
      const vs = CATEGORY('vital-signs', 'Vital Signs');
      vitals.push(observation(at, vs, [['9279-1', 'Respiratory rate']], { valueQuantity: q(s.rr, 'breaths/minute', '/min') }));
      vitals.push(
        observation(
          at,
          vs,
          [
            ['2708-6', 'Oxygen saturation in Arterial blood'],
            ['59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry'],
          ],
          {
            valueQuantity: q(s.spo2, '%', '%'),
            component: [
              {
                code: { coding: [{ system: LOINC, code: '3151-8', display: 'Inhaled oxygen flow rate' }] },
                valueQuantity: q(s.o2, 'L/min', 'L/min'),
              },
            ],
          },
        ),
      );
      vitals.push(
        observation(at, vs, [['85354-9', 'Blood pressure panel with all children optional']], {
          component: [
            {
              code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }] },
              valueQuantity: q(s.sbp, 'mmHg', 'mm[Hg]'),
            },
            {
              code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' }] },
              valueQuantity: q(Math.round(s.sbp * 0.6), 'mmHg', 'mm[Hg]'),
            },
          ],
        }),
      );
      vitals.push(observation(at, vs, [['8867-4', 'Heart rate']], { valueQuantity: q(s.hr, 'beats/minute', '/min') }));
      vitals.push(observation(at, vs, [['8310-5', 'Body temperature']], { valueQuantity: q(s.temp, 'Cel', 'Cel') }));
      consciousness.push(
        observation(at, CATEGORY('exam', 'Exam'), [['67775-7', 'Level of responsiveness']], {
          valueCodeableConcept: { coding: [{ system: LOINC, code: s.acvpu[0], display: s.acvpu[1] }], text: s.acvpu[1] },
        }),
      );
    }
    const born = 1930 + random.int(70);
    const patient = {
      resourceType: 'Patient',
      id,
      gender: random.bernoulli(0.5) ? 'female' : 'male',
      birthDate: `${born}-0${1 + random.int(9)}-1${random.int(10)}`,
    };
    patients.push({ id, patient, vitals, consciousness });
  }
  return patients;
}

const searchset = (resources: Json[]) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  total: resources.length,
  entry: resources.map((resource) => ({ fullUrl: `http://ehr.example/fhir/Observation/${String(resource.id)}`, resource })),
});

/** The patient's data as an EHR sends it in prefetch: what the ward has, null for what it has not. */
function sentPrefetch(p: WardPatient): Json {
  return { patient: p.patient, vitals: searchset(p.vitals), consciousness: searchset(p.consciousness), oxygen: null, spo2Target: null };
}

/** A patient-view call with every prefetch key sent (~49 KiB). */
export function patientViewCall(p: WardPatient): Json {
  return {
    hook: 'patient-view',
    hookInstance: randomUUID(),
    context: { userId: 'Practitioner/bench-clinician', patientId: p.id },
    prefetch: sentPrefetch(p),
  };
}

/** A patient-view call with no prefetch: Vigil must fetch everything from `fhirServer`. */
export function patientViewFetchCall(p: WardPatient, fhirServer: string): Json {
  return {
    hook: 'patient-view',
    hookInstance: randomUUID(),
    fhirServer,
    fhirAuthorization: { access_token: 'bench-token', token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'bench' },
    context: { userId: 'Practitioner/bench-clinician', patientId: p.id },
  };
}

/** An order-select call choosing oral morphine (an opioid), every prefetch key sent. */
export function orderSelectCall(p: WardPatient): Json {
  const order = {
    resourceType: 'MedicationRequest',
    id: 'mr-bench-1',
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${p.id}` },
    medicationCodeableConcept: {
      text: 'Morphine Sulfate 15 MG Oral Tablet',
      coding: [{ system: RXNORM, code: '892494', display: 'Morphine Sulfate 15 MG Oral Tablet' }],
    },
    dosageInstruction: [{ text: '1 tablet every 4 hours as needed', timing: { repeat: { frequency: 1, period: 4, periodUnit: 'h' } } }],
  };
  return {
    hook: 'order-select',
    hookInstance: randomUUID(),
    context: {
      userId: 'Practitioner/bench-clinician',
      patientId: p.id,
      selections: ['MedicationRequest/mr-bench-1'],
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: order }] },
    },
    prefetch: { ...sentPrefetch(p), activeMedications: null },
  };
}

/** Every resource of the ward, for a FHIR test server to serve. */
export function wardResources(patients: readonly WardPatient[]): Json[] {
  return patients.flatMap((p) => [p.patient, ...p.vitals, ...p.consciousness]);
}

/**
 * A call's JSON with its hookInstance replaceable in place: `bodies[i]` is sent with a fresh UUID each
 * time (the same length), so no two calls share a hookInstance and nothing is serialised per call.
 */
export interface BodyTemplate {
  text: string;
  /** Offset of the 36-character hookInstance in `text`. */
  at: number;
}

export function template(call: Json): BodyTemplate {
  const text = JSON.stringify(call);
  const instance = call.hookInstance as string;
  return { text, at: text.indexOf(instance) };
}

/** The call's bytes with a fresh hookInstance. */
export function withFreshInstance(t: BodyTemplate): string {
  return t.text.slice(0, t.at) + randomUUID() + t.text.slice(t.at + 36);
}
