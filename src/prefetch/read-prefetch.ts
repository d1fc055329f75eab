// Reads one prefetch key the way the CDS Hooks specification distinguishes them: an absent key (the
// client did not fetch it), `null` (no data exists), an OperationOutcome (the client's fetch failed),
// or data: a single resource, a Bundle, or several Bundle pages.
import { isOperationOutcome, searchResults, type FhirResource } from '../fhir/resources.js';
import { observationTime } from './normalise.js';

export type PrefetchValue =
  | { kind: 'absent' }
  | { kind: 'null' }
  | { kind: 'outcome' }
  /**
   * `problem`: why the data may be incomplete, in words safe to show: a page carried an OperationOutcome
   * entry with an error, or the search had more pages than were sent and those sent are not the newest.
   */
  | { kind: 'data'; resources: FhirResource[]; problem?: string };

/** What a card says of a key whose search reported an error beside its results. */
export const SEARCH_ERROR_WORDS = "the EHR's search reported an error, so what it sent may be incomplete";

/** What a card says of a key sent as one page of a search with more, whose newest values may be elsewhere. */
export const MORE_PAGES_WORDS = {
  notNewestFirst: 'the EHR sent one page of its search, not newest first, and more were available: newer values may be missing',
  unsorted: 'the EHR sent one page of its search and more were available: some may be missing',
};

/** True for the words of a key sent as one page of more (not a search that reported an error). */
export function isPagingProblem(problem: string | undefined): boolean {
  return problem === MORE_PAGES_WORDS.notNewestFirst || problem === MORE_PAGES_WORDS.unsorted;
}

/**
 * `template`: the key's prefetch template, which says whether the search asked for the newest first
 * (`_sort=-date`): then a first page of the newest is all a score needs, and further pages are older.
 */
export function readPrefetchValue(prefetch: Record<string, unknown> | undefined, key: string, template?: string): PrefetchValue {
  if (prefetch === undefined || !Object.hasOwn(prefetch, key)) return { kind: 'absent' };
  const value = prefetch[key];
  if (value === null) return { kind: 'null' };
  if (isOperationOutcome(value)) return { kind: 'outcome' };
  // Found by the second clinical safety review (2026-11-29): active medication orders answered with only
  // an error OperationOutcome inside the Bundle were read as "no other sedatives".
  const { resources, errorOutcome, morePages } = searchResults(value);
  const problem = errorOutcome ? SEARCH_ERROR_WORDS : morePages ? pagingProblem(resources, template) : undefined;
  return problem !== undefined ? { kind: 'data', resources, problem } : { kind: 'data', resources };
}

/**
 * A page of a search with more pages is all there is to read only when it holds the newest values.
 * Found by the fourth clinical safety review (2026-11-29): a vitals Bundle of one page from 10 h ago,
 * `total` 600 and a `next` link (the server ignored `_sort`), gave no card and said nothing.
 */
function pagingProblem(resources: readonly FhirResource[], template: string | undefined): string | undefined {
  if (template === undefined || !/[?&]_sort=-date(&|$)/.test(template)) return MORE_PAGES_WORDS.unsorted;
  let previous = Number.POSITIVE_INFINITY;
  for (const r of resources) {
    if (r.resourceType !== 'Observation') continue;
    const t = observationTime(r);
    if (!t.ok) continue;
    const ms = t.at.getTime();
    if (ms > previous) return MORE_PAGES_WORDS.notNewestFirst;
    previous = ms;
  }
  return undefined;
}
