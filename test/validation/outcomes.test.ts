import { describe, expect, it } from 'vitest';
import { OutcomeFormatError, OutcomeIndex, outcomeLineReader, splitCsv } from '../../src/validation/outcomes.js';

function readAll(lines: string[]) {
  const read = outcomeLineReader();
  return lines.map(read);
}

const HOUR = 3_600_000;
const T0 = Date.parse('2025-03-01T10:00:00Z');

describe('reading an outcome list', () => {
  it('reads CSV whose header names patient, time and event in any order and case, other columns ignored', () => {
    const [header, row] = readAll(['Event,ward,TIME,Patient', 'death,7B,2025-03-01T11:00:00+01:00,Patient/p1']);
    expect(header).toEqual({ kind: 'header' });
    expect(row).toEqual({ kind: 'row', row: { patient: 'p1', at: T0, event: 'death' } });
  });

  it('reads quoted CSV fields with commas and doubled quotes', () => {
    expect(splitCsv('p1,"2025-03-01T10:00:00Z","arrest, ""in-hospital"""')).toEqual([
      'p1',
      '2025-03-01T10:00:00Z',
      'arrest, "in-hospital"',
    ]);
  });

  it('reads NDJSON objects with the same keys', () => {
    expect(readAll(['{"patient":"p1","time":"2025-03-01T10:00:00Z","event":"cardiac-arrest"}'])).toEqual([
      { kind: 'row', row: { patient: 'p1', at: T0, event: 'cardiac-arrest' } },
    ]);
  });

  it.each([
    ['p1,2025-03-01,death', 'time is a date without a time of day'],
    ['p1,2025-03-01T10:00:00,death', 'time has no time zone'],
    ['p1,yesterday,death', 'time is not a valid date and time'],
    ['p1,2025-03-01T10:00:00Z,', 'no event'],
    [',2025-03-01T10:00:00Z,death', 'no patient'],
    ['Group/ward,2025-03-01T10:00:00Z,death', 'patient is a reference to something other than a Patient'],
  ])('skips the row %s: %s', (text, reason) => {
    expect(readAll(['patient,time,event', text])[1]).toEqual({ kind: 'skip', reason });
  });

  it('refuses a CSV without the header it needs, naming the columns', () => {
    expect(() => readAll(['p1,2025-03-01T10:00:00Z,death'])).toThrow(OutcomeFormatError);
    expect(() => readAll(['patient,when,what'])).toThrow(/patient, time, event/);
  });
});

describe('labelling a moment from the outcome list', () => {
  const index = new OutcomeIndex();
  index.add({ patient: 'one-event', at: T0 + 30 * HOUR, event: 'death' });
  index.add({ patient: 'two-events', at: T0 + 30 * HOUR, event: 'death' });
  index.add({ patient: 'two-events', at: T0 + 10 * HOUR, event: 'unplanned-icu-transfer' });
  index.seal();

  it.each<[string, string, number, boolean]>([
    ['an event 10 h later', 'one-event', T0 + 20 * HOUR, true],
    ['an event exactly 24 h later (the end of the window)', 'one-event', T0 + 6 * HOUR, true],
    ['an event 24 h and a millisecond later', 'one-event', T0 + 6 * HOUR - 1, false],
    ['an event at the moment itself (it has happened, it does not follow)', 'one-event', T0 + 30 * HOUR, false],
    ['the next event within the window, events out of order in the list', 'two-events', T0, true],
    ['a later event within the window after one at the moment itself', 'two-events', T0 + 10 * HOUR, true],
    ['a patient with no events', 'nobody', T0, false],
  ])('%s: positive %s', (_name, patient, at, expected) => {
    expect(index.eventWithin(patient, at, 24)).toBe(expected);
  });
});
