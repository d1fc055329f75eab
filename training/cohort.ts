// A synthetic adult ward cohort: SYNTHETIC DATA, for testing the pipeline, never for clinical claims.
// Each encounter has a latent severity over time (stable, recovering or deteriorating) and a way its
// illness shows (PHENOTYPES): severity drives vital signs up for some (fast breathing, fever,
// hypertensive emergencies) and down for others (opioid narcosis slows breathing, shock drops the
// pressure, heart block slows the pulse, a cold septic patient), with patient-level baselines,
// correlated noise, charting habits (digit preference, skipped vitals) and charting that grows more
// frequent as the patient gets sicker. The outcome is a hazard of the latent severity and age only:
// NEWS2 is never consulted, so comparing NEWS2 with a learned model on these rows is a fair contest
// between two readers of the same noisy vitals. Same seed, same cohort.
import { createRandom, type Random } from '../src/validation/random.js';

export interface ChartedSet {
  /** Hours since admission. */
  hour: number;
  respiratoryRate?: number;
  spo2?: number;
  onOxygen?: boolean;
  systolicBP?: number;
  heartRate?: number;
  consciousness?: 'alert' | 'confused' | 'voice' | 'pain' | 'unresponsive';
  temperature?: number;
}

export interface Encounter {
  patientId: number;
  encounterId: number;
  ageYears: number;
  trajectory: 'stable' | 'recovering' | 'deteriorating';
  /** How illness shows in this encounter (see PHENOTYPES). */
  phenotype: Phenotype;
  lengthOfStayHours: number;
  /** Hours since admission of the outcome event, when it happened. */
  eventHour?: number;
  sets: ChartedSet[];
}

export interface CohortOptions {
  seed: number;
  patients: number;
}

/** The outcome the labels mean, as a card says it ("risk of … within 24 h"). */
export const OUTCOME = 'unplanned ICU transfer, cardiac arrest or death';
export const OUTCOME_WINDOW_HOURS = 24;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Hourly event hazard from latent severity and age (the ground truth the model must learn). */
function hourlyHazard(severity: number, age: number): number {
  return Math.exp(-8.6 + 1.45 * severity + 0.025 * (age - 65));
}

/** Nurses chart sicker patients more often: hours to the next set, from how sick the patient looks. */
function chartingInterval(perceived: number, random: Random): number {
  const base = perceived < 1 ? 8 : perceived < 1.8 ? 6 : perceived < 2.6 ? 4 : perceived < 3.4 ? 2 : 1;
  return base * random.uniform(0.8, 1.25);
}

/** Charting habits: respiratory rates in even numbers, pulses and pressures in fives and tens. */
function chartRespiratoryRate(v: number, random: Random): number {
  const r = Math.round(clamp(v, 4, 60));
  return random.bernoulli(0.6) ? 2 * Math.round(r / 2) : r;
}
function chartToNearest(v: number, lo: number, hi: number, preference: number, step: number, random: Random): number {
  const r = clamp(v, lo, hi);
  return random.bernoulli(preference) ? step * Math.round(r / step) : Math.round(r);
}
function chartTemperature(v: number, random: Random): number {
  const r = clamp(v, 33, 42.5);
  return random.bernoulli(0.25) ? Math.round(r * 2) / 2 : Math.round(r * 10) / 10;
}

/** Severity path on an hourly grid: a slow random walk around a trajectory. */
function severityPath(trajectory: Encounter['trajectory'], baseline: number, hours: number, random: Random): number[] {
  const amplitude = random.uniform(1.0, 2.4);
  const recoveryTau = random.uniform(12, 48);
  const onset = random.uniform(0, hours * 0.8);
  const rate = random.uniform(0.03, 0.12);
  const path: number[] = [];
  let wander = 0;
  for (let h = 0; h <= hours; h++) {
    wander = 0.9 * wander + random.normal(0, 0.12);
    let s = baseline + wander;
    if (trajectory === 'recovering') s += amplitude * Math.exp(-h / recoveryTau);
    if (trajectory === 'deteriorating') s += rate * Math.max(0, h - onset);
    path.push(clamp(s, 0, 5));
  }
  return path;
}

