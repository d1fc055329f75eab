// What a clinician can accept from a card with one click: the RCP response for the NEWS2 band as
// proposed orders (a `create` action with a FHIR ServiceRequest, intent `proposal`, status `draft`, the
// patient's reference and the reason coded), the one the band calls for marked recommended. The EHR
// turns an accepted suggestion into a real order in its own workflow; Vigil proposes, never orders.
//
// Codes (SNOMED CT, international edition, each seen in published FHIR material checked 2026-11-27):
// 61746007 |Taking patient vital signs| (procedure); 304562007 |Informing doctor| (procedure, HL7
// Transitions of Care IG example); 252465000 |Pulse oximetry| (procedure); 255238004 |Continuous|
// (qualifier); 1104051000000101 NEWS2 total score (UK extension) as the reason.
// Responses: RCP NEWS2 (2017), chart 3 (clinical response) and chart 4 (minimum monitoring frequency).
import type { News2Result, News2Risk } from '../fallback-rules/types.js';
import { SNOMED } from '../fhir/codes.js';
const TAKING_VITAL_SIGNS = { system: SNOMED, code: '61746007', display: 'Taking patient vital signs' };
const INFORMING_DOCTOR = { system: SNOMED, code: '304562007', display: 'Informing doctor' };
const PULSE_OXIMETRY = { system: SNOMED, code: '252465000', display: 'Pulse oximetry' };
const CONTINUOUS = { system: SNOMED, code: '255238004', display: 'Continuous' };
const NEWS2_TOTAL = { system: SNOMED, code: '1104051000000101', display: 'NEWS2 total score' };

/** One suggestion before it gets its uuid (card-identity.ts derives it from the card's). */
export interface SuggestionDraft {
  /** Stable within a card: the uuid is derived from it. */
  key: string;
  label: string;
  isRecommended?: boolean;
  actions: { type: 'create' | 'delete'; description: string; resource?: Record<string, unknown>; resourceId?: string }[];
}

interface Proposal {
  key: string;
  label: string;
  code: typeof TAKING_VITAL_SIGNS;
  text: string;
  priority: 'routine' | 'urgent' | 'stat';
  /** Observations at least every this many hours (ServiceRequest.occurrenceTiming). */
  everyHours?: number;
  continuous?: boolean;
}

function serviceRequest(p: Proposal, patientId: string, reason: string, reasonIsNews2: boolean): Record<string, unknown> {
  const resource: Record<string, unknown> = {
    resourceType: 'ServiceRequest',
    status: 'draft',
    intent: 'proposal',
    priority: p.priority,
    code: { coding: [p.code], text: p.text },
    subject: { reference: `Patient/${patientId}` },
    reasonCode: [reasonIsNews2 ? { coding: [NEWS2_TOTAL], text: reason } : { text: reason }],
  };
  if (p.everyHours !== undefined) resource.occurrenceTiming = { repeat: { frequency: 1, period: p.everyHours, periodUnit: 'h' } };
  if (p.continuous === true) resource.orderDetail = [{ coding: [CONTINUOUS], text: 'Continuous' }];
  return resource;
}

const OBSERVE_NOW: Proposal = {
  key: 'observe-now',
  label: 'Record a full set of observations now',
  code: TAKING_VITAL_SIGNS,
  text: 'Full set of NEWS2 observations now',
  priority: 'urgent',
};
const EVERY_4H: Proposal = {
  key: 'observe-4-hourly',
  label: 'Increase observation frequency to at least 4-hourly',
  code: TAKING_VITAL_SIGNS,
  text: 'NEWS2 observations at least 4-hourly',
  priority: 'routine',
  everyHours: 4,
};
const EVERY_HOUR: Proposal = {
  key: 'observe-hourly',
  label: 'Increase observation frequency to at least hourly',
  code: TAKING_VITAL_SIGNS,
  text: 'NEWS2 observations at least hourly',
  priority: 'urgent',
  everyHours: 1,
};
const CONTINUOUS_MONITORING: Proposal = {
  key: 'monitor-continuously',
  label: 'Start continuous monitoring of vital signs',
  code: TAKING_VITAL_SIGNS,
  text: 'Continuous monitoring of vital signs',
  priority: 'stat',
  continuous: true,
};
const URGENT_WARD_REVIEW: Proposal = {
  key: 'urgent-review',
  label: 'Request urgent ward-based review by the medical team',
  code: INFORMING_DOCTOR,
  text: 'Urgent ward-based review by the medical team (NEWS2: a single parameter scoring 3)',
  priority: 'urgent',
};
const URGENT_REVIEW: Proposal = {
  key: 'urgent-review',
  label: 'Request urgent clinical review',
  code: INFORMING_DOCTOR,
  text: 'Urgent assessment by a clinician with competencies in acute illness',
  priority: 'urgent',
};
const EMERGENCY: Proposal = {
  key: 'emergency-assessment',
  label: 'Request emergency assessment',
  code: INFORMING_DOCTOR,
  text: 'Emergency assessment by a team with critical-care competencies',
  priority: 'stat',
};

/** Per band, the proposals in the order the RCP response lists them; the first is the one it calls for. */
const BY_BAND: Record<News2Risk, Proposal[]> = {
  none: [],
  low: [EVERY_4H],
  'low-medium': [URGENT_WARD_REVIEW, EVERY_HOUR],
  medium: [URGENT_REVIEW, EVERY_HOUR],
  high: [EMERGENCY, CONTINUOUS_MONITORING],
};

function toDraft(p: Proposal, recommended: boolean, patientId: string, reason: string, reasonIsNews2 = true): SuggestionDraft {
  return {
    key: p.key,
    label: p.label,
    ...(recommended ? { isRecommended: true } : {}),
    actions: [{ type: 'create', description: p.text, resource: serviceRequest(p, patientId, reason, reasonIsNews2) }],
  };
}

/** Bands whose response is only more frequent observations: a full set now comes before them. */
const OBSERVATION_ONLY_BANDS: ReadonlySet<News2Risk> = new Set(['none', 'low']);

/**
 * Suggestions for a deterioration-risk card. An incomplete score, or values to re-check, asks for a
 * full set of observations now: first and recommended where the band itself calls only for more
 * frequent observations (fourth review, 2026-11-29: NEWS2 1 beside a preliminary RR 30 recommended
 * "at least 4-hourly"), after the band's review where it calls for one.
 */
export function deteriorationSuggestions(news2: News2Result, patientId: string, mustObserve: boolean): SuggestionDraft[] {
  const reason = `NEWS2 ${news2.partial ? '≥ ' : ''}${news2.total}`;
  const band = BY_BAND[news2.risk];
  const observeNow = news2.partial || mustObserve;
  const ordered = !observeNow ? band : OBSERVATION_ONLY_BANDS.has(news2.risk) ? [OBSERVE_NOW, ...band] : [...band, OBSERVE_NOW];
  return ordered.map((p, i) => toDraft(p, i === 0, patientId, reason));
}

/** Continuous pulse oximetry after a sedative, offered where breathing is the reason for the card. */
export function continuousOximetrySuggestion(patientId: string, reason: string): SuggestionDraft {
  const p: Proposal = {
    key: 'continuous-oximetry',
    label: 'Order continuous pulse oximetry',
    code: PULSE_OXIMETRY,
    text: 'Continuous pulse oximetry after the sedative',
    priority: 'urgent',
    continuous: true,
  };
  return toDraft(p, false, patientId, reason, false);
}
