// A feedback item as Vigil keeps it: normalised, with an idempotency key over its content (so the
// same feedback sent twice is stored once) and a flag saying whether Vigil issued the card.
// Free-text comments may name a patient: unless VIGIL_FEEDBACK_KEEP_COMMENTS, only their presence is kept.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FeedbackItem } from './feedback-schema.js';

/** `this-service`: issued by the service the feedback was sent to; `other-service`: by another Vigil service. */
export const cardOrigin = z.enum(['this-service', 'other-service', 'unknown']);
export type CardOrigin = z.infer<typeof cardOrigin>;

export const feedbackRecordSchema = z.object({
  v: z.literal(1),
  key: z.string(),
  receivedAt: z.iso.datetime(),
  service: z.string(),
  card: z.string(),
  cardOrigin,
  outcome: z.enum(['accepted', 'overridden']),
  outcomeTimestamp: z.iso.datetime(),
  acceptedSuggestions: z.array(z.string()).optional(),
  overrideReason: z.object({ system: z.string(), code: z.string() }).optional(),
  hasComment: z.boolean(),
  userComment: z.string().optional(),
  /** Who sent it: the token's issuer (and tenant), when authenticated. Counts against its daily quota. */
  client: z.string().optional(),
});

export type FeedbackRecord = z.infer<typeof feedbackRecordSchema>;

export interface RecordContext {
  service: string;
  /** The service that issued `item.card`, when Vigil knows it did. */
  issuedBy: string | undefined;
  receivedAt: Date;
  keepComments: boolean;
  /** The authenticated client (`iss:...|tenant:...`); absent with VIGIL_AUTH=off. */
  client?: string | undefined;
}

export function toFeedbackRecord(item: FeedbackItem, ctx: RecordContext): FeedbackRecord {
  // Normalised so that one instant written two ways ("Z" and "+00:00") is one piece of feedback.
  const outcomeTimestamp = new Date(item.outcomeTimestamp).toISOString();
  const suggestions = item.acceptedSuggestions?.map((s) => s.id).sort();
  const reason = item.overrideReason?.reason;
  const comment = item.overrideReason?.userComment;
  const key = createHash('sha256')
    .update(
      JSON.stringify([
        ctx.service,
        item.card,
        item.outcome,
        outcomeTimestamp,
        suggestions ?? null,
        reason?.system ?? null,
        reason?.code ?? null,
        comment ?? null,
      ]),
    )
    .digest('hex');
  const record: FeedbackRecord = {
    v: 1,
    key,
    receivedAt: ctx.receivedAt.toISOString(),
    service: ctx.service,
    card: item.card,
    cardOrigin: ctx.issuedBy === undefined ? 'unknown' : ctx.issuedBy === ctx.service ? 'this-service' : 'other-service',
    outcome: item.outcome,
    outcomeTimestamp,
    hasComment: comment !== undefined && comment.length > 0,
  };
  if (suggestions !== undefined) record.acceptedSuggestions = suggestions;
  if (reason !== undefined) record.overrideReason = { system: reason.system, code: reason.code };
  if (ctx.keepComments && comment !== undefined && comment.length > 0) record.userComment = comment;
  if (ctx.client !== undefined) record.client = ctx.client;
  return record;
}
