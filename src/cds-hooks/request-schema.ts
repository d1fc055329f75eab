// zod schemas for CDS Hooks 2.0 service calls (HL7 STU2; hook definitions from the CDS Hooks
// Library 1.0.1). Unknown fields, `extension` among them, are tolerated as the specification says.
import { z } from 'zod';
import { bundle, fhirId, relativeReference, RELATIVE_REFERENCE } from '../fhir/resources.js';

/** `hookInstance`: any UUID in its canonical textual form (the sandbox sends v4, others v1 or v7). */
export const hookInstance = z.guid('must be a UUID');

const USER_TYPES = ['Practitioner', 'PractitionerRole', 'Patient', 'RelatedPerson'];
const userId = relativeReference.refine((v) => USER_TYPES.includes(v.split('/')[0] ?? ''), {
  message: `must reference a ${USER_TYPES.join(', ')}`,
});

export const fhirAuthorization = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i, 'must be "Bearer"'),
  expires_in: z.number().nonnegative().optional(),
  scope: z.string().optional(),
  subject: z.string().optional(),
  patient: z.string().optional(),
});

/** A prefetch value: a resource or Bundle, `null` (no data), or an array of Bundle pages. */
const prefetchValue = z.union([
  z.null(),
  z.looseObject({ resourceType: z.string().min(1) }),
  z.array(z.looseObject({ resourceType: z.string().min(1) })),
]);

const baseCall = {
  hookInstance,
  fhirServer: z.url({ protocol: /^https?$/ }).optional(),
  fhirAuthorization: fhirAuthorization.optional(),
  prefetch: z.record(z.string(), prefetchValue).optional(),
};

function requireServerWithAuthorization(call: { fhirServer?: string; fhirAuthorization?: unknown }, ctx: z.RefinementCtx) {
  if (call.fhirAuthorization !== undefined && call.fhirServer === undefined) {
    ctx.addIssue({ code: 'custom', path: ['fhirServer'], message: 'is required when fhirAuthorization is present' });
  }
}

export const patientViewContext = z.looseObject({
  userId,
  patientId: fhirId,
  encounterId: fhirId.optional(),
});

export const patientViewCall = z
  .looseObject({ hook: z.literal('patient-view'), ...baseCall, context: patientViewContext })
  .superRefine(requireServerWithAuthorization);

export const orderSelectContext = z
  .looseObject({
    userId,
    patientId: fhirId,
    encounterId: fhirId.optional(),
    selections: z.array(relativeReference).min(1, 'must name at least one selected order'),
    draftOrders: bundle,
  })
  .superRefine((ctx, issues) => {
    const inBundle = new Set(
      (ctx.draftOrders.entry ?? [])
        .map((e) => e.resource)
        .filter((r) => r !== undefined && r.id !== undefined)
        .map((r) => `${r!.resourceType}/${r!.id}`),
    );
    ctx.selections.forEach((sel, i) => {
      if (RELATIVE_REFERENCE.test(sel) && !inBundle.has(sel)) {
        issues.addIssue({ code: 'custom', path: ['selections', i], message: 'must name an entry of context.draftOrders' });
      }
    });
  });

export const orderSelectCall = z
  .looseObject({ hook: z.literal('order-select'), ...baseCall, context: orderSelectContext })
  .superRefine(requireServerWithAuthorization);

export type PatientViewCall = z.infer<typeof patientViewCall>;
export type OrderSelectCall = z.infer<typeof orderSelectCall>;
export type HookCall = PatientViewCall | OrderSelectCall;
