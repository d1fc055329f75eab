// Writes cards-fixtures/: real-shaped CDS Hooks requests (FHIR R4 vital-signs profile observations,
// as US Core and the CDS Hooks sandbox send them) and, written by hand beside each, the cards it must
// produce. Run `npm run fixtures` after changing this file; the JSON is committed and shared by the
// tests, the benchmark and the README's examples. All patients are synthetic.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const NOW = new Date('2026-11-23T12:00:00Z');
const OUT = join(import.meta.dirname, '..', 'cards-fixtures');
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const VITAL_SIGNS = [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }] },
];

type Json = Record<string, unknown>;
let seq = 0;

function ago(minutes: number): string {
  return new Date(NOW.getTime() - minutes * 60_000).toISOString().replace('.000Z', 'Z');
}

function quantity(value: number, unit: string, code?: string): Json {
  return code === undefined ? { value, unit } : { value, unit, system: UCUM, code };
}

function observation(patient: string, codes: [string, string][], minutesAgo: number, body: Json): Json {
  seq += 1;
  return {
    resourceType: 'Observation',
    id: `obs-${seq}`,
    meta: { profile: ['http://hl7.org/fhir/StructureDefinition/vitalsigns'] },
    status: 'final',
    category: VITAL_SIGNS,
    code: { coding: codes.map(([code, display]) => ({ system: LOINC, code, display })), text: codes[0]![1] },
    subject: { reference: `Patient/${patient}` },
    effectiveDateTime: ago(minutesAgo),
    ...body,
  };
}

interface VitalSet {
  rr?: number;
  hr?: number;
  spo2?: number;
  /** Inhaled O2 flow in L/min, charted as a component of the SpO2 observation (0 = room air). */
  o2?: number;
  sbp?: number;
  temp?: number;
  tempUnit?: 'Cel' | '[degF]';
  /** LOINC code and name of the temperature site (default 8310-5 body temperature). */
  tempCode?: [string, string];
  acvpu?: 'alert' | 'confused' | 'voice' | 'pain' | 'unresponsive';
  /** Glasgow Coma Scale total (LOINC 9269-2), charted as an exam observation. */
  gcs?: number;
  /** Observation status of every value in the set (default final). */
  status?: 'final' | 'preliminary';
}

const ACVPU: Record<NonNullable<VitalSet['acvpu']>, [string, string]> = {
  alert: ['LA9340-6', 'Alert'],
  confused: ['LA6560-2', 'Confused'],
  voice: ['LA17108-4', 'Voice'],
  pain: ['LA17107-6', 'Pain'],
  unresponsive: ['LA9343-0', 'Unresponsive'],
};

/** Observations for one set of vitals charted `minutesAgo`, split by the prefetch key that fetches them. */
function charted(patient: string, v: VitalSet, minutesAgo: number): { vitals: Json[]; consciousness: Json[] } {
  const vitals: Json[] = [];
  if (v.rr !== undefined)
    vitals.push(
      observation(patient, [['9279-1', 'Respiratory rate']], minutesAgo, { valueQuantity: quantity(v.rr, 'breaths/minute', '/min') }),
    );
  if (v.hr !== undefined)
    vitals.push(observation(patient, [['8867-4', 'Heart rate']], minutesAgo, { valueQuantity: quantity(v.hr, 'beats/minute', '/min') }));
  if (v.spo2 !== undefined) {
    const component =
      v.o2 === undefined
        ? {}
        : {
            component: [
              {
                code: { coding: [{ system: LOINC, code: '3151-8', display: 'Inhaled oxygen flow rate' }] },
                valueQuantity: quantity(v.o2, 'L/min', 'L/min'),
              },
            ],
          };
    vitals.push(
      observation(
        patient,
        [
          ['2708-6', 'Oxygen saturation in Arterial blood'],
          ['59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry'],
        ],
        minutesAgo,
        {
          valueQuantity: quantity(v.spo2, '%', '%'),
          ...component,
        },
      ),
    );
  }
  if (v.sbp !== undefined) {
    vitals.push(
      observation(patient, [['85354-9', 'Blood pressure panel with all children optional']], minutesAgo, {
        component: [
          {
            code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }] },
            valueQuantity: quantity(v.sbp, 'mmHg', 'mm[Hg]'),
          },
          {
            code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' }] },
            valueQuantity: quantity(Math.round(v.sbp * 0.6), 'mmHg', 'mm[Hg]'),
          },
        ],
      }),
    );
  }
  if (v.temp !== undefined) {
    const unit = v.tempUnit ?? 'Cel';
    vitals.push(
      observation(patient, [v.tempCode ?? ['8310-5', 'Body temperature']], minutesAgo, {
        valueQuantity: quantity(v.temp, unit === 'Cel' ? 'C' : 'degF', unit),
      }),
    );
  }
  const consciousness: Json[] = [];
  if (v.acvpu !== undefined) {
    const [code, display] = ACVPU[v.acvpu];
    const o = observation(patient, [['67775-7', 'Level of responsiveness']], minutesAgo, {
      valueCodeableConcept: { coding: [{ system: LOINC, code, display }], text: display },
    });
    o.category = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'exam', display: 'Exam' }] }];
    delete o.meta;
    consciousness.push(o);
  }
  if (v.gcs !== undefined) {
    const o = observation(patient, [['9269-2', 'Glasgow coma score total']], minutesAgo, {
      valueQuantity: quantity(v.gcs, '{score}', '{score}'),
    });
    o.category = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'exam', display: 'Exam' }] }];
    delete o.meta;
    consciousness.push(o);
  }
  if (v.status !== undefined) for (const o of [...vitals, ...consciousness]) o.status = v.status;
  return { vitals, consciousness };
}

