import { describe, expect, it } from 'vitest';
import { isTestData, outcomePatientKey, patientKey, readExportLine } from '../../src/validation/export-lines.js';
import { bloodPressurePanel, bodyTemperature, codedAirOrOxygen, heartRate, respiratoryRate, ucum } from '../support/fhir-examples.js';

const line = (resource: unknown) => JSON.stringify(resource);
const forPatient = (reference: string) => ({ extra: { subject: { reference } }, effectiveDateTime: '2025-03-01T10:00:00+00:00' });

describe('whom an export line is about', () => {
  it.each([
    ['Patient/123', '123'],
    ['https://ehr.example.org/fhir/Patient/abc-9', 'abc-9'],
    ['Patient/123/_history/4', '123'],
    ['urn:uuid:6f1c3a52-1b9d-4c3e-9d2a-7f0e1c2b3a4d', '6f1c3a52-1b9d-4c3e-9d2a-7f0e1c2b3a4d'],
    ['  Patient/7  ', '7'],
  ])('reads the reference %s as patient %s', (reference, id) => {
    expect(patientKey(reference)).toBe(id);
  });

  it.each(['Group/ward-7', 'Location/bed-3', '#contained-1', 'Patient'])('finds no patient in %s', (reference) => {
    expect(patientKey(reference)).toBeUndefined();
  });

  it("reads an outcome list's patient as a bare id or as a reference, the same patient either way", () => {
    expect(outcomePatientKey('123')).toBe('123');
    expect(outcomePatientKey('Patient/123')).toBe('123');
    expect(outcomePatientKey('urn:uuid:abc')).toBe('abc');
    expect(outcomePatientKey('hmac-sha256:00ff')).toBe('hmac-sha256:00ff');
  });
});

describe('reading one line of a bulk export', () => {
  it('keeps a vital-sign Observation with its patient and charting time, dropping what the normaliser does not read', () => {
    const obs = {
      ...respiratoryRate(22, forPatient('Patient/p1')),
      note: [{ text: 'free text stays out' }],
      performer: [{ reference: 'Practitioner/9' }],
    };
    const read = readExportLine(line(obs));
    expect(read).toMatchObject({ kind: 'observation', patient: 'p1', at: Date.parse('2025-03-01T10:00:00Z') });
    if (read.kind !== 'observation') throw new Error('not kept');
    expect(Object.keys(read.resource).sort()).toEqual([
      'code',
      'effectiveDateTime',
      'id',
      'meta',
      'resourceType',
      'status',
      'valueQuantity',
    ]);
  });

  it('keeps a blood pressure panel, a coded room-air statement and a Fahrenheit temperature (converted by the normaliser)', () => {
    for (const obs of [
      bloodPressurePanel(104, 60, forPatient('Patient/p1')),
      codedAirOrOxygen('722742002', forPatient('Patient/p1')),
      bodyTemperature(ucum(101.2, '[degF]', '°F'), forPatient('Patient/p1')),
    ]) {
      expect(readExportLine(line(obs)).kind).toBe('observation');
    }
  });

  it('keeps a Patient as its id and birth date only', () => {
    const read = readExportLine(line({ resourceType: 'Patient', id: 'p1', birthDate: '1950-02-03', name: [{ family: 'Synthetic' }] }));
    expect(read).toEqual({
      kind: 'patient',
      patient: 'p1',
      resource: { resourceType: 'Patient', id: 'p1', birthDate: '1950-02-03' },
      testData: false,
    });
  });

  it.each<[string, string, string]>([
    ['a line that is not JSON', '{"resourceType": "Observation", ', 'not JSON'],
    ['JSON that is not a resource', '[1, 2, 3]', 'not a FHIR resource (no resourceType)'],
    [
      'a resource Vigil does not read',
      line({ resourceType: 'Encounter', id: 'e1' }),
      'Encounter: not read (Vigil reads Observation, Patient and Goal)',
    ],
    ['a Patient without an id', line({ resourceType: 'Patient', birthDate: '1950-01-01' }), 'Patient without an id'],
    ['an Observation without a subject', line({ ...heartRate(80), subject: undefined }), 'Observation without a subject reference'],
    ['an Observation about a group', line(heartRate(80, forPatient('Group/ward-7'))), 'Observation whose subject is not a Patient'],
    [
      'a heart rate in a unit nobody charts',
      line(heartRate(ucum(80, 'mmol/L'), forPatient('Patient/p1'))),
      'Observation not usable: heart rate: unit "mmol/L" is not a recognised unit',
    ],
    [
      'a value charted with a date only',
      line(heartRate(80, { ...forPatient('Patient/p1'), effectiveDateTime: '2025-03-01' })),
      'Observation not usable: charted time is a date without a time of day',
    ],
    [
      'a value charted without a time zone',
      line(heartRate(80, { ...forPatient('Patient/p1'), effectiveDateTime: '2025-03-01T10:00:00' })),
      'Observation not usable: charted time has no time zone',
    ],
    [
      'a preliminary value',
      line(heartRate(80, { ...forPatient('Patient/p1'), status: 'preliminary' })),
      'Observation unverified (status preliminary, unknown or none): never scored',
    ],
    [
      'a value entered in error',
      line(heartRate(80, { ...forPatient('Patient/p1'), status: 'entered-in-error' })),
      'Observation status entered-in-error: never scored',
    ],
    [
      'a laboratory result',
      line({
        resourceType: 'Observation',
        id: 'lab',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '2524-7' }] },
        subject: { reference: 'Patient/p1' },
        effectiveDateTime: '2025-03-01T10:00:00Z',
        valueQuantity: { value: 2.1, unit: 'mmol/L' },
      }),
      'Observation not a vital sign Vigil reads (e.g. a laboratory result or body weight)',
    ],
  ])('skips %s, saying why', (_name, text, reason) => {
    expect(readExportLine(text)).toMatchObject({ kind: 'skip', reason });
  });

  it('passes over blank lines without counting them', () => {
    expect(readExportLine('   ')).toEqual({ kind: 'blank' });
  });

  it('recognises resources marked as test data (security label or tag HTEST)', () => {
    const htest = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HTEST' };
    expect(isTestData({ meta: { security: [htest] } })).toBe(true);
    expect(isTestData({ meta: { tag: [htest] } })).toBe(true);
    expect(isTestData({ meta: { security: [{ system: 'http://example.org/other', code: 'HTEST' }] } })).toBe(false);
    expect(isTestData({})).toBe(false);
  });
});
