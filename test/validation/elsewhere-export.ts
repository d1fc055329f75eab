// "An export made elsewhere": a small synthetic FHIR R4 Bulk Data export shaped like one from another
// tool (Synthea-style: one file per resource type, Patients with identifiers, names and US Core race
// extensions, Encounters and Conditions, vital signs with US time zones and `encounter` references,
// body height, weight, BMI and pain scores, a laboratory panel, subjects as `Patient/<uuid>` or
// `urn:uuid:<uuid>`), with the faults real exports carry. Nothing here comes from Vigil's own generator.
import { createRandom } from '../../src/validation/random.js';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const CATEGORY = (code: string) => [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code, display: code }] },
];

export interface ElsewhereExport {
  /** File name → NDJSON text. */
  files: Record<string, string>;
  outcomesCsv: string;
  patientIds: string[];
  /** Faulty lines planted, by the reason the report must give. */
  planted: Record<string, number>;
}

export function elsewhereExport(patients = 12): ElsewhereExport {
  const random = createRandom(4242);
  const hex = (n: number) => Array.from({ length: n }, () => random.int(16).toString(16)).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const lines: Record<string, unknown[]> = { Patient: [], Encounter: [], Condition: [], Observation: [] };
  const outcomes: string[] = ['patient,time,event'];
  const patientIds: string[] = [];

  // Chicago local time (UTC−5 in winter), as a US export writes it.
  const local = (ms: number) => `${new Date(ms - 5 * 3_600_000).toISOString().slice(0, 19)}-05:00`;
  const quantity = (value: number, unit: string) => ({ value, unit, system: UCUM, code: unit });
  for (let k = 0; k < patients; k++) {
    const id = uuid();
    patientIds.push(id);
    lines.Patient?.push({
      resourceType: 'Patient',
      id,
      extension: [
        { url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race', extension: [{ url: 'text', valueString: 'Other' }] },
      ],
      identifier: [{ system: 'https://github.com/synthetichealth/synthea', value: id }],
      name: [{ use: 'official', family: `Synthetic${k}`, given: ['Test'] }],
      gender: k % 2 === 0 ? 'female' : 'male',
      birthDate: `19${40 + random.int(50)}-0${1 + random.int(9)}-1${random.int(9)}`,
    });
    const encounter = uuid();
    const start = Date.UTC(2021, 0, 4 + k, 8);
    lines.Encounter?.push({
      resourceType: 'Encounter',
      id: encounter,
      status: 'finished',
      subject: { reference: `urn:uuid:${id}` },
      period: { start: local(start) },
    });
    lines.Condition?.push({ resourceType: 'Condition', id: uuid(), subject: { reference: `urn:uuid:${id}` }, code: { text: 'Pneumonia' } });
    const subject = { reference: k % 3 === 0 ? `urn:uuid:${id}` : `Patient/${id}` };
    const sick = k % 4 === 0;
    const sets = 6 + random.int(6);
    for (let s = 0; s < sets; s++) {
      const at = local(start + s * 4 * 3_600_000);
      const obs = (code: string, display: string, category: string, body: object) =>
        lines.Observation?.push({
          resourceType: 'Observation',
          id: uuid(),
          status: 'final',
          category: CATEGORY(category),
          code: { coding: [{ system: LOINC, code, display }], text: display },
          subject,
          encounter: { reference: `urn:uuid:${encounter}` },
          effectiveDateTime: at,
          issued: `${at.slice(0, 19)}.458-05:00`,
          ...body,
        });
      const worse = sick ? s : 0;
      obs('8867-4', 'Heart rate', 'vital-signs', { valueQuantity: quantity(72 + 6 * worse + random.int(8), '/min') });
      obs('9279-1', 'Respiratory rate', 'vital-signs', { valueQuantity: quantity(14 + 2 * worse + random.int(3), '/min') });
      obs('8310-5', 'Body temperature', 'vital-signs', { valueQuantity: quantity(Math.round((36.8 + 0.3 * worse) * 10) / 10, 'Cel') });
      obs('59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry', 'vital-signs', { valueQuantity: quantity(98 - worse, '%') });
      obs('85354-9', 'Blood pressure panel with all children optional', 'vital-signs', {
        component: [
          {
            code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic Blood Pressure' }] },
            valueQuantity: quantity(78, 'mm[Hg]'),
          },
          {
            code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic Blood Pressure' }] },
            valueQuantity: quantity(128 - 6 * worse, 'mm[Hg]'),
          },
        ],
      });
      if (s === 0) {
        obs('8302-2', 'Body Height', 'vital-signs', { valueQuantity: quantity(170, 'cm') });
        obs('29463-7', 'Body Weight', 'vital-signs', { valueQuantity: quantity(80, 'kg') });
        obs('39156-5', 'Body mass index (BMI) [Ratio]', 'vital-signs', { valueQuantity: quantity(27.7, 'kg/m2') });
        obs('72514-3', 'Pain severity - 0-10 verbal numeric rating [Score] - Reported', 'vital-signs', {
          valueQuantity: quantity(2, '{score}'),
        });
        obs('2339-0', 'Glucose', 'laboratory', { valueQuantity: quantity(96, 'mg/dL') });
      }
    }
    if (sick) outcomes.push(`Patient/${id},${local(start + (sets * 4 - 2) * 3_600_000)},death`);
  }
  // Faults a real export carries, one of each.
  const first = patientIds[0] ?? '';
  const fault = (body: object) => ({
    resourceType: 'Observation',
    id: uuid(),
    status: 'final',
    code: { coding: [{ system: LOINC, code: '8867-4' }] },
    ...body,
  });
  lines.Observation?.push(
    fault({ effectiveDateTime: '2021-01-04T10:00:00-05:00', valueQuantity: quantity(80, '/min') }),
    fault({ subject: { reference: `Patient/${first}` }, effectiveDateTime: '2021-01-04', valueQuantity: quantity(80, '/min') }),
    fault({
      subject: { reference: `Patient/${first}` },
      effectiveDateTime: '2021-01-04T10:00:00-05:00',
      valueQuantity: { value: 80, unit: 'beats', system: UCUM, code: 'beats' },
    }),
  );
  const files = Object.fromEntries(
    Object.entries(lines).map(([type, list]) => [`${type}.ndjson`, `${list.map((r) => JSON.stringify(r)).join('\n')}\n`]),
  );
  files['Observation.ndjson'] += '{"resourceType":"Observation","id":"torn\n';
  return {
    files,
    outcomesCsv: `${outcomes.join('\n')}\n`,
    patientIds,
    planted: {
      'Observation without a subject reference': 1,
      'Observation not usable: charted time is a date without a time of day': 1,
      'Observation not usable: heart rate: unit "beats" is not a recognised unit': 1,
      'not JSON': 1,
      'Encounter: not read (Vigil reads Observation, Patient and Goal)': patients,
      'Condition: not read (Vigil reads Observation, Patient and Goal)': patients,
      'Observation not a vital sign Vigil reads (e.g. a laboratory result or body weight)': 5 * patients,
    },
  };
}