function searchset(resources: Json[]): Json {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    entry: resources.map((resource) => ({
      fullUrl: `http://ehr.example/fhir/${resource.resourceType as string}/${resource.id as string}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}

function patientResource(id: string, birthDate: string, gender: 'female' | 'male'): Json {
  return { resourceType: 'Patient', id, name: [{ use: 'official', family: 'Synthetic', given: ['Test'] }], gender, birthDate };
}

/** A full prefetch for patient-view from vital sets charted at several times (newest first). */
function fullPrefetch(patient: string, sets: [VitalSet, number][], extra: { goals?: Json[]; birthDate?: string } = {}): Json {
  const vitals: Json[] = [];
  const consciousness: Json[] = [];
  for (const [set, minutesAgo] of sets) {
    const c = charted(patient, set, minutesAgo);
    vitals.push(...c.vitals);
    consciousness.push(...c.consciousness);
  }
  return {
    patient: patientResource(patient, extra.birthDate ?? '1948-04-12', 'female'),
    vitals: searchset(vitals),
    consciousness: searchset(consciousness),
    oxygen: null,
    spo2Target: extra.goals === undefined ? null : searchset(extra.goals),
  };
}

function hookInstance(): string {
  seq += 1;
  const hex = seq.toString(16).padStart(12, '0');
  return `7d3c1a52-4b0e-4f7a-9c1d-${hex}`;
}

function patientView(patient: string, prefetch: Json | undefined, extra: Json = {}): Json {
  const call: Json = {
    hook: 'patient-view',
    hookInstance: hookInstance(),
    context: { userId: 'Practitioner/COREPRACTITIONER1', patientId: patient },
    ...extra,
  };
  if (prefetch !== undefined) call.prefetch = prefetch;
  return call;
}

function medicationRequest(id: string, patient: string, rxcui: string | undefined, name: string | undefined): Json {
  const mr: Json = {
    resourceType: 'MedicationRequest',
    id,
    status: 'draft',
    subject: { reference: `Patient/${patient}` },
  };
  if (name !== undefined) {
    mr.medicationCodeableConcept = { text: name, coding: [{ system: RXNORM, code: rxcui, display: name }] };
    mr.dosageInstruction = [{ text: '1 tablet every 4 hours as needed', timing: { repeat: { frequency: 1, period: 4, periodUnit: 'h' } } }];
  }
  return mr;
}

/** Shaped like the CDS Hooks sandbox's medication screen: no Bundle type, no intent. */
function orderSelect(patient: string, orders: Json[], selections: string[], prefetch: Json | undefined): Json {
  const call: Json = {
    hook: 'order-select',
    hookInstance: hookInstance(),
    fhirServer: 'https://launch.smarthealthit.org/v/r4/fhir',
    context: {
      userId: 'Practitioner/COREPRACTITIONER1',
      patientId: patient,
      selections,
      draftOrders: { resourceType: 'Bundle', entry: orders.map((resource) => ({ resource })) },
    },
  };
  if (prefetch !== undefined) call.prefetch = prefetch;
  return call;
}

// ---- Expectations (written by hand from the RCP chart, never computed by Vigil's code) -----------

interface CardExpectation {
  indicator: 'info' | 'warning' | 'critical';
  summaryIncludes?: string[];
  /** Words the summary must start with (NEWS2 leads: the model never comes first). */
  summaryStartsWith?: string;
  detailIncludes?: string[];
  /** Words that must not appear anywhere on the card (e.g. a routine band on an incomplete score). */
  detailExcludes?: string[];
  /** A subset of extension["vigil.score"] that must match. */
  score?: Json;
  suggestions?: number;
  /** How many of the suggestions are marked isRecommended. */
  recommendedSuggestions?: number;
}

interface Fixture {
  description: string;
  service: 'deterioration-risk' | 'sedation-safety';
  now: string;
  /** Settings the service runs with for this fixture (e.g. VIGIL_LOW_SCORE_CARD=none). */
  env?: Record<string, string>;
  /** The clinical-safety hazard (docs/clinical-safety.md) this fixture proves controlled. */
  hazard?: string;
  request: Json;
  /**
   * The cards with no model, and with a silent one (which must change nothing). With the model active
   * the same words must hold and the colour may only rise, unless `withModel` says otherwise.
   */
  expect: { status: number; cards?: CardExpectation[]; issueExpression?: string };
  /** With the model active: the number of cards when the model may add one (never fewer), and indicators it must not exceed. */
  withModel?: { cards?: number; indicatorAtMost?: CardExpectation['indicator'][] };
}

const fixtures: Record<string, Fixture> = {};
function add(name: string, f: Omit<Fixture, 'now'>): void {
  fixtures[name] = { ...f, now: NOW.toISOString() };
}

const NORMAL: VitalSet = { rr: 16, hr: 72, spo2: 98, o2: 0, sbp: 128, temp: 36.8, acvpu: 'alert' };

add('deterioration-risk/news2-zero-no-card', {
  description: 'All seven parameters charted 30 min ago and normal: NEWS2 0, no card by default.',
  service: 'deterioration-risk',
  request: patientView('syn-ward-01', fullPrefetch('syn-ward-01', [[NORMAL, 30]])),
  expect: { status: 200, cards: [] },
});

add('deterioration-risk/news2-low-info', {
  description: 'NEWS2 3 (RR 22 → 2, temperature 38.4 → 1): low risk, info card.',
  service: 'deterioration-risk',
  request: patientView(
    'syn-ward-02',
    fullPrefetch('syn-ward-02', [
      [{ ...NORMAL, rr: 22, temp: 38.4 }, 20],
      [NORMAL, 260],
    ]),
  ),
  expect: {
    status: 200,
    cards: [
      { indicator: 'info', summaryIncludes: ['NEWS2 3'], score: { path: 'rules', news2: { total: 3, partial: false, missing: [] } } },
    ],
  },
});

add('deterioration-risk/news2-single-three-warning', {
  description:
    'NEWS2 3 from one parameter: confusion (LOINC "Confused", not recorded as new) scores 3 alone, the safe reading → warning (urgent ward-based review).',
  service: 'deterioration-risk',
  request: patientView('syn-ward-03', fullPrefetch('syn-ward-03', [[{ ...NORMAL, acvpu: 'confused' }, 15]])),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'warning',
        summaryIncludes: ['NEWS2 3', 'urgent ward-based review'],
        detailIncludes: ['| Consciousness | Confusion |'],
        detailExcludes: ['New confusion'],
        score: { news2: { total: 3, partial: false } },
      },
    ],
  },
});

add('deterioration-risk/news2-medium-warning', {
  description: 'NEWS2 5 (RR 23 → 2, HR 112 → 2, SpO2 95 → 1): medium, warning.',
  service: 'deterioration-risk',
  request: patientView('syn-ward-04', fullPrefetch('syn-ward-04', [[{ ...NORMAL, rr: 23, hr: 112, spo2: 95 }, 10]])),
  expect: {
    status: 200,
    cards: [{ indicator: 'warning', summaryIncludes: ['NEWS2 5', 'urgent response'], score: { news2: { total: 5, partial: false } } }],
  },
});

add('deterioration-risk/news2-high-critical', {
  description: 'NEWS2 13 (RR 26 → 3, SpO2 91 → 3, on 2 L/min O2 → 2, SBP 98 → 2, HR 118 → 2, temp 38.6 → 1, alert → 0): high, critical.',
  service: 'deterioration-risk',
  request: patientView(
    'syn-ward-05',
    fullPrefetch('syn-ward-05', [
      [{ rr: 26, hr: 118, spo2: 91, o2: 2, sbp: 98, temp: 38.6, acvpu: 'alert' }, 12],
      [NORMAL, 300],
    ]),
  ),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'critical',
        summaryIncludes: ['NEWS2 13', 'emergency response', 'up from 0, 5 h ago'],
        detailIncludes: [
          '**NEWS2 13** (up from 0, 5 h ago)',
          '| Respiratory rate | 26/min (up from 16/min, 5 h ago) | 12 min ago | 3 |',
          'qSOFA 2/3',
        ],
        suggestions: 2,
        score: {
          path: 'rules',
          news2: { total: 13, partial: false, missing: [] },
          qsofa: { score: 2, positive: true },
          dataAsOf: '2026-11-23T11:48:00.000Z',
        },
      },
    ],
  },
});

add('deterioration-risk/fahrenheit-temperature', {
  description: 'Temperature sent in [degF]: 101.3 °F = 38.5 °C after rounding → 1 point; NEWS2 1.',
  service: 'deterioration-risk',
  request: patientView('syn-ward-06', fullPrefetch('syn-ward-06', [[{ ...NORMAL, temp: 101.3, tempUnit: '[degF]' }, 25]])),
  expect: {
    status: 200,
    cards: [
      { indicator: 'info', summaryIncludes: ['NEWS2 1'], detailIncludes: ['38.5 °C'], score: { news2: { total: 1, partial: false } } },
    ],
  },
});

add('deterioration-risk/partial-missing-consciousness-temperature', {
  description: 'Only RR, HR, SpO2 (on air) and BP charted: NEWS2 is partial and names what is missing.',
  service: 'deterioration-risk',
  request: patientView('syn-ward-07', fullPrefetch('syn-ward-07', [[{ rr: 18, hr: 95, spo2: 96, o2: 0, sbp: 124 }, 40]])),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'info',
        summaryStartsWith: 'NEWS2 ≥ 1, incomplete: consciousness, temperature not charted',
        detailExcludes: ['routine'],
        score: { news2: { total: 1, partial: true, missing: ['consciousness', 'temperature'] } },
      },
    ],
  },
});

add('deterioration-risk/scale-2-hypercapnic-target', {
  description: 'COPD patient with an active SpO2 goal of 88–92 %: SpO2 90 % on 1 L/min scores 0 on scale 2; total 2 (oxygen only).',
  service: 'deterioration-risk',
  request: patientView(
    'syn-ward-08',
    fullPrefetch('syn-ward-08', [[{ ...NORMAL, spo2: 90, o2: 1 }, 30]], {
      goals: [
        {
          resourceType: 'Goal',
          id: 'goal-spo2',
          lifecycleStatus: 'active',
          description: { text: 'Target SpO2 88–92 % (hypercapnic respiratory failure)' },
          subject: { reference: 'Patient/syn-ward-08' },
          target: [
            {
              measure: { coding: [{ system: LOINC, code: '59408-5' }] },
              detailRange: {
                low: { value: 88, unit: '%', system: UCUM, code: '%' },
                high: { value: 92, unit: '%', system: UCUM, code: '%' },
              },
            },
          ],
        },
      ],
    }),
  ),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'info',
        summaryIncludes: ['NEWS2 2'],
        detailIncludes: ['scale 2'],
        score: { news2: { total: 2, partial: false, spo2Scale: 2 } },
      },
    ],
  },
});

add('deterioration-risk/stale-vitals', {
  description:
    'Last observations 30 h ago, among them RR 28: no score, the last values with their age, and a warning to re-check the RR that would score 3.',
  service: 'deterioration-risk',
  request: patientView('syn-ward-09', fullPrefetch('syn-ward-09', [[{ ...NORMAL, rr: 28 }, 30 * 60]])),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'warning',
        summaryIncludes: ['No vital signs in the last 12 h', '30 h ago', 're-check RR 28/min'],
        detailIncludes: ['| Respiratory rate | 28/min (out of date) | 30 h ago | 3: re-check now |'],
        score: { scored: false, reason: 'stale-vitals' },
      },
    ],
  },
});

add('deterioration-risk/null-prefetch-no-vitals', {
  description: 'The EHR says no vitals exist (prefetch null): an honest "no vital signs" card, not a score.',
  service: 'deterioration-risk',
  request: patientView('syn-ward-10', {
    patient: patientResource('syn-ward-10', '1961-09-30', 'male'),
    vitals: null,
    consciousness: null,
    oxygen: null,
    spo2Target: null,
  }),
  expect: {
    status: 200,
    cards: [
      { indicator: 'info', summaryIncludes: ['No verified vital signs in the last 12 h'], score: { scored: false, reason: 'no-vitals' } },
    ],
  },
});

add('deterioration-risk/operation-outcome-no-fhir-server', {
  description: "The client's own fetch of vitals failed (OperationOutcome) and there is no fhirServer to fetch from: 412.",
  service: 'deterioration-risk',
  request: patientView('syn-ward-11', {
    patient: patientResource('syn-ward-11', '1970-01-01', 'female'),
    vitals: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'timeout', diagnostics: 'search timed out' }] },
  }),
  expect: { status: 412, issueExpression: 'prefetch.vitals' },
});

add('deterioration-risk/no-prefetch-no-fhir-server', {
  description: 'No prefetch at all and no fhirServer: the data cannot be had, 412.',
  service: 'deterioration-risk',
  request: patientView('syn-ward-12', undefined),
  expect: { status: 412, issueExpression: 'prefetch.vitals' },
});

add('deterioration-risk/sandbox-shaped', {
  description:
    'Shaped like the CDS Hooks sandbox: fhirServer, no encounterId, keys whose fetch came back empty omitted; two observation pages; NEWS2 7.',
  service: 'deterioration-risk',
  request: (() => {
    const p = 'syn-sandbox-1';
    const a = charted(p, { rr: 24, hr: 104, spo2: 93, o2: 0, sbp: 104 }, 35);
    const b = charted(p, { temp: 39.2, acvpu: 'alert' }, 50);
    return {
      hookInstance: hookInstance(),
      fhirServer: 'https://launch.smarthealthit.org/v/r4/fhir',
      hook: 'patient-view',
      context: { userId: 'Practitioner/COREPRACTITIONER1', patientId: p },
      prefetch: {
        patient: patientResource(p, '1955-06-02', 'male'),
        vitals: [searchset(a.vitals), searchset(b.vitals)],
        consciousness: searchset(b.consciousness),
      },
    };
  })(),
  // RR 24 → 2, HR 104 → 1, SpO2 93 → 2, air → 0, SBP 104 → 1, alert → 0, temp 39.2 → 2 = 8
  expect: {
    status: 200,
    cards: [{ indicator: 'critical', summaryIncludes: ['NEWS2 8'], score: { path: 'rules', news2: { total: 8, partial: false } } }],
  },
});

// ---- sedation-safety ----------------------------------------------------------------------------

const MORPHINE = ['892494', 'Morphine Sulfate 15 MG Oral Tablet'] as const;
const LORAZEPAM = ['197901', 'Lorazepam 1 MG Oral Tablet'] as const;
const AMOXICILLIN = ['308191', 'Amoxicillin 500 MG Oral Capsule'] as const;

function vitalsOnly(patient: string, set: VitalSet, minutesAgo: number): Json {
  const c = charted(patient, set, minutesAgo);
  return {
    patient: patientResource(patient, '1944-02-17', 'male'),
    vitals: searchset(c.vitals),
    consciousness: searchset(c.consciousness),
    oxygen: null,
    spo2Target: null,
    activeMedications: null,
  };
}

add('sedation-safety/opioid-low-respiratory-rate', {
  description: 'Morphine (an RxNorm clinical-drug code, matched by name) for a patient breathing 10/min: warning with a remove suggestion.',
  service: 'sedation-safety',
  request: orderSelect(
    'syn-med-01',
    [medicationRequest('mr-1', 'syn-med-01', ...MORPHINE)],
    ['MedicationRequest/mr-1'],
    vitalsOnly('syn-med-01', { ...NORMAL, rr: 10 }, 20),
  ),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'warning',
        summaryIncludes: ['Opioid', 'morphine', 'respiratory rate 10/min'],
        suggestions: 2,
        score: { path: 'rules', news2: { total: 1 } },
      },
    ],
  },
});

add('sedation-safety/benzodiazepine-news2-high', {
  description: 'Lorazepam for a patient with NEWS2 7 (RR 25, SpO2 91, HR 115): critical.',
  service: 'sedation-safety',
  request: orderSelect(
    'syn-med-02',
    [medicationRequest('mr-2', 'syn-med-02', ...LORAZEPAM)],
    ['MedicationRequest/mr-2'],
    vitalsOnly('syn-med-02', { ...NORMAL, rr: 25, spo2: 91, hr: 115 }, 20),
  ),
  // RR 25 → 3, SpO2 91 → 3, HR 115 → 2 = 8
  expect: {
    status: 200,
    cards: [{ indicator: 'critical', summaryIncludes: ['Benzodiazepine', 'lorazepam'], score: { news2: { total: 8 } } }],
  },
});

add('sedation-safety/non-sedative-at-risk-patient', {
  description: 'Amoxicillin for the same at-risk patient: no warning.',
  service: 'sedation-safety',
  request: orderSelect(
    'syn-med-03',
    [medicationRequest('mr-3', 'syn-med-03', ...AMOXICILLIN)],
    ['MedicationRequest/mr-3'],
    vitalsOnly('syn-med-03', { ...NORMAL, rr: 9, spo2: 90 }, 20),
  ),
  expect: { status: 200, cards: [] },
});

add('sedation-safety/opioid-stable-patient', {
  description: 'Morphine for a patient with normal observations: no warning.',
  service: 'sedation-safety',
  request: orderSelect(
    'syn-med-04',
    [medicationRequest('mr-4', 'syn-med-04', ...MORPHINE)],
    ['MedicationRequest/mr-4'],
    vitalsOnly('syn-med-04', NORMAL, 20),
  ),
  expect: { status: 200, cards: [] },
});

add('sedation-safety/only-selected-order-counts', {
  description: 'Morphine is already in the draft orders; the newly selected order is amoxicillin: no warning.',
  service: 'sedation-safety',
  request: orderSelect(
    'syn-med-05',
    [medicationRequest('mr-5a', 'syn-med-05', ...MORPHINE), medicationRequest('mr-5b', 'syn-med-05', ...AMOXICILLIN)],
    ['MedicationRequest/mr-5b'],
    vitalsOnly('syn-med-05', { ...NORMAL, rr: 10 }, 20),
  ),
  expect: { status: 200, cards: [] },
});

add('sedation-safety/no-medication-chosen-yet', {
  description: "The sandbox's first order-select call: a draft MedicationRequest with no medication yet: no card, no error.",
  service: 'sedation-safety',
  request: orderSelect(
    'syn-med-06',
    [medicationRequest('mr-6', 'syn-med-06', undefined, undefined)],
    ['MedicationRequest/mr-6'],
    undefined,
  ),
  expect: { status: 200, cards: [] },
});

add('sedation-safety/opioid-no-vitals', {
  description:
    'Oxycodone ordered, no vital signs exist: breathing cannot be judged, a warning asking for observations before the first dose.',
  service: 'sedation-safety',
  request: orderSelect(
    'syn-med-07',
    [medicationRequest('mr-7', 'syn-med-07', '1049621', 'Oxycodone Hydrochloride 5 MG Oral Tablet')],
    ['MedicationRequest/mr-7'],
    { vitals: null, consciousness: null, oxygen: null, spo2Target: null, activeMedications: null },
  ),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'warning',
        summaryIncludes: ['Opioid', 'oxycodone', 'breathing cannot be judged', 'no verified vital signs'],
        suggestions: 2,
        score: { scored: false },
      },
    ],
  },
});

add('sedation-safety/selection-not-in-draft-orders', {
  description: 'selections names an order that is not in draftOrders: 400 naming context.selections[0].',
  service: 'sedation-safety',
  request: orderSelect('syn-med-08', [medicationRequest('mr-8', 'syn-med-08', ...MORPHINE)], ['MedicationRequest/other'], undefined),
  expect: { status: 400, issueExpression: 'context.selections[0]' },
});

// ---- Clinical-safety hazards (docs/clinical-safety.md): each hazard's control, as the card it must produce --

const SCALE_2_GOAL = (patient: string): Json => ({
  resourceType: 'Goal',
  id: `goal-${patient}`,
  lifecycleStatus: 'active',
  description: { text: 'Target SpO2 88–92 % (hypercapnic respiratory failure)' },
  subject: { reference: `Patient/${patient}` },
  target: [
    {
      measure: { coding: [{ system: LOINC, code: '59408-5' }] },
      detailRange: { low: { value: 88, unit: '%', system: UCUM, code: '%' }, high: { value: 92, unit: '%', system: UCUM, code: '%' } },
    },
  ],
});

function activeOrder(id: string, patient: string, rxcui: string, name: string): Json {
  return { ...medicationRequest(id, patient, rxcui, name), status: 'active', intent: 'order' };
}

function sedationPrefetch(patient: string, sets: [VitalSet, number][], extra: { goals?: Json[]; active?: Json[] } = {}): Json {
  const base = fullPrefetch(patient, sets, extra.goals === undefined ? {} : { goals: extra.goals });
  return { ...base, activeMedications: extra.active === undefined ? null : searchset(extra.active) };
}

add('deterioration-risk/hazard-01-low-respiratory-rate', {
  hazard: 'H1',
  description:
    'RR 6/min, everything else normal: NEWS2 3 from a single parameter. NEWS2 leads the summary with or without the model; the model never calms the words or the colour.',
  service: 'deterioration-risk',
  request: patientView('syn-haz-01', fullPrefetch('syn-haz-01', [[{ ...NORMAL, rr: 6 }, 10]])),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'warning',
        summaryStartsWith: 'NEWS2 3: urgent ward-based review',
        detailIncludes: ['| Respiratory rate | 6/min |'],
        detailExcludes: ['(low)'],
        score: { news2: { total: 3, risk: 'low-medium' } },
      },
    ],
  },
});

add('deterioration-risk/hazard-01-unresponsive', {
  hazard: 'H1',
  description: 'An unresponsive patient with otherwise normal observations: NEWS2 3, urgent ward-based review, whatever the model says.',
  service: 'deterioration-risk',
  request: patientView('syn-haz-02', fullPrefetch('syn-haz-02', [[{ ...NORMAL, acvpu: 'unresponsive' }, 10]])),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'warning',
        summaryStartsWith: 'NEWS2 3: urgent ward-based review',
        detailIncludes: ['| Consciousness | Unresponsive |'],
      },
    ],
  },
});

add('deterioration-risk/hazard-01-qsofa-positive', {
  hazard: 'H1',
  description: 'RR 22 and SBP 100: NEWS2 4 (2 + 2) and qSOFA 2/3 positive; the card leads with NEWS2 and says consider sepsis.',
  service: 'deterioration-risk',
  request: patientView('syn-haz-03', fullPrefetch('syn-haz-03', [[{ ...NORMAL, rr: 22, sbp: 100 }, 10]])),
  expect: {
    status: 200,
    cards: [
      { indicator: 'info', summaryStartsWith: 'NEWS2 4: ward-based assessment', detailIncludes: ['qSOFA 2/3, positive: consider sepsis'] },
    ],
  },
});

add('deterioration-risk/hazard-02-missing-breathing', {
  hazard: 'H2',
  description: 'Respiratory rate and SpO2 not charted: an incomplete score says so, asks for them, and never prints a routine band.',
  service: 'deterioration-risk',
  request: patientView('syn-haz-04', fullPrefetch('syn-haz-04', [[{ hr: 78, o2: undefined, sbp: 124, temp: 36.9, acvpu: 'alert' }, 15]])),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'info',
        summaryStartsWith: 'NEWS2 ≥ 0, incomplete: respiratory rate, SpO2, air or oxygen not charted — chart now',
        detailIncludes: ['**Incomplete: chart'],
        detailExcludes: ['routine', 'Routine'],
        score: { news2: { partial: true, missing: ['respiratoryRate', 'spo2', 'supplementalOxygen'] } },
      },
    ],
  },
});

add('deterioration-risk/hazard-02-only-spo2', {
  hazard: 'H2',
  description:
    'Only SpO2 charted: incomplete, asks for everything else, no routine band; the model is not shown (it would assume normal values).',
  service: 'deterioration-risk',
  request: patientView('syn-haz-05', fullPrefetch('syn-haz-05', [[{ spo2: 97 }, 15]])),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'info',
        summaryStartsWith: 'NEWS2 ≥ 0, incomplete:',
        detailExcludes: ['routine', 'Routine'],
        score: { path: 'rules', news2: { partial: true } },
      },
    ],
  },
});

add('deterioration-risk/hazard-03-stale-low-respiratory-rate', {
  hazard: 'H3',
  description:
    'RR 6/min charted 25 h ago beside fresh normal values: the RR is out of date, shown with its value and age, would score 3, raises the card to warning and asks for a re-check.',
  service: 'deterioration-risk',
  request: patientView(
    'syn-haz-06',
    fullPrefetch('syn-haz-06', [
      [{ hr: 72, spo2: 98, o2: 0, sbp: 128, temp: 36.8, acvpu: 'alert' }, 20],
      [{ rr: 6 }, 25 * 60],
    ]),
  ),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'warning',
        summaryIncludes: ['incomplete', 're-check RR 6/min (25 h ago, out of date)'],
        detailIncludes: ['| Respiratory rate | 6/min (out of date) | 25 h ago | not scored (would be 3: re-check now) |'],
        score: {
          news2: { partial: true, missing: ['respiratoryRate'] },
          unconfirmed: [{ parameter: 'respiratoryRate', kind: 'stale', value: 6, points: 3 }],
        },
      },
    ],
  },
});

add('deterioration-risk/hazard-03-preliminary-high-respiratory-rate', {
  hazard: 'H3',
  description:
    'A newer RR 28 marked preliminary beside an older final RR 16: NEWS2 0 from verified values, but the card shows the preliminary 28, would score 3, and warns (no card at all before).',
  service: 'deterioration-risk',
  request: patientView(
    'syn-haz-07',
    fullPrefetch('syn-haz-07', [
      [{ rr: 28, status: 'preliminary' }, 5],
      [NORMAL, 60],
    ]),
  ),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'warning',
        summaryIncludes: ['NEWS2 0: from verified values only', 're-check RR 28/min (5 min ago, preliminary)'],
        detailExcludes: ['routine'],
        detailIncludes: ['| Respiratory rate, preliminary | 28/min (not verified) | 5 min ago | not scored (would be 3: re-check now) |'],
        score: {
          news2: { total: 0, partial: false },
          unconfirmed: [{ parameter: 'respiratoryRate', kind: 'unverified', status: 'preliminary', value: 28, points: 3 }],
        },
      },
    ],
  },
});

add('deterioration-risk/hazard-04-old-set-new-pulse', {
  hazard: 'H4',
  description:
    'Six parameters charted 23 h ago and a pulse now: the six are out of date (beyond 12 h), the score is incomplete and dated by the pulse, never "NEWS2 0 as of just now".',
  service: 'deterioration-risk',
  request: patientView(
    'syn-haz-08',
    fullPrefetch('syn-haz-08', [
      [{ hr: 74 }, 1],
      [{ rr: 16, spo2: 97, o2: 0, sbp: 126, temp: 36.9, acvpu: 'alert' }, 23 * 60],
    ]),
  ),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'info',
        summaryIncludes: ['incomplete', 'out of date'],
        detailExcludes: ['routine', 'Routine'],
        score: { news2: { partial: true } },
      },
    ],
  },
});

add('deterioration-risk/hazard-04-mixed-age-set', {
  hazard: 'H4',
  description:
    'Six parameters charted 10 h ago (temperature 38.3 → 1) and a pulse now: NEWS2 1, dated by its oldest value (10 h) and flagged as a mixed-age set.',
  service: 'deterioration-risk',
  request: patientView(
    'syn-haz-09',
    fullPrefetch('syn-haz-09', [
      [{ hr: 74 }, 1],
      [{ rr: 16, spo2: 97, o2: 0, sbp: 126, temp: 38.3, acvpu: 'alert' }, 10 * 60],
    ]),
  ),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'info',
        summaryStartsWith: 'NEWS2 1',
        detailIncludes: ['as of 10 h ago (its oldest value; mixed ages'],
        score: { mixedAges: true, dataAsOf: '2026-11-23T02:00:00.000Z' },
      },
    ],
  },
});

add('deterioration-risk/hazard-05-scale-2-oxygen-unknown', {
  hazard: 'H5',
  description:
    'A prescribed 88–92 % target, SpO2 97 %, oxygen not charted: scored as on oxygen (3, the worse case; 0 on air), said on the card, warning.',
  service: 'deterioration-risk',
  request: patientView(
    'syn-haz-10',
    fullPrefetch('syn-haz-10', [[{ rr: 16, hr: 72, spo2: 97, sbp: 128, temp: 36.8, acvpu: 'alert' }, 15]], {
      goals: [SCALE_2_GOAL('syn-haz-10')],
    }),
  ),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'warning',
        summaryIncludes: ['NEWS2 ≥ 3, incomplete'],
        detailIncludes: ['oxygen status not charted: SpO2 on scale 2 scored as on oxygen, the worse case (0 on air)'],
        score: { news2: { total: 3, spo2Scale: 2, missing: ['supplementalOxygen'] } },
      },
    ],
  },
});

add('deterioration-risk/hazard-07-low-score-cards-off', {
  hazard: 'H7',
  env: { VIGIL_LOW_SCORE_CARD: 'none' },
  description: 'NEWS2 2 with VIGIL_LOW_SCORE_CARD=none: no card, and a model "low" adds none either.',
  service: 'deterioration-risk',
  request: patientView('syn-haz-11', fullPrefetch('syn-haz-11', [[{ ...NORMAL, rr: 22 }, 15]])),
  expect: { status: 200, cards: [] },
});

add('deterioration-risk/hazard-08-elderly-news2-4', {
  hazard: 'H8',
  description:
    'Age 90, NEWS2 4: an info card from NEWS2. A silent (default) model changes nothing; an active synthetic model may raise it, and then says so and says synthetic.',
  service: 'deterioration-risk',
  request: patientView(
    'syn-haz-12',
    fullPrefetch('syn-haz-12', [[{ ...NORMAL, rr: 22, hr: 105, temp: 38.2 }, 15]], { birthDate: '1936-03-02' }),
  ),
  expect: { status: 200, cards: [{ indicator: 'info', summaryStartsWith: 'NEWS2 4: ward-based assessment' }] },
});

add('deterioration-risk/hazard-12-temperature-sites-and-gcs', {
  hazard: 'H12',
  description:
    'Tympanic temperature 38.6 (1 point) read; GCS 13 with ACVPU alert makes qSOFA count altered mentation (RR 23, GCS 13: 2/3 positive), and, charted at the same moment as the alert ACVPU, asks for consciousness to be re-checked (H23): a warning.',
  service: 'deterioration-risk',
  request: patientView(
    'syn-haz-13',
    fullPrefetch('syn-haz-13', [[{ ...NORMAL, rr: 23, temp: 38.6, tempCode: ['8333-7', 'Tympanic membrane temperature'], gcs: 13 }, 15]]),
  ),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'warning',
        summaryStartsWith: 'NEWS2 3',
        detailIncludes: [
          '| Temperature | 38.6 °C |',
          'qSOFA 2/3, positive',
          'Glasgow Coma Scale 13/15',
          'ACVPU was charted alert 15 min ago, but a Glasgow Coma Scale of 13/15 was charted 15 min ago',
        ],
        score: { news2: { total: 3, partial: false }, qsofa: { score: 2 } },
      },
    ],
  },
});

add('deterioration-risk/hazard-12-axillary-and-skin-temperature', {
  hazard: 'H12',
  description: 'An axillary temperature is read; a newer skin temperature is refused and listed with the reason, never silently dropped.',
  service: 'deterioration-risk',
  request: patientView(
    'syn-haz-14',
    fullPrefetch('syn-haz-14', [
      [{ temp: 34.0, tempCode: ['39106-0', 'Temperature of Skin'] }, 5],
      [{ ...NORMAL, rr: 22, temp: 37.1, tempCode: ['8328-7', 'Axillary temperature'] }, 20],
    ]),
  ),
  expect: {
    status: 200,
    cards: [
      { indicator: 'info', summaryStartsWith: 'NEWS2 2', detailIncludes: ['| Temperature | 37.1 °C |', 'skin temperature is not read'] },
    ],
  },
});

add('sedation-safety/hazard-06-breathing-not-charted', {
  hazard: 'H6',
  description: 'Morphine ordered with only pulse, BP and temperature charted: breathing cannot be judged, warning (no card before).',
  service: 'sedation-safety',
  request: orderSelect(
    'syn-haz-20',
    [medicationRequest('mr-20', 'syn-haz-20', ...MORPHINE)],
    ['MedicationRequest/mr-20'],
    sedationPrefetch('syn-haz-20', [[{ hr: 80, sbp: 130, temp: 36.9 }, 20]]),
  ),
  expect: {
    status: 200,
    cards: [{ indicator: 'warning', summaryIncludes: ['breathing cannot be judged', 'respiratory rate not charted'], suggestions: 2 }],
  },
});

add('sedation-safety/hazard-06-stale-low-respiratory-rate', {
  hazard: 'H6',
  description: 'Morphine ordered; RR 6 charted 25 h ago beside fresh SpO2, pulse and ACVPU: the old RR is shown, would score 3, warning.',
  service: 'sedation-safety',
  request: orderSelect(
    'syn-haz-21',
    [medicationRequest('mr-21', 'syn-haz-21', ...MORPHINE)],
    ['MedicationRequest/mr-21'],
    sedationPrefetch('syn-haz-21', [
      [{ ...NORMAL, rr: undefined }, 20],
      [{ rr: 6 }, 25 * 60],
    ]),
  ),
  expect: {
    status: 200,
    cards: [{ indicator: 'warning', summaryIncludes: ['respiratory rate 6/min charted 25 h ago (out of date) would score 3'] }],
  },
});

add('sedation-safety/hazard-06-preliminary-respiratory-rate', {
  hazard: 'H6',
  description: 'Morphine ordered; the only respiratory rate is preliminary (8/min): not verified, shown, warning.',
  service: 'sedation-safety',
  request: orderSelect(
    'syn-haz-22',
    [medicationRequest('mr-22', 'syn-haz-22', ...MORPHINE)],
    ['MedicationRequest/mr-22'],
    sedationPrefetch('syn-haz-22', [
      [{ rr: 8, status: 'preliminary' }, 5],
      [{ ...NORMAL, rr: undefined }, 20],
    ]),
  ),
  expect: { status: 200, cards: [{ indicator: 'warning', summaryIncludes: ['respiratory rate 8/min', 'preliminary'] }] },
});

add('sedation-safety/hazard-11-scale-2-on-oxygen', {
  hazard: 'H11',
  description:
    'Morphine for a patient with a 88–92 % target at SpO2 89 % on 2 L/min: the target and the oxygen need are risks, warning (no card before).',
  service: 'sedation-safety',
  request: orderSelect(
    'syn-haz-23',
    [medicationRequest('mr-23', 'syn-haz-23', ...MORPHINE)],
    ['MedicationRequest/mr-23'],
    sedationPrefetch('syn-haz-23', [[{ ...NORMAL, spo2: 89, o2: 2 }, 20]], { goals: [SCALE_2_GOAL('syn-haz-23')] }),
  ),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'warning',
        summaryIncludes: ['respiratory depression risk', 'a prescribed SpO2 target of 88–92 %'],
        detailIncludes: ['needs supplemental oxygen (2 L/min)'],
      },
    ],
  },
});

add('sedation-safety/hazard-11-oxygen-need', {
  hazard: 'H11',
  description: 'Morphine for a patient on 4 L/min at SpO2 95 %: needing oxygen is a risk, warning (no card before).',
  service: 'sedation-safety',
  request: orderSelect(
    'syn-haz-24',
    [medicationRequest('mr-24', 'syn-haz-24', ...MORPHINE)],
    ['MedicationRequest/mr-24'],
    sedationPrefetch('syn-haz-24', [[{ ...NORMAL, spo2: 95, o2: 4 }, 20]]),
  ),
  expect: { status: 200, cards: [{ indicator: 'warning', summaryIncludes: ['needs supplemental oxygen'] }] },
});

add('sedation-safety/hazard-11-already-on-a-benzodiazepine', {
  hazard: 'H11',
  description:
    'Morphine for a patient with normal observations who already takes lorazepam (an active order): the combination is a risk, warning.',
  service: 'sedation-safety',
  request: orderSelect(
    'syn-haz-25',
    [medicationRequest('mr-25', 'syn-haz-25', ...MORPHINE)],
    ['MedicationRequest/mr-25'],
    sedationPrefetch('syn-haz-25', [[NORMAL, 20]], { active: [activeOrder('mr-25-active', 'syn-haz-25', ...LORAZEPAM)] }),
  ),
  expect: {
    status: 200,
    cards: [{ indicator: 'warning', summaryIncludes: ['already prescribed: Lorazepam 1 MG Oral Tablet (benzodiazepine)'] }],
  },
});

add('sedation-safety/hazard-11-severe-reason-first', {
  hazard: 'H11',
  description:
    'Morphine for a patient on oxygen, SpO2 90, RR 7 and responding only to voice: the severe reasons lead the summary so a length cut never drops them; critical.',
  service: 'sedation-safety',
  request: orderSelect(
    'syn-haz-26',
    [medicationRequest('mr-26', 'syn-haz-26', ...MORPHINE)],
    ['MedicationRequest/mr-26'],
    sedationPrefetch('syn-haz-26', [[{ ...NORMAL, rr: 7, spo2: 90, o2: 3, acvpu: 'voice' }, 20]]),
  ),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'critical',
        summaryStartsWith:
          'Opioid (morphine) ordered: respiratory depression risk — respiratory rate 7/min (≤ 8), not alert: Responds to voice',
      },
    ],
  },
});

add('sedation-safety/hazard-10-coded-only-lorazepam', {
  hazard: 'H10',
  description:
    'A lorazepam order carrying only an RxNorm clinical-drug code (no text, no display), for a patient breathing 10/min: matched by code, warning.',
  service: 'sedation-safety',
  request: orderSelect(
    'syn-haz-27',
    [
      {
        resourceType: 'MedicationRequest',
        id: 'mr-27',
        status: 'draft',
        subject: { reference: 'Patient/syn-haz-27' },
        medicationCodeableConcept: { coding: [{ system: RXNORM, code: LORAZEPAM[0] }] },
      },
    ],
    ['MedicationRequest/mr-27'],
    sedationPrefetch('syn-haz-27', [[{ ...NORMAL, rr: 10 }, 20]]),
  ),
  expect: { status: 200, cards: [{ indicator: 'warning', summaryIncludes: ['Benzodiazepine (lorazepam)'] }] },
});

add('sedation-safety/hazard-10-brand-name-oramorph', {
  hazard: 'H10',
  description:
    'A free-text order for the UK brand Oramorph (oral morphine) for a patient breathing 10/min: matched by brand name, warning.',
  service: 'sedation-safety',
  request: orderSelect(
    'syn-haz-28',
    [
      {
        resourceType: 'MedicationRequest',
        id: 'mr-28',
        status: 'draft',
        subject: { reference: 'Patient/syn-haz-28' },
        medicationCodeableConcept: { text: 'Oramorph 10mg/5ml oral solution' },
      },
    ],
    ['MedicationRequest/mr-28'],
    sedationPrefetch('syn-haz-28', [[{ ...NORMAL, rr: 10 }, 20]]),
  ),
  expect: { status: 200, cards: [{ indicator: 'warning', summaryIncludes: ['Opioid (morphine)'] }] },
});

add('sedation-safety/hazard-10-medication-reference-in-draft-orders', {
  hazard: 'H10',
  description:
    'A MedicationRequest whose medicationReference points at a Medication that is another entry of draftOrders (coded midazolam): resolved, warning.',
  service: 'sedation-safety',
  request: orderSelect(
    'syn-haz-29',
    [
      {
        resourceType: 'MedicationRequest',
        id: 'mr-29',
        status: 'draft',
        subject: { reference: 'Patient/syn-haz-29' },
        medicationReference: { reference: 'Medication/med-29' },
      },
      { resourceType: 'Medication', id: 'med-29', code: { coding: [{ system: RXNORM, code: '6960', display: 'midazolam' }] } },
    ],
    ['MedicationRequest/mr-29'],
    sedationPrefetch('syn-haz-29', [[{ ...NORMAL, rr: 10 }, 20]]),
  ),
  expect: { status: 200, cards: [{ indicator: 'warning', summaryIncludes: ['Benzodiazepine (midazolam)'] }] },
});

add('deterioration-risk/hazard-22-heart-rate-above-range', {
  hazard: 'H22',
  description:
    'A normal set 30 min ago and a heart rate charted 5 min ago as above the measurable range (data-absent reason positive-infinity): no number to score, but a value at the top of the chart, so a warning that asks for a re-check now.',
  service: 'deterioration-risk',
  request: (() => {
    const p = 'syn-haz-30';
    const prefetch = fullPrefetch(p, [[NORMAL, 30]]);
    const aboveRange = observation(p, [['8867-4', 'Heart rate']], 5, {
      dataAbsentReason: {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason',
            code: 'positive-infinity',
            display: 'Positive Infinity (PINF)',
          },
        ],
      },
    });
    const vitals = prefetch.vitals as { entry: Json[] };
    return patientView(p, { ...prefetch, vitals: searchset([...vitals.entry.map((e) => e.resource as Json), aboveRange]) });
  })(),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'warning',
        summaryIncludes: ['re-check HR (5 min ago, above range)'],
        detailIncludes: [
          '- Pulse: charted 5 min ago as above the measurable range, with no number; a value there scores 3 on NEWS2 on its own.',
        ],
        detailExcludes: ['Low clinical risk'],
        score: { beyondRange: [{ parameter: 'heartRate', beyond: 'above', at: '2026-11-23T11:55:00.000Z', points: 3 }] },
      },
    ],
  },
});

add('deterioration-risk/hazard-23-gcs-without-acvpu', {
  hazard: 'H23',
  description:
    'A normal set 30 min ago with no ACVPU, and a Glasgow Coma Scale of 8 charted 5 min ago: GCS is not mapped onto ACVPU, but the patient may not be alert (which would score 3), so the incomplete card is a warning that asks for ACVPU now.',
  service: 'deterioration-risk',
  request: patientView(
    'syn-haz-31',
    fullPrefetch('syn-haz-31', [
      [{ gcs: 8 }, 5],
      [{ ...NORMAL, acvpu: undefined }, 30],
    ]),
  ),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'warning',
        summaryIncludes: ['consciousness not charted', 're-check consciousness (GCS 8/15, 5 min ago)'],
        detailIncludes: [
          '- Consciousness: ACVPU is not charted, but a Glasgow Coma Scale of 8/15 was charted 5 min ago: the patient may not be alert',
        ],
        score: { news2: { partial: true, missing: ['consciousness'] }, gcsNotAlert: { gcs: 8, at: '2026-11-23T11:55:00.000Z' } },
      },
    ],
  },
});

add('sedation-safety/hazard-23-active-medications-not-obtained', {
  hazard: 'H23',
  description:
    'Morphine for a patient with normal observations, the active medication orders neither sent nor obtainable (no fhirServer): another sedative already prescribed cannot be counted, so an info card says the check could not be made, with removal offered but not recommended.',
  service: 'sedation-safety',
  request: (() => {
    const { activeMedications: _notSent, ...prefetch } = vitalsOnly('syn-haz-32', NORMAL, 20);
    const { fhirServer: _none, ...call } = orderSelect(
      'syn-haz-32',
      [medicationRequest('mr-32', 'syn-haz-32', ...MORPHINE)],
      ['MedicationRequest/mr-32'],
      prefetch,
    );
    return call;
  })(),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'info',
        summaryIncludes: ['ordered: other sedatives not checked (active medication orders not obtained)'],
        detailIncludes: [
          "Check the patient's current medications for other opioids, benzodiazepines or gabapentinoids",
          'Active medication orders',
        ],
        suggestions: 1,
        recommendedSuggestions: 0,
      },
    ],
  },
});

add('deterioration-risk/hazard-27-spo2-target-unread', {
  hazard: 'H27',
  description:
    'SpO2 97 % on 2 L/min with an 88–92 % SpO2 target coded by SNOMED CT only (431314004), which Vigil does not read: SpO2 is scored on scale 1 (NEWS2 2), but the card is a warning that asks for the target to be confirmed and says NEWS2 would be 5 on scale 2.',
  service: 'deterioration-risk',
  request: (() => {
    const goal = SCALE_2_GOAL('syn-haz-33') as { target: Json[] };
    const snomedOnly = {
      ...goal,
      target: [
        {
          ...goal.target[0],
          measure: { coding: [{ system: 'http://snomed.info/sct', code: '431314004', display: 'Peripheral oxygen saturation' }] },
        },
      ],
    };
    return patientView('syn-haz-33', fullPrefetch('syn-haz-33', [[{ ...NORMAL, spo2: 97, o2: 2 }, 15]], { goals: [snomedOnly] }));
  })(),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'warning',
        summaryIncludes: ['NEWS2 2: at least ward-based assessment', 're-check SpO2 target (NEWS2 5 on scale 2)'],
        detailIncludes: [
          'If it is a hypercapnic target of 88–92 % (scale 2), SpO2 scores 3 and NEWS2 would be 5: medium clinical risk. Confirm the prescribed target.',
          'SpO2 target: one is recorded but not in a form Vigil reads',
        ],
        score: { news2: { total: 2, spo2Scale: 1 }, ifScale2: { total: 5, risk: 'medium', spo2Points: 3 } },
      },
    ],
  },
});

rmSync(OUT, { recursive: true, force: true });
for (const [name, fixture] of Object.entries(fixtures)) {
  const file = join(OUT, `${name}.json`);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
}
process.stdout.write(`wrote ${Object.keys(fixtures).length} fixtures to cards-fixtures/\n`);
