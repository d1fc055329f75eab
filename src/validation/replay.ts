// Replays one patient's chart the way the service would have seen it: every distinct charting time is
// a scoring moment, and "as of" that moment the patient's Observations go through Vigil's own
// normaliser (now = the moment, the configured staleness) and scorer (NEWS2, and the model with its
// contract, missing-value rule and "not shown on assumed-normal NEWS2 inputs" rule). Only what was
// charted at or before the moment is seen: the normaliser's clock-skew tolerance is for live clocks,
// and in a replay it would let a value charted minutes later leak into the moment before it.
import type { FhirResource } from '../fhir/resources.js';
import type { News2Risk } from '../fallback-rules/types.js';
import { news2Severity } from '../fallback-rules/news2.js';
import { hasFreshVitals } from '../hooks/assess-patient.js';
import type { DeteriorationScorer, ModelBand } from '../models/scorer.js';
import { normaliseInputs } from '../prefetch/normalise.js';
import type { PatientGroup } from './patient-groups.js';

export interface ReplayedMoment {
  patient: string;
  /** The moment (epoch ms): a charting time. */
  at: number;
  news2Total: number;
  news2Risk: News2Risk;
  news2Partial: boolean;
  /** The model's probability, whenever it scored (shown on the card or not). */
  probability?: number;
  /** The band serving gave that probability (the model's own thresholds). */
  modelBand?: ModelBand;
  /** True when an active model's estimate would be on the card, so its band can raise the card's colour. */
  modelShown: boolean;
  /** Why the model gave no probability ("insufficient-data", "unavailable"), when it gave none. */
  modelDeclined?: string;
}

export interface ReplayOptions {
  scorer: DeteriorationScorer;
  staleAfterHours: number;
}

export interface PatientReplay {
  moments: ReplayedMoment[];
  /** Charting times with no fresh vital to score (the service would answer "no recent vitals"). */
  notScored: number;
}

/** A Goal counts from its start date when it has one; the export holds Goals as they stand today. */
function goalsAt(goals: readonly FhirResource[], at: number): FhirResource[] {
  return goals.filter((g) => {
    const start = typeof g['startDate'] === 'string' ? Date.parse(g['startDate']) : Number.NaN;
    return Number.isNaN(start) || start <= at;
  });
}

export async function replayPatient(
  group: PatientGroup,
  patient: FhirResource | undefined,
  options: ReplayOptions,
): Promise<PatientReplay> {
  const observations = [...group.observations].sort((a, b) => a.at - b.at);
  const staleMs = options.staleAfterHours * 3_600_000;
  const moments: ReplayedMoment[] = [];
  let notScored = 0;
  let from = 0;
  let to = 0;
  while (to < observations.length) {
    const at = observations[to]?.at ?? 0;
    while (to < observations.length && (observations[to]?.at ?? 0) === at) to++;
    // A value exactly staleAfterHours old is still fresh (the normaliser's rule), so it stays in view.
    while (from < to && (observations[from]?.at ?? 0) < at - staleMs) from++;
    const inputs = normaliseInputs(
      {
        observations: observations.slice(from, to).map((o) => o.resource),
        goals: goalsAt(group.goals, at),
        ...(patient !== undefined ? { patient } : {}),
      },
      { now: new Date(at), staleAfterHours: options.staleAfterHours, severity: news2Severity },
    );
    if (!hasFreshVitals(inputs)) {
      notScored++;
      continue;
    }
    const assessment = await options.scorer.assess(inputs);
    const prediction = assessment.modelRecord?.prediction;
    const moment: ReplayedMoment = {
      patient: group.patient,
      at,
      news2Total: assessment.news2.total,
      news2Risk: assessment.news2.risk,
      news2Partial: assessment.news2.partial,
      modelShown: assessment.path === 'model',
    };
    if (prediction !== undefined) {
      moment.probability = prediction.probability;
      moment.modelBand = prediction.band;
    } else if (assessment.modelRecord !== undefined) {
      moment.modelDeclined = assessment.modelRecord.status.state;
    }
    moments.push(moment);
  }
  return { moments, notScored };
}
