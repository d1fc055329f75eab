// Reads one prefetch key the way the CDS Hooks specification distinguishes them: an absent key (the
// client did not fetch it), `null` (no data exists), an OperationOutcome (the client's fetch failed),
// or data: a single resource, a Bundle, or several Bundle pages.
import { isOperationOutcome, resourcesOf, type FhirResource } from '../fhir/resources.js';

export type PrefetchValue = { kind: 'absent' } | { kind: 'null' } | { kind: 'outcome' } | { kind: 'data'; resources: FhirResource[] };

export function readPrefetchValue(prefetch: Record<string, unknown> | undefined, key: string): PrefetchValue {
  if (prefetch === undefined || !Object.hasOwn(prefetch, key)) return { kind: 'absent' };
  const value = prefetch[key];
  if (value === null) return { kind: 'null' };
  if (isOperationOutcome(value)) return { kind: 'outcome' };
  return { kind: 'data', resources: resourcesOf(value) };
}
