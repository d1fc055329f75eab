// Fetches the prefetch keys the EHR did not send from the call's own FHIR server, safely and on a
// deadline: allowlisted origins only, the access token sent to that origin and nowhere else (no
// cross-origin redirects or pages), one deadline per call, a timeout per request, retries with
// backoff on 429/5xx, an opossum breaker per origin fed one sample per hook call, and a cap on every
// response body.
//
// HTTP goes through undici's `request` on a keep-alive Agent of the fetcher's own, not global
// `fetch`: the same library (Node's fetch is built on it) without the WHATWG Request, Response,
// Headers and stream objects around each exchange. Measured on the five searches of a patient-view
// call against the demo FHIR server (bench, SYNTHETIC ward): ~1.5 ms of CPU per call with fetch,
// ~0.8 ms with `request`, JSON parsing included. Like fetch with `redirect: 'manual'`, `request`
// never follows a redirect itself. As fetch did, it asks for gzip (a remote EHR's answers shrink
// ~10×) and inflates it here, the size cap counting inflated bytes.
import { once } from 'node:events';
import { pipeline } from 'node:stream';
import { setTimeout } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import CircuitBreaker from 'opossum';
import type { Agent, Dispatcher } from 'undici';
import { breakerRefusal, watchBreaker } from '../breakers.js';
import { readCappedChunks, ResponseTooLargeError } from '../net/read-capped.js';
import { timeLimit } from '../net/time-limit.js';
import type { Config } from '../config.js';
import { isBundle, isJsonObject, isOperationOutcome, isResource, searchResults, type FhirResource } from '../fhir/resources.js';
import type { HookCall } from '../cds-hooks/request-schema.js';
import type { BreakerState, Telemetry } from '../telemetry.js';
import { breakerOpenError, FhirFetchError } from './fhir-fetch-error.js';
import { withFields } from '../lang/with-fields.js';
import { checkFhirServer, type OriginPolicy } from './fhir-origins.js';
import type { FetchRequest, FetchResult, PrefetchFetcher } from '../prefetch/gather.js';
import { queryUrl, resolveTemplate } from './resolve-template.js';
import { parseRetryAfter, retryDelayMs } from './retry-delay.js';

/** What the fetcher logs through: pino's and Fastify's loggers fit. Never given a URL or a token. */
export interface FetchLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export type FhirFetcherConfig = Pick<
  Config,
  | 'VIGIL_FHIR_ALLOWED_ORIGINS'
  | 'VIGIL_FHIR_ALLOW_HTTP_LOOPBACK'
  | 'VIGIL_FETCH_DEADLINE_MS'
  | 'VIGIL_FHIR_REQUEST_TIMEOUT_MS'
  | 'VIGIL_FHIR_MAX_RETRIES'
  | 'VIGIL_FHIR_MAX_PAGES'
  | 'VIGIL_FHIR_MAX_BYTES'
  | 'VIGIL_FHIR_BREAKER_ERROR_PERCENT'
  | 'VIGIL_FHIR_BREAKER_MIN_REQUESTS'
  | 'VIGIL_FHIR_BREAKER_WINDOW_MS'
  | 'VIGIL_FHIR_BREAKER_RESET_MS'
>;

export interface FhirFetcher extends PrefetchFetcher {
  /** As PrefetchFetcher; `signal` (e.g. the hook request's) ends the work early too. */
  fetchAll(call: HookCall, requests: FetchRequest[], signal?: AbortSignal): Promise<Record<string, FetchResult>>;
  /** The breaker state of one origin, undefined before Vigil first talked to it. */
  breakerState(origin: string): BreakerState | undefined;
  /** Loads the HTTP client ahead of the first call that needs it. */
  warm(): Promise<void>;
  /** Stops every breaker's timers (on server close). */
  close(): void;
}

export interface FhirFetcherOptions {
  /** Jitter source; tests pass a fixed one. */
  random?: () => number;
}

type Task = () => Promise<unknown>;
type Breaker = CircuitBreaker<[Task], unknown>;

/** Everything one hook call's fetches share; the access token lives here and dies with the call. */
interface CallScope {
  base: URL;
  origin: string;
  headers: Record<string, string>;
  /** Aborts when the call's deadline passes (or the caller gives up). */
  signal: AbortSignal;
  deadlineAt: number;
  /** The last failure of this call that says the endpoint is sick: the call's sample for the breaker. */
  sick?: FhirFetchError;
  /** The keep-alive HTTP client every request of the call goes through. */
  client: Agent;
}

