// Reads one prefetch key the way the CDS Hooks specification distinguishes them: an absent key (the
// client did not fetch it), `null` (no data exists), an OperationOutcome (the client's fetch failed),
// or data: a single resource, a Bundle, or several Bundle pages.
import { isOperationOutcome, searchResults, type FhirResource } from '../fhir/resources.js';

export type PrefetchValue =
  | { kind: 'absent' }
  | { kind: 'null' }
  | { kind: 'outcome' }
  /** `searchError`: a page carried an OperationOutcome entry with an error, so the data may be incomplete. */
  | { kind: 'data'; resources: FhirResource[]; searchError?: true };

/** What a card says of a key whose search reported an error beside its results. */
export const SEARCH_ERROR_WORDS = "the EHR's search reported an error, so what it sent may be incomplete";

export function readPrefetchValue(prefetch: Record<string, unknown> | undefined, key: string): PrefetchValue {
  if (prefetch === undefined || !Object.hasOwn(prefetch, key)) return { kind: 'absent' };
  const value = prefetch[key];
  if (value === null) return { kind: 'null' };
  if (isOperationOutcome(value)) return { kind: 'outcome' };
  // Found by the second clinical safety review (2026-11-29): active medication orders answered with only
  // an error OperationOutcome inside the Bundle were read as "no other sedatives".
  const { resources, errorOutcome } = searchResults(value);
  return errorOutcome ? { kind: 'data', resources, searchError: true } : { kind: 'data', resources };
}
