// CDS Hooks endpoints: discovery and one POST route per service. Validation, gathering, answering
// and reporting happen here in that order; everything clinical lives in the service definitions.
import type { FastifyInstance } from 'fastify';
import { InvalidRequestError, UnknownServiceError } from '../errors.js';
import { discoveryEntry, type CdsServiceDefinition, type ServiceDeps } from '../hooks/definition.js';
import type { HookCall } from '../cds-hooks/request-schema.js';
import type { AnsweredCall, CallObserver } from '../observability/answered-call.js';
import { gatherPrefetch, type PrefetchFetcher } from '../prefetch/gather.js';
import { applyRepeatRule, type RepeatSettings } from '../suppression/repeat-cards.js';
import type { SuppressionStore } from '../suppression/suppression-store.js';

export interface CdsRouteOptions {
  services: readonly CdsServiceDefinition[];
  deps: Omit<ServiceDeps, 'log'>;
  fetcher: PrefetchFetcher;
  /**
   * Must succeed before the call is answered (the audit trail): its error is the call's error. It
   * runs before the observers, so metrics count only calls that were answered.
   */
  recorder?: CallObserver;
  /** Told of every answered call, best effort: a failing observer is logged, the call still answered. */
  observers: readonly CallObserver[];
  clock: () => Date;
  /** The alert-fatigue rule for repeat cards, and where it remembers what it showed. */
  repeat: { settings: RepeatSettings; store: SuppressionStore };
}

function parseCall(def: CdsServiceDefinition, body: unknown): HookCall {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw InvalidRequestError.notAnObject();
  const hook = (body as { hook?: unknown }).hook;
  if (typeof hook === 'string' && hook !== def.hook) {
    throw new InvalidRequestError([
      { severity: 'error', code: 'value', diagnostics: `hook must be "${def.hook}" for service ${def.id}`, expression: ['hook'] },
    ]);
  }
  const parsed = def.schema.safeParse(body);
  if (!parsed.success) throw InvalidRequestError.fromZod(parsed.error.issues);
  return parsed.data;
}

export async function cdsRoutes(app: FastifyInstance, opts: CdsRouteOptions): Promise<void> {
  const byId = new Map(opts.services.map((s) => [s.id, s]));

  // Built on each request: a model reload or a new mode changes what a service says of itself.
  app.get('/cds-services', async () => ({ services: opts.services.map((s) => discoveryEntry(s, opts.deps.scorer.describe())) }));

  app.post<{ Params: { id: string } }>('/cds-services/:id', async (request, reply) => {
    const started = performance.now();
    const def = byId.get(request.params.id);
    if (def === undefined) throw new UnknownServiceError();
    const call = parseCall(def, request.body);
    const now = opts.clock();
    const wants = def.wantsData === undefined || def.wantsData(call);
    const data = wants ? await gatherPrefetch(call, def.prefetch, def.requiredPrefetch, opts.fetcher, request.signal) : {};
    const deps: ServiceDeps = { ...opts.deps, log: request.log };
    const answer = await def.answer(call, data, deps, now);
    const repeat = await applyRepeatRule(
      answer.cards,
      { service: def.id, patientPseudonym: deps.keyed.pseudonym(call.context.patientId), now: now.getTime() },
      opts.repeat.settings,
      opts.repeat.store,
      () => deps.telemetry.suppressionStoreError(),
    );

    const sources = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.source]));
    // Each card serialised once: these bytes are sent and hashed into the audit trail.
    const cardsJson = repeat.cards.map((c) => JSON.stringify(c));
    const answered: AnsweredCall = {
      service: def.id,
      hook: def.hook,
      hookInstance: call.hookInstance,
      patientId: call.context.patientId,
      cards: repeat.cards,
      cardsJson,
      quietened: repeat.quietened,
      facts: answer.facts,
      sources,
      latencyMs: performance.now() - started,
      at: now,
    };
    if (opts.recorder !== undefined) await opts.recorder(answered);
    for (const observe of opts.observers) {
      try {
        await observe(answered);
      } catch (err) {
        request.log.error({ err: { message: (err as Error).message } }, 'call observer failed');
      }
    }
    // Byte for byte what JSON.stringify({ cards }) gives, without serialising the cards again.
    return reply.type('application/json; charset=utf-8').send(`{"cards":[${cardsJson.join(',')}]}`);
  });
}
