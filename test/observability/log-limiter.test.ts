// A repeated log line is written a few times per interval and then counted; the next line written for
// that key says how many were left out. Keys are apart from each other.
import { describe, expect, it } from 'vitest';
import { limitedWarnings, LogLimiter } from '../../src/observability/log-limiter.js';

function recorder() {
  const lines: { obj: Record<string, unknown>; msg: string }[] = [];
  return { lines, log: { error: (obj: object, msg: string) => lines.push({ obj: obj as Record<string, unknown>, msg }) } };
}

describe('the log limiter', () => {
  it('writes the first lines of each interval, then says how many similar ones it left out', () => {
    let now = 0;
    const limiter = new LogLimiter({ perInterval: 3, intervalMs: 60_000, now: () => now });
    const { lines, log } = recorder();
    for (let i = 0; i < 100; i++) limiter.log(log, 'error', 'audit:ENOSPC', { code: 'ENOSPC' }, 'audit record not written');
    expect(lines).toHaveLength(3);
    now = 60_000;
    limiter.log(log, 'error', 'audit:ENOSPC', { code: 'ENOSPC' }, 'audit record not written');
    expect(lines).toHaveLength(4);
    expect(lines[3]!.obj).toEqual({ code: 'ENOSPC', suppressedSimilar: 97 });
    limiter.log(log, 'error', 'audit:ENOSPC', { code: 'ENOSPC' }, 'audit record not written');
    expect(lines[4]!.obj).toEqual({ code: 'ENOSPC' }); // said once
  });

  it('limits each key on its own', () => {
    const limiter = new LogLimiter({ perInterval: 1, intervalMs: 60_000, now: () => 0 });
    const { lines, log } = recorder();
    for (let i = 0; i < 5; i++) {
      limiter.log(log, 'error', 'a', {}, 'a');
      limiter.log(log, 'error', 'b', {}, 'b');
    }
    expect(lines.map((l) => l.msg)).toEqual(['a', 'b']);
  });
});

describe("a logger with limited warnings (the FHIR fetcher's)", () => {
  it('writes ten warnings per code a minute, each code on its own, and passes other levels through', () => {
    const lines: { level: string; obj: Record<string, unknown> }[] = [];
    const base = {
      warn: (obj: object, _msg: string) => lines.push({ level: 'warn', obj: obj as Record<string, unknown> }),
      debug: (obj: object, _msg: string) => lines.push({ level: 'debug', obj: obj as Record<string, unknown> }),
    };
    const log = limitedWarnings(base, new LogLimiter({ perInterval: 10, intervalMs: 60_000, now: () => 0 }), 'fhir');
    for (let i = 0; i < 100; i++) log.warn({ code: 'FHIR_BREAKER_OPEN' }, 'prefetch key not fetched from the FHIR server');
    for (let i = 0; i < 100; i++) log.warn({ code: 'FHIR_TIMEOUT' }, 'prefetch key not fetched from the FHIR server');
    for (let i = 0; i < 3; i++) log.debug({ code: 'FHIR_TIMEOUT' }, 'debug');
    expect(lines.filter((l) => l.obj['code'] === 'FHIR_BREAKER_OPEN')).toHaveLength(10);
    expect(lines.filter((l) => l.level === 'warn' && l.obj['code'] === 'FHIR_TIMEOUT')).toHaveLength(10);
    expect(lines.filter((l) => l.level === 'debug')).toHaveLength(3);
  });
});
