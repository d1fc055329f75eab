// The shared middle of both services: gathered FHIR → normalised inputs → risk assessment.
import { news2Severity, scoreNews2 } from '../fallback-rules/news2.js';
import type { News2Result } from '../fallback-rules/types.js';
import { chooseInputs, observationTime, readObservations, type NormaliseSources, type ReadObservations } from '../prefetch/normalise.js';
import type { Gathered } from '../prefetch/gather.js';
import type { FhirResource } from '../fhir/resources.js';
import { PREFETCH_KEY_WORDS } from '../prefetch/templates.js';
import { aboutPatient, setAsideWords } from '../prefetch/patient-subject.js';
import type { PatientInputs } from '../domain/vital-signs.js';
import type { RiskAssessment } from '../models/scorer.js';
import type { CardContext } from '../cards/common.js';
import type { ServiceDeps } from './definition.js';
import { withFields } from '../lang/with-fields.js';

/** NEWS2 as the chart stood just before the current set: what a trend in the score is measured from. */
export interface EarlierNews2 {
  total: number;
  risk: News2Result['risk'];
  /** When that earlier set was completed (its newest value). */
  at: Date;
}

/** What the data say about the patient, before any scoring: pure, so it is read where the body was parsed. */
export interface PatientReading {
  inputs: PatientInputs;
  /** The score before the current set, when the data sent hold a complete earlier set (and fresh vitals). */
  earlier?: EarlierNews2;
  /** Data that could not be obtained, in words safe to show on a card. */
  problems: string[];
  /** Observations were had but may be incomplete (CardContext.observationsMayBeIncomplete). */
  observationsMayBeIncomplete?: true;
}

export interface PatientPicture extends PatientReading {
  /** Undefined when no vital sign is recent enough to score: cards must say so, not score. */
  assessment?: RiskAssessment;
}

const OBSERVATION_KEYS = ['vitals', 'consciousness', 'oxygen'];

/** Said on the card when an SpO2 target is recorded in a form Vigil does not read (spo2-target.ts). */
export const UNREAD_TARGET_WORDS =
  'SpO2 target: one is recorded but not in a form Vigil reads (a LOINC 2708-6 or 59408-5 measure with bounds in %): SpO2 scored on scale 1, the RCP default';

export function hasFreshVitals(inputs: PatientInputs): boolean {
  return Object.values(inputs.vitals).some((r) => r !== undefined);
}

/**
 * The patient as the gathered data describe them at `now`. Pure: no scorer, no clock. Resources about
 * anyone but `patientId` are set aside (patient-subject.ts) and the card is told how many.
 */
export function readPatient(data: Gathered, patientId: string, now: Date, staleAfterHours: number): PatientReading {
  // A loop, not flatMap: this runs for every call, and V8's flatMap is several times slower.
  const gathered: FhirResource[] = [];
  for (const k of OBSERVATION_KEYS) {
    const resources = data[k]?.resources;
    if (resources !== undefined) for (const r of resources) gathered.push(r);
  }
  const { kept: observations, setAside: otherObservations } = aboutPatient(gathered, patientId);
  const patients = aboutPatient(data.patient?.resources.filter((r) => r.resourceType === 'Patient') ?? [], patientId);
  const patient = patients.kept[0];
  const goals = aboutPatient(
    (data.spo2Target?.resources ?? []).filter((r) => r.resourceType === 'Goal'),
    patientId,
  );
  const sources = { observations, goals: goals.kept, ...(patient !== undefined ? { patient } : {}) };
  // Every Observation is read once; the inputs now and as the chart stood before are chosen from that.
  const read = readObservations(observations);
  const inputs = chooseInputs(read, sources, { now, staleAfterHours, severity: news2Severity });
  const problems = Object.entries(data)
    .filter(([, v]) => v.problem !== undefined)
    .map(([key, v]) => `${keyWords(key)}: ${v.problem ?? 'unavailable'}`);
  const setAside = otherObservations + patients.setAside + goals.setAside;
  if (setAside > 0) problems.push(setAsideWords(setAside));
  if (inputs.spo2TargetUnread === true) problems.push(UNREAD_TARGET_WORDS);
  // Had, but perhaps not whole: a search error or one page of more, not newest first (fourth review).
  const incomplete = OBSERVATION_KEYS.some((k) => data[k] !== undefined && data[k].source !== 'missing' && data[k].problem !== undefined);
  const reading: PatientReading = incomplete ? { inputs, problems, observationsMayBeIncomplete: true } : { inputs, problems };
  if (!hasFreshVitals(inputs)) return reading;
  const earlier = earlierNews2(sources, inputs, staleAfterHours, read);
  return earlier !== undefined ? withFields(reading, { earlier }) : reading;
}

