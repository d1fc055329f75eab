// A pino logger whose JSON lines land in an array, for tests that check what is (and is not) logged.
import { Writable } from 'node:stream';
import { pino } from 'pino';

export function captureLog(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level }, stream), lines };
}