/**
 * How illness shows in this encounter. Deterioration does not only speed things up: opioids, sedation
 * and CO2 narcosis slow breathing and cloud consciousness; bleeding and cardiogenic shock drop the
 * pressure; conduction disease slows the heart; raised intracranial pressure and hypertensive
 * emergencies push the pressure up and the pulse down; a quarter of septic patients run cold.
 */
export const PHENOTYPES = ['respiratory', 'sepsis', 'hypoventilation', 'circulatory', 'bradyarrhythmia', 'neurological'] as const;
export type Phenotype = (typeof PHENOTYPES)[number];
/** Share of encounters whose illness shows mainly this way. */
const PHENOTYPE_SHARE: Readonly<Record<Phenotype, number>> = {
  respiratory: 0.27,
  sepsis: 0.27,
  hypoventilation: 0.16,
  circulatory: 0.14,
  bradyarrhythmia: 0.07,
  neurological: 0.09,
};

function drawPhenotype(random: Random): Phenotype {
  let u = random.next();
  for (const p of PHENOTYPES) {
    u -= PHENOTYPE_SHARE[p];
    if (u < 0) return p;
  }
  return 'respiratory';
}

/** Weight of each phenotype per unit of severity: the main one fully, the others a little (illness overlaps). */
function phenotypeWeights(main: Phenotype, random: Random): Record<Phenotype, number> {
  const weights = {} as Record<Phenotype, number>;
  for (const p of PHENOTYPES) weights[p] = p === main ? random.uniform(0.8, 1.2) : random.uniform(0, 0.25);
  return weights;
}

const NOT_ALERT_LEVELS = ['confused', 'voice', 'pain', 'unresponsive'] as const;

