// The one vocabulary for a patient's observations once FHIR has been normalised: every scorer,
// explainer and card builder reads these types and nothing FHIR-shaped.

/** Level of consciousness on the ACVPU scale (NEWS2 chart 1). */
export const CONSCIOUSNESS_LEVELS = ['alert', 'confused', 'voice', 'pain', 'unresponsive'] as const;
export type Consciousness = (typeof CONSCIOUSNESS_LEVELS)[number];

/**
 * The canonical (UCUM) unit of everything Vigil measures, the one units table: each numeric vital is
 * converted to it (prefetch/units.ts), scored in it and shown from it; the two inhaled-oxygen
 * quantities are the evidence for "air or oxygen".
 */
export const CANONICAL_UNITS = {
  respiratoryRate: '/min',
  heartRate: '/min',
  spo2: '%',
  temperature: 'Cel',
  systolicBP: 'mm[Hg]',
  o2Flow: 'L/min',
  o2Concentration: '%',
} as const;

/** What can be measured: the numeric vitals plus the two inhaled-oxygen quantities. */
export type Measure = keyof typeof CANONICAL_UNITS;
export type NumericVital = Exclude<Measure, 'o2Flow' | 'o2Concentration'>;
/** The seven NEWS2 parameters: a vital sign is what NEWS2 scores, so the two are one name. */
export type VitalName = NumericVital | 'consciousness' | 'supplementalOxygen';
/** What normalisation reads: the NEWS2 parameters, and the Glasgow Coma Scale (for qSOFA). */
export type ObservedName = VitalName | 'gcs';

/** The NEWS2 parameters in the RCP chart's order: subscores, `missing` and card tables follow it. */
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
  /**
   * Only on unverified readings: the Observation status that kept the value from being scored
   * ("preliminary", "unknown", or "missing" when the Observation had none).
   */
  status?: string;
  /**
   * Set when the value was charted as a bound ("<80 %"): every value within it scores the same NEWS2
   * points, so it is scored as the bound itself, and shown with its comparator.
   */
  comparator?: '<' | '<=' | '>' | '>=';
}

/**
 * Level of consciousness as charted. `newOnset` is true only when the record itself says the
 * confusion is new (SNOMED CT 130987000 "Acute confusion"); LOINC's "Confused" answer does not say.
 */
export interface ConsciousnessReading extends Reading<Consciousness> {
  newOnset?: boolean;
}

/** Any one vital's reading, whatever its kind: what explanations and unconfirmed values hold. */
export type VitalReading = Reading<unknown> & { newOnset?: boolean };

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
  consciousness?: ConsciousnessReading;
  supplementalOxygen?: Reading<OxygenStatus>;
}

/**
 * Observations read besides the NEWS2 parameters. The Glasgow Coma Scale total (3–15) is not a
 * NEWS2 parameter, but qSOFA's altered mentation is GCS < 15 (Seymour et al., JAMA 2016).
 */
export interface OtherObservations {
  gcs?: Reading<number>;
}

/** Why a value that was charted cannot be used. Shown to clinicians, so in plain words. */
export interface UnusableValue {
  vital: ObservedName;
  reason: string;
  at?: Date;
  /** Set on a value set aside because another, worse value was charted at the same moment (it was scored). */
  conflict?: true;
  /**
   * Set on a fresh value charted with data-absent reason `positive-infinity` or `negative-infinity`:
   * beyond what the device measures, above or below. Not a number to score, but a reason to re-check.
   */
  beyond?: 'above' | 'below';
}

/** Everything the scorers need about one patient, at one moment. */
export interface PatientInputs {
  /** Newest usable value of each vital within the freshness window. */
  vitals: VitalSigns;
  /** Newest usable value of each vital that fell outside the freshness window. */
  stale: VitalSigns;
  /**
   * Newest unverified value of each vital (preliminary, unknown or missing status; of several at that
   * moment, the worst) charted after the value used for it, or at the same moment and worse, or within
   * the freshness window when none was used. Never scored; always shown, because an unverified
   * alarming value must be re-checked, not ignored.
   */
  unverified: VitalSigns;
  /** For each fresh vital, the verified value charted before it (any age): what a trend is measured from. */
  previous: VitalSigns;
  /** Fresh and stale values of observations that are not NEWS2 parameters (GCS). */
  other: {
    fresh: OtherObservations;
    stale: OtherObservations;
    /** Unverified (preliminary, unknown or no status) and newer than the fresh one, or in the window when none. */
    unverified: OtherObservations;
  };
  /** Values that were charted but could not be used (unknown unit, data absent, implausible). */
  unusable: UnusableValue[];
  /** NEWS2 SpO2 scale: 2 only when the record carries a hypercapnic target (see spo2-target.ts). */
  spo2Scale: 1 | 2;
  /**
   * Set when an in-force Goal states an SpO2 target that cannot be read (spo2-target.ts
   * `hasUnreadSpo2Target`): scale 1 is then a default, not the record's word.
   */
  spo2TargetUnread?: true;
  /** Age in whole years at `now`, when the Patient resource gave a birth date. */
  ageYears?: number;
  /**
   * Oldest time among the fresh vitals used: what the score is "as of". A score is only as current as
   * its oldest input (a set of six values from 10 h ago and a pulse from now is a 10-hour-old score).
   */
  dataAsOf?: Date;
  /** Newest time among the fresh vitals used. */
  newestAt?: Date;
}

/**
 * Inputs charted further apart than this are a mixed-age set, flagged on the card: the RCP chart
 * scores one set of observations taken together, not values gathered across a shift.
 */
export const MIXED_AGE_MINUTES = 60;

/** True when the fresh vitals used were charted more than MIXED_AGE_MINUTES apart. */
export function isMixedAgeSet(inputs: Pick<PatientInputs, 'dataAsOf' | 'newestAt'>): boolean {
  if (inputs.dataAsOf === undefined || inputs.newestAt === undefined) return false;
  return inputs.newestAt.getTime() - inputs.dataAsOf.getTime() > MIXED_AGE_MINUTES * 60_000;
}

/** PatientInputs from the parts a caller has; the rest empty (nothing stale, unverified or refused). */
export function patientInputsOf(parts: Partial<PatientInputs> & Pick<PatientInputs, 'vitals'>): PatientInputs {
  return { stale: {}, unverified: {}, previous: {}, other: { fresh: {}, stale: {}, unverified: {} }, unusable: [], spo2Scale: 1, ...parts };
}
