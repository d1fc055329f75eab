// Calls to the two CDS services through the real app (Fastify's inject), with a prefetch built from
// FHIR examples: what an EHR sends for patient `example`. Shared by the hook tests that judge cards
// end to end.
import { afterAll, beforeAll, expect } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { FhirResource } from '../../src/fhir/resources.js';
import { NOW, patient } from './fhir-examples.js';
import { testApp } from './app.js';

/**
 * The real app with its clock at the examples' NOW and repeat cards off (each test judges one card),
 * opened before the calling file's tests and closed after them. Returns a getter for it.
 */
export function hookApp(): () => FastifyInstance {
  let app: FastifyInstance | undefined;
  beforeAll(async () => {
    app = await testApp({ clock: () => NOW }, { VIGIL_REPEAT_CARD_POLICY: 'off' });
  });
  afterAll(() => app?.close());
  return () => app!;
}

/** The fields of an answered card these tests read. */
export interface AnsweredCard {
  summary: string;
  detail: string;
  indicator: string;
  extension: Record<string, any>;
}

let n = 0;
const nextHookInstance = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

export const searchset = (resources: FhirResource[]) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: resources.map((resource) => ({ resource })),
});

/**
 * patient-view for `example` (born 1950 unless `birthDate` says) with `observations` as the vitals
 * prefetch and `goals` as the SpO2 target prefetch (none found unless given).
 */
export async function patientView(
  app: FastifyInstance,
  observations: FhirResource[],
  birthDate: string | null = '1950-01-01',
  goals: FhirResource[] | null = null,
): Promise<AnsweredCard[]> {
  const res = await app.inject({
    method: 'POST',
    url: '/cds-services/deterioration-risk',
    payload: {
      hook: 'patient-view',
      hookInstance: nextHookInstance(),
      context: { userId: 'Practitioner/1', patientId: 'example' },
      prefetch: {
        patient: patient(birthDate ?? undefined),
        vitals: searchset(observations),
        consciousness: null,
        oxygen: null,
        spo2Target: goals === null ? null : searchset(goals),
      },
    },
  });
  expect(res.statusCode).toBe(200);
  return res.json().cards;
}

/** A draft MedicationRequest for `example`, coded with an RxNorm ingredient. */
export function draftOrder(id: string, rxnormIngredient: string, name: string): FhirResource {
  return {
    resourceType: 'MedicationRequest',
    id,
    status: 'draft',
    intent: 'order',
    subject: { reference: 'Patient/example' },
    medicationCodeableConcept: {
      coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: rxnormIngredient, display: name }],
    },
  };
}

/**
 * order-select for `example`: morphine chosen, `observations` as the vitals prefetch. `activeMedications`
 * is the prefetch key as sent: a Bundle, `null` (the EHR found nothing), or `'not sent'` (the key left
 * out, to be fetched when a FHIR server is configured). `options.drafts`: other draft orders of the same
 * session, `selected` with morphine or only in the basket; `birthDate` of the patient (1950 unless said);
 * `goals`, the SpO2 target prefetch (none found unless given); `prefetch`, a whole prefetch to send instead.
 */
export async function morphineOrdered(
  app: FastifyInstance,
  observations: FhirResource[],
  activeMedications: FhirResource[] | null | 'not sent' = null,
  options: {
    drafts?: FhirResource[];
    selected?: boolean;
    birthDate?: string;
    goals?: FhirResource[];
    /** Sent as the whole prefetch instead of the one built from the other arguments. */
    prefetch?: Record<string, unknown>;
  } = {},
): Promise<AnsweredCard[]> {
  const draft = draftOrder('draft-1', '7052', 'morphine');
  const others = options.drafts ?? [];
  const drafts = [draft, ...others];
  const selections = ['MedicationRequest/draft-1', ...(options.selected === true ? others.map((d) => `MedicationRequest/${d.id}`) : [])];
  const prefetch: Record<string, unknown> = {
    patient: patient(options.birthDate ?? '1950-01-01'),
    vitals: searchset(observations),
    consciousness: null,
    oxygen: null,
    spo2Target: options.goals === undefined ? null : searchset(options.goals),
  };
  if (activeMedications !== 'not sent') prefetch.activeMedications = activeMedications === null ? null : searchset(activeMedications);
  const res = await app.inject({
    method: 'POST',
    url: '/cds-services/sedation-safety',
    payload: {
      hook: 'order-select',
      hookInstance: nextHookInstance(),
      context: {
        userId: 'Practitioner/1',
        patientId: 'example',
        selections,
        draftOrders: { resourceType: 'Bundle', type: 'collection', entry: drafts.map((resource) => ({ resource })) },
      },
      prefetch: options.prefetch ?? prefetch,
    },
  });
  expect(res.statusCode).toBe(200);
  return res.json().cards;
}
