// The codes normalisation recognises (LOINC, SNOMED CT, UCUM system URIs), each with its source: the
// one place to look when a site asks "why was my observation not read?".
import type { Consciousness, NumericVital } from '../domain/vital-signs.js';

export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
export const UCUM = 'http://unitsofmeasure.org';

/**
 * Other spellings of the LOINC and SNOMED CT system URIs seen in the wild: the HL7 OIDs (LOINC
 * 2.16.840.1.113883.6.1, SNOMED CT 2.16.840.1.113883.6.96: FHIR R4 terminologies-systems, "OID"
 * column) and the canonical URI with a trailing slash. Drug codes already accepted both forms
 * (sedation/classify-order.ts); vital signs did not, so an RR 7 coded with LOINC's OID was dropped
 * unseen (fourth clinical safety review, 2026-11-29).
 */
const SYSTEM_ALIASES: ReadonlyMap<string, string> = new Map([
  ['urn:oid:2.16.840.1.113883.6.1', LOINC],
  [`${LOINC}/`, LOINC],
  ['urn:oid:2.16.840.1.113883.6.96', SNOMED],
  [`${SNOMED}/`, SNOMED],
]);

/** The canonical URI of a coding system Vigil reads (LOINC, SNOMED CT), or the system as written. */
export function canonicalSystem(system: unknown): unknown {
  if (system === LOINC || system === SNOMED || typeof system !== 'string') return system;
  return SYSTEM_ALIASES.get(system.trim()) ?? system;
}

/**
 * LOINC codes for each numeric vital, matched against any coding in `Observation.code` (or a
 * component's `code`) whose system is LOINC.
 * Sources: FHIR R4 vital signs profiles (hl7.org/fhir/R4/observation-vitalsigns.html) and the
 * published R4 examples (respiratory-rate, heart-rate, satO2, body-temperature, blood-pressure);
 * US Core Pulse Oximetry profile (59408-5 alongside 2708-6 on the same Observation).
 * Temperature: every site NEWS2 is charted from, each its own LOINC code: 8310-5 body temperature;
 * 8331-1 oral (beside 8310-5 in the R4 example observation-example-f202-temperature); and, from the
 * gematik ISiK / MII ICU body-temperature profiles (sd-mii-icu-koerpertemperatur-*, checked
 * 2026-11-27), 8332-9 rectal, 8333-7 tympanic membrane (with SNOMED 415974002), 8328-7 axillary
 * (SNOMED 415882003) and 8329-5 core (SNOMED 276885007).
 */
export const VITAL_LOINC: Readonly<Record<NumericVital, readonly string[]>> = {
  respiratoryRate: ['9279-1'],
  // 8889-8 "Heart rate by Pulse oximetry": the pulse a saturation probe reports, charted as the
  // heart rate on many wards (LOINC; named by the fourth clinical safety review, 2026-11-29).
  heartRate: ['8867-4', '8889-8'],
  spo2: ['2708-6', '59408-5'],
  temperature: ['8310-5', '8331-1', '8332-9', '8333-7', '8328-7', '8329-5'],
  // Standalone Observation, or a component of the blood pressure panel.
  systolicBP: ['8480-6'],
};

/**
 * Temperatures taken where they do not stand for body temperature: read, then refused with the reason
 * on the card (never silently dropped). Displays as LOINC names them: 39106-0 "Temperature of Skin",
 * 61008-9 "Body surface temperature", 75539-7 "Body temperature - Temporal artery" (surface
 * thermometry under-reads fever).
 */
export const REFUSED_TEMPERATURE_LOINC: ReadonlyMap<string, string> = new Map([
  ['39106-0', 'skin temperature'],
  ['61008-9', 'body surface temperature'],
  ['75539-7', 'temporal artery temperature'],
]);

/**
 * Glasgow Coma Scale total score (3–15), LOINC 9269-2 "Glasgow coma score total", charted in the exam
 * or survey category. Not a NEWS2 parameter; qSOFA's altered mentation is GCS < 15.
 */
export const GCS_TOTAL_LOINC = '9269-2';

/** LOINC 85354-9 blood pressure panel: systolic is its component 8480-6 (R4 blood-pressure example). */
export const BP_PANEL_LOINC = '85354-9';

/**
 * Inhaled oxygen, standalone or as components of the SpO2 Observation (US Core Pulse Oximetry:
 * "Inspired oxygen therapy may be represented with component observations").
 */
export const O2_FLOW_LOINC = '3151-8'; // Inhaled oxygen flow rate, L/min
export const O2_CONCENTRATION_LOINC = '3150-0'; // Inhaled oxygen concentration, %

/**
 * Air or oxygen coded in SNOMED CT, as UK records send it. Source: CareConnect-InspiredOxygen-1 value
 * set (fhir.hl7.org.uk/STU3/ValueSet/CareConnect-InspiredOxygen-1: "722742002 |Breathing room air| OR
 * 371825009 |Patient on oxygen|"), used by NHS Digital's FHIR NEWS2 guidance as a code-only
 * Observation (nhsconnect/FHIR-NEWS2, news2_inspiredoxygen_guidance), and as the
 * valueCodeableConcept of the "Air or Oxygen" Observation in NHS Digital's ITK Digital Medicines
 * guidance (explore_examination_findings).
 */
export const SNOMED_ON_OXYGEN = '371825009';
export const SNOMED_ROOM_AIR = '722742002';
/**
 * Yes / No answers seen with 371825009 used as a question (Carepath TOTeM IG outcome module:
 * "Patient on oxygen | SNOMED 371825009 | SNOMED 373066001 (Yes) 373067005 (No)").
 */
export const SNOMED_YES = '373066001';
export const SNOMED_NO = '373067005';

/** Level of consciousness questions: LOINC 67775-7; SNOMED CT 1104441000000107 ACVPU (UK). */
export const CONSCIOUSNESS_LOINC = '67775-7';
export const CONSCIOUSNESS_SNOMED = '1104441000000107';

/** SNOMED CT 130987000 |Acute confusion|: the one answer that says the confusion is new. */
export const SNOMED_ACUTE_CONFUSION = '130987000';

/**
 * Answers to either question, keyed `system|code`. LOINC answer list for 67775-7 (LA codes);
 * SNOMED CT values from the CareConnect-ACVPU-1 value set used by NHS Digital's FHIR NEWS2 ACVPU
 * guidance (nhsconnect/FHIR-NEWS2, news2_acvpu_guidance).
 */
export const CONSCIOUSNESS_ANSWERS: ReadonlyMap<string, Consciousness> = new Map([
  [`${LOINC}|LA9340-6`, 'alert'],
  [`${LOINC}|LA6560-2`, 'confused'],
  [`${LOINC}|LA17108-4`, 'voice'],
  [`${LOINC}|LA17107-6`, 'pain'],
  [`${LOINC}|LA9343-0`, 'unresponsive'],
  [`${SNOMED}|248234008`, 'alert'],
  [`${SNOMED}|130987000`, 'confused'],
  [`${SNOMED}|300202002`, 'voice'],
  [`${SNOMED}|450847001`, 'pain'],
  [`${SNOMED}|422768004`, 'unresponsive'],
]);

/** SpO2 codes a Goal's `target.measure` may carry to state an SpO2 target (see spo2-target.ts). */
export const SPO2_TARGET_MEASURE_LOINC: readonly string[] = VITAL_LOINC.spo2;
