// Gathers the data a service needs, key by key: from the client's prefetch when it sent it, or from
// the EHR's FHIR server (through an injected PrefetchFetcher) when a key is absent or the client's
// own fetch failed. Answers 412 only when a required key cannot be had at all.
import { PreconditionFailedError } from '../errors.js';
import type { FhirResource } from '../fhir/resources.js';
import type { HookCall } from '../cds-hooks/request-schema.js';
import { readPrefetchValue, type PrefetchValue } from './read-prefetch.js';

/** Where a key's data came from; counted in metrics and written to the audit trail. */
export type PrefetchSource = 'sent' | 'fetched' | 'none' | 'missing';

export interface GatheredKey {
  source: PrefetchSource;
  resources: FhirResource[];
  /** Why the data could not be had, in words safe to show (no patient data, no token). */
  problem?: string;
}

export type Gathered = Record<string, GatheredKey>;

/** A key the client sent, data or `null`, as gathered: the one reading the digest and `gather` share. */
export function sentKey(value: Extract<PrefetchValue, { kind: 'data' | 'null' }>): GatheredKey {
  if (value.kind === 'null') return { source: 'none', resources: [] };
  return value.problem !== undefined
    ? { source: 'sent', resources: value.resources, problem: value.problem }
    : { source: 'sent', resources: value.resources };
}

/** A request to fetch one prefetch key from the client's FHIR server. */
export interface FetchRequest {
  key: string;
  /** The prefetch template, tokens still unresolved. */
  template: string;
}

/** A fetched key: its resources (with `problem` when the search reported an error beside them), or why there are none. */
export type FetchResult = { ok: true; resources: FhirResource[]; problem?: string } | { ok: false; problem: string };

/** The seam for fetching what the EHR did not send (implemented by fhir-client/fhir-fetcher.ts). */
export interface PrefetchFetcher {
  /**
   * Fetches every key (independently, in parallel where it can), within one deadline per call.
   * `signal` aborts when the caller hangs up, so fetches for nobody stop early.
   */
  fetchAll(call: HookCall, requests: FetchRequest[], signal?: AbortSignal): Promise<Record<string, FetchResult>>;
}

/** A fetcher for deployments that never reach out to the EHR: every key stays missing. */
export const noFetcher: PrefetchFetcher = {
  async fetchAll(_call, requests) {
    return Object.fromEntries(
      requests.map((r) => [r.key, { ok: false as const, problem: 'not sent in prefetch and fetching is not configured' }]),
    );
  },
};

export async function gatherPrefetch(
  call: HookCall,
  templates: Record<string, string>,
  requiredKeys: readonly string[],
  fetcher: PrefetchFetcher,
  signal?: AbortSignal,
): Promise<Gathered> {
  const gathered: Gathered = {};
  const toFetch: FetchRequest[] = [];
  const prefetch = call.prefetch as Record<string, unknown> | undefined;

  for (const [key, template] of Object.entries(templates)) {
    const value = readPrefetchValue(prefetch, key, template);
    switch (value.kind) {
      case 'data':
      case 'null':
        gathered[key] = sentKey(value);
        break;
      case 'absent':
      case 'outcome':
        toFetch.push({ key, template });
        break;
    }
  }

  if (toFetch.length > 0) {
    const canFetch = typeof call.fhirServer === 'string';
    const results: Record<string, FetchResult> = canFetch
      ? await fetcher.fetchAll(call, toFetch, signal)
      : Object.fromEntries(
          toFetch.map((r) => [r.key, { ok: false as const, problem: 'not sent in prefetch and no fhirServer to fetch it from' }]),
        );
    for (const { key } of toFetch) {
      const result = results[key] ?? { ok: false as const, problem: 'not fetched' };
      gathered[key] = result.ok
        ? result.problem !== undefined
          ? { source: 'fetched', resources: result.resources, problem: result.problem }
          : { source: 'fetched', resources: result.resources }
        : { source: 'missing', resources: [], problem: result.problem };
    }
  }

  const unavailable = requiredKeys.filter((k) => gathered[k]?.source === 'missing');
  if (unavailable.length > 0) {
    throw new PreconditionFailedError(
      unavailable.map((key) => ({ key, ...(gathered[key]?.problem !== undefined ? { problem: gathered[key].problem } : {}) })),
      'required data was neither sent in prefetch nor obtainable from the FHIR server',
      Object.fromEntries(Object.entries(gathered).map(([key, g]) => [key, g.source])),
    );
  }
  return gathered;
}
