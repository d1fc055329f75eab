// zod schemas for CDS Hooks 2.0 service calls (HL7 STU2; hook definitions from the CDS Hooks
// Library 1.0.1). Unknown fields, `extension` among them, are tolerated as the specification says.
import { z } from 'zod';
import { bundle, fhirId, relativeReference, RELATIVE_REFERENCE } from '../fhir/resources.js';

/** The most orders one order-select call may select (each a card when it is a sedative). */
export const MAX_SELECTIONS = 50;

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

export const patientViewContext = z.looseObject({
  userId,
  patientId: fhirId,
  encounterId: fhirId.optional(),
});

// No refinement on the call objects themselves: rules across fields are checked after the shape, by
// crossFieldIssues below. A zod refinement on an object that carries a 49 KiB prefetch made V8 pretenure
// zod's per-call objects: the parsed body then outlived every young-generation collection and the
// digest thread spent ~1.5× the CPU per call (measured 587 vs 370 µs per patient-view digest,
// SYNTHETIC ward bodies; bench/RESULTS.md).
export const patientViewCall = z.looseObject({ hook: z.literal('patient-view'), ...baseCall, context: patientViewContext });

export const orderSelectContext = z.looseObject({
  userId,
  patientId: fhirId,
  encounterId: fhirId.optional(),
  // A clinician selects a few orders at a time; thousands would be thousands of cards (found by fuzzing).
  selections: z
    .array(relativeReference)
    .min(1, 'must name at least one selected order')
    .max(MAX_SELECTIONS, `must name at most ${MAX_SELECTIONS} selected orders`),
  draftOrders: bundle,
});

export const orderSelectCall = z.looseObject({ hook: z.literal('order-select'), ...baseCall, context: orderSelectContext });

export type PatientViewCall = z.infer<typeof patientViewCall>;
export type OrderSelectCall = z.infer<typeof orderSelectCall>;
export type HookCall = PatientViewCall | OrderSelectCall;

/** A rule broken across fields: where (as zod paths are) and what is wrong, never the value. */
export interface CrossFieldIssue {
  path: (string | number)[];
  message: string;
}

/** Rules across fields of a call whose shape is valid (its schema parsed it): none broken gives []. */
export function crossFieldIssues(call: HookCall): CrossFieldIssue[] {
  const issues: CrossFieldIssue[] = [];
  if (call.fhirAuthorization !== undefined && call.fhirServer === undefined) {
    issues.push({ path: ['fhirServer'], message: 'is required when fhirAuthorization is present' });
  }
  if (call.hook === 'order-select') {
    const { draftOrders, selections } = call.context;
    const inBundle = new Set(
      (draftOrders.entry ?? [])
        .map((e) => e.resource)
        .filter((r) => r !== undefined && r.id !== undefined)
        .map((r) => `${r!.resourceType}/${r!.id}`),
    );
    selections.forEach((sel, i) => {
      if (RELATIVE_REFERENCE.test(sel) && !inBundle.has(sel)) {
        issues.push({ path: ['context', 'selections', i], message: 'must name an entry of context.draftOrders' });
      }
    });
  }
  return issues;
}
