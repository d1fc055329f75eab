// The coarse levels beyond NEWS2's points that the repeat-card rule compares, boundary by boundary.
import { describe, expect, it } from 'vitest';
import { acvpuLevel, extremeLevel, gcsBand, oxygenLevel } from '../../src/suppression/severity-bands.js';

describe('severity beyond NEWS2 points', () => {
  it.each([
    ['respiratoryRate', 6, 1, 0],
    ['respiratoryRate', 5, 1, 1],
    ['respiratoryRate', 34, 1, 0],
    ['respiratoryRate', 35, 1, 1],
    ['systolicBP', 71, 1, 0],
    ['systolicBP', 70, 1, 1],
    ['systolicBP', 260, 1, 0],
    ['heartRate', 31, 1, 0],
    ['heartRate', 30, 1, 1],
    ['heartRate', 149, 1, 0],
    ['heartRate', 150, 1, 1],
    ['temperature', 34.1, 1, 0],
    ['temperature', 34, 1, 1],
    ['temperature', 39.9, 1, 0],
    ['temperature', 40, 1, 1],
    ['spo2', 86, 1, 0],
    ['spo2', 85, 1, 1],
    ['spo2', 78, 2, 0],
    ['spo2', 77, 2, 1],
    ['spo2', 99, 2, 0],
  ] as const)('puts %s %d (SpO2 scale %d) at extreme level %d', (parameter, value, scale, level) => {
    expect(extremeLevel(parameter, value, scale)).toBe(level);
  });

  it('gives no extreme level to what is not a number, or to a parameter without cut-offs', () => {
    expect(extremeLevel('consciousness', 'unresponsive', 1)).toBe(0);
    expect(extremeLevel('supplementalOxygen', true, 1)).toBe(0);
    expect(extremeLevel('respiratoryRate', '42', 1)).toBe(0);
    expect(extremeLevel('constructor', 1, 1)).toBe(0);
  });

  it('ranks ACVPU past confusion: voice, pain, unresponsive', () => {
    expect(['alert', 'confused', 'voice', 'pain', 'unresponsive', 'constructor', undefined].map(acvpuLevel)).toEqual([0, 0, 1, 2, 3, 0, 0]);
  });

  it.each([
    [undefined, undefined, 0],
    [4, undefined, 0],
    [5, undefined, 1],
    [10, undefined, 1],
    [11, undefined, 2],
    [undefined, 35, 0],
    [undefined, 36, 1],
    [undefined, 60, 2],
    [2, 60, 2],
  ])('puts oxygen at %s L/min, FiO2 %s %%, at level %d', (flow, fio2, level) => {
    expect(oxygenLevel(flow, fio2)).toBe(level);
  });

  it('bands a GCS 13–14, 9–12, 3–8', () => {
    expect([14, 13, 12, 9, 8, 3].map(gcsBand)).toEqual([1, 1, 2, 2, 3, 3]);
  });
});
