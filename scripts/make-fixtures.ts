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
const SNOMED = 'http://snomed.info/sct';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const VITAL_SIGNS = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }] }];

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
  acvpu?: 'alert' | 'confused' | 'voice' | 'pain' | 'unresponsive';
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
  if (v.rr !== undefined) vitals.push(observation(patient, [['9279-1', 'Respiratory rate']], minutesAgo, { valueQuantity: quantity(v.rr, 'breaths/minute', '/min') }));
  if (v.hr !== undefined) vitals.push(observation(patient, [['8867-4', 'Heart rate']], minutesAgo, { valueQuantity: quantity(v.hr, 'beats/minute', '/min') }));
  if (v.spo2 !== undefined) {
    const component =
      v.o2 === undefined
        ? {}
        : { component: [{ code: { coding: [{ system: LOINC, code: '3151-8', display: 'Inhaled oxygen flow rate' }] }, valueQuantity: quantity(v.o2, 'L/min', 'L/min') }] };
    vitals.push(
      observation(patient, [['2708-6', 'Oxygen saturation in Arterial blood'], ['59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry']], minutesAgo, {
        valueQuantity: quantity(v.spo2, '%', '%'),
        ...component,
      }),
    );
  }
  if (v.sbp !== undefined) {
    vitals.push(
      observation(patient, [['85354-9', 'Blood pressure panel with all children optional']], minutesAgo, {
        component: [
          { code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }] }, valueQuantity: quantity(v.sbp, 'mmHg', 'mm[Hg]') },
          { code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' }] }, valueQuantity: quantity(Math.round(v.sbp * 0.6), 'mmHg', 'mm[Hg]') },
        ],
      }),
    );
  }
  if (v.temp !== undefined) {
    const unit = v.tempUnit ?? 'Cel';
    vitals.push(observation(patient, [['8310-5', 'Body temperature']], minutesAgo, { valueQuantity: quantity(v.temp, unit === 'Cel' ? 'C' : 'degF', unit) }));
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
  return { vitals, consciousness };
}

