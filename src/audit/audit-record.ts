// One audit record per answered hook call: what Vigil told the clinician, when, through which path
// and model, how fast and from which data. The patient appears only as a keyed hash and no card text
// is kept (summaries carry vital values and drug names): each card is kept as its uuid, indicator
// and a SHA-256 of its exact JSON as sent (the same bytes as the answer), which proves a card shown in
// the EHR is the one Vigil sent.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { mostSevere } from '../cards/common.js';
import type { AnsweredCall } from '../observability/answered-call.js';
import type { ModelRecord } from '../models/scorer.js';

const indicator = z.enum(['info', 'warning', 'critical']);

/** One model on one call: which (name, version, role), in which mode, whether shown, what it said. */
const modelEntry = z.object({
  name: z.string(),
  version: z.string(),
  /** `primary` (VIGIL_MODEL_PATH) or `candidate` (VIGIL_CANDIDATE_MODEL_PATH). */
  role: z.enum(['primary', 'candidate']).optional(),
  mode: z.enum(['silent', 'active']).optional(),
  shown: z.boolean().optional(),
  probability: z.number().optional(),
  band: z.string().optional(),
  /** The model's own status on the call (used, insufficient-data, unavailable...). */
  status: z.string().optional(),
});
type ModelEntry = z.infer<typeof modelEntry>;

/** The record as written and as read back (the reader skips anything that does not match). */
export const auditRecordSchema = z.object({
  v: z.literal(1),
  at: z.iso.datetime(),
  /**
   * The caller's token when the call was authenticated: the SHA-256 of its issuer and jti (never the
   * token) and until when a replay of it is refused. Vigil reads it back at start-up, so a token that
   * made an answered call stays refused across a restart (src/auth/durable-replay-store.ts).
   */
  token: z.object({ digest: z.string(), until: z.iso.datetime() }).optional(),
  hookInstance: z.string(),
  service: z.string(),
  hook: z.string(),
  patient: z.string().startsWith('hmac-sha256:'),
  path: z.enum(['model', 'rules', 'none']),
  unscoredReason: z.string().optional(),
  /**
   * What the model serving this call did, shown or not: its mode (silent: scored and recorded, never on
   * a card; active), whether its estimate reached the card, and the estimate itself when it answered.
   * For a canary patient this is the candidate, running in the primary's mode.
   */
  model: modelEntry.optional(),
  /**
   * Every model that scored the call, the serving one first: with a candidate beside the primary,
   * both versions' estimates on the same patient, for comparison (the second always silent).
   */
  models: z.array(modelEntry).optional(),
  modelStatus: z.string().optional(),
  news2: z.object({ total: z.number(), partial: z.boolean(), risk: z.string() }).optional(),
  qsofa: z.object({ score: z.number(), positive: z.boolean(), partial: z.boolean() }).optional(),
  indicator: indicator.optional(),
  cards: z.array(z.object({ uuid: z.string(), indicator, sha256: z.string() })),
  /** Cards the repeat-card rule suppressed or downgraded (the downgraded ones are in `cards` as shown), and why. */
  quietened: z
    .array(z.object({ uuid: z.string(), indicator, action: z.enum(['suppressed', 'downgraded']), why: z.string(), shownAt: z.string() }))
    .optional(),
  latencyMs: z.number(),
  sources: z.record(z.string(), z.string()),
});

export type AuditRecord = z.infer<typeof auditRecordSchema>;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

function toModelEntry(m: ModelRecord): ModelEntry & { status: string } {
  return {
    name: m.name,
    version: m.version,
    ...(m.role !== undefined ? { role: m.role } : {}),
    mode: m.mode,
    shown: m.shown,
    ...(m.prediction !== undefined ? { probability: m.prediction.probability, band: m.prediction.band } : {}),
    status: m.status.state,
  };
}

export function toAuditRecord(call: AnsweredCall): AuditRecord {
  const a = call.facts.assessment;
  const record: AuditRecord = {
    v: 1,
    at: call.at.toISOString(),
    // Second, right after `at`: start-up reads it back from the start of the line (carried-tokens.ts).
    ...(call.token !== undefined ? { token: { digest: call.token.key, until: new Date(call.token.untilMs).toISOString() } } : {}),
    hookInstance: call.hookInstance,
    service: call.service,
    hook: call.hook,
    patient: call.patientPseudonym,
    path: call.facts.path,
    cards: call.cards.map((c, i) => ({ uuid: c.uuid, indicator: c.indicator, sha256: sha256(call.cardsJson[i]!) })),
    latencyMs: Math.round(call.latencyMs * 1000) / 1000,
    sources: { ...call.sources },
  };
  if (call.facts.unscoredReason !== undefined) record.unscoredReason = call.facts.unscoredReason;
  if (call.quietened.length > 0) record.quietened = call.quietened.map((q) => ({ ...q }));
  if (a !== undefined) {
    record.modelStatus = a.modelStatus.state;
    record.news2 = { total: a.news2.total, partial: a.news2.partial, risk: a.news2.risk };
    record.qsofa = { score: a.qsofa.score, positive: a.qsofa.positive, partial: a.qsofa.partial };
    const m = a.modelRecord;
    if (m !== undefined) {
      const { status, ...entry } = toModelEntry(m);
      record.model = entry;
      record.models = [toModelEntry(m), ...(a.shadowRecord !== undefined ? [toModelEntry(a.shadowRecord)] : [])];
      // The card's status says nothing of a silent model; the record keeps the model's own.
      record.modelStatus = status;
    }
  }
  const worst = mostSevere(...call.cards.map((c) => c.indicator));
  if (worst !== undefined) record.indicator = worst;
  return record;
}
