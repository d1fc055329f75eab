// The one Observation builder of the tests: synthetic FHIR R4 resources shaped like the HL7 R4 vital-signs examples (respiratory-rate,
// heart-rate, satO2, body-temperature, blood-pressure) and US Core pulse oximetry: realistic
// codings, units and times, no real patient.
import { LOINC, SNOMED, UCUM } from '../../src/fhir/codes.js';
import type { FhirResource } from '../../src/fhir/resources.js';

export { LOINC, SNOMED, UCUM } from '../../src/fhir/codes.js';

/** The moment every test is "now". */
export const NOW = new Date('2024-05-01T12:00:00Z');

/** ISO time `minutes` before NOW (negative: after NOW), with a UTC zone as EHRs send it. */
export function minutesAgo(minutes: number): string {
  return new Date(NOW.getTime() - minutes * 60_000).toISOString();
}
export const hoursAgo = (hours: number): string => minutesAgo(hours * 60);

const VITAL_SIGNS_CATEGORY = [
  {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }],
    text: 'Vital Signs',
  },
];

export interface Quantity {
  value?: unknown;
  unit?: string;
  system?: string;
  code?: string;
  comparator?: string;
}

export const ucum = (value: number, code: string, unit = code): Quantity => ({ value, unit, system: UCUM, code });

interface Options {
  id?: string;
  status?: string;
  effectiveDateTime?: string;
  extra?: Record<string, unknown>;
}

let counter = 0;
const nextId = (): string => `obs-${++counter}`;

function observation(
  codings: { system?: string; code: string; display?: string }[],
  text: string,
  body: Record<string, unknown>,
  options: Options,
): FhirResource {
  return {
    resourceType: 'Observation',
    id: options.id ?? nextId(),
    meta: { profile: ['http://hl7.org/fhir/StructureDefinition/vitalsigns'] },
    status: options.status ?? 'final',
    category: VITAL_SIGNS_CATEGORY,
    code: { coding: codings.map((c) => ({ system: LOINC, ...c })), text },
    subject: { reference: 'Patient/example' },
    effectiveDateTime: options.effectiveDateTime ?? minutesAgo(30),
    ...body,
    ...options.extra,
  };
}

export function respiratoryRate(q: Quantity | number, options: Options = {}): FhirResource {
  const valueQuantity = typeof q === 'number' ? { value: q, unit: 'breaths/minute', system: UCUM, code: '/min' } : q;
  return observation([{ code: '9279-1', display: 'Respiratory rate' }], 'Respiratory rate', { valueQuantity }, options);
}

export function heartRate(q: Quantity | number, options: Options = {}): FhirResource {
  const valueQuantity = typeof q === 'number' ? { value: q, unit: 'beats/minute', system: UCUM, code: '/min' } : q;
  return observation([{ code: '8867-4', display: 'Heart rate' }], 'Heart rate', { valueQuantity }, options);
}

export function bodyTemperature(q: Quantity | number, options: Options = {}, loincCodes = ['8310-5']): FhirResource {
  const valueQuantity = typeof q === 'number' ? { value: q, unit: 'C', system: UCUM, code: 'Cel' } : q;
  return observation(
    loincCodes.map((code) => ({ code, display: code === '8310-5' ? 'Body temperature' : 'Temperature' })),
    'Body temperature',
    { valueQuantity },
    options,
  );
}

/** US Core pulse oximetry: 2708-6 and 59408-5 on one Observation, optional inhaled-O2 components. */
export function oxygenSaturation(
  value: number,
  options: Options & { flowLpm?: number; fio2Percent?: number; codes?: string[] } = {},
): FhirResource {
  const component: unknown[] = [];
  if (options.flowLpm !== undefined) {
    component.push({
      code: { coding: [{ system: LOINC, code: '3151-8', display: 'Inhaled oxygen flow rate' }], text: 'Inhaled oxygen flow rate' },
      valueQuantity: { value: options.flowLpm, unit: 'L/min', system: UCUM, code: 'L/min' },
    });
  }
  if (options.fio2Percent !== undefined) {
    component.push({
      code: { coding: [{ system: LOINC, code: '3150-0', display: 'Inhaled oxygen concentration' }], text: 'Inhaled oxygen concentration' },
      valueQuantity: { value: options.fio2Percent, unit: '%', system: UCUM, code: '%' },
    });
  }
  const codes = options.codes ?? ['2708-6', '59408-5'];
  return observation(
    [
      ...codes.map((code) => ({ code, display: 'Oxygen saturation in Arterial blood' })),
      { system: 'urn:iso:std:iso:11073:10101', code: '150456', display: 'MDC_PULS_OXIM_SAT_O2' },
    ],
    'oxygen_saturation',
    { valueQuantity: { value, unit: '%', system: UCUM, code: '%' }, ...(component.length > 0 ? { component } : {}) },
    options,
  );
}

/** R4 blood-pressure example: the 85354-9 panel with systolic and diastolic components. */
export function bloodPressurePanel(
  systolic: Quantity | number | { dataAbsentReason: unknown },
  diastolic: number,
  options: Options = {},
): FhirResource {
  const systolicBody =
    typeof systolic === 'number'
      ? { valueQuantity: { value: systolic, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } }
      : 'dataAbsentReason' in systolic
        ? systolic
        : { valueQuantity: systolic };
  return observation(
    [{ code: '85354-9', display: 'Blood pressure panel with all children optional' }],
    'Blood pressure systolic & diastolic',
    {
      component: [
        { code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }] }, ...systolicBody },
        {
          code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' }] },
          valueQuantity: { value: diastolic, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' },
        },
      ],
    },
    options,
  );
}

