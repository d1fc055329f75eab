// Whose data is it? Every resource Vigil scores must belong to the patient in context. The EHR's
// prefetch and Vigil's own searches both ask by patient, so a resource about someone else means a
// wrong prefetch template, a merged record or a server fault. Scoring it would be worse than not
// scoring at all: another patient's calm, newer respiratory rate would hide this patient's alarming
// one (clinical safety review, 2026-11-29). So it is set aside, and the card says that some was.
//
// What counts as "this patient": a reference `Patient/<id>`, relative or absolute, with or without a
// `/_history/<version>` tail, whose id is `context.patientId` (FHIR R4 §2.3.0 References). A resource
// with no subject at all is kept: it came from a search by patient, and FHIR's vital-signs profile
// makes `subject` required, so its absence is a sender's omission, not a sign of another patient. A
// subject that names no Patient by id (a logical `identifier`, a `urn:uuid:` of a bundle, a Group)
// cannot be checked and is set aside with the rest: unverified data is never scored as if it were.
import { isJsonObject as isObject, type FhirResource } from '../fhir/resources.js';

/** `.../Patient/<id>` or `Patient/<id>`, optionally `/_history/<version>`: the id. */
const PATIENT_REFERENCE = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** The element naming whose a resource is, per resource type Vigil reads. */
const SUBJECT_ELEMENT: Readonly<Record<string, string>> = { Observation: 'subject', Goal: 'subject', MedicationRequest: 'subject' };

/** True when the resource is about `patientId`, or says nothing about whom it is about. */
export function isAboutPatient(resource: FhirResource, patientId: string): boolean {
  if (resource.resourceType === 'Patient') return resource.id === undefined || resource.id === patientId;
  const element = SUBJECT_ELEMENT[resource.resourceType];
  if (element === undefined) return true;
  const subject = resource[element];
  if (subject === undefined) return true;
  if (!isObject(subject) || typeof subject['reference'] !== 'string') return false;
  const reference = subject['reference'];
  // The usual form, compared without a regular expression: this runs for every Observation of every call.
  if (reference.length === patientId.length + 8 && reference.startsWith('Patient/') && reference.endsWith(patientId)) return true;
  return PATIENT_REFERENCE.exec(reference)?.[1] === patientId;
}

/**
 * Resources about the patient, and how many were set aside as about someone else (or no one
 * checkable). When none is (every call but a faulty one), `resources` itself: no copy per call.
 */
export function aboutPatient(resources: FhirResource[], patientId: string): { kept: FhirResource[]; setAside: number } {
  if (resources.every((r) => isAboutPatient(r, patientId))) return { kept: resources, setAside: 0 };
  const kept = resources.filter((r) => isAboutPatient(r, patientId));
  return { kept, setAside: resources.length - kept.length };
}

/** The card's words for resources set aside: no ids, no values, only how many. */
export function setAsideWords(count: number): string {
  return `${count} ${count === 1 ? 'resource was' : 'resources were'} about another patient (or named no patient that could be checked) and ${count === 1 ? 'was' : 'were'} not used: check the EHR's prefetch configuration`;
}
