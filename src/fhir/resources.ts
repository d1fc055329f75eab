// The little of FHIR R4 that crosses Vigil's wire, as zod schemas. Deliberately loose: EHRs send far
// more than we read, and strictness beyond the specification turns real clients away. Types are
// inferred from these schemas, never written twice.
import { z } from 'zod';

/** FHIR `id` datatype: [A-Za-z0-9\-\.]{1,64}. */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
export const fhirId = z.string().regex(FHIR_ID, 'must be a FHIR id ([A-Za-z0-9-.], 1 to 64 characters)');

/** A relative reference `Type/id`. */
export const RELATIVE_REFERENCE = /^([A-Z][A-Za-z]{1,63})\/([A-Za-z0-9\-.]{1,64})$/;
export const relativeReference = z.string().regex(RELATIVE_REFERENCE, 'must be a reference of the form Type/id');

export const coding = z.looseObject({
  system: z.string().optional(),
  code: z.string().optional(),
  display: z.string().optional(),
});
export type Coding = z.infer<typeof coding>;

export const codeableConcept = z.looseObject({
  coding: z.array(coding).optional(),
  text: z.string().optional(),
});
export type CodeableConcept = z.infer<typeof codeableConcept>;

/** Any resource: only `resourceType` is read at this level. */
export const resource = z.looseObject({
  resourceType: z.string().min(1),
  id: z.string().optional(),
});
export type FhirResource = z.infer<typeof resource> & Record<string, unknown>;

export const bundle = z.looseObject({
  resourceType: z.literal('Bundle'),
  type: z.string().optional(),
  entry: z.array(z.looseObject({ resource: resource.optional(), fullUrl: z.string().optional() })).optional(),
  link: z.array(z.looseObject({ relation: z.string(), url: z.string() })).optional(),
});
export type Bundle = z.infer<typeof bundle>;

// Reading loose JSON: what EHRs send is only loosely validated, so readers check each field's shape
// as they go, with these, and ignore what does not fit.

export type Json = Record<string, unknown>;

/** A JSON object (not an array, not null). */
export const isJsonObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A JSON array, or an empty one for anything else. */
export const asArray = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

export function isOperationOutcome(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { resourceType?: unknown }).resourceType === 'OperationOutcome';
}

export function isBundle(value: unknown): value is Bundle {
  return typeof value === 'object' && value !== null && (value as { resourceType?: unknown }).resourceType === 'Bundle';
}

/** Any resource: an object with a string resourceType. */
export function isResource(value: unknown): value is FhirResource {
  return isJsonObject(value) && typeof value['resourceType'] === 'string';
}

/** True for an OperationOutcome with an error or fatal issue (a search that failed, in part or whole). */
function isErrorOutcome(resource: FhirResource): boolean {
  const issues = resource['issue'];
  return Array.isArray(issues) && issues.some((i) => isJsonObject(i) && (i['severity'] === 'error' || i['severity'] === 'fatal'));
}

/**
 * The resources of one value or of several Bundle pages, OperationOutcomes left out, and whether one of
 * those outcomes reported an error (the results may then be incomplete). Warnings beside results
 * (search.mode "outcome") are ordinary and say nothing is missing.
 */
export function searchResults(value: unknown): { resources: FhirResource[]; errorOutcome: boolean; morePages: boolean } {
  const pages = Array.isArray(value) ? value : [value];
  const resources: FhirResource[] = [];
  let errorOutcome = false;
  // The last page sent still links to a next one: the search had more results than were sent.
  const last: unknown = pages[pages.length - 1];
  const morePages =
    isBundle(last) && Array.isArray(last.link) && last.link.some((l: unknown) => isJsonObject(l) && l['relation'] === 'next');
  for (const page of pages) {
    if (isBundle(page)) {
      // Prefetch is only loosely validated (EHRs send much we do not read): check shapes as we go.
      const entries: unknown[] = Array.isArray(page.entry) ? page.entry : [];
      for (const entry of entries) {
        const r = typeof entry === 'object' && entry !== null ? (entry as { resource?: unknown }).resource : undefined;
        if (!isResource(r)) continue;
        if (!isOperationOutcome(r)) resources.push(r);
        else if (!errorOutcome && isErrorOutcome(r)) errorOutcome = true;
      }
    } else if (isResource(page) && !isOperationOutcome(page)) {
      resources.push(page);
    }
  }
  return { resources, errorOutcome, morePages };
}