/** One key's progress, read when the deadline passes: pages already fetched are kept. */
interface Progress {
  resources: FhirResource[];
  pages: number;
  result?: FetchResult;
}

const MAX_REDIRECTS = 3;
const FHIR_JSON = 'application/fhir+json';

export function createFhirFetcher(
  config: FhirFetcherConfig,
  log: FetchLogger,
  telemetry: Telemetry,
  options: FhirFetcherOptions = {},
): FhirFetcher {
  const random = options.random ?? Math.random;
  const policy: OriginPolicy = {
    allowedOrigins: config.VIGIL_FHIR_ALLOWED_ORIGINS,
    allowHttpLoopback: config.VIGIL_FHIR_ALLOW_HTTP_LOOPBACK,
  };
  const deadlineMs = config.VIGIL_FETCH_DEADLINE_MS;
  const deadlineProblem = `the EHR did not answer within ${deadlineMs} ms`;
  // Keyed by allowlisted origin only, so the maps are as small as the allowlist.
  const breakers = new Map<string, Breaker>();
  /** Each origin's last failure that counts against it: said when its breaker opens, and while open. */
  const lastFailures = new Map<string, FhirFetchError>();
  // Connections kept alive per origin between calls (undici's defaults: idle ones closed after 4 s,
  // or sooner when the server's Keep-Alive header says so). undici costs ~100 ms to import on a
  // 2-vCPU VM, so it is loaded by the first call that needs the EHR, or by warm() once the server is
  // listening, rather than before the service is ready (bench/RESULTS.md, fourteenth pass).
  let agentLoading: Promise<Agent> | undefined;
  const agent = () =>
    (agentLoading ??= import('undici').then(
      ({ Agent }) => new Agent(),
      (err: unknown) => {
        agentLoading = undefined; // the next call tries again
        throw err;
      },
    ));

  // One hook call is one sample, whatever it asks: a patient-view call makes ~5 requests at once (and
  // up to 3 attempts each), so counted per request a single call to an unreachable EHR reached
  // VIGIL_FHIR_BREAKER_MIN_REQUESTS (5) alone, opened the breaker, and turned its own retries and the
  // next 10 s of calls into "breaker open" that hid the cause. Per call, the breaker opens when that
  // many calls in the window were mostly failing; one trial call closes it again. A call fails when one
  // of its requests failed in a way that says the endpoint is sick, after its retries.
  function breakerFor(origin: string): Breaker {
    let breaker = breakers.get(origin);
    if (breaker !== undefined) return breaker;
    const name = `fhir:${origin}`;
    breaker = new CircuitBreaker<[Task], unknown>((task) => task(), {
      name,
      // Timeouts are ours (per request and per call) and abort the request; opossum's would not.
      timeout: false,
      errorThresholdPercentage: config.VIGIL_FHIR_BREAKER_ERROR_PERCENT,
      volumeThreshold: config.VIGIL_FHIR_BREAKER_MIN_REQUESTS,
      rollingCountTimeout: config.VIGIL_FHIR_BREAKER_WINDOW_MS,
      rollingCountBuckets: 10,
      resetTimeout: config.VIGIL_FHIR_BREAKER_RESET_MS,
      // A 401, a 404 or a malformed body says nothing about the endpoint's health.
      errorFilter: (err: unknown) => err instanceof FhirFetchError && !err.sick,
    });
    watchBreaker(breaker, name, telemetry, {
      opened: {
        // What opened it: the code and metric outcome of the origin's last failure.
        log: (o, m) => {
          const last = lastFailures.get(origin);
          log.warn(last !== undefined ? withFields(o, { lastCode: last.code, lastOutcome: last.outcome }) : o, m);
        },
        msg: 'FHIR breaker opened: the EHR endpoint is failing; failing fast',
      },
    });
    breakers.set(origin, breaker);
    return breaker;
  }

  /** One HTTP exchange (following same-origin redirects): the parsed FHIR resource or a FhirFetchError. */
  async function requestOnce(scope: CallScope, first: URL): Promise<unknown> {
    const left = scope.deadlineAt - performance.now();
    const timeoutMs = Math.max(1, Math.ceil(Math.min(config.VIGIL_FHIR_REQUEST_TIMEOUT_MS, left)));
    const limit = timeLimit(timeoutMs, scope.signal);
    const signal = limit.signal;
    const started = performance.now();
    let outcome = 'ok';
    try {
      let url = first;
      for (let hop = 0; ; hop++) {
        // `request` never follows a redirect: one is followed here only after its target was checked to be the same origin.
        const res = await scope.client.request({
          origin: url.origin,
          path: url.pathname + url.search,
          method: 'GET',
          headers: scope.headers,
          signal,
        });
        const status = res.statusCode;
        if (status >= 300 && status < 400 && status !== 304) {
          await discard(res);
          const location = header(res, 'location') ?? null;
          const target = location === null ? undefined : safeUrl(location, url);
          if (target === undefined || target.origin !== scope.origin || hop >= MAX_REDIRECTS) {
            throw new FhirFetchError('FHIR_REDIRECT_REFUSED', "the EHR's FHIR server redirected elsewhere; Vigil does not follow it there");
          }
          url = target;
          continue;
        }
        return await readResource(res, signal);
      }
    } catch (e) {
      const err = asFetchError(e, scope, limit.timedOut(), timeoutMs);
      outcome = err.outcome;
      if (err.sick) lastFailures.set(scope.origin, err);
      throw err;
    } finally {
      limit.done();
      telemetry.fhirFetch((performance.now() - started) / 1000, outcome);
    }
  }

  async function readResource(res: Dispatcher.ResponseData, signal: AbortSignal): Promise<unknown> {
    const status = res.statusCode;
    if (status === 429 || status >= 500) {
      await discard(res);
      const retryAfterMs = parseRetryAfter(header(res, 'retry-after') ?? null, new Date());
      if (status === 429) {
        throw new FhirFetchError('FHIR_THROTTLED', "the EHR's FHIR server asked Vigil to slow down (HTTP 429)", retryAfterMs);
      }
      throw new FhirFetchError('FHIR_SERVER_ERROR', `the EHR's FHIR server failed (HTTP ${status})`, retryAfterMs);
    }
    if (status === 401 || status === 403) {
      await discard(res);
      throw new FhirFetchError('FHIR_UNAUTHORIZED', `the EHR's FHIR server refused Vigil's access (HTTP ${status})`);
    }
    if (status === 404 || status === 410) {
      await discard(res);
      throw new FhirFetchError('FHIR_NOT_FOUND', `the EHR's FHIR server has no such record (HTTP ${status})`);
    }
    if (status < 200 || status >= 300) {
      await discard(res);
      throw new FhirFetchError('FHIR_HTTP_ERROR', `the EHR's FHIR server rejected the query (HTTP ${status})`);
    }
    const mediaType = (header(res, 'content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
    if (!/^application\/(fhir\+)?json$/.test(mediaType)) {
      await discard(res);
      const shown = /^[a-z0-9.+-]{1,40}\/[a-z0-9.+-]{1,60}$/.test(mediaType) ? mediaType : 'something else';
      throw new FhirFetchError('FHIR_NOT_JSON', `the EHR's FHIR server answered with ${shown}, not FHIR JSON`);
    }
    const encoding = (header(res, 'content-encoding') ?? 'identity').trim().toLowerCase();
    const gzip = encoding === 'gzip' || encoding === 'x-gzip';
    if (!gzip && encoding !== 'identity') {
      await discard(res);
      throw new FhirFetchError('FHIR_BAD_ENCODING', "the EHR's FHIR server sent its answer in an encoding Vigil did not ask for");
    }
    // A declared length is the compressed one: the cap on a gzip answer counts what it inflates to.
    const chunks = gzip ? pipeline(res.body, createGunzip(), () => {}) : res.body;
    const declared = gzip ? NaN : Number(header(res, 'content-length') ?? NaN);
    const text = await readCappedChunks(chunks, declared, config.VIGIL_FHIR_MAX_BYTES, signal).catch((e: unknown) => {
      // Not read to its end: the connection cannot be reused, so it is closed.
      res.body.destroy();
      if (e instanceof ResponseTooLargeError)
        throw new FhirFetchError('FHIR_TOO_LARGE', `the EHR's FHIR server's answer exceeded ${e.maxBytes} bytes`);
      if (gzip && isZlibError(e))
        throw new FhirFetchError('FHIR_BAD_ENCODING', "the EHR's FHIR server sent a compressed answer that could not be read");
      throw e;
    });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new FhirFetchError('FHIR_BAD_JSON', "the EHR's FHIR server sent malformed JSON");
    }
    if (typeof body !== 'object' || body === null || typeof (body as { resourceType?: unknown }).resourceType !== 'string') {
      throw new FhirFetchError('FHIR_NOT_FHIR', "the EHR's FHIR server's answer is not a FHIR resource");
    }
    if (isOperationOutcome(body)) {
      throw new FhirFetchError('FHIR_OUTCOME', "the EHR's FHIR server answered with an OperationOutcome instead of data");
    }
    return body;
  }

  function asFetchError(e: unknown, scope: CallScope, timedOut = false, timeoutMs?: number): FhirFetchError {
    if (e instanceof FhirFetchError) return e;
    // A request timeout cut short to fit the call's deadline is the deadline passing.
    const clipped = timeoutMs !== undefined && timeoutMs < config.VIGIL_FHIR_REQUEST_TIMEOUT_MS;
    if (scope.signal.aborted || (timedOut && clipped)) return new FhirFetchError('FHIR_DEADLINE', deadlineProblem);
    if (timedOut) return new FhirFetchError('FHIR_TIMEOUT', `the EHR did not answer one request within ${Math.round(timeoutMs ?? 0)} ms`);
    return new FhirFetchError('FHIR_NETWORK', "the EHR's FHIR server could not be reached");
  }

  /** One read, retried on transient failures while the deadline leaves room for the wait. */
  async function readWithRetries(scope: CallScope, url: URL): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await requestOnce(scope, url);
      } catch (e) {
        const err = asFetchError(e, scope);
        if (!err.retryable || attempt >= config.VIGIL_FHIR_MAX_RETRIES) throw err;
        const wait = retryDelayMs(attempt, err.retryAfterMs, random);
        if (wait >= scope.deadlineAt - performance.now()) {
          // Say so when it was the server's own Retry-After that did not fit.
          throw err.retryAfterMs === wait
            ? new FhirFetchError(err.code, `${err.problem} and asked to wait longer than the ${deadlineMs} ms deadline`)
            : err;
        }
        await setTimeout(wait, undefined, { signal: scope.signal }).catch(() => {
          throw new FhirFetchError('FHIR_DEADLINE', deadlineProblem);
        });
      }
    }
  }

  /**
   * Follows Bundle `next` links on the same origin, up to the page bound, refusing loops, until the
   * key has as many resources as its search asked for (`_count`): a template's `_count` is how many
   * of the newest it needs (templates.ts), and a server that caps its pages below that is followed
   * page by page until they are read. Pages beyond it hold only older data no score reads, each one
   * another round trip to the EHR within the call's deadline; without a `_count`, pages are read to the bound.
   */
  /** What a card says of a fetched key whose search reported an error beside its results. */
  const FETCHED_SEARCH_ERROR_WORDS = "the FHIR server's search reported an error, so what it returned may be incomplete";

  async function fetchKey(scope: CallScope, key: string, url: URL, progress: Progress): Promise<FetchResult> {
    const seen = new Set<string>();
    const wanted = countAskedFor(url);
    let searchError = false;
    let next: URL | undefined = url;
    while (next !== undefined) {
      if (progress.resources.length >= wanted) break;
      if (seen.has(next.href)) {
        log.warn({ key, code: 'FHIR_NEXT_LOOP' }, 'a Bundle next link loops; not followed');
        break;
      }
      if (progress.pages >= config.VIGIL_FHIR_MAX_PAGES) {
        log.debug({ key, pages: progress.pages }, 'Bundle page bound reached; older pages not fetched');
        break;
      }
      seen.add(next.href);
      let body: unknown;
      try {
        body = await readWithRetries(scope, next);
      } catch (e) {
        const err = asFetchError(e, scope);
        if (err.sick) scope.sick = err;
        log.warn({ key, origin: scope.origin, code: err.code, pages: progress.pages }, 'prefetch key not fetched from the FHIR server');
        // Searches ask for newest first (_sort=-date): pages already read hold the newest data.
        if (progress.pages > 0) break;
        return { ok: false, problem: err.problem };
      }
      const page = readPage(body);
      for (const r of page.resources) progress.resources.push(r);
      progress.pages += 1;
      if (page.errorOutcome) searchError = true;
      if (page.skippedEntries > 0 || page.skippedLinks > 0) {
        // Counts and codes only: an entry's content may be patient data, a link's URL may carry ids.
        log.warn(
          {
            key,
            code: 'FHIR_BUNDLE_MALFORMED',
            skippedEntries: page.skippedEntries,
            skippedLinks: page.skippedLinks,
            keptResources: page.resources.length,
          },
          'a Bundle from the FHIR server had malformed parts; they were skipped and the usable entries kept',
        );
      }
      next = nextPage(scope, key, page.links, next);
    }
    // An error beside results is said on the card, as for prefetch the EHR sent (read-prefetch.ts).
    return searchError
      ? { ok: true, resources: progress.resources, problem: FETCHED_SEARCH_ERROR_WORDS }
      : { ok: true, resources: progress.resources };
  }

  function nextPage(scope: CallScope, key: string, links: readonly PageLink[], current: URL): URL | undefined {
    const link = links.find((l) => l.relation === 'next');
    if (link === undefined) return undefined;
    const url = safeUrl(link.url, current);
    if (url === undefined || url.origin !== scope.origin) {
      log.warn({ key, code: 'FHIR_NEXT_OTHER_ORIGIN' }, 'a Bundle next link leaves the FHIR server; not followed');
      return undefined;
    }
    return url;
  }

  async function fetchAll(call: HookCall, requests: FetchRequest[], outer?: AbortSignal): Promise<Record<string, FetchResult>> {
    const results: Record<string, FetchResult> = {};
    if (requests.length === 0) return results;
    const check = checkFhirServer(call.fhirServer ?? '', policy);
    if (!check.ok) {
      // The origin only (scheme://host:port), never the path: what to add to VIGIL_FHIR_ALLOWED_ORIGINS.
      log.warn({ code: check.code, origin: check.origin }, 'FHIR server refused; missing prefetch keys not fetched');
      telemetry.fhirFetch(0, 'refused');
      for (const r of requests) results[r.key] = { ok: false, problem: check.problem };
      return results;
    }

    // The HTTP client: loaded already unless this is the first call after the start (warm() was not
    // done yet); loading it does not eat the EHR's deadline, which starts after it.
    let client: Agent;
    try {
      client = await agent();
    } catch {
      log.warn({ code: 'FHIR_CLIENT_NOT_LOADED' }, 'the FHIR client could not be loaded; missing prefetch keys not fetched');
      for (const r of requests) results[r.key] = { ok: false, problem: 'Vigil could not load its FHIR client' };
      return results;
    }
    // One deadline for the whole call: when it passes, every request still running is aborted.
    const deadline = timeLimit(deadlineMs, outer);
    const headers: Record<string, string> = { accept: FHIR_JSON, 'accept-encoding': 'gzip' };
    const auth = call.fhirAuthorization;
    if (auth !== undefined) headers.authorization = `Bearer ${auth.access_token}`;
    const scope: CallScope = {
      base: check.base,
      origin: check.origin,
      headers,
      signal: deadline.signal,
      deadlineAt: performance.now() + deadlineMs,
      client,
    };

    const progress = new Map<string, Progress>();
    const work = requests.map(async ({ key, template }) => {
      const p: Progress = { resources: [], pages: 0 };
      progress.set(key, p);
      try {
        const resolved = resolveTemplate(template, call);
        const url = resolved.ok ? queryUrl(scope.base, resolved.query) : undefined;
        if (!resolved.ok) p.result = { ok: false, problem: resolved.problem };
        else if (url === undefined) p.result = { ok: false, problem: 'the prefetch template does not name a query on the FHIR server' };
        else p.result = await fetchKey(scope, key, url, p);
      } catch (err) {
        // A bug here must cost at most the rest of one key, never the call: pages already read are kept.
        log.warn(
          { key, code: 'FHIR_UNEXPECTED', err: { name: err instanceof Error ? err.name : typeof err }, pages: p.pages },
          'prefetch key fetch failed unexpectedly',
        );
        p.result = p.pages > 0 ? { ok: true, resources: p.resources } : { ok: false, problem: "the EHR's data could not be read" };
      }
    });

    const run = async () => {
      // Whatever is still running at the deadline (or when the caller hangs up) is abandoned: the hook
      // answers now with what it has.
      await Promise.race([Promise.all(work), once(deadline.signal, 'abort')]);
      const abandoned = requests.some(({ key }) => progress.get(key)?.result === undefined);
      if (abandoned && outer?.aborted !== true) {
        scope.sick ??= new FhirFetchError('FHIR_DEADLINE', deadlineProblem);
        lastFailures.set(scope.origin, scope.sick);
      }
      // The call's one sample (breakerFor): rejected, it counts against the origin.
      if (scope.sick !== undefined) throw scope.sick;
    };
    try {
      await breakerFor(check.origin).fire(run);
    } catch (e) {
      if (breakerRefusal(e) === 'open') {
        // Nothing was asked: said once per call, with what opened the breaker (the keys' own lines say the rest).
        const refused = breakerOpenError(lastFailures.get(scope.origin));
        log.warn(
          { origin: scope.origin, code: refused.code, lastCode: lastFailures.get(scope.origin)?.code ?? 'unknown', keys: requests.length },
          'FHIR breaker open: missing prefetch keys not fetched',
        );
        for (const r of requests) results[r.key] = { ok: false, problem: refused.problem };
        return results;
      }
      // Otherwise the call's own failure, already in each key's result.
    } finally {
      deadline.done();
    }

    for (const { key } of requests) {
      const p = progress.get(key);
      results[key] =
        p?.result ?? (p !== undefined && p.pages > 0 ? { ok: true, resources: p.resources } : { ok: false, problem: deadlineProblem });
    }
    return results;
  }

  return {
    fetchAll,
    breakerState(origin) {
      const b = breakers.get(origin);
      if (b === undefined) return undefined;
      return b.opened ? 'open' : b.halfOpen ? 'half-open' : 'closed';
    },
    async warm() {
      await agent();
    },
    close() {
      for (const b of breakers.values()) b.shutdown();
      breakers.clear();
      // Calls in flight have finished (the server closes after them); idle connections are closed.
      void agentLoading?.then((a) => a.close()).catch(() => {});
    },
  };
}

