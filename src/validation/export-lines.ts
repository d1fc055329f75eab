// One line of a FHIR Bulk Data export (NDJSON, one resource a line) → what the replay keeps, or why it
// is skipped. Liberal in what it reads (any file may hold any resource type; references as
// `Patient/id`, absolute URLs, `_history` versions or `urn:uuid:`), strict and explicit about what it
// skips: every skipped line has a reason, and the reasons are counted for the report. Whether an
// Observation can be scored is decided by Vigil's own normaliser, run on that Observation alone, so
// "unknown unit" here means exactly what it means on a card. Pure: no I/O.
import { asArray, isJsonObject as isObject, type FhirResource, type Json } from '../fhir/resources.js';
import { normaliseInputs, observationTime } from '../prefetch/normalise.js';
import { news2Severity } from '../fallback-rules/news2.js';

export type ExportLine =
  | { kind: 'blank' }
  | { kind: 'skip'; reason: string; testData?: boolean }
  | { kind: 'patient'; patient: string; resource: FhirResource; testData: boolean }
  | { kind: 'observation'; patient: string; at: number; resource: FhirResource; testData: boolean }
  | { kind: 'goal'; patient: string; resource: FhirResource; testData: boolean };

/** Text from the file echoed in a reason: bounded, and only ever a type or code, never an id or value. */
const clip = (s: string, n = 40): string => (s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * The patient id a reference points at: `Patient/123`, `https://ehr/fhir/Patient/123`,
 * `Patient/123/_history/2` and `urn:uuid:…` (how Synthea-style exports reference within a bundle)
 * all give the bare id; anything else (another resource type, a contained `#ref`) gives undefined.
 */
export function patientKey(reference: string): string | undefined {
  const text = reference.trim();
  const urn = /^urn:(?:uuid|oid):(.+)$/i.exec(text);
  if (urn?.[1] !== undefined) return urn[1];
  const typed = /(?:^|\/)Patient\/([^/]+)(?:\/_history\/[^/]+)?$/.exec(text);
  return typed?.[1];
}

/** A patient as an outcome list may name them: a bare id, or any reference patientKey reads. */
export function outcomePatientKey(text: string): string | undefined {
  const t = text.trim();
  if (t.length === 0) return undefined;
  return t.includes('/') || /^urn:/i.test(t) ? patientKey(t) : t;
}

/** HL7 v3 ActReason HTEST "test health data": how a FHIR resource says it is not a real patient's. */
const TEST_DATA_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const TEST_DATA_CODE = 'HTEST';

const typeName = (resource: Json): string => (typeof resource['resourceType'] === 'string' ? resource['resourceType'] : 'resource');

export function isTestData(resource: Json): boolean {
  const meta = isObject(resource['meta']) ? resource['meta'] : undefined;
  const labels: unknown[] = [...asArray(meta?.['security']), ...asArray(meta?.['tag'])];
  return labels.some((c) => isObject(c) && c['code'] === TEST_DATA_CODE && (c['system'] === undefined || c['system'] === TEST_DATA_SYSTEM));
}

function subjectPatient(resource: Json): { ok: true; patient: string } | { ok: false; reason: string } {
  const subject = resource['subject'];
  if (!isObject(subject) || typeof subject['reference'] !== 'string' || subject['reference'].trim() === '') {
    return { ok: false, reason: `${typeName(resource)} without a subject reference` };
  }
  const patient = patientKey(subject['reference']);
  return patient === undefined ? { ok: false, reason: `${typeName(resource)} whose subject is not a Patient` } : { ok: true, patient };
}

/** What the normaliser reads of an Observation; the rest (narrative, performer, category…) is dropped to save memory. */
function slimObservation(obs: Json): FhirResource {
  const out: Json = {};
  for (const [key, value] of Object.entries(obs)) {
    const kept =
      ['resourceType', 'id', 'status', 'code', 'component', 'issued', 'dataAbsentReason'].includes(key) ||
      key.startsWith('value') ||
      key.startsWith('effective');
    if (kept) out[key] = value;
  }
  if (isObject(obs['meta'])) {
    const { versionId, lastUpdated } = obs['meta'];
    const meta: Record<string, unknown> = {};
    if (versionId !== undefined) meta['versionId'] = versionId;
    if (lastUpdated !== undefined) meta['lastUpdated'] = lastUpdated;
    out['meta'] = meta;
  }
  return out as FhirResource;
}

const NEVER_TRUE_STATUSES = new Set(['entered-in-error', 'cancelled', 'registered']);
/** Far enough back that nothing charted before the moment is stale: the triage asks "readable?", not "fresh?". */
const TRIAGE_STALE_HOURS = 1e9;

/**
 * Whether Vigil's normaliser can score this Observation on its own, asked as of the Observation's own
 * time: kept when it yields a usable reading; otherwise the normaliser's own reason (unit not
 * recognised, no time zone, value absent…), or why it yields nothing at all.
 */
export function triageObservation(obs: FhirResource): { ok: true; at: number } | { ok: false; reason: string } {
  const time = observationTime(obs);
  const now = time.ok ? time.at : new Date(0);
  const inputs = normaliseInputs({ observations: [obs], goals: [] }, { now, staleAfterHours: TRIAGE_STALE_HOURS, severity: news2Severity });
  const usable = Object.keys(inputs.vitals).length > 0 || Object.keys(inputs.other.fresh).length > 0;
  if (usable && time.ok) return { ok: true, at: time.at.getTime() };
  if (Object.keys(inputs.unverified).length > 0) {
    return { ok: false, reason: 'unverified (status preliminary, unknown or none): never scored' };
  }
  const unusable = inputs.unusable[0];
  if (unusable !== undefined) return { ok: false, reason: `not usable: ${unusable.reason}` };
  const status = typeof obs['status'] === 'string' ? obs['status'] : undefined;
  if (status !== undefined && NEVER_TRUE_STATUSES.has(status)) return { ok: false, reason: `status ${status}: never scored` };
  return { ok: false, reason: 'not a vital sign Vigil reads (e.g. a laboratory result or body weight)' };
}

export function readExportLine(line: string): ExportLine {
  if (line.trim() === '') return { kind: 'blank' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { kind: 'skip', reason: 'not JSON' };
  }
  if (!isObject(parsed) || typeof parsed['resourceType'] !== 'string' || parsed['resourceType'] === '') {
    return { kind: 'skip', reason: 'not a FHIR resource (no resourceType)' };
  }
  const resource = parsed as FhirResource;
  const testData = isTestData(resource);
  switch (resource.resourceType) {
    case 'Patient': {
      if (typeof resource.id !== 'string' || resource.id === '') return { kind: 'skip', reason: 'Patient without an id', testData };
      const birthDate = resource['birthDate'];
      const slim: FhirResource = { resourceType: 'Patient', id: resource.id, ...(birthDate !== undefined ? { birthDate } : {}) };
      return { kind: 'patient', patient: resource.id, resource: slim, testData };
    }
    case 'Observation': {
      const subject = subjectPatient(resource);
      if (!subject.ok) return { kind: 'skip', reason: subject.reason, testData };
      const slim = slimObservation(resource);
      const triage = triageObservation(slim);
      if (!triage.ok) return { kind: 'skip', reason: `Observation ${triage.reason}`, testData };
      return { kind: 'observation', patient: subject.patient, at: triage.at, resource: slim, testData };
    }
    case 'Goal': {
      const subject = subjectPatient(resource);
      if (!subject.ok) return { kind: 'skip', reason: subject.reason, testData };
      const { lifecycleStatus, target, startDate } = resource as Json;
      return { kind: 'goal', patient: subject.patient, resource: { resourceType: 'Goal', lifecycleStatus, target, startDate }, testData };
    }
    default:
      return { kind: 'skip', reason: `${clip(resource.resourceType)}: not read (Vigil reads Observation, Patient and Goal)`, testData };
  }
}
