// The one vocabulary for a patient's observations once FHIR has been normalised: every scorer,
// explainer and card builder reads these types and nothing FHIR-shaped.

/** Level of consciousness on the ACVPU scale (NEWS2 chart 1). */
export const CONSCIOUSNESS_LEVELS = ['alert', 'confused', 'voice', 'pain', 'unresponsive'] as const;
export type Consciousness = (typeof CONSCIOUSNESS_LEVELS)[number];

/** The canonical (UCUM) unit each numeric vital is held in after conversion. */
export const CANONICAL_UNITS = {
  respiratoryRate: '/min',
  heartRate: '/min',
  spo2: '%',
  temperature: 'Cel',
  systolicBP: 'mm[Hg]',
} as const;

export type NumericVital = keyof typeof CANONICAL_UNITS;
export type VitalName = NumericVital | 'consciousness' | 'supplementalOxygen';

export const VITAL_NAMES: readonly VitalName[] = [
  'respiratoryRate',
  'spo2',
  'supplementalOxygen',
  'systolicBP',
  'heartRate',
  'consciousness',
  'temperature',
];

/** One charted value, converted to its canonical unit, with the time it describes. */
export interface Reading<T> {
  value: T;
  /** Canonical unit (CANONICAL_UNITS) for numbers; '' never appears: categorical readings omit it. */
  unit?: string;
  /** When the value was true of the patient (effective[x]), falling back to `issued`. */
  at: Date;
}

/** Whether the patient is on supplemental oxygen, with the evidence that says so. */
export interface OxygenStatus {
  onOxygen: boolean;
  /** Inhaled O2 flow in L/min, when charted. */
  flowLpm?: number;
  /** Inspired O2 fraction in %, when charted. */
  fio2Percent?: number;
}

export interface VitalSigns {
  respiratoryRate?: Reading<number>;
  heartRate?: Reading<number>;
  spo2?: Reading<number>;
  temperature?: Reading<number>;
  systolicBP?: Reading<number>;
  consciousness?: Reading<Consciousness>;
  supplementalOxygen?: Reading<OxygenStatus>;
}

/** Why a value that was charted cannot be used. Shown to clinicians, so in plain words. */
export interface UnusableValue {
  vital: VitalName;
  reason: string;
  at?: Date;
}

/** Everything the scorers need about one patient, at one moment. */
export interface PatientInputs {
  /** Newest usable value of each vital within the freshness window. */
  vitals: VitalSigns;
  /** Newest usable value of each vital that fell outside the freshness window. */
  stale: VitalSigns;
  /** Values that were charted but could not be used (unknown unit, data absent, implausible). */
  unusable: UnusableValue[];
  /** NEWS2 SpO2 scale: 2 only when the record carries a hypercapnic target (see spo2-target.ts). */
  spo2Scale: 1 | 2;
  /** Age in whole years at `now`, when the Patient resource gave a birth date. */
  ageYears?: number;
  /** Newest time among the usable vitals: what the score is "as of". */
  dataAsOf?: Date;
}
