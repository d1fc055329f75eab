// `deterioration-risk` on patient-view: when a chart opens, the patient's risk of deterioration
// (the model beside NEWS2, or NEWS2 alone), why, and the RCP response.
import type { Card } from '../cds-hooks/card-schema.js';
import { deteriorationCard, noRecentVitalsCard } from '../cards/deterioration-card.js';
import { PATIENT_READ_ACCESS, PATIENT_RISK_PREFETCH, REQUIRED_PREFETCH } from '../prefetch/templates.js';
import { assessPatient, cardContextFor, readPatient, type PatientReading } from './assess-patient.js';
import type { CdsServiceDefinition } from './definition.js';
import { patientViewCall, type PatientViewCall } from '../cds-hooks/request-schema.js';

export const deteriorationRisk: CdsServiceDefinition<PatientViewCall, PatientReading> = {
  id: 'deterioration-risk',
  hook: 'patient-view',
  title: 'Vigil: risk of deterioration',
  description:
    "Scores the patient's risk of clinical deterioration from recent vital signs (NEWS2 and qSOFA, with a learned model where one is deployed) and explains the score with the RCP NEWS2 response.",
  prefetch: PATIENT_RISK_PREFETCH,
  requiredPrefetch: REQUIRED_PREFETCH,
  usageRequirements: PATIENT_READ_ACCESS,
  showsModel: true,
  schema: patientViewCall,

  prepare: (call, data, now, settings) => readPatient(data, call.context.patientId, now, settings.staleAfterHours),

  async answer(call, reading, deps, now) {
    const picture = await assessPatient(reading, deps, call.context.patientId);
    const ctx = cardContextFor(picture, deps, now, { service: 'deterioration-risk', patientId: call.context.patientId });
    if (picture.assessment === undefined) {
      const card = noRecentVitalsCard(picture.inputs, ctx);
      const reason = (card.extension?.['vigil.score'] as { reason: string }).reason;
      return { cards: [card], facts: { path: 'none', unscoredReason: reason } };
    }
    const card = deteriorationCard(picture.assessment, picture.inputs, ctx);
    const cards: Card[] = card === undefined ? [] : [card];
    return { cards, facts: { path: picture.assessment.path, assessment: picture.assessment } };
  },
};
