// CDS Hooks endpoints: discovery and one POST route per service. Digesting the body (parse,
// validate, read prefetch, prepare), gathering what was not sent, answering and reporting happen
// here in that order; everything clinical lives in the service definitions.
import { errorCodes, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { InvalidRequestError, PreconditionFailedError, UnknownServiceError } from '../errors.js';
import { discoveryEntry, type CdsServiceDefinition, type PrepareSettings, type ServiceDeps } from '../hooks/definition.js';
import type { AnsweredCall, CallObserver } from '../observability/answered-call.js';
import { bindHookInstance } from '../observability/request-log.js';
import { forOneCall } from '../identity/keyed-hash.js';
import { gatherPrefetch, type PrefetchFetcher, type PrefetchSource } from '../prefetch/gather.js';
import { digestValue, parseJsonBody, utf8Text } from './digest.js';
import { inlineDigester, type Digester } from './digest-pool.js';
import { decideRepeats, rememberShown, type RepeatSettings } from '../suppression/repeat-cards.js';
import type { SuppressionStore } from '../suppression/suppression-store.js';
import { withFields } from '../lang/with-fields.js';

export interface CdsRouteOptions {
  services: readonly CdsServiceDefinition[];
  deps: Omit<ServiceDeps, 'log'>;
  fetcher: PrefetchFetcher;
  /**
   * Must succeed before the call is answered (the audit trail): its error is the call's error. It
   * runs before the observers, so metrics count only calls that were answered.
   */
  recorder?: CallObserver;
  /**
   * Called when a call's handling starts: a record is coming. The function it returns is called once
   * the call records, or ends without a record (so the audit trail's writes can wait for records on
   * their way, never for a call that will not record).
   */
  expectRecord?: () => () => void;
  /** Told of every answered call, best effort: a failing observer is logged, the call still answered. */
  observers: readonly CallObserver[];
  clock: () => Date;
  /** The alert-fatigue rule for repeat cards, and where it remembers what it showed. */
  repeat: { settings: RepeatSettings; store: SuppressionStore };
  /** Where bodies are digested (worker threads under load); default inline. */
  digester?: Digester;
}

/** Content types a CDS client may use for a JSON body. */
export const JSON_TYPES = ['application/json', 'application/fhir+json'];

/** The error a body that is not JSON is refused with: Fastify's, or one naming a forbidden key. */
export function jsonRefusal(parsed: { forbiddenKey: boolean }): Error {
  return parsed.forbiddenKey ? InvalidRequestError.forbiddenKey() : new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY();
}

/** A hook call's body as received, its bytes: decoded and parsed where it is digested, not by Fastify. */
class UnparsedBody {
  constructor(readonly bytes: Buffer) {}
}

export async function cdsRoutes(app: FastifyInstance, opts: CdsRouteOptions): Promise<void> {
  const byId = new Map(opts.services.map((s) => [s.id, s]));

  // Built on each request: a model reload or a new mode changes what a service says of itself.
  app.get('/cds-services', async () => ({ services: opts.services.map((s) => discoveryEntry(s, opts.deps.scorer.describe())) }));

  // Hook calls' bodies reach the handler unparsed, so parsing happens with the rest of the digest (on a
  // worker thread for a large body). Refusals stay Fastify's: an empty body here, invalid JSON below.
  app.removeContentTypeParser(JSON_TYPES);
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'buffer' }, (_request, body, done) => {
    const bytes = body as Buffer;
    if (bytes.length === 0) done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined);
    else done(null, new UnparsedBody(bytes));
  });
  const settings: PrepareSettings = { staleAfterHours: opts.deps.config.VIGIL_STALE_AFTER_HOURS };
  const digester = opts.digester ?? inlineDigester(settings);

  // The answer waits for the call's audit record, which carries the caller's token: the token's replay
  // record needs no write of its own (src/auth/durable-replay-store.ts).
  app.post<{ Params: { id: string } }>('/cds-services/:id', { config: { tokenRecordedWithAnswer: true } }, async (request, reply) => {
    const recordComing = opts.expectRecord?.();
    try {
      return await handleCall(request, reply, recordComing);
    } finally {
      recordComing?.();
    }
  });

  /**
   * The answer's body. Returned, not sent: Fastify sends what an async handler returns, where a
   * handler returning the reply object hands Fastify a thenable it must wait on; with two async onSend
   * hooks (security headers, and the token's record under authentication) the reply is not finished by
   * then, and Fastify watches its stream to the end on every call (end-of-stream listeners).
   */
  async function handleCall(
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    recordComing: (() => void) | undefined,
  ): Promise<string> {
    const started = performance.now();
    const body = request.body;
    const def = byId.get(request.params.id);
    if (def === undefined) {
      // Invalid JSON is refused before the service is looked up, as Fastify's parser refused it.
      if (body instanceof UnparsedBody) {
        const parsed = parseJsonBody(utf8Text(body.bytes));
        if (!parsed.ok) throw jsonRefusal(parsed);
      }
      throw new UnknownServiceError();
    }
    const now = opts.clock();
    // No body at all (no Content-Type) is read as it is: not an object.
    const digest =
      body instanceof UnparsedBody
        ? await digester.digest(def, body.bytes, now.getTime())
        : digestValue(def, body, now.getTime(), settings);
    if (digest.kind === 'invalid-json') throw jsonRefusal(digest);
    if (digest.kind === 'invalid') throw new InvalidRequestError(digest.issues);
    const { call } = digest;
    bindHookInstance(request, call.hookInstance);
    let prepared: unknown;
    let sources: Record<string, PrefetchSource>;
    if (digest.kind === 'prepared') {
      ({ prepared, sources } = digest);
    } else {
      // Something to fetch from the EHR: gathered here, where the fetcher and its breakers live.
      const data = await gatherPrefetch(call, def.prefetch, def.requiredPrefetch, opts.fetcher, request.signal).catch((e: unknown) => {
        // A call refused 412 still says where its keys came from: the outage is what the metric is for.
        if (e instanceof PreconditionFailedError)
          for (const [key, source] of Object.entries(e.sources)) opts.deps.telemetry.prefetchSource(def.id, key, source);
        throw e;
      });
      prepared = def.prepare(call, data, now, settings);
      sources = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.source]));
    }
    const deps: ServiceDeps = withFields(opts.deps, { keyed: forOneCall(opts.deps.keyed), log: request.log });
    const answer = await def.answer(call, prepared, deps, now);
    const onStoreError = () => deps.telemetry.suppressionStoreError();
    const repeat = await decideRepeats(
      answer.cards,
      { service: def.id, patientPseudonym: deps.keyed.pseudonym(call.context.patientId), now: now.getTime() },
      opts.repeat.settings,
      opts.repeat.store,
      onStoreError,
    );

    // Each card serialised once: these bytes are sent and hashed into the audit trail.
    const cardsJson = repeat.cards.map((c) => JSON.stringify(c));
    const answered: AnsweredCall = {
      service: def.id,
      hook: def.hook,
      hookInstance: call.hookInstance,
      patientPseudonym: deps.keyed.pseudonym(call.context.patientId),
      cards: repeat.cards,
      cardsJson,
      quietened: repeat.quietened,
      facts: answer.facts,
      sources,
      latencyMs: performance.now() - started,
      at: now,
      ...(request.pendingToken !== undefined ? { token: request.pendingToken } : {}),
    };
    recordComing?.();
    if (opts.recorder !== undefined) await opts.recorder(answered);
    // No record carried the token (none kept, or written without it under VIGIL_AUDIT_ON_FAILURE=answer):
    // its own line, before the answer; 503 when that fails.
    if (request.pendingToken !== undefined && !request.pendingToken.durable) await request.pendingToken.persist();
    // Only now is the answer certain: a call refused above showed no card, so none is remembered as shown.
    await rememberShown(repeat, opts.repeat.settings, opts.repeat.store, onStoreError);
    for (const observe of opts.observers) {
      try {
        await observe(answered);
      } catch (err) {
        request.log.error({ err: { message: (err as Error).message } }, 'call observer failed');
      }
    }
    reply.type('application/json; charset=utf-8');
    // Byte for byte what JSON.stringify({ cards }) gives, without serialising the cards again.
    return `{"cards":[${cardsJson.join(',')}]}`;
  }
}
