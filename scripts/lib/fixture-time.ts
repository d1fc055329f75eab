// Moves a fixture's clinical times to another "now". Fixtures in cards-fixtures/ are written as of a
// fixed moment (their `now`); a server that reads the real clock would find their vitals stale a day
// later. `npm run fixture` and every test that sends a fixture to such a server use this one function,
// so what a developer curls and what the suite sends are shifted the same way.

/** An RFC 3339 instant with a time of day and a zone: the only strings that are moved. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A deep copy of `value` with every instant moved by `shiftMs`. Dates without a time (a birth date)
 * are left alone: they are not charting times, and a patient's age must not drift with the shift.
 */
export function shiftInstants<T>(value: T, shiftMs: number): T {
  if (typeof value === 'string' && INSTANT.test(value)) return new Date(Date.parse(value) + shiftMs).toISOString() as T;
  if (Array.isArray(value)) return (value as unknown[]).map((v) => shiftInstants(v, shiftMs)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shiftInstants(v, shiftMs)])) as T;
  }
  return value;
}

/** A fixture's request as if it had been written at `now`: every charting time moved by (now − fixture.now). */
export function fixtureRequestAt<T>(fixture: { now: string; request: T }, now: Date): T {
  return shiftInstants(fixture.request, now.getTime() - Date.parse(fixture.now));
}
