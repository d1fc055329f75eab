// Token lists (system|code, comma-separated) used in prefetch search templates.
export const CODES = {
  // LOINC 67775-7 level of responsiveness; SNOMED CT 1104441000000107 ACVPU (UK); LOINC 9269-2 GCS total.
  consciousness: 'http://loinc.org|67775-7,http://snomed.info/sct|1104441000000107,http://loinc.org|9269-2',
  // LOINC 3151-8 inhaled oxygen flow rate; 3150-0 inhaled oxygen concentration.
  oxygen: 'http://loinc.org|3151-8,http://loinc.org|3150-0',
} as const;
