// Gives back the caller tokens that audit records carried (audit-record.ts, `token`), newest first:
// what the replay store reads at start-up so that a token which made an answered call stays refused
// across a restart (src/auth/durable-replay-store.ts says why tokens travel in the audit record).
//
// Start-up reads at most the last hour or so of records (the longest a token lives), so each line is
// read from its start with one pattern — Vigil writes `v`, `at` and `token` first — and parsed in full
// only when it does not match (a record written in another key order).
import { join } from 'node:path';
import { DailyJsonlLog, linesBackwards, parseLine, utcDay } from '../journal/daily-jsonl.js';

/** A token a record carried: its digest and until when it is refused (ms since the epoch). */
export interface CarriedToken {
  key: string;
  untilMs: number;
}

const LINE_START = /^\{"v":1,"at":"([^"]{1,40})"(?:,"token":\{"digest":"([^"]{1,200})","until":"([^"]{1,40})"\})?/;

/**
 * Longer than any call lasts (the fetch deadline is at most 5 s, the model's timeout at most 10 s). A
 * record is written when its call ends but `at` says when it began, so a record may follow one that
 * began later: reading goes on this far past the oldest time asked for.
 */
const OUT_OF_ORDER_MS = 120_000;

/** The tokens carried by the audit files under `dataDir`, for records from `oldestMs` on, newest first. */
export function tokensCarriedByAuditFiles(dataDir: string): (oldestMs: number) => AsyncIterable<CarriedToken> {
  const files = new DailyJsonlLog(join(dataDir, 'audit'), 'audit');
  return async function* carried(oldestMs: number): AsyncIterable<CarriedToken> {
    const stopBefore = oldestMs - OUT_OF_ORDER_MS;
    const firstDay = utcDay(new Date(stopBefore));
    for (const day of (await files.days()).reverse()) {
      if (day < firstDay) return;
      // Each writer's file is in the order its calls ended: read from its end until records are too old.
      for (const path of (await files.filesOf(day)).reverse()) {
        for await (const line of linesBackwards(path)) {
          const record = recordStart(line);
          if (record === undefined) continue;
          if (record.atMs < stopBefore) break;
          if (record.token !== undefined) yield record.token;
        }
      }
    }
  };
}

/** When a line's call began and the token it carried; undefined for a line that is not a readable record. */
export function recordStart(line: string): { atMs: number; token?: CarriedToken } | undefined {
  const match = LINE_START.exec(line);
  if (match !== null) {
    const atMs = Date.parse(match[1]!);
    if (Number.isNaN(atMs)) return undefined;
    if (match[2] === undefined) return { atMs };
    const untilMs = Date.parse(match[3]!);
    return Number.isNaN(untilMs) ? { atMs } : { atMs, token: { key: match[2], untilMs } };
  }
  const raw = parseLine(line);
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { at, token } = raw as { at?: unknown; token?: { digest?: unknown; until?: unknown } };
  const atMs = typeof at === 'string' ? Date.parse(at) : Number.NaN;
  if (Number.isNaN(atMs)) return undefined;
  const untilMs = typeof token?.until === 'string' ? Date.parse(token.until) : Number.NaN;
  return typeof token?.digest === 'string' && !Number.isNaN(untilMs) ? { atMs, token: { key: token.digest, untilMs } } : { atMs };
}