function searchset(resources: Json[]): Json {
  return { resourceType: 'Bundle', type: 'searchset', total: resources.length, entry: resources.map((resource) => ({ fullUrl: `http://ehr.example/fhir/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'match' } })) };
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
  detailIncludes?: string[];
  /** A subset of extension["vigil.score"] that must match. */
  score?: Json;
  suggestions?: number;
}

interface Fixture {
  description: string;
  service: 'deterioration-risk' | 'sedation-safety';
  now: string;
  request: Json;
  expect: { status: number; cards?: CardExpectation[]; issueExpression?: string };
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
  request: patientView('syn-ward-02', fullPrefetch('syn-ward-02', [[{ ...NORMAL, rr: 22, temp: 38.4 }, 20], [NORMAL, 260]])),
  expect: {
    status: 200,
    cards: [{ indicator: 'info', summaryIncludes: ['NEWS2 3'], score: { path: 'rules', news2: { total: 3, partial: false, missing: [] } } }],
  },
});

add('deterioration-risk/news2-single-three-warning', {
  description: 'NEWS2 3 from one parameter: new confusion scores 3 alone → warning (urgent ward-based review).',
  service: 'deterioration-risk',
  request: patientView('syn-ward-03', fullPrefetch('syn-ward-03', [[{ ...NORMAL, acvpu: 'confused' }, 15]])),
  expect: {
    status: 200,
    cards: [{ indicator: 'warning', summaryIncludes: ['NEWS2 3', 'urgent ward-based review'], score: { news2: { total: 3, partial: false } } }],
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
  request: patientView('syn-ward-05', fullPrefetch('syn-ward-05', [[{ rr: 26, hr: 118, spo2: 91, o2: 2, sbp: 98, temp: 38.6, acvpu: 'alert' }, 12], [NORMAL, 300]])),
  expect: {
    status: 200,
    cards: [
      {
        indicator: 'critical',
        summaryIncludes: ['NEWS2 13', 'emergency response'],
        detailIncludes: ['| Respiratory rate | 26/min | 12 min ago | 3 |', 'qSOFA 2/3'],
        score: { path: 'rules', news2: { total: 13, partial: false, missing: [] }, qsofa: { score: 2, positive: true }, dataAsOf: '2026-11-23T11:48:00.000Z' },
      },
    ],
  },
});

add('deterioration-risk/fahrenheit-temperature', {
  description: 'Temperature sent in [degF]: 101.3 °F = 38.5 °C after rounding → 1 point; NEWS2 1.',
  service: 'deterioration-risk',
  request: patientView('syn-ward-06', fullPrefetch('syn-ward-06', [[{ ...NORMAL, temp: 101.3, tempUnit: '[degF]' }, 25]])),
  expect: { status: 200, cards: [{ indicator: 'info', summaryIncludes: ['NEWS2 1'], detailIncludes: ['38.5 °C'], score: { news2: { total: 1, partial: false } } }] },
});

add('deterioration-risk/partial-missing-consciousness-temperature', {
  description: 'Only RR, HR, SpO2 (on air) and BP charted: NEWS2 is partial and names what is missing.',
  service: 'deterioration-risk',
  request: patientView('syn-ward-07', fullPrefetch('syn-ward-07', [[{ rr: 18, hr: 95, spo2: 96, o2: 0, sbp: 124 }, 40]])),
  expect: {
    status: 200,
    cards: [{ indicator: 'info', summaryIncludes: ['NEWS2 ≥ 1', 'missing'], score: { news2: { total: 1, partial: true, missing: ['consciousness', 'temperature'] } } }],
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
          target: [{ measure: { coding: [{ system: LOINC, code: '59408-5' }] }, detailRange: { low: { value: 88, unit: '%', system: UCUM, code: '%' }, high: { value: 92, unit: '%', system: UCUM, code: '%' } } }],
        },
      ],
    }),
  ),
  expect: { status: 200, cards: [{ indicator: 'info', summaryIncludes: ['NEWS2 2'], detailIncludes: ['scale 2'], score: { news2: { total: 2, partial: false, spo2Scale: 2 } } }] },
});

add('deterioration-risk/stale-vitals', {
  description: 'Last observations 30 h ago: no score, an honest card saying how old they are.',
  service: 'deterioration-risk',
  request: patientView('syn-ward-09', fullPrefetch('syn-ward-09', [[{ ...NORMAL, rr: 28 }, 30 * 60]])),
  expect: { status: 200, cards: [{ indicator: 'info', summaryIncludes: ['No vital signs in the last 24 h', '30 h ago'], score: { scored: false, reason: 'stale-vitals' } }] },
});

add('deterioration-risk/null-prefetch-no-vitals', {
  description: 'The EHR says no vitals exist (prefetch null): an honest "no vital signs" card, not a score.',
  service: 'deterioration-risk',
  request: patientView('syn-ward-10', { patient: patientResource('syn-ward-10', '1961-09-30', 'male'), vitals: null, consciousness: null, oxygen: null, spo2Target: null }),
  expect: { status: 200, cards: [{ indicator: 'info', summaryIncludes: ['No vital signs in the last 24 h'], score: { scored: false, reason: 'no-vitals' } }] },
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
  description: 'Shaped like the CDS Hooks sandbox: fhirServer, no encounterId, keys whose fetch came back empty omitted; two observation pages; NEWS2 7.',
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
  expect: { status: 200, cards: [{ indicator: 'critical', summaryIncludes: ['NEWS2 8'], score: { path: 'rules', news2: { total: 8, partial: false } } }] },
});

// ---- sedation-safety ----------------------------------------------------------------------------

const MORPHINE = ['892494', 'Morphine Sulfate 15 MG Oral Tablet'] as const;
const LORAZEPAM = ['197901', 'Lorazepam 1 MG Oral Tablet'] as const;
const AMOXICILLIN = ['308191', 'Amoxicillin 500 MG Oral Capsule'] as const;

function vitalsOnly(patient: string, set: VitalSet, minutesAgo: number): Json {
  const c = charted(patient, set, minutesAgo);
  return { patient: patientResource(patient, '1944-02-17', 'male'), vitals: searchset(c.vitals), consciousness: searchset(c.consciousness), oxygen: null, spo2Target: null };
}

add('sedation-safety/opioid-low-respiratory-rate', {
  description: 'Morphine (an RxNorm clinical-drug code, matched by name) for a patient breathing 10/min: warning with a remove suggestion.',
  service: 'sedation-safety',
  request: orderSelect('syn-med-01', [medicationRequest('mr-1', 'syn-med-01', ...MORPHINE)], ['MedicationRequest/mr-1'], vitalsOnly('syn-med-01', { ...NORMAL, rr: 10 }, 20)),
  expect: { status: 200, cards: [{ indicator: 'warning', summaryIncludes: ['Opioid', 'morphine', 'respiratory rate 10/min'], suggestions: 1, score: { path: 'rules', news2: { total: 1 } } }] },
});

add('sedation-safety/benzodiazepine-news2-high', {
  description: 'Lorazepam for a patient with NEWS2 7 (RR 25, SpO2 91, HR 115): critical.',
  service: 'sedation-safety',
  request: orderSelect('syn-med-02', [medicationRequest('mr-2', 'syn-med-02', ...LORAZEPAM)], ['MedicationRequest/mr-2'], vitalsOnly('syn-med-02', { ...NORMAL, rr: 25, spo2: 91, hr: 115 }, 20)),
  // RR 25 → 3, SpO2 91 → 3, HR 115 → 2 = 8
  expect: { status: 200, cards: [{ indicator: 'critical', summaryIncludes: ['Benzodiazepine', 'lorazepam'], score: { news2: { total: 8 } } }] },
});

add('sedation-safety/non-sedative-at-risk-patient', {
  description: 'Amoxicillin for the same at-risk patient: no warning.',
  service: 'sedation-safety',
  request: orderSelect('syn-med-03', [medicationRequest('mr-3', 'syn-med-03', ...AMOXICILLIN)], ['MedicationRequest/mr-3'], vitalsOnly('syn-med-03', { ...NORMAL, rr: 9, spo2: 90 }, 20)),
  expect: { status: 200, cards: [] },
});

add('sedation-safety/opioid-stable-patient', {
  description: 'Morphine for a patient with normal observations: no warning.',
  service: 'sedation-safety',
  request: orderSelect('syn-med-04', [medicationRequest('mr-4', 'syn-med-04', ...MORPHINE)], ['MedicationRequest/mr-4'], vitalsOnly('syn-med-04', NORMAL, 20)),
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
  request: orderSelect('syn-med-06', [medicationRequest('mr-6', 'syn-med-06', undefined, undefined)], ['MedicationRequest/mr-6'], undefined),
  expect: { status: 200, cards: [] },
});

add('sedation-safety/opioid-no-vitals', {
  description: 'Oxycodone ordered, no vital signs exist: an honest info card asking for observations.',
  service: 'sedation-safety',
  request: orderSelect('syn-med-07', [medicationRequest('mr-7', 'syn-med-07', '1049621', 'Oxycodone Hydrochloride 5 MG Oral Tablet')], ['MedicationRequest/mr-7'], { vitals: null, consciousness: null, oxygen: null, spo2Target: null }),
  expect: { status: 200, cards: [{ indicator: 'info', summaryIncludes: ['Opioid', 'oxycodone', 'no vital signs'], score: { scored: false } }] },
});

add('sedation-safety/selection-not-in-draft-orders', {
  description: 'selections names an order that is not in draftOrders: 400 naming context.selections[0].',
  service: 'sedation-safety',
  request: orderSelect('syn-med-08', [medicationRequest('mr-8', 'syn-med-08', ...MORPHINE)], ['MedicationRequest/other'], undefined),
  expect: { status: 400, issueExpression: 'context.selections[0]' },
});

rmSync(OUT, { recursive: true, force: true });
for (const [name, fixture] of Object.entries(fixtures)) {
  const file = join(OUT, `${name}.json`);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
}
process.stdout.write(`wrote ${Object.keys(fixtures).length} fixtures to cards-fixtures/\n`);