/** One response header (undici gives repeated headers as a list: the first is read). */
function header(res: Dispatcher.ResponseData, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** An error from inflating a body (zlib's codes start Z_): the bytes were not what they said. */
function isZlibError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/** Releases a response body we will not read: drained (small) so the connection is reused, else closed. */
async function discard(res: Dispatcher.ResponseData): Promise<void> {
  await res.body.dump().catch(() => {});
}

interface PageLink {
  relation: string;
  url: string;
}

/** One page from the FHIR server, read defensively: what is usable, and how much was not. */
export interface PageContent {
  resources: FhirResource[];
  links: PageLink[];
  /** Bundle entries that were not `{resource: {resourceType, ...}}` (or an `entry` that was no list). */
  skippedEntries: number;
  /** `link` items without a string relation and url (or a `link` that was no list). */
  skippedLinks: number;
  /** An OperationOutcome entry reported an error: the search's results may be incomplete. */
  errorOutcome: boolean;
}

/**
 * The resources and links of a page, whatever shape its `entry` and `link` arrived in. The FHIR
 * server is outside Vigil's control: a string where a list belongs must cost that part, not the
 * entries beside it. OperationOutcome entries (search warnings) are left out without counting.
 */
export function readPage(body: unknown): PageContent {
  const { resources, errorOutcome } = searchResults(body);
  if (!isBundle(body)) return { resources, links: [], skippedEntries: 0, skippedLinks: 0, errorOutcome };
  const raw = body as { entry?: unknown; link?: unknown };
  let skippedEntries = 0;
  if (Array.isArray(raw.entry)) {
    for (const entry of raw.entry) {
      if (!isResource(isJsonObject(entry) ? entry['resource'] : undefined)) skippedEntries += 1;
    }
  } else if (raw.entry !== undefined) {
    skippedEntries = 1;
  }
  const links: PageLink[] = [];
  let skippedLinks = 0;
  if (Array.isArray(raw.link)) {
    for (const l of raw.link) {
      const { relation, url } = (typeof l === 'object' && l !== null ? l : {}) as { relation?: unknown; url?: unknown };
      if (typeof relation === 'string' && typeof url === 'string') links.push({ relation, url });
      else skippedLinks += 1;
    }
  } else if (raw.link !== undefined) {
    skippedLinks = 1;
  }
  return { resources, links, skippedEntries, skippedLinks, errorOutcome };
}

/** The `_count` a search URL asks for, or no limit when it asks for none (or for something that is not a count). */
function countAskedFor(url: URL): number {
  const asked = url.searchParams.get('_count');
  const count = asked !== null && /^[0-9]{1,9}$/.test(asked) ? Number(asked) : 0;
  return count > 0 ? count : Number.POSITIVE_INFINITY;
}

function safeUrl(href: string, base: URL): URL | undefined {
  try {
    return new URL(href, base);
  } catch {
    return undefined;
  }
}