function encounter(patientId: number, encounterId: number, age: number, frailty: number, random: Random): Encounter {
  const draw = random.next();
  const trajectory: Encounter['trajectory'] = draw < 0.65 ? 'stable' : draw < 0.85 ? 'recovering' : 'deteriorating';
  const lengthOfStayHours = Math.round(clamp(Math.exp(random.normal(Math.log(60), 0.5)), 24, 240));
  const baseline = clamp(0.3 + 0.35 * Math.max(0, frailty) + 0.004 * (age - 60) + Math.abs(random.normal(0, 0.35)), 0, 2.5);
  const severity = severityPath(trajectory, baseline, lengthOfStayHours, random);

  // When the event happens, if it does: a discrete-time hazard on the hourly grid.
  let eventHour: number | undefined;
  for (let h = 0; h < lengthOfStayHours; h++) {
    if (random.bernoulli(1 - Math.exp(-hourlyHazard(severity[h] ?? 0, age)))) {
      eventHour = h + random.next();
      break;
    }
  }
  const end = eventHour ?? lengthOfStayHours;

  const phenotype = drawPhenotype(random);
  const w = phenotypeWeights(phenotype, random);
  const septicCold = random.bernoulli(0.25);
  // Patient-level baselines: people differ more from each other than from themselves (some are
  // fit and bradycardic, some chronically hypoxic or hypotensive: benign derangements NEWS2 scores too).
  const rrBase = random.normal(16, 1.5);
  const spo2Base = clamp(random.normal(97, 1.3), 90, 99.5);
  const hrBase = random.normal(78, 9);
  const sbpBase = random.normal(128 + 0.3 * (age - 60) + (phenotype === 'neurological' ? 15 : 0), 15);
  const tempBase = random.normal(36.8, 0.25);
  // Some wards never chart some vitals for some patients; the rest are skipped now and then.
  const neverCharted = {
    consciousness: random.bernoulli(0.06),
    temperature: random.bernoulli(0.05),
    onOxygen: random.bernoulli(0.04),
  };

  const sets: ChartedSet[] = [];
  let onOxygen = false;
  let hour = random.uniform(0.2, 1.5);
  while (hour < end) {
    const s = severity[Math.floor(hour)] ?? 0;
    const stress = random.normal();
    const rr =
      rrBase +
      s * (2.8 * w.respiratory + 1.5 * w.sepsis + 0.8 * w.circulatory - 2.7 * w.hypoventilation) +
      1.2 * stress +
      random.normal(0, 1.4);
    const spo2True =
      spo2Base - s * (2.6 * w.respiratory + 0.5 * w.sepsis + 1.5 * w.hypoventilation + 0.5 * w.circulatory) + random.normal(0, 1.0);
    onOxygen = onOxygen ? spo2True < 95.5 || random.bernoulli(0.3) : random.bernoulli(sigmoid((92.5 - spo2True) * 1.3));
    const spo2 = onOxygen ? Math.min(100, spo2True + 3 + random.normal(0, 1)) : Math.min(100, spo2True);
    const hr =
      hrBase +
      s * (8.5 * w.sepsis + 4 * w.respiratory + 8 * w.circulatory - 10 * w.bradyarrhythmia - 2.5 * w.hypoventilation - 5 * w.neurological) +
      4 * stress +
      random.normal(0, 5);
    const sbp = sbpBase + s * (22 * w.neurological - 13 * w.sepsis - 20 * w.circulatory - 8 * w.bradyarrhythmia) + random.normal(0, 10);
    const temp = tempBase + s * ((septicCold ? -0.5 : 0.55) * w.sepsis - 0.3 * w.hypoventilation) + random.normal(0, 0.3);
    const notAlert = random.bernoulli(
      sigmoid(-6 + s * (1.6 * w.hypoventilation + 1.4 * w.neurological + 0.5 * w.sepsis + 0.3) + 0.03 * (age - 65)),
    );
    const depth = Math.min(3, Math.floor(random.next() * (1 + s * 0.6)));
    const consciousness = notAlert ? (NOT_ALERT_LEVELS[depth] ?? 'confused') : 'alert';

    const set: ChartedSet = { hour: Math.round(hour * 100) / 100 };
    // Skipped vitals are commoner when the patient looks well.
    const skip = (p: number) => random.bernoulli(s < 1 ? p * 1.5 : p * 0.6);
    if (!skip(0.05)) set.respiratoryRate = chartRespiratoryRate(rr, random);
    if (!skip(0.03)) set.spo2 = Math.round(clamp(spo2, 60, 100));
    if (!neverCharted.onOxygen && !skip(0.06)) set.onOxygen = onOxygen;
    if (!skip(0.04)) set.systolicBP = chartToNearest(sbp, 50, 260, 0.4, 10, random);
    if (!skip(0.02)) set.heartRate = chartToNearest(hr, 30, 200, 0.35, 5, random);
    if (!neverCharted.consciousness && !skip(0.1)) set.consciousness = consciousness;
    if (!neverCharted.temperature && !skip(0.12)) set.temperature = chartTemperature(temp, random);
    sets.push(set);
    hour += chartingInterval(s + random.normal(0, 0.4), random);
  }
  return { patientId, encounterId, ageYears: age, trajectory, phenotype, lengthOfStayHours, eventHour, sets };
}

export function generateCohort(options: CohortOptions): Encounter[] {
  const random = createRandom(options.seed);
  const encounters: Encounter[] = [];
  for (let patientId = 0; patientId < options.patients; patientId++) {
    const age = Math.round(clamp(random.normal(66, 17), 18, 100));
    const frailty = random.normal();
    const count = random.bernoulli(0.2) ? 2 : 1;
    for (let k = 0; k < count; k++) {
      encounters.push(encounter(patientId, encounters.length, Math.min(100, age + k), frailty, random));
    }
  }
  return encounters;
}
