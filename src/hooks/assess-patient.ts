// The shared middle of both services: gathered FHIR → normalised inputs → risk assessment.
import { normaliseInputs } from '../prefetch/normalise.js';
import type { Gathered } from '../prefetch/gather.js';
import type { PatientInputs } from '../prefetch/vital-signs.js';
import type { RiskAssessment } from '../models/scorer.js';
import type { CardContext } from '../cards/common.js';
import type { ServiceDeps } from './definition.js';

export interface PatientPicture {
  inputs: PatientInputs;
  /** Undefined when no vital sign is recent enough to score: cards must say so, not score. */
  assessment?: RiskAssessment;
  /** Data that could not be obtained, in words safe to show on a card. */
  problems: string[];
}

const OBSERVATION_KEYS = ['vitals', 'consciousness', 'oxygen'];

export function hasFreshVitals(inputs: PatientInputs): boolean {
  return Object.values(inputs.vitals).some((r) => r !== undefined);
}

export async function assessPatient(data: Gathered, deps: ServiceDeps, now: Date): Promise<PatientPicture> {
  const observations = OBSERVATION_KEYS.flatMap((k) => data[k]?.resources ?? []);
  const patient = data.patient?.resources.find((r) => r.resourceType === 'Patient');
  const goals = (data.spo2Target?.resources ?? []).filter((r) => r.resourceType === 'Goal');
  const inputs = normaliseInputs(
    { observations, goals, ...(patient !== undefined ? { patient } : {}) },
    { now, staleAfterHours: deps.config.VIGIL_STALE_AFTER_HOURS },
  );
  const problems = Object.entries(data)
    .filter(([, v]) => v.source === 'missing')
    .map(([key, v]) => `${KEY_WORDS[key] ?? key}: ${v.problem ?? 'unavailable'}`);
  if (!hasFreshVitals(inputs)) return { inputs, problems };
  const assessment = await deps.scorer.assess(inputs);
  return { inputs, assessment, problems };
}

const KEY_WORDS: Record<string, string> = {
  patient: 'Patient record (age)',
  vitals: 'Vital signs',
  consciousness: 'Level of consciousness',
  oxygen: 'Oxygen therapy',
  spo2Target: 'SpO2 target (scale 2)',
  activeMedications: 'Active medication orders',
};

/** What the card builders need to know besides the assessment. */
export function cardContextFor(picture: PatientPicture, deps: ServiceDeps, now: Date): CardContext {
  return {
    now,
    staleAfterHours: deps.config.VIGIL_STALE_AFTER_HOURS,
    policy: deps.config,
    problems: picture.problems,
  };
}
