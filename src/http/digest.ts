// A hook call's body, from text to what its service's answer needs, with no I/O: JSON parsing with
// Fastify's own prototype-poisoning checks, the call's schema, the prefetch it carries, and the
// service's `prepare` (the patient's normalised vitals). Most of a call's CPU is here (a 49 KiB body
// is ~0.3 ms of JSON.parse alone), so under load it runs on worker threads (digest-pool.ts); the same
// function runs inline for small bodies and in tests. What it returns crosses a structured clone:
// plain data, Dates, and the call without its prefetch (the bulk of the body) when nothing is left
// to fetch.
import parseSecureJson from 'secure-json-parse';
import { InvalidRequestError, type OperationOutcomeIssue } from '../errors.js';
import { crossFieldIssues, type HookCall } from '../cds-hooks/request-schema.js';
import type { CdsServiceDefinition, PrepareSettings } from '../hooks/definition.js';
import { sentKey, type Gathered, type PrefetchSource } from '../prefetch/gather.js';
import { readPrefetchValue } from '../prefetch/read-prefetch.js';
import { nestsDeeperThan } from '../lang/nesting.js';

/**
 * The deepest a call's objects and arrays may nest (src/lang/nesting.ts for why there is a limit). FHIR
 * resources nest a dozen or two levels; a Bundle of them in draftOrders a few more.
 */
export const MAX_NESTING = 100;

/** Fastify's default JSON body options (onProtoPoisoning and onConstructorPoisoning `error`): the same refusals. */
const POISONING = { protoAction: 'error', constructorAction: 'error' } as const;

export type Digest =
  /** Not JSON (`forbiddenKey` false), or JSON with `__proto__` / `constructor.prototype` keys (true). */
  | { kind: 'invalid-json'; forbiddenKey: boolean }
  /** JSON that is not a call of this service (a field named, never its value). */
  | { kind: 'invalid'; issues: OperationOutcomeIssue[] }
  /** Everything was sent (or sent as null): the call without its prefetch, and the service's reading of it. */
  | { kind: 'prepared'; call: HookCall; sources: Record<string, PrefetchSource>; prepared: unknown }
  /** Some prefetch is to be fetched: the whole call, for the request path to gather and prepare. */
  | { kind: 'needs-data'; call: HookCall };

/**
 * True when the text cannot hold a key Fastify's parser refuses. secure-json-parse finds such keys with
 * two regular expressions over the whole text (~19 µs for a 49 KiB body, on every call). A key
 * `__proto__` or `constructor` is spelt either literally or with a backslash escape (`\u005f...`), so a
 * text with no backslash, no `__proto__` and no `uctor` has none; the three searches take ~8 µs.
 * Any other text (one with a backslash anywhere, say) gets the full check, and the same answer.
 */
function cannotBePoisoned(text: string): boolean {
  return !text.includes('\\') && !text.includes('__proto__') && !text.includes('uctor');
}

/** The message secure-json-parse throws for a `__proto__` or `constructor.prototype` key (index.js, v2–v4). */
const FORBIDDEN_KEY_MESSAGE = 'Object contains forbidden prototype property';

/** The body as JSON, or why Fastify's parser would refuse it: not JSON, or a forbidden key. */
export function parseJsonBody(body: string): { ok: true; value: unknown } | { ok: false; forbiddenKey: boolean } {
  try {
    // As secure-json-parse does before parsing: a leading byte-order mark is not JSON.
    const value: unknown = cannotBePoisoned(body)
      ? JSON.parse(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body)
      : parseSecureJson(body, POISONING);
    return { ok: true, value };
  } catch (err) {
    return { ok: false, forbiddenKey: err instanceof SyntaxError && err.message === FORBIDDEN_KEY_MESSAGE };
  }
}

/** The call as its service's schema reads it; throws InvalidRequestError naming what is wrong. */
export function parseCall(def: CdsServiceDefinition, body: unknown): HookCall {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw InvalidRequestError.notAnObject();
  const hook = (body as { hook?: unknown }).hook;
  if (typeof hook === 'string' && hook !== def.hook) {
    throw new InvalidRequestError([
      { severity: 'error', code: 'value', diagnostics: `hook must be "${def.hook}" for service ${def.id}`, expression: ['hook'] },
    ]);
  }
  const parsed = def.schema.safeParse(body);
  if (!parsed.success) throw InvalidRequestError.fromZod(parsed.error.issues, body);
  const broken = crossFieldIssues(parsed.data);
  if (broken.length > 0) throw InvalidRequestError.fromRules(broken);
  return parsed.data;
}

/** A body's bytes as text, decoded as Fastify decodes a JSON body (UTF-8, malformed sequences as U+FFFD). */
export function utf8Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** A body as received (its bytes), digested: what crosses to a digest thread is bytes, not text. */
export function digestBytes(def: CdsServiceDefinition, bytes: Uint8Array, nowMs: number, settings: PrepareSettings): Digest {
  return digestCall(def, utf8Text(bytes), nowMs, settings);
}

/** A body digested for `def` as of `nowMs`. Pure: the same text, service, time and settings give the same digest. */
export function digestCall(def: CdsServiceDefinition, body: string, nowMs: number, settings: PrepareSettings): Digest {
  const json = parseJsonBody(body);
  return json.ok ? digestValue(def, json.value, nowMs, settings) : { kind: 'invalid-json', forbiddenKey: json.forbiddenKey };
}

/** The same, for a body already parsed (or absent). */
export function digestValue(def: CdsServiceDefinition, body: unknown, nowMs: number, settings: PrepareSettings): Digest {
  let call: HookCall;
  try {
    call = parseCall(def, body);
  } catch (err) {
    if (err instanceof InvalidRequestError) return { kind: 'invalid', issues: err.issues };
    throw err;
  }
  // What crosses back from a digest thread is the call without its prefetch (or, below, with it).
  const tooDeep = Object.keys(call).find((k) => k !== 'prefetch' && nestsDeeperThan(call[k], MAX_NESTING));
  if (tooDeep !== undefined) return tooDeeplyNested(tooDeep);
  const now = new Date(nowMs);
  if (def.wantsData !== undefined && !def.wantsData(call)) return prepared(def, call, {}, now, settings);
  const prefetch = call.prefetch as Record<string, unknown> | undefined;
  const data: Gathered = {};
  for (const [key, template] of Object.entries(def.prefetch)) {
    const value = readPrefetchValue(prefetch, key, template);
    if (value.kind === 'absent' || value.kind === 'outcome')
      return nestsDeeperThan(prefetch, MAX_NESTING) ? tooDeeplyNested('prefetch') : { kind: 'needs-data', call };
    data[key] = sentKey(value);
  }
  return prepared(def, call, data, now, settings);
}

function tooDeeplyNested(field: string): Digest {
  return {
    kind: 'invalid',
    issues: [
      {
        severity: 'error',
        code: 'structure',
        diagnostics: `${field} nests objects or arrays more than ${MAX_NESTING} levels deep`,
        expression: [field],
      },
    ],
  };
}

function prepared(def: CdsServiceDefinition, call: HookCall, data: Gathered, now: Date, settings: PrepareSettings): Digest {
  const { prefetch: _sent, ...rest } = call;
  const sources: Record<string, PrefetchSource> = {};
  for (const [key, value] of Object.entries(data)) sources[key] = value.source;
  return { kind: 'prepared', call: rest as HookCall, sources, prepared: def.prepare(call, data, now, settings) };
}
