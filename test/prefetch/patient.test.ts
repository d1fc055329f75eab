import { describe, expect, it } from 'vitest';
import { ageFromPatient, ageInYears } from '../../src/prefetch/patient.js';
import { patient } from '../support/fhir-examples.js';

describe('age in whole years from Patient.birthDate', () => {
  it.each([
    ['1950-05-01', '2024-05-01T12:00:00Z', 74], // birthday today
    ['1950-05-02', '2024-05-01T12:00:00Z', 73], // birthday tomorrow
    ['1950-04-30', '2024-05-01T12:00:00Z', 74],
    ['2008-05-01', '2024-05-01T00:00:00Z', 16], // turns 16 at the first moment of the day (UTC)
    ['2008-05-02', '2024-05-01T23:59:59Z', 15],
    ['2000-02-29', '2023-02-28T12:00:00Z', 22], // leap-day birthday, common year: not yet
    ['2000-02-29', '2023-03-01T12:00:00Z', 23],
    ['2000-02-29', '2024-02-29T12:00:00Z', 24],
    ['2024-05-01', '2024-05-01T12:00:00Z', 0], // born today
    // Partial dates give the age certainly reached: the birthday is the period's last day.
    ['1950', '2024-05-01T12:00:00Z', 73],
    ['1950', '2024-12-31T12:00:00Z', 74],
    ['1950-05', '2024-05-30T12:00:00Z', 73],
    ['1950-05', '2024-05-31T12:00:00Z', 74],
    ['1950-02', '2024-02-29T12:00:00Z', 74], // February's last day in a leap year
    ['2024-05', '2024-05-01T12:00:00Z', 0], // born this month: certainly 0
    ['2024', '2024-05-01T12:00:00Z', 0],
  ])('born %s, at %s: %d', (birthDate, now, age) => {
    expect(ageInYears(birthDate, new Date(now))).toBe(age);
  });

  it.each([
    ['1950-13-01', 'month 13'],
    ['1950-02-30', 'an impossible day'],
    ['2023-02-29', '29 February in a common year'],
    ['01/05/1950', 'not a FHIR date'],
    ['1950-05-01T10:00:00Z', 'a dateTime, not a date'],
    ['', 'empty'],
    ['2024-05-02', 'a date after now'],
    ['2025', 'a year after now'],
    ['2024-06', 'a month after now'],
  ])('gives no age for %s (%s)', (birthDate) => {
    expect(ageInYears(birthDate, new Date('2024-05-01T12:00:00Z'))).toBeUndefined();
  });

  it('reads the Patient resource, and nothing else', () => {
    const now = new Date('2024-05-01T12:00:00Z');
    expect(ageFromPatient(patient('1961-07-14'), now)).toBe(62);
    expect(ageFromPatient(patient(), now)).toBeUndefined();
    expect(ageFromPatient(undefined, now)).toBeUndefined();
    expect(ageFromPatient({ resourceType: 'Practitioner', birthDate: '1961-07-14' }, now)).toBeUndefined();
    expect(ageFromPatient({ resourceType: 'Patient', birthDate: 19610714 }, now)).toBeUndefined();
  });
});
