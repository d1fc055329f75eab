import { describe, expect, it } from 'vitest';
import { readPatient } from '../../src/hooks/assess-patient.js';
import { isAboutPatient } from '../../src/prefetch/patient-subject.js';
import { scoreNews2 } from '../../src/fallback-rules/news2.js';
import type { Gathered } from '../../src/prefetch/gather.js';
import type { FhirResource } from '../../src/fhir/resources.js';
import { minutesAgo, normalSet, NOW, patient, respiratoryRate, spo2Goal } from '../support/fhir-examples.js';

const about = (who: string) => ({ extra: { subject: { reference: `Patient/${who}` } } });

/** A complete set for the example patient, breathing at `rr`/min, charted `minutes` ago. */
const set = (rr: number, minutes: number): FhirResource[] =>
  normalSet(minutesAgo(minutes), [respiratoryRate(rr, { effectiveDateTime: minutesAgo(minutes) })]);

const gathered = (observations: FhirResource[], goals: FhirResource[] = [], patients: FhirResource[] = []): Gathered => ({
  vitals: { source: 'sent', resources: observations },
  spo2Target: { source: 'sent', resources: goals },
  patient: { source: 'sent', resources: patients },
});

describe('whose data: only the patient in context is scored', () => {
  it("does not let another patient's calmer, newer respiratory rate hide this patient's", () => {
    const observations = [...set(30, 30), respiratoryRate(16, { effectiveDateTime: minutesAgo(5), ...about('someone-else') })];
    const reading = readPatient(gathered(observations), 'example', NOW, 12);
    expect(reading.inputs.vitals.respiratoryRate?.value).toBe(30);
    expect(scoreNews2(reading.inputs).anySingleThree).toBe(true);
    expect(reading.problems).toEqual([expect.stringMatching(/^1 resource was about another patient .* not used/)]);
  });

  it("does not take another patient's SpO2 target (scale 2) or age", () => {
    const reading = readPatient(
      gathered(
        set(16, 30),
        [spo2Goal(92, { id: 'theirs' })].map((g) => ({ ...g, subject: { reference: 'Patient/someone-else' } })),
        [{ ...patient('1930-01-01'), id: 'someone-else' }],
      ),
      'example',
      NOW,
      12,
    );
    expect(reading.inputs.spo2Scale).toBe(1);
    expect(reading.inputs.ageYears).toBeUndefined();
    expect(reading.problems).toEqual([expect.stringMatching(/^2 resources were about another patient/)]);
  });

  it('uses everything when every resource is about the patient, and says nothing', () => {
    const reading = readPatient(gathered(set(16, 30), [spo2Goal(92)], [patient('1960-01-01')]), 'example', NOW, 12);
    expect(reading.inputs.spo2Scale).toBe(2);
    expect(reading.inputs.ageYears).toBeGreaterThan(60);
    expect(reading.problems).toEqual([]);
  });

  it.each([
    ['Patient/example', true],
    ['https://ehr.example.org/fhir/Patient/example', true],
    ['Patient/example/_history/3', true],
    ['Patient/example2', false],
    ['Patient/exampl', false],
    ['Group/example', false],
    ['urn:uuid:0b6c2a4e-5e0e-4a8e-9d0e-3f4c4b3b9c11', false],
  ])('reads the subject reference %s as about the patient: %s', (reference, expected) => {
    expect(isAboutPatient(respiratoryRate(16, { extra: { subject: { reference } } }), 'example')).toBe(expected);
  });

  it('keeps a resource that names no subject (it came from a search by patient) and sets aside one it cannot check', () => {
    const { subject: _s, ...noSubject } = respiratoryRate(16);
    expect(isAboutPatient(noSubject as FhirResource, 'example')).toBe(true);
    expect(isAboutPatient(respiratoryRate(16, { extra: { subject: { identifier: { value: 'MRN1' } } } }), 'example')).toBe(false);
  });
});
