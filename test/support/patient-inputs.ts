// The one vital-set shape of the tests: PatientInputs from plain numbers, so each table row states
// only what it tests (scorers, explanations, cards, the model). FHIR-shaped data: fhir-examples.ts.
import { patientInputsOf, type Consciousness, type PatientInputs, type VitalSigns } from '../../src/domain/vital-signs.js';

export const CHARTED_AT = new Date('2024-05-01T10:00:00Z');

export interface Vitals {
  respiratoryRate?: number;
  spo2?: number;
  onOxygen?: boolean;
  systolicBP?: number;
  heartRate?: number;
  consciousness?: Consciousness;
  temperature?: number;
}

/** A well adult on air: every parameter present and scoring 0 on either scale. */
export const WELL: Required<Vitals> = {
  respiratoryRate: 16,
  spo2: 97,
  onOxygen: false,
  systolicBP: 125,
  heartRate: 72,
  consciousness: 'alert',
  temperature: 37.0,
};

export function vitalSigns(v: Vitals, at: Date = CHARTED_AT): VitalSigns {
  const out: VitalSigns = {};
  if (v.respiratoryRate !== undefined) out.respiratoryRate = { value: v.respiratoryRate, unit: '/min', at };
  if (v.spo2 !== undefined) out.spo2 = { value: v.spo2, unit: '%', at };
  if (v.onOxygen !== undefined) out.supplementalOxygen = { value: { onOxygen: v.onOxygen }, at };
  if (v.systolicBP !== undefined) out.systolicBP = { value: v.systolicBP, unit: 'mm[Hg]', at };
  if (v.heartRate !== undefined) out.heartRate = { value: v.heartRate, unit: '/min', at };
  if (v.consciousness !== undefined) out.consciousness = { value: v.consciousness, at };
  if (v.temperature !== undefined) out.temperature = { value: v.temperature, unit: 'Cel', at };
  return out;
}

export function patientInputs(fresh: Vitals, options: { spo2Scale?: 1 | 2; stale?: Vitals } = {}): PatientInputs {
  return patientInputsOf({
    vitals: vitalSigns(fresh),
    stale: vitalSigns(options.stale ?? {}, new Date('2024-04-28T10:00:00Z')),
    spo2Scale: options.spo2Scale ?? 1,
    dataAsOf: CHARTED_AT,
    newestAt: CHARTED_AT,
  });
}
