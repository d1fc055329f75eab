// Draft orders as the tests of the sedative classifier build them: shaped like the CDS Hooks sandbox's
// MedicationRequest (status draft, no intent), with the medication given by code, by text or both.
import type { FhirResource } from '../../src/fhir/resources.js';
import type { SedativeClass, SedativeMatch } from '../../src/sedation/classify-order.js';

export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const SNOMED = 'http://snomed.info/sct';

export function draft(extra: Record<string, unknown>): FhirResource {
  return { resourceType: 'MedicationRequest', id: 'draft-1', status: 'draft', subject: { reference: 'Patient/example' }, ...extra };
}

/** The sandbox's own shape: the same name in text and in the RxNorm coding's display. */
export const sandboxOrder = (code: string, name: string): FhirResource =>
  draft({ medicationCodeableConcept: { text: name, coding: [{ display: name, system: RXNORM, code }] } });
export const codeOnly = (code: string, system = RXNORM): FhirResource =>
  draft({ medicationCodeableConcept: { coding: [{ system, code }] } });
export const textOnly = (text: string): FhirResource => draft({ medicationCodeableConcept: { text } });

export const match = (drugClass: SedativeClass, ingredient: string, matchedBy: SedativeMatch['matchedBy']): SedativeMatch => ({
  drugClass,
  ingredient,
  matchedBy,
});
