// Reads one prefetch key the way the CDS Hooks specification distinguishes them: an absent key (the
// client did not fetch it), `null` (no data exists), an OperationOutcome (the client's fetch failed),
// or data: a single resource, a Bundle, or several Bundle pages.
import { isBundle, isJsonObject, isOperationOutcome, resourcesOf, type FhirResource } from '../fhir/resources.js';

export type PrefetchValue =
  | { kind: 'absent' }
  | { kind: 'null' }
  | { kind: 'outcome' }
  /** `searchError`: a page carried an OperationOutcome entry with an error, so the data may be incomplete. */
  | { kind: 'data'; resources: FhirResource[]; searchError?: true };

/** What a card says of a key whose search reported an error beside its results. */
export const SEARCH_ERROR_WORDS = "the EHR's search reported an error, so what it sent may be incomplete";

function isErrorOutcome(resource: unknown): boolean {
  if (!isOperationOutcome(resource)) return false;
  const issues = (resource as { issue?: unknown }).issue;
  return Array.isArray(issues) && issues.some((i) => isJsonObject(i) && (i['severity'] === 'error' || i['severity'] === 'fatal'));
}

/**
 * True when a searchset page carries an OperationOutcome entry with an error or fatal issue. Warnings
 * (search.mode "outcome", severity warning or information) are ordinary and say nothing is missing.
 * Found by the second clinical safety review (2026-11-29): active medication orders answered with only
 * an error OperationOutcome inside the Bundle were read as "no other sedatives".
 */
function hasSearchError(value: unknown): boolean {
  for (const page of Array.isArray(value) ? value : [value]) {
    if (!isBundle(page) || !Array.isArray(page.entry)) continue;
    for (const entry of page.entry as unknown[])
      if (isJsonObject(entry) && entry['resource'] !== undefined && isErrorOutcome(entry['resource'])) return true;
  }
  return false;
}

export function readPrefetchValue(prefetch: Record<string, unknown> | undefined, key: string): PrefetchValue {
  if (prefetch === undefined || !Object.hasOwn(prefetch, key)) return { kind: 'absent' };
  const value = prefetch[key];
  if (value === null) return { kind: 'null' };
  if (isOperationOutcome(value)) return { kind: 'outcome' };
  const resources = resourcesOf(value);
  return hasSearchError(value) ? { kind: 'data', resources, searchError: true } : { kind: 'data', resources };
}