/** The reading scored. `patientId` chooses nothing clinical: its keyed hash keeps a patient on one model when a canary runs. */
export async function assessPatient(reading: PatientReading, deps: ServiceDeps, patientId: string): Promise<PatientPicture> {
  if (!hasFreshVitals(reading.inputs)) return reading;
  const assessment = await deps.scorer.assess(reading.inputs, { patientPseudonym: deps.keyed.pseudonym(patientId) });
  return withFields(reading, { assessment });
}

/**
 * NEWS2 as the chart stood just before the oldest value of the current set, from the same data. Only
 * a complete earlier score is a fair comparison: a partial one would make any rise look like a trend.
 */
export function earlierNews2(
  sources: NormaliseSources,
  inputs: PatientInputs,
  staleAfterHours: number,
  read: ReadObservations = readObservations(sources.observations),
): EarlierNews2 | undefined {
  const asOf = inputs.dataAsOf;
  if (asOf === undefined || Object.keys(inputs.previous).length === 0) return undefined;
  // Only what was charted before the current set (normalisation would otherwise accept values a few
  // minutes "in the future" of an earlier now, as clock-skew tolerance). When one Observation came in
  // two versions, the older may be the one charted before: those are read again from the filtered list.
  const chartedBeforeMs = asOf.getTime();
  const earlierRead = read.versioned
    ? readObservations(
        sources.observations.filter((o) => {
          const t = observationTime(o);
          return t.ok && t.at.getTime() < chartedBeforeMs;
        }),
      )
    : read;
  const before = chooseInputs(earlierRead, sources, {
    now: new Date(chartedBeforeMs - 1),
    staleAfterHours,
    chartedBeforeMs,
    severity: news2Severity,
  });
  if (before.newestAt === undefined) return undefined;
  const news2 = scoreNews2(before);
  return news2.partial ? undefined : { total: news2.total, risk: news2.risk, at: before.newestAt };
}

/** A prefetch key in words; a key of a service's own templates falls back to its name. */
function keyWords(key: string): string {
  return Object.hasOwn(PREFETCH_KEY_WORDS, key) ? PREFETCH_KEY_WORDS[key as keyof typeof PREFETCH_KEY_WORDS] : key;
}

/** What the card builders need to know besides the assessment. */
export function cardContextFor(
  picture: PatientPicture,
  deps: ServiceDeps,
  now: Date,
  call: { service: string; patientId: string },
): CardContext {
  return {
    now,
    patient: { id: call.patientId, pseudonym: deps.keyed.pseudonym(call.patientId) },
    keyed: deps.keyed,
    aboutUrl: `${deps.config.publicBaseUrl}/about/${call.service}`,
    staleAfterHours: deps.config.VIGIL_STALE_AFTER_HOURS,
    policy: deps.config,
    problems: picture.problems,
    ...(picture.observationsMayBeIncomplete === true ? { observationsMayBeIncomplete: true as const } : {}),
    ...(picture.earlier !== undefined ? { earlier: picture.earlier } : {}),
  };
}
