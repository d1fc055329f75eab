// Synthetic ward patients for the demo FHIR server and its tests: one per kind of card Vigil gives
// (NEWS2 0, low, a single parameter scoring 3, medium, high, SpO2 scale 2, stale vitals, no vitals).
// Hand-written, not from the cohort generator: each must land in a known NEWS2 band, which a random
// cohort cannot promise. Values are chosen inside a band, never on its edge. Pure: `now` is a parameter.
import { BP_PANEL_LOINC, CONSCIOUSNESS_LOINC, LOINC, O2_CONCENTRATION_LOINC, O2_FLOW_LOINC, UCUM, VITAL_LOINC } from '../src/fhir/codes.js';
import type { Consciousness } from '../src/domain/vital-signs.js';

type Resource = { resourceType: string; id: string } & Record<string, unknown>;

/** One set of observations charted together. */
export interface VitalSet {
  respiratoryRate: number;
  spo2: number;
  /** Inhaled O2 flow in L/min; absent means on air. */
  oxygenLpm?: number;
  systolicBP: number;
  diastolicBP: number;
  heartRate: number;
  consciousness: Consciousness;
  temperature: number;
}

/** The card a patient is there to show (README's demo table names them the same). */
export type DemoCase = 'stable' | 'low' | 'single-3' | 'medium' | 'high' | 'scale-2' | 'stale' | 'no-vitals';

export interface DemoPatient {
  id: string;
  case: DemoCase;
  /** What a person trying the demo should see, in a line. */
  shows: string;
  /** Newest first: [how many hours before now, the set charted then]. */
  charted: [hoursAgo: number, vitals: VitalSet][];
  birthDate: string;
  gender: 'female' | 'male';
  /** An active SpO2 target of 88–92 % (selects NEWS2 scale 2). */
  spo2Target88to92?: boolean;
}

const CALM: VitalSet = {
  respiratoryRate: 16,
  spo2: 97,
  systolicBP: 124,
  diastolicBP: 76,
  heartRate: 72,
  consciousness: 'alert',
  temperature: 36.8,
};

/** Earlier, calmer sets before the current one: a deterioration, as the chart would show it. */
const history = (now: VitalSet): [number, VitalSet][] => [
  [0.25, now],
  [4, CALM],
  [8, CALM],
];

export const DEMO_PATIENTS: readonly DemoPatient[] = [
  {
    id: 'vigil-demo-stable',
    case: 'stable',
    shows: 'NEWS2 0: no card (an info card with VIGIL_CARD_FOR_ZERO=true, as the demo sets it)',
    charted: history(CALM),
    birthDate: '1961-03-14',
    gender: 'female',
  },
  {
    id: 'vigil-demo-low',
    case: 'low',
    shows: 'NEWS2 3 (RR 22, HR 96): info card, ward-based response',
    charted: history({ ...CALM, respiratoryRate: 22, heartRate: 96 }),
    birthDate: '1948-07-02',
    gender: 'male',
  },
  {
    id: 'vigil-demo-single-3',
    case: 'single-3',
    shows: 'NEWS2 3 from new confusion alone: warning card (a single parameter scoring 3)',
    charted: history({ ...CALM, consciousness: 'confused' }),
    birthDate: '1937-11-20',
    gender: 'female',
  },
  {
    id: 'vigil-demo-medium',
    case: 'medium',
    shows: 'NEWS2 5 (RR 22, SpO2 95, HR 102, T 38.4): warning card, urgent response',
    charted: history({ ...CALM, respiratoryRate: 22, spo2: 95, heartRate: 102, temperature: 38.4 }),
    birthDate: '1955-01-09',
    gender: 'male',
  },
  {
    id: 'vigil-demo-high',
    case: 'high',
    shows: 'NEWS2 13 (RR 26, SpO2 91 on 2 L/min O2, SBP 98, HR 118, T 38.6): critical card, emergency response',
    charted: history({
      respiratoryRate: 26,
      spo2: 91,
      oxygenLpm: 2,
      systolicBP: 98,
      diastolicBP: 60,
      heartRate: 118,
      consciousness: 'alert',
      temperature: 38.6,
    }),
    birthDate: '1944-05-30',
    gender: 'female',
  },
  {
    id: 'vigil-demo-scale-2',
    case: 'scale-2',
    shows: 'COPD with an 88–92 % SpO2 target: SpO2 89 on air scores 0 on scale 2; NEWS2 2 from RR 21: info card naming scale 2',
    charted: history({ ...CALM, respiratoryRate: 21, spo2: 89 }),
    birthDate: '1950-09-12',
    gender: 'male',
    spo2Target88to92: true,
  },
  {
    id: 'vigil-demo-stale',
    case: 'stale',
    shows: 'Last vitals 30 hours ago: not scored; a card saying the vitals are stale',
    charted: [
      [30, CALM],
      [36, CALM],
    ],
    birthDate: '1966-02-25',
    gender: 'female',
  },
  {
    id: 'vigil-demo-no-vitals',
    case: 'no-vitals',
    shows: 'No vital signs on record: a card saying there is nothing to score',
    charted: [],
    birthDate: '1979-08-17',
    gender: 'male',
  },
];

