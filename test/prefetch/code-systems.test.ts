// The LOINC and SNOMED CT systems as EHRs write them: the canonical URI, the HL7 OID, or the URI with a
// trailing slash. The fourth clinical safety review (2026-11-29) found an RR 7 coded with LOINC's OID
// (or `http://loinc.org/`) dropped unseen, where the same drug codes were accepted in both forms; and a
// heart rate coded 8889-8 (by pulse oximetry) ignored.
import { describe, expect, it } from 'vitest';
import { news2Severity } from '../../src/fallback-rules/news2.js';
import type { FhirResource } from '../../src/fhir/resources.js';
import { normaliseInputs } from '../../src/prefetch/normalise.js';
import { spo2ScaleFromGoals } from '../../src/prefetch/spo2-target.js';
import { consciousness, heartRate, minutesAgo, NOW, respiratoryRate, spo2Goal } from '../support/fhir-examples.js';

const read = (observations: FhirResource[]) =>
  normaliseInputs({ observations, goals: [] }, { now: NOW, staleAfterHours: 24, severity: news2Severity });

/** `observation` with every coding's system (in code and value) replaced by `system`. */
function withSystem(observation: FhirResource, system: string): FhirResource {
  const recode = (concept: unknown) => {
    const c = concept as { coding?: { system?: string }[] } | undefined;
    return c?.coding === undefined ? concept : { ...c, coding: c.coding.map((coding) => ({ ...coding, system })) };
  };
  return { ...observation, code: recode(observation['code']), valueCodeableConcept: recode(observation['valueCodeableConcept']) };
}

describe('code systems written another way', () => {
  it.each(['urn:oid:2.16.840.1.113883.6.1', 'http://loinc.org/', 'http://loinc.org'])(
    'reads a respiratory rate coded with %s',
    (system) => {
      const inputs = read([withSystem(respiratoryRate(7, { effectiveDateTime: minutesAgo(5) }), system)]);
      expect(inputs.vitals.respiratoryRate?.value).toBe(7);
    },
  );

  it('reads an ACVPU answer coded with SNOMED CT’s OID', () => {
    const voice = consciousness(
      { system: 'urn:oid:2.16.840.1.113883.6.96', code: '300202002', display: 'Responds to voice' },
      { effectiveDateTime: minutesAgo(5) },
    );
    expect(read([voice]).vitals.consciousness?.value).toBe('voice');
  });

  it('reads a heart rate by pulse oximetry (LOINC 8889-8) as the heart rate', () => {
    const pulse = heartRate(150, { effectiveDateTime: minutesAgo(5) });
    (pulse['code'] as { coding: { code: string }[] }).coding[0]!.code = '8889-8';
    expect(read([pulse]).vitals.heartRate?.value).toBe(150);
  });

  it('reads an SpO2 target measured with LOINC’s OID', () => {
    const goal = spo2Goal(92);
    (goal['target'] as { measure: { coding: { system: string }[] } }[])[0]!.measure.coding[0]!.system = 'urn:oid:2.16.840.1.113883.6.1';
    expect(spo2ScaleFromGoals([goal])).toBe(2);
  });

  it('still reads nothing from a system it does not know', () => {
    expect(read([withSystem(respiratoryRate(7), 'http://example.org/codes')]).vitals.respiratoryRate).toBeUndefined();
  });
});
