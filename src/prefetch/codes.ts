// The codes normalisation recognises (LOINC, SNOMED CT, UCUM system URIs), each with its source: the
// one place to look when a site asks "why was my observation not read?".
import type { Consciousness, NumericVital } from './vital-signs.js';

export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
export const UCUM = 'http://unitsofmeasure.org';

/**
 * LOINC codes for each numeric vital, matched against any coding in `Observation.code` (or a
 * component's `code`) whose system is LOINC.
 * Sources: FHIR R4 vital signs profiles (hl7.org/fhir/R4/observation-vitalsigns.html) and the
 * published R4 examples (respiratory-rate, heart-rate, satO2, body-temperature, blood-pressure);
 * US Core Pulse Oximetry profile (59408-5 alongside 2708-6 on the same Observation).
 * Temperature: 8331-1 "Oral temperature" appears beside 8310-5 in the R4 example
 * observation-example-f202-temperature; 8332-9 "Rectal temperature" is the specific LOINC code of the
 * gematik ISiK ICU profile sd-mii-icu-koerpertemperatur-rektal (with SNOMED 307047009, ISO/IEEE 11073
 * 188420 MDC_TEMP_RECT). Other site-specific temperature codes (axillary, tympanic) are not read:
 * their codes could not be confirmed against a second source.
 */
export const VITAL_LOINC: Readonly<Record<NumericVital, readonly string[]>> = {
  respiratoryRate: ['9279-1'],
  heartRate: ['8867-4'],
  spo2: ['2708-6', '59408-5'],
  temperature: ['8310-5', '8331-1', '8332-9'],
  // Standalone Observation, or a component of the blood pressure panel.
  systolicBP: ['8480-6'],
};

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

/**
 * Answers to either question, keyed `system|code`. LOINC answer list for 67775-7 (LA codes);
 * SNOMED CT values from the CareConnect-ACVPU-1 value set used by NHS Digital's FHIR NEWS2 ACVPU
 * guidance (nhsconnect/FHIR-NEWS2, news2_acvpu_guidance). Sources as listed in
 * shared/reference/early-warning.md.
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
