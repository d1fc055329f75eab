// A tiny bulk export whose NEWS2 at every charting time is worked out by hand (RCP 2017, chart 1), for
// the replay tests. Synthetic: one patient, p1, born 1950, charted on 1 March 2025 (UTC):
//
//   08:00  RR 18 (0), SpO2 97 (0), room air (0), SBP 120 (0), HR 80 (0), alert (0), 37.0 °C (0)   → 0
//   12:00  RR 22 (2), HR 115 (2); the 08:00 values are 4 h old, still fresh                       → 4 (low)
//   21:00  39.2 °C (2); with 12 h staleness the 08:00 values are 13 h old and stale,
//          so only RR 22 (2), HR 115 (2) and 39.2 °C (2) count                                     → 6 (medium, partial)
//   21:03  SpO2 91 (3), charted three minutes later: a moment of its own, not seen at 21:00        → 9 (high, partial)
//
// With 24 h staleness the 08:00 values are still fresh at 21:00: 2 + 0 + 0 + 0 + 2 + 0 + 2 = 6, complete.
// One outcome event, at 09:00 the next day: the 08:00 moment is 25 h before it (negative), the others positive.
import {
  bloodPressurePanel,
  bodyTemperature,
  codedAirOrOxygen,
  consciousness,
  heartRate,
  LOINC,
  oxygenSaturation,
  respiratoryRate,
} from '../support/fhir-examples.js';

const at = (time: string) => ({ effectiveDateTime: `2025-03-01T${time}:00Z` });
const of = (reference: string, time: string) => ({ ...at(time), extra: { subject: { reference } } });

export const HAND_MADE_MOMENTS = [
  { time: '2025-03-01T08:00:00Z', news2: 0, risk: 'none', partial: false },
  { time: '2025-03-01T12:00:00Z', news2: 4, risk: 'low', partial: false },
  { time: '2025-03-01T21:00:00Z', news2: 6, risk: 'medium', partial: true },
  { time: '2025-03-01T21:03:00Z', news2: 9, risk: 'high', partial: true },
] as const;

export const HAND_MADE_LABELS = [false, true, true, true];

/** The export's lines: the patient's resources (references as Patient/p1 and urn:uuid:p1), and lines a real export also holds. */
export function handMadeExport(): string[] {
  const p = 'Patient/p1';
  const resources: unknown[] = [
    { resourceType: 'Patient', id: 'p1', birthDate: '1950-01-01' },
    respiratoryRate(18, of(p, '08:00')),
    oxygenSaturation(97, of('urn:uuid:p1', '08:00')),
    codedAirOrOxygen('722742002', of(p, '08:00')),
    bloodPressurePanel(120, 75, of(p, '08:00')),
    heartRate(80, of(p, '08:00')),
    consciousness({ system: LOINC, code: 'LA9340-6', display: 'Alert' }, of(p, '08:00')),
    bodyTemperature(37.0, of(p, '08:00')),
    respiratoryRate(22, of(p, '12:00')),
    heartRate(115, of('https://ehr.example.org/fhir/Patient/p1', '12:00')),
    bodyTemperature(39.2, of(p, '21:00')),
    oxygenSaturation(91, of(p, '21:03')),
    // Lines that must be counted and skipped, not scored:
    { resourceType: 'Encounter', id: 'e1', subject: { reference: p } },
    heartRate(300, { ...of(p, '13:00'), status: 'entered-in-error' }),
    heartRate(150, { ...of(p, '14:00'), status: 'preliminary' }),
  ];
  return [...resources.map((r) => JSON.stringify(r)), 'not json at all', ''];
}

export const HAND_MADE_OUTCOMES =
  'patient,time,event\nPatient/p1,2025-03-02T09:00:00Z,unplanned-icu-transfer\nnobody-charted,2025-03-02T09:00:00Z,death\n';
