// Reads one prefetch key the way the CDS Hooks specification distinguishes them: an absent key (the
// client did not fetch it), `null` (no data exists), an OperationOutcome (the client's fetch failed),
// or data: a single resource, a Bundle, or several Bundle pages.
import { isBundle, isOperationOutcome, type FhirResource } from '../fhir/resources.js';

export type PrefetchValue =
  | { kind: 'absent' }
  | { kind: 'null' }
  | { kind: 'outcome' }
  | { kind: 'data'; resources: FhirResource[] };

export function readPrefetchValue(prefetch: Record<string, unknown> | undefined, key: string): PrefetchValue {
  if (prefetch === undefined || !Object.hasOwn(prefetch, key)) return { kind: 'absent' };
  const value = prefetch[key];
  if (value === null) return { kind: 'null' };
  if (isOperationOutcome(value)) return { kind: 'outcome' };
  return { kind: 'data', resources: resourcesOf(value) };
}

function isResource(value: unknown): value is FhirResource {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { resourceType?: unknown }).resourceType === 'string';
}

/** Flattens a resource, a Bundle or an array of Bundle pages into the resources they carry. */
export function resourcesOf(value: unknown): FhirResource[] {
  const pages = Array.isArray(value) ? value : [value];
  const out: FhirResource[] = [];
  for (const page of pages) {
    if (isBundle(page)) {
      // Prefetch is only loosely validated (EHRs send much we do not read): check shapes as we go.
      const entries: unknown[] = Array.isArray(page.entry) ? page.entry : [];
      for (const entry of entries) {
        const r = typeof entry === 'object' && entry !== null ? (entry as { resource?: unknown }).resource : undefined;
        // Search bundles may carry OperationOutcome entries with warnings (search.mode = outcome).
        if (isResource(r) && !isOperationOutcome(r)) out.push(r);
      }
    } else if (isResource(page) && !isOperationOutcome(page)) {
      out.push(page);
    }
  }
  return out;
}
