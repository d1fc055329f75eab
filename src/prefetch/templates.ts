// Prefetch templates shared by both services: what NEWS2 (and the model) need about a patient.
// Keys are part of the interface (EHR configurations name them): never rename one.
import {
  CONSCIOUSNESS_LOINC,
  CONSCIOUSNESS_SNOMED,
  GCS_TOTAL_LOINC,
  LOINC,
  O2_CONCENTRATION_LOINC,
  O2_FLOW_LOINC,
  SNOMED,
  SNOMED_ON_OXYGEN,
  SNOMED_ROOM_AIR,
} from '../fhir/codes.js';
import { withFields } from '../lang/with-fields.js';

/** A FHIR token search's list of codes: `system|code`, comma-separated (FHIR R4 search, token). */
const anyOf = (...codes: [system: string, code: string][]): string => codes.map(([system, code]) => `${system}|${code}`).join(',');

/** The codes the two observation searches ask for, from the codes normalisation reads (fhir/codes.ts). */
const CODES = {
  consciousness: anyOf([LOINC, CONSCIOUSNESS_LOINC], [SNOMED, CONSCIOUSNESS_SNOMED], [LOINC, GCS_TOTAL_LOINC]),
  // NHS sites chart "Breathing room air" / "Patient on oxygen" as code-only SNOMED CT Observations, often
  // with no category: without them here, such a site read "air or oxygen not charted" on every card
  // (fifth review, 2026-11-29).
  oxygen: anyOf([LOINC, O2_FLOW_LOINC], [LOINC, O2_CONCENTRATION_LOINC], [SNOMED, SNOMED_ON_OXYGEN], [SNOMED, SNOMED_ROOM_AIR]),
};

/**
 * Recent vital signs, newest first. 250 covers 48 h of hourly charting of the seven NEWS2 parameters
 * (a BP panel counts once) with room to spare; older pages are not needed for a score "as of now".
 */
export const VITALS_TEMPLATE = 'Observation?patient={{context.patientId}}&category=vital-signs&_sort=-date&_count=250';

export const PATIENT_RISK_PREFETCH = {
  patient: 'Patient/{{context.patientId}}',
  vitals: VITALS_TEMPLATE,
  // Level of consciousness (ACVPU, and the GCS total for qSOFA) is charted as an exam/survey
  // observation, outside the vital-signs category.
  consciousness: `Observation?patient={{context.patientId}}&code=${CODES.consciousness}&_sort=-date&_count=10`,
  // Inhaled O2 flow and concentration, and air or oxygen coded by SNOMED CT, when charted as their own observations.
  oxygen: `Observation?patient={{context.patientId}}&code=${CODES.oxygen}&_sort=-date&_count=10`,
  // An active SpO2 goal of 88–92 % selects NEWS2 SpO2 scale 2 (see spo2-target.ts).
  spo2Target: 'Goal?patient={{context.patientId}}&lifecycle-status=active,accepted',
} as const;

export type PatientRiskPrefetchKey = keyof typeof PATIENT_RISK_PREFETCH;

/**
 * sedation-safety also reads the patient's active medication orders: a sedative already prescribed
 * adds to the one being ordered (opioids with benzodiazepines or gabapentinoids depress breathing
 * together: FDA drug safety communications, 2016 and 2019).
 */
export const SEDATION_PREFETCH = withFields(PATIENT_RISK_PREFETCH, {
  // On hold and unknown as well as active: each may still be given (sedation-safety.ts MAY_BE_GIVEN).
  // With the Medications the orders reference (FHIR R4 search `_include`): an order naming its drug only
  // as `Medication/<id>` cannot be classified without it (fourth review, 2026-11-29).
  activeMedications: 'MedicationRequest?patient={{context.patientId}}&status=active,on-hold,unknown&_include=MedicationRequest:medication',
} as const);

export type PrefetchKey = keyof typeof SEDATION_PREFETCH;

/** Each key's data in clinicians' words, for the "could not obtain" block of a card. */
export const PREFETCH_KEY_WORDS: Readonly<Record<PrefetchKey, string>> = {
  patient: 'Patient record (age)',
  vitals: 'Vital signs',
  consciousness: 'Level of consciousness',
  oxygen: 'Oxygen therapy',
  spo2Target: 'SpO2 target (scale 2)',
  activeMedications: 'Active medication orders',
};

/**
 * What the prefetch templates read, in discovery's `usageRequirements`: the access an EHR must grant
 * (integration review, 2026-11-29: "vital-sign Observations and Goals" understated it, and scopes
 * granted from it lose the level of consciousness, oxygen and the patient's age without a word).
 */
export const PATIENT_READ_ACCESS =
  'Needs read access, for the patient in context, to the Patient (age), Observations (vital signs; level of consciousness and GCS; inhaled oxygen) and Goals (SpO2 target).';

/** Without vital signs there is nothing to score: the one key whose absence is a 412. */
export const REQUIRED_PREFETCH: readonly PatientRiskPrefetchKey[] = ['vitals'];