const VITAL_SIGNS = [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }] },
];
const SURVEY = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey', display: 'Survey' }] }];

/** LOINC answers for 67775-7 (src/fhir/codes.ts CONSCIOUSNESS_ANSWERS). */
const ACVPU_ANSWER: Record<Consciousness, { code: string; display: string }> = {
  alert: { code: 'LA9340-6', display: 'Alert' },
  confused: { code: 'LA6560-2', display: 'Confused' },
  voice: { code: 'LA17108-4', display: 'Responds to voice' },
  pain: { code: 'LA17107-6', display: 'Responds to pain' },
  unresponsive: { code: 'LA9343-0', display: 'Unresponsive' },
};

const quantity = (value: number, code: string, unit = code) => ({ value, unit, system: UCUM, code });
const loinc = (code: string, display: string) => ({ coding: [{ system: LOINC, code, display }], text: display });

function observationsAt(patientId: string, index: number, at: string, v: VitalSet): Resource[] {
  const base = (suffix: string, category: unknown, code: unknown, rest: Record<string, unknown>): Resource => ({
    resourceType: 'Observation',
    id: `${patientId}-${index}-${suffix}`,
    status: 'final',
    category,
    code,
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: at,
    ...rest,
  });
  const out: Resource[] = [
    base('rr', VITAL_SIGNS, loinc(VITAL_LOINC.respiratoryRate[0]!, 'Respiratory rate'), {
      valueQuantity: quantity(v.respiratoryRate, '/min', 'breaths/minute'),
    }),
    base('hr', VITAL_SIGNS, loinc(VITAL_LOINC.heartRate[0]!, 'Heart rate'), {
      valueQuantity: quantity(v.heartRate, '/min', 'beats/minute'),
    }),
    base(
      'spo2',
      VITAL_SIGNS,
      {
        coding: [
          { system: LOINC, code: '2708-6', display: 'Oxygen saturation in Arterial blood' },
          { system: LOINC, code: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry' },
        ],
        text: 'SpO2',
      },
      { valueQuantity: quantity(v.spo2, '%') },
    ),
    base('temp', VITAL_SIGNS, loinc(VITAL_LOINC.temperature[0]!, 'Body temperature'), {
      valueQuantity: quantity(v.temperature, 'Cel', 'C'),
    }),
    base('bp', VITAL_SIGNS, loinc(BP_PANEL_LOINC, 'Blood pressure panel with all children optional'), {
      component: [
        { code: loinc(VITAL_LOINC.systolicBP[0]!, 'Systolic blood pressure'), valueQuantity: quantity(v.systolicBP, 'mm[Hg]', 'mmHg') },
        { code: loinc('8462-4', 'Diastolic blood pressure'), valueQuantity: quantity(v.diastolicBP, 'mm[Hg]', 'mmHg') },
      ],
    }),
    base('acvpu', SURVEY, loinc(CONSCIOUSNESS_LOINC, 'Level of responsiveness'), {
      valueCodeableConcept: { coding: [{ system: LOINC, ...ACVPU_ANSWER[v.consciousness] }], text: ACVPU_ANSWER[v.consciousness].display },
    }),
  ];
  // Air is charted too (as 21 % inspired O2): NEWS2 never reads an uncharted parameter as normal.
  out.push(
    v.oxygenLpm === undefined
      ? base('o2', VITAL_SIGNS, loinc(O2_CONCENTRATION_LOINC, 'Inhaled oxygen concentration'), { valueQuantity: quantity(21, '%') })
      : base('o2', VITAL_SIGNS, loinc(O2_FLOW_LOINC, 'Inhaled oxygen flow rate'), { valueQuantity: quantity(v.oxygenLpm, 'L/min') }),
  );
  return out;
}

/** Every resource of one demo patient, its vitals timed relative to `now`. */
export function demoPatientResources(p: DemoPatient, now: Date): Resource[] {
  const [family, ...given] = ['Demo', ...p.case.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1))];
  const resources: Resource[] = [
    {
      resourceType: 'Patient',
      id: p.id,
      active: true,
      name: [{ use: 'usual', family, given, text: `${given.join(' ')} ${family}` }],
      gender: p.gender,
      birthDate: p.birthDate,
    },
  ];
  p.charted.forEach(([hoursAgo, vitals], i) => {
    const at = new Date(now.getTime() - hoursAgo * 3_600_000).toISOString();
    resources.push(...observationsAt(p.id, i, at, vitals));
  });
  if (p.spo2Target88to92 === true) {
    resources.push({
      resourceType: 'Goal',
      id: `${p.id}-spo2-target`,
      lifecycleStatus: 'active',
      description: { text: 'SpO2 88–92 % (risk of hypercapnic respiratory failure)' },
      subject: { reference: `Patient/${p.id}` },
      target: [
        {
          measure: loinc('59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry'),
          detailRange: { low: quantity(88, '%'), high: quantity(92, '%') },
        },
      ],
    });
  }
  return resources;
}

/** Every demo patient's resources, for the FHIR server. */
export function demoResources(now: Date, patients: readonly DemoPatient[] = DEMO_PATIENTS): Resource[] {
  return patients.flatMap((p) => demoPatientResources(p, now));
}
