// Age in whole years at `now` from Patient.birthDate: NEWS2 is not validated under 16, so cards
// need it; a partial or malformed birth date must not produce a wrong age.
import type { FhirResource } from '../fhir/resources.js';

/** FHIR `date`: YYYY, YYYY-MM or YYYY-MM-DD (no time, no zone). */
const FHIR_DATE = /^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Whole years between a FHIR birth date and `now`, reading `now` as a UTC calendar date (birthDate
 * has no zone). A partial date (YYYY or YYYY-MM) gives the age the patient has certainly reached:
 * the birthday is taken as the last day of the year or month, so the answer is never too old.
 * Someone born on 29 February turns a year older on 1 March in common years.
 * Returns undefined for a malformed date, an impossible day (2023-02-30) or a date wholly after `now`.
 */
export function ageInYears(birthDate: string, now: Date): number | undefined {
  const m = FHIR_DATE.exec(birthDate);
  if (m === null || Number.isNaN(now.getTime())) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? 12 : Number(m[2]);
  const day = m[3] === undefined ? daysInMonth(year, month) : Number(m[3]);
  if (day > daysInMonth(year, month)) return undefined;

  const nowYear = now.getUTCFullYear();
  const nowMonth = now.getUTCMonth() + 1;
  const nowDay = now.getUTCDate();
  const hadBirthdayThisYear = nowMonth > month || (nowMonth === month && nowDay >= day);
  const age = nowYear - year - (hadBirthdayThisYear ? 0 : 1);
  // A baby born "this month" (partial date) is certainly 0: only a date wholly after `now` is refused.
  const earliest = Date.UTC(year, (m[2] === undefined ? 1 : month) - 1, m[3] === undefined ? 1 : day);
  const today = Date.UTC(nowYear, nowMonth - 1, nowDay);
  return earliest <= today ? Math.max(age, 0) : undefined;
}

/** Age from a Patient resource; undefined when it is not a Patient or has no usable birthDate. */
export function ageFromPatient(patient: FhirResource | undefined, now: Date): number | undefined {
  if (patient?.resourceType !== 'Patient') return undefined;
  const birthDate = patient['birthDate'];
  return typeof birthDate === 'string' ? ageInYears(birthDate, now) : undefined;
}
