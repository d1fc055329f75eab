// A site's outcome list: one row per event (patient, time, event), as CSV with a header row or as
// NDJSON objects with those keys. The label of a scoring moment is "an event within the model's
// outcome window after it". Rows that cannot be read are counted with their reason, never guessed:
// a time needs a time of day and a zone (the same rule the normaliser applies to charted times).
import { observationTime } from '../prefetch/normalise.js';
import { outcomePatientKey } from './export-lines.js';

export interface OutcomeRow {
  patient: string;
  at: number;
  event: string;
}

export type OutcomeLine = { kind: 'blank' | 'header' } | { kind: 'row'; row: OutcomeRow } | { kind: 'skip'; reason: string };

export const OUTCOME_COLUMNS = ['patient', 'time', 'event'] as const;

/** Splits one CSV record (RFC 4180 quoting; a field may not span lines). */
export function splitCsv(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields.map((f) => f.trim());
}

/** Reads an outcome time with the charted-time rule: a date and time with a zone, else a reason. */
function outcomeTime(text: string): { ok: true; at: number } | { ok: false; reason: string } {
  const time = observationTime({ effectiveDateTime: text.trim() });
  return time.ok ? { ok: true, at: time.at.getTime() } : { ok: false, reason: time.reason.replace('charted time', 'time') };
}

function toRow(patientText: unknown, timeText: unknown, eventText: unknown): OutcomeLine {
  if (typeof patientText !== 'string' || patientText.trim() === '') return { kind: 'skip', reason: 'no patient' };
  const patient = outcomePatientKey(patientText);
  if (patient === undefined) return { kind: 'skip', reason: 'patient is a reference to something other than a Patient' };
  if (typeof timeText !== 'string' || timeText.trim() === '') return { kind: 'skip', reason: 'no time' };
  const time = outcomeTime(timeText);
  if (!time.ok) return { kind: 'skip', reason: time.reason };
  const event = typeof eventText === 'string' && eventText.trim() !== '' ? eventText.trim() : undefined;
  if (event === undefined) return { kind: 'skip', reason: 'no event' };
  return { kind: 'row', row: { patient, at: time.at, event } };
}

/**
 * A line reader for one outcome file. CSV needs a header naming patient, time and event (any order,
 * any case, other columns ignored); a file whose first line is a JSON object is read as NDJSON.
 */
export function outcomeLineReader(): (line: string) => OutcomeLine {
  let format: 'csv' | 'ndjson' | undefined;
  let columns: number[] = [];
  return (line) => {
    const text = format === undefined ? line.replace(/^\uFEFF/, '') : line;
    if (text.trim() === '') return { kind: 'blank' };
    if (format === undefined) {
      if (text.trimStart().startsWith('{')) format = 'ndjson';
      else {
        const header = splitCsv(text).map((h) => h.toLowerCase());
        columns = OUTCOME_COLUMNS.map((c) => header.indexOf(c));
        if (columns.some((c) => c < 0)) {
          throw new OutcomeFormatError(
            `the outcome file's first line must be a header naming ${OUTCOME_COLUMNS.join(', ')} (or the file NDJSON objects with those keys)`,
          );
        }
        format = 'csv';
        return { kind: 'header' };
      }
    }
    if (format === 'ndjson') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return { kind: 'skip', reason: 'not JSON' };
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { kind: 'skip', reason: 'not a JSON object' };
      const o = parsed as Record<string, unknown>;
      return toRow(o['patient'], o['time'], o['event']);
    }
    const fields = splitCsv(text);
    const [p, t, e] = columns.map((c) => fields[c]);
    return toRow(p, t, e);
  };
}

export class OutcomeFormatError extends Error {
  readonly code = 'VIGIL_OUTCOMES_UNREADABLE';
  constructor(message: string) {
    super(message);
    this.name = 'OutcomeFormatError';
  }
}

/** Each patient's event times, ascending: what labels are read from. */
export class OutcomeIndex {
  private readonly byPatient = new Map<string, number[]>();

  add(row: OutcomeRow): void {
    const list = this.byPatient.get(row.patient);
    if (list === undefined) this.byPatient.set(row.patient, [row.at]);
    else list.push(row.at);
  }

  /** Call once all rows are in. */
  seal(): void {
    for (const list of this.byPatient.values()) list.sort((a, b) => a - b);
  }

  get patients(): ReadonlySet<string> {
    return new Set(this.byPatient.keys());
  }

  /** True when the patient has an event after `at` and at most `windowHours` later: (at, at + window]. */
  eventWithin(patient: string, at: number, windowHours: number): boolean {
    const list = this.byPatient.get(patient);
    if (list === undefined) return false;
    // First event strictly after `at` (binary search).
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] ?? 0) <= at) lo = mid + 1;
      else hi = mid;
    }
    const next = list[lo];
    return next !== undefined && next - at <= windowHours * 3_600_000;
  }
}
