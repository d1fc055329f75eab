// A value charted as a bound ("SpO2 <80 %") is scored when every value within it scores the same NEWS2
// points, and shown with its comparator; otherwise it stays unusable (clinical safety review,
// 2026-11-29: "<80 %" was "not usable", an info card, though it certainly scores 3).
import { describe, expect, it } from 'vitest';
import { news2Severity, scoreNews2 } from '../../src/fallback-rules/news2.js';
import { formatReading } from '../../src/domain/labels.js';
import { normaliseInputs } from '../../src/prefetch/normalise.js';
import type { FhirResource } from '../../src/fhir/resources.js';
import { heartRate, minutesAgo, NOW, oxygenSaturation, respiratoryRate, spo2Goal, ucum } from '../support/fhir-examples.js';

const at = { effectiveDateTime: minutesAgo(10) };
/** An Observation made by `make` whose value is charted as `comparator value`. */
const bounded = (make: (value: number, options: object) => FhirResource, value: number, code: string, comparator: string) =>
  make(value, { ...at, extra: { valueQuantity: { ...ucum(value, code), comparator } } });

const inputsOf = (observations: FhirResource[], goals: FhirResource[] = []) =>
  normaliseInputs({ observations, goals }, { now: NOW, staleAfterHours: 12, severity: news2Severity });

describe('values charted as bounds', () => {
  it('scores SpO2 <80 % as 3 points, and writes it "<80%"', () => {
    const inputs = inputsOf([bounded(oxygenSaturation, 80, '%', '<')]);
    const spo2 = inputs.vitals.spo2!;
    expect(formatReading('spo2', spo2)).toBe('<80%');
    expect(scoreNews2(inputs).subscores.find((s) => s.parameter === 'spo2')?.points).toBe(3);
    expect(inputs.unusable).toEqual([]);
  });

  it.each([
    ['RR >40', bounded(respiratoryRate, 40, '/min', '>'), 'respiratoryRate', 3],
    ['SpO2 >=96 % on scale 1', bounded(oxygenSaturation, 96, '%', '>='), 'spo2', 0],
  ] as const)('scores %s, which decides the points alone', (_case, observation, parameter, points) => {
    const inputs = inputsOf([observation]);
    expect(scoreNews2(inputs).subscores.find((s) => s.parameter === parameter)?.points).toBe(points);
  });

  it('leaves a bound that spans bands unusable: HR <60 could score 3, 1 or 0', () => {
    const inputs = inputsOf([bounded(heartRate, 60, '/min', '<')]);
    expect(inputs.vitals.heartRate).toBeUndefined();
    expect(inputs.unusable).toEqual([
      expect.objectContaining({ vital: 'heartRate', reason: 'heart rate is a bound (<), not a measured value' }),
    ]);
  });

  it('leaves an SpO2 bound unusable on scale 2, where air or oxygen also decides the points', () => {
    const inputs = inputsOf([bounded(oxygenSaturation, 80, '%', '<')], [spo2Goal(92)]);
    expect(inputs.vitals.spo2).toBeUndefined();
  });
});
