// Keeps one repeated failure from flooding the log (a full disk fails every call; a client flood can
// fail thousands a second): per key, the first few lines of each interval are written and the rest
// counted; the next line written for that key says how many similar ones were left out. Metrics still
// count every occurrence. Keys are codes and route patterns Vigil defines, never client text.
import { withFields } from '../lang/with-fields.js';

export interface LogLimiterOptions {
  /** Lines written per key per interval. */
  perInterval: number;
  intervalMs: number;
  /** Monotonic milliseconds; tests pass a controlled clock. */
  now?: () => number;
}

/** Keys kept at most; beyond, the table starts afresh (keys are a closed set, so this is a safeguard). */
const MAX_KEYS = 1000;

export class LogLimiter {
  private readonly perInterval: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly windows = new Map<string, { start: number; written: number; suppressed: number }>();

  constructor(options: LogLimiterOptions) {
    this.perInterval = options.perInterval;
    this.intervalMs = options.intervalMs;
    this.now = options.now ?? (() => performance.now());
  }

  /** Whether to write this line, and how many lines of this key were left out since the last one written. */
  take(key: string): { write: boolean; suppressed: number } {
    const now = this.now();
    let w = this.windows.get(key);
    if (w === undefined || now - w.start >= this.intervalMs) {
      if (w === undefined && this.windows.size >= MAX_KEYS) this.windows.clear();
      w = { start: now, written: 0, suppressed: w?.suppressed ?? 0 };
      this.windows.set(key, w);
    }
    if (w.written >= this.perInterval) {
      w.suppressed += 1;
      return { write: false, suppressed: 0 };
    }
    w.written += 1;
    const suppressed = w.suppressed;
    w.suppressed = 0;
    return { write: true, suppressed };
  }

  /** Writes `msg` at `level` unless this key is over its budget; adds `suppressedSimilar` when lines were left out. */
  log<L extends string>(logger: { [K in L]: (obj: object, msg: string) => void }, level: L, key: string, obj: object, msg: string): void {
    const { write, suppressed } = this.take(key);
    if (!write) return;
    logger[level](suppressed > 0 ? withFields(obj, { suppressedSimilar: suppressed }) : obj, msg);
  }
}

/** The limiter Vigil's error paths share by default: ten lines per key per minute. */
export function defaultLogLimiter(): LogLimiter {
  return new LogLimiter({ perInterval: 10, intervalMs: 60_000 });
}

/**
 * A logger whose warnings are limited per their `code` field (Vigil's own codes, a closed set), or per
 * message without one: for paths a client's traffic repeats at will. 100 calls naming a FHIR server
 * that hangs wrote 1,053 warning lines in 10 s (found by fuzzing, 2026-11-29); the README promises a
 * repeated line at most ten times a minute. Other levels pass through.
 */
export function limitedWarnings<T extends { warn(obj: object, msg: string): void }>(logger: T, limiter: LogLimiter, prefix: string): T {
  const warn = (obj: object, msg: string): void => {
    const code = (obj as { code?: unknown }).code;
    limiter.log(logger, 'warn', `${prefix}:${typeof code === 'string' ? code : msg}`, obj, msg);
  };
  return new Proxy(logger, { get: (target, name, receiver) => (name === 'warn' ? warn : Reflect.get(target, name, receiver)) });
}
