// What a CDS Hooks 2.0 card and response must look like (specification "CDS Service Response"),
// as zod. Tests hold every card Vigil builds to it; the card builders keep optional fields out
// rather than sending nulls, empty strings or empty arrays.
import { z } from 'zod';

const nonEmpty = z.string().min(1);
export const codingSchema = z.strictObject({ system: nonEmpty, code: nonEmpty, display: nonEmpty.optional() });

const action = z.strictObject({
  type: z.enum(['create', 'update', 'delete']),
  description: nonEmpty,
  resource: z.record(z.string(), z.unknown()).optional(),
  resourceId: nonEmpty.optional(),
});

const suggestion = z.strictObject({
  label: nonEmpty,
  uuid: z.uuid().optional(),
  isRecommended: z.boolean().optional(),
  actions: z.array(action).min(1).optional(),
});

const link = z.strictObject({
  label: nonEmpty,
  url: z.url(),
  type: z.enum(['absolute', 'smart']),
  appContext: nonEmpty.optional(),
});

export const cardSchema = z
  .strictObject({
    uuid: z.uuid(),
    summary: nonEmpty.max(139),
    detail: nonEmpty.optional(),
    indicator: z.enum(['info', 'warning', 'critical']),
    source: z.strictObject({
      label: nonEmpty,
      url: z.url().optional(),
      icon: z.url().optional(),
      topic: codingSchema.optional(),
    }),
    suggestions: z.array(suggestion).min(1).optional(),
    selectionBehavior: z.enum(['at-most-one', 'any']).optional(),
    overrideReasons: z
      .array(codingSchema.required({ display: true }))
      .min(1)
      .optional(),
    links: z.array(link).min(1).optional(),
    extension: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((c) => c.suggestions === undefined || c.selectionBehavior !== undefined, {
    message: 'selectionBehavior is required when suggestions are present',
    path: ['selectionBehavior'],
  });

export type Card = z.infer<typeof cardSchema>;
export type Indicator = Card['indicator'];

/** How severe each indicator is, least first: what "more severe" means wherever cards are compared. */
export const INDICATOR_RANK: Readonly<Record<Indicator, number>> = { info: 0, warning: 1, critical: 2 };

export const cdsResponseSchema = z.strictObject({
  cards: z.array(cardSchema),
  systemActions: z.array(action).optional(),
});

/** Shortens a summary to the specification's < 140 characters without cutting a word in half. */
export function fitSummary(text: string, max = 139): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:·—-]+$/, '')}…`;
}