export function systolicStandalone(value: number, options: Options = {}): FhirResource {
  return observation(
    [{ code: '8480-6', display: 'Systolic blood pressure' }],
    'Systolic blood pressure',
    {
      valueQuantity: { value, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' },
    },
    options,
  );
}

/** Level of responsiveness: LOINC 67775-7 question with an LA answer, or the SNOMED ACVPU pair. */
export function consciousness(
  answer: { system: string; code: string; display?: string },
  options: Options & { question?: 'loinc' | 'snomed' } = {},
): FhirResource {
  const question =
    options.question === 'snomed'
      ? { system: SNOMED, code: '1104441000000107', display: 'ACVPU (Alert Confusion Voice Pain Unresponsive) scale score' }
      : { system: LOINC, code: '67775-7', display: 'Level of responsiveness' };
  return {
    ...observation([question], 'Level of consciousness', { valueCodeableConcept: { coding: [answer] } }, options),
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'exam' }] }],
  };
}

/** Glasgow Coma Scale total, LOINC 9269-2, as an exam Observation (unit `{score}`). */
export function glasgowComaScale(value: number, options: Options = {}): FhirResource {
  return {
    ...observation(
      [{ code: '9269-2', display: 'Glasgow coma score total' }],
      'GCS',
      { valueQuantity: { value, unit: '{score}', system: UCUM, code: '{score}' } },
      options,
    ),
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'exam' }] }],
  };
}

export function inhaledOxygenFlow(value: number, options: Options = {}): FhirResource {
  return observation(
    [{ code: '3151-8', display: 'Inhaled oxygen flow rate' }],
    'Oxygen flow',
    {
      valueQuantity: { value, unit: 'L/min', system: UCUM, code: 'L/min' },
    },
    options,
  );
}

export function inhaledOxygenConcentration(value: number, options: Options = {}): FhirResource {
  return observation(
    [{ code: '3150-0', display: 'Inhaled oxygen concentration' }],
    'FiO2',
    {
      valueQuantity: { value, unit: '%', system: UCUM, code: '%' },
    },
    options,
  );
}

/** NHS CareConnect-InspiredOxygen: a code-only Observation coded 371825009 or 722742002. */
export function codedAirOrOxygen(code: '371825009' | '722742002', options: Options = {}): FhirResource {
  return observation(
    [{ system: SNOMED, code, display: code === '371825009' ? 'Patient on oxygen' : 'Breathing room air' }],
    'Inspired oxygen',
    {},
    options,
  );
}

export function patient(birthDate?: string): FhirResource {
  return {
    resourceType: 'Patient',
    id: 'example',
    name: [{ family: 'Synthetic', given: ['Test'] }],
    gender: 'female',
    ...(birthDate === undefined ? {} : { birthDate }),
  };
}

/** A Goal with an SpO2 target range, as a respiratory team would record 88–92 %. */
export function spo2Goal(
  high: number | Quantity,
  options: { lifecycleStatus?: string; low?: number; measureCode?: string; id?: string } = {},
): FhirResource {
  const highQuantity = typeof high === 'number' ? { value: high, unit: '%', system: UCUM, code: '%' } : high;
  // The description says what the bounds say (a description that disagrees is a finding of its own).
  const highValue = typeof highQuantity.value === 'number' && highQuantity.value > 1 ? highQuantity.value : 92;
  const low = options.low ?? 88;
  return {
    resourceType: 'Goal',
    id: options.id ?? 'spo2-target',
    lifecycleStatus: options.lifecycleStatus ?? 'active',
    description: {
      text: `Target oxygen saturation ${low}-${highValue}%${highValue <= 92 ? ' (hypercapnic respiratory failure)' : ''}`,
    },
    subject: { reference: 'Patient/example' },
    target: [
      {
        measure: {
          coding: [
            { system: LOINC, code: options.measureCode ?? '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry' },
          ],
        },
        detailRange: {
          low: { value: options.low ?? 88, unit: '%', system: UCUM, code: '%' },
          high: highQuantity,
        },
      },
    ],
  };
}

/** The first code an Observation is coded with: what `normalSet` replaces by. */
const firstCode = (o: FhirResource): string | undefined => (o['code'] as { coding?: { code?: string }[] } | undefined)?.coding?.[0]?.code;

/**
 * A complete NEWS2 set scoring 0 (RR 16, SpO2 97 % on air, BP 125/80, pulse 75, alert, 37 °C), all
 * charted at `effectiveDateTime`; each of `replace` takes the place of the set's Observation with its
 * first code (respiratoryRate(30, …) replaces RR 16).
 */
export function normalSet(effectiveDateTime: string, replace: FhirResource[] = []): FhirResource[] {
  const at = { effectiveDateTime };
  const replaced = new Set(replace.map(firstCode));
  return [
    respiratoryRate(16, at),
    oxygenSaturation(97, at),
    codedAirOrOxygen('722742002', at),
    bloodPressurePanel(125, 80, at),
    heartRate(75, at),
    consciousness({ system: LOINC, code: 'LA9340-6', display: 'Alert' }, at),
    bodyTemperature(37, at),
  ]
    .filter((o) => !replaced.has(firstCode(o)))
    .concat(replace);
}
