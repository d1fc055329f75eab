// What a CDS service is in Vigil: its discovery entry, the schema its calls must meet, the prefetch
// it needs and the function that answers. Discovery is derived from these definitions, so what is
// advertised can never drift from what is served.
import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import type { Card } from '../cds-hooks/card-schema.js';
import type { Config } from '../config.js';
import type { DeteriorationScorer, ModelDescription, RiskAssessment, ScorerDescription } from '../models/scorer.js';
import type { Gathered } from '../prefetch/gather.js';
import type { KeyedHash } from '../identity/keyed-hash.js';
import type { Telemetry } from '../telemetry.js';
import type { HookCall } from '../cds-hooks/request-schema.js';

export interface ServiceDeps {
  config: Readonly<Config>;
  scorer: DeteriorationScorer;
  telemetry: Telemetry;
  log: FastifyBaseLogger;
  /** Pseudonyms and stable card ids, under the audit key. */
  keyed: KeyedHash;
}

/** Facts about one answered call, for metrics and the audit trail. Never patient data. */
export interface AnswerFacts {
  path: 'model' | 'rules' | 'none';
  assessment?: RiskAssessment;
  /** Why no score was given, when none was ("no-vitals", "stale-vitals", "no-sedative-selected"). */
  unscoredReason?: string;
}

export interface HookAnswer {
  cards: Card[];
  facts: AnswerFacts;
}

/** What preparing a call may depend on besides the call, its data and the clock: settings, never state. */
export interface PrepareSettings {
  staleAfterHours: number;
}

/**
 * A service in two steps. `prepare` reads the call and its data into what the answer needs (the
 * patient's normalised vitals, the sedatives ordered): pure, no I/O and no state, so it runs where
 * the body was parsed, on a worker thread under load (http/digest-pool.ts), and what it returns must
 * survive a structured clone (plain data and Dates). `answer` scores and builds the cards in the
 * process that holds the models, stores and metrics.
 */
export interface CdsServiceDefinition<C extends HookCall = HookCall, P = unknown> {
  id: string;
  hook: C['hook'];
  title: string;
  description: string;
  prefetch: Record<string, string>;
  /** Prefetch keys without which the service cannot answer: absent and unobtainable → 412. */
  requiredPrefetch: readonly string[];
  usageRequirements?: string;
  /** Its cards show a model's estimate when one is active: discovery then names the model. */
  showsModel?: boolean;
  schema: z.ZodType<C>;
  /** False when this call needs no patient data (e.g. no sedative selected): prefetch is not gathered. */
  wantsData?(call: C): boolean;
  prepare(call: C, data: Gathered, now: Date, settings: PrepareSettings): P;
  answer(call: C, prepared: P, deps: ServiceDeps, now: Date): Promise<HookAnswer>;
}

/**
 * What discovery adds when a model changes what a clinician sees (active, or a canary of an active
 * primary): which model and version, and "synthetic" when it was trained on synthetic data. A silent
 * model changes nothing a clinician sees, so it changes nothing here.
 */
export function modelInService(described: ScorerDescription): string | undefined {
  if (described.mode !== 'active') return undefined;
  const named = (m: ModelDescription) =>
    `${m.name ?? 'model'} ${m.version ?? ''}`.trim() + (m.trainingData === 'synthetic' ? ' (synthetic, not clinically validated)' : '');
  const loaded = (described.models ?? []).filter((m) => m.state === 'loaded');
  const primary = loaded.find((m) => m.role === 'primary');
  const canary = loaded.find((m) => m.role === 'candidate' && m.mode === 'canary' && (m.canaryPercent ?? 0) > 0);
  const parts: string[] = [];
  if (primary !== undefined) parts.push(`Model in service: ${named(primary)}, its estimate shown on cards beside NEWS2.`);
  if (canary !== undefined) parts.push(`For ${canary.canaryPercent} % of patients (a canary), ${named(canary)} in its place.`);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** The discovery entry for a definition (CDS Hooks "Discovery" response, one service), with the models in service. */
export function discoveryEntry(def: CdsServiceDefinition, models?: ScorerDescription) {
  const note = def.showsModel === true && models !== undefined ? modelInService(models) : undefined;
  const entry: Record<string, unknown> = {
    hook: def.hook,
    title: def.title,
    description: note === undefined ? def.description : `${def.description} ${note}`,
    id: def.id,
    prefetch: def.prefetch,
  };
  if (def.usageRequirements !== undefined) entry.usageRequirements = def.usageRequirements;
  return entry;
}
