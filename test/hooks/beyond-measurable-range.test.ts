// A value charted as beyond what the device measures (FHIR data-absent reason `positive-infinity` or
// `negative-infinity`) has no number to score, but it is not unknown either: any vital-sign device
// measures the normal range, so the value lies at that end of the NEWS2 chart. The clinical safety
// review (2026-11-29) found a heart rate "above the measurable range" was only "not usable".
import { describe, expect, it } from 'vitest';
import type { FhirResource } from '../../src/fhir/resources.js';
import {
  bodyTemperature,
  heartRate,
  hoursAgo,
  minutesAgo,
  normalSet,
  oxygenSaturation,
  respiratoryRate,
} from '../support/fhir-examples.js';
import { hookApp, morphineOrdered, patientView } from '../support/hook-calls.js';

/** `observation` with its value replaced by a data-absent reason of `code`. */
function absent(observation: FhirResource, code: 'positive-infinity' | 'negative-infinity' | 'error'): FhirResource {
  const { valueQuantity: _value, ...rest } = observation as FhirResource & { valueQuantity?: unknown };
  return {
    ...rest,
    dataAbsentReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code }] },
  };
}
const fiveMinAgo = { effectiveDateTime: minutesAgo(5) };
const wellSet = () => normalSet(minutesAgo(30));

const app = hookApp();

describe('a value beyond the measurable range, on patient-view', () => {
  it('asks for a re-check now, as a warning, naming what the end of the chart scores', async () => {
    const [card, ...rest] = await patientView(app(), [...wellSet(), absent(heartRate(75, fiveMinAgo), 'positive-infinity')]);
    expect(rest).toEqual([]);
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toBe('NEWS2 0: from the values that could be scored · re-check HR (5 min ago, above range)');
    expect(card!.detail).toContain(
      '- Pulse: charted 5 min ago as above the measurable range, with no number; a value there scores 3 on NEWS2 on its own. Re-check now (another device, or by hand).',
    );
    expect(card!.detail).not.toContain('Low clinical risk');
    expect(card!.extension['vigil.score'].beyondRange).toEqual([{ parameter: 'heartRate', beyond: 'above', at: minutesAgo(5), points: 3 }]);
    // Said once, as a value to re-check: not also as "a newer value could not be used", nor as "not usable".
    expect(card!.extension['vigil.score'].unreadable).toBeUndefined();
    expect(card!.detail).not.toContain('Charted but not usable');
  });

  it('says a temperature above the range scores 2', async () => {
    const [card] = await patientView(app(), [...wellSet(), absent(bodyTemperature(37, fiveMinAgo), 'positive-infinity')]);
    expect(card!.indicator).toBe('warning');
    expect(card!.detail).toContain(
      '- Temperature: charted 5 min ago as above the measurable range, with no number; a value there scores 2',
    );
  });

  it('raises an incomplete card too, where the value beyond range is all that was charted', async () => {
    const set = wellSet().filter((o) => (o['code'] as { coding: { code: string }[] }).coding[0]!.code !== '2708-6');
    const [card] = await patientView(app(), [...set, absent(oxygenSaturation(97, fiveMinAgo), 'negative-infinity')]);
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toContain('re-check SpO2 (5 min ago, below range)');
  });

  it('keeps other absent reasons as unreadable (info), and an old value beyond range as history', async () => {
    const [error] = await patientView(app(), [...wellSet(), absent(heartRate(75, fiveMinAgo), 'error')]);
    expect(error!.indicator).toBe('info');
    expect(error!.extension['vigil.score'].beyondRange).toBeUndefined();
    // Beyond range 20 h ago, a normal set since: the newer values stand.
    expect(
      await patientView(app(), [absent(heartRate(75, { effectiveDateTime: hoursAgo(20) }), 'positive-infinity'), ...wellSet()]),
    ).toEqual([]);
  });
});

describe('a value beyond the measurable range with nothing charted since', () => {
  it('counts however old it is, like an out-of-date number that would score 3', async () => {
    const set = wellSet().filter((o) => (o['code'] as { coding: { code: string }[] }).coding[0]!.code !== '8867-4');
    const [card] = await patientView(app(), [...set, absent(heartRate(75, { effectiveDateTime: hoursAgo(20) }), 'positive-infinity')]);
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toContain('re-check HR (20 h ago, above range)');
  });
});

describe('a respiratory rate beyond the measurable range, when morphine is ordered', () => {
  it('is a reason the patient is at risk, not only that breathing cannot be judged', async () => {
    const [card] = await morphineOrdered(app(), [...wellSet(), absent(respiratoryRate(16, fiveMinAgo), 'negative-infinity')]);
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toMatch(/^Opioid \(morphine\) ordered: respiratory depression risk/);
    expect(card!.detail).toContain('- respiratory rate charted 5 min ago as below the measurable range: re-check before the first dose');
  });

  it('is said once when it is the only respiratory rate: not also "charted but not usable"', async () => {
    const set = wellSet().filter((o) => (o['code'] as { coding: { code: string }[] }).coding[0]!.code !== '9279-1');
    const [card] = await morphineOrdered(app(), [...set, absent(respiratoryRate(16, fiveMinAgo), 'negative-infinity')]);
    expect(card!.detail).toContain('- respiratory rate charted 5 min ago as below the measurable range');
    expect(card!.detail).not.toContain('respiratory rate charted but not usable');
  });
});
