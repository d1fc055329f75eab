// Prints a fixture's request with its charting times moved to "now" and a fresh hookInstance, so a
// live server scores it as the tests do: `npm run -s fixture -- deterioration-risk/news2-high-critical`.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const name = process.argv[2];
if (name === undefined) {
  process.stderr.write('usage: npm run -s fixture -- <service>/<fixture>   (see cards-fixtures/)\n');
  process.exit(2);
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'cards-fixtures', `${name.replace(/\.json$/, '')}.json`), 'utf8'));
const shiftMs = Date.now() - new Date(fixture.now).getTime();
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function shift(value: unknown): unknown {
  if (typeof value === 'string' && INSTANT.test(value)) return new Date(new Date(value).getTime() + shiftMs).toISOString();
  if (Array.isArray(value)) return value.map(shift);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shift(v)]));
  return value;
}

const request = shift(fixture.request) as Record<string, unknown>;
request.hookInstance = randomUUID();
process.stdout.write(`${JSON.stringify(request)}\n`);
