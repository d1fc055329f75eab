// What a CDS Hooks feedback request may look like (specification "Feedback"): the wrapper
// `{feedback: [...]}` and the single flat item some older clients send. Unknown fields are tolerated
// (and not kept). The sandbox sends `overrideReason.reason` as `{code, system}` without a display.
import { z } from 'zod';
import { InvalidRequestError } from '../errors.js';

/**
 * Caps on everything that may be stored: an id is a UUID in practice (36 characters); a card offers a
 * few suggestions; a code is a short token (the CDS Hooks override reasons are a few words); a system
 * is a URI. Without them one request could store kilobytes per item (35 KB per 100 items was seen,
 * ~100 MB a minute at the rate limit). With them an item is at most ~1.5 KB on disk.
 */
export const FEEDBACK_LIMITS = {
  idChars: 64,
  suggestions: 10,
  codeChars: 100,
  systemChars: 256,
  displayChars: 256,
  commentChars: 4000,
} as const;

const id = z.string().min(1).max(FEEDBACK_LIMITS.idChars);

export const feedbackItemSchema = z
  .looseObject({
    card: id,
    outcome: z.enum(['accepted', 'overridden']),
    acceptedSuggestions: z.array(z.looseObject({ id })).max(FEEDBACK_LIMITS.suggestions).optional(),
    overrideReason: z
      .looseObject({
        reason: z
          .looseObject({
            system: z.string().min(1).max(FEEDBACK_LIMITS.systemChars),
            code: z.string().min(1).max(FEEDBACK_LIMITS.codeChars),
            display: z.string().max(FEEDBACK_LIMITS.displayChars).optional(),
          })
          .optional(),
        userComment: z.string().max(FEEDBACK_LIMITS.commentChars).optional(),
      })
      .optional(),
    outcomeTimestamp: z.iso.datetime({ offset: true }),
  })
  .superRefine((item, ctx) => {
    if (item.outcome === 'accepted' && (item.acceptedSuggestions === undefined || item.acceptedSuggestions.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['acceptedSuggestions'], message: 'is required when the outcome is accepted' });
    }
  });

export type FeedbackItem = z.infer<typeof feedbackItemSchema>;

/** At most this many items per request: feedback is per card, and a client sends a handful. */
export const MAX_ITEMS = 100;

const wrapperSchema = z.looseObject({ feedback: z.array(feedbackItemSchema).min(1).max(MAX_ITEMS) });

/** The items of a feedback request in either shape; throws InvalidRequestError naming each bad field. */
export function parseFeedbackBody(body: unknown): FeedbackItem[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw InvalidRequestError.notAnObject();
  // A body with `feedback` is the specification's wrapper; anything else is read as one flat item.
  const parsed = 'feedback' in body ? wrapperSchema.safeParse(body) : feedbackItemSchema.safeParse(body);
  if (!parsed.success) throw InvalidRequestError.fromZod(parsed.error.issues, body);
  return 'feedback' in parsed.data ? (parsed.data.feedback as FeedbackItem[]) : [parsed.data];
}
