// Where the shipped synthetic export lives and how it was made: read by `npm run validation-export`
// (which writes it) and `npm run validate` (which reads it when no export is named).
import { fileURLToPath } from 'node:url';

export const SYNTHETIC_EXPORT = {
  /** Not training's seed (20240611): the export must not be the data the model was fitted on. */
  seed: 20250312,
  patients: 3000,
  dir: fileURLToPath(new URL('../../validation-export/', import.meta.url)),
} as const;

export const EXPORT_FILES = {
  patients: 'Patient.ndjson.gz',
  observations: 'Observation.ndjson.gz',
  outcomes: 'outcomes.csv',
} as const;
