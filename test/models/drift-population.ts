// Synthetic populations for the drift tests: scoring moments drawn at random from the training cohort's
// generator under another seed (the same population the shipped model's reference histograms
// describe), optionally shifted, as contract feature vectors and as PatientInputs.
import { generateCohort } from '../../training/cohort.js';
import { scoredRows } from '../../training/dataset.js';
import { explanationLogit, sigmoid } from '../../src/models/contributions.js';
import { MODEL_FEATURES } from '../../src/models/feature-contract.js';
import type { PatientInputs } from '../../src/domain/vital-signs.js';
import { createRandom } from '../../src/validation/random.js';
import { adult } from './support.js';
import { SHIPPED_METADATA } from './variants.js';

export interface Moment {
  /** Contract order; undefined where not charted. */
  features: (number | undefined)[];
  probability: number;
}

/** A shift applied to a population: added to one input (in its unit), the model's limits kept. */
export type Shift = Partial<Record<string, number>>;

const references = SHIPPED_METADATA.features.map((f) => f.reference);

/** `n` moments drawn without clustering by patient (rows at random from ~1,500 synthetic patients). */
export function population(n: number, seed: number, shift: Shift = {}): Moment[] {
  const rows = scoredRows(generateCohort({ seed, patients: 1500 }), references).filter((r) => r.features !== undefined);
  const random = createRandom(seed);
  return Array.from({ length: n }, () => {
    const row = rows[random.int(rows.length)]!;
    const features = MODEL_FEATURES.map((spec, i) => {
      if (row.imputed![i]) return undefined;
      const value = row.features![i]! + (shift[spec.name] ?? 0);
      return Math.min(spec.max, Math.max(spec.min, value));
    });
    const vector = features.map((v, i) => v ?? references[i]!);
    return { features, probability: sigmoid(explanationLogit(SHIPPED_METADATA.explanation!, references, vector)) };
  });
}

/** The same moment as the service sees it. */
export function inputsOf(moment: Moment): PatientInputs {
  const [rr, spo2, onOxygen, sbp, hr, notAlert, temperature, age] = moment.features;
  return adult(
    {
      ...(rr !== undefined ? { respiratoryRate: rr } : {}),
      ...(spo2 !== undefined ? { spo2 } : {}),
      ...(onOxygen !== undefined ? { onOxygen: onOxygen === 1 } : {}),
      ...(sbp !== undefined ? { systolicBP: sbp } : {}),
      ...(hr !== undefined ? { heartRate: hr } : {}),
      ...(notAlert !== undefined ? { consciousness: notAlert === 1 ? 'voice' : 'alert' } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
    },
    age ?? 70,
  );
}
