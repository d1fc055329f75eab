// Prints a fixture's request with its charting times moved to "now" and a fresh hookInstance, so a
// live server scores it as the tests do: `npm run -s fixture -- deterioration-risk/news2-high-critical`.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureRequestAt } from './lib/fixture-time.js';

const name = process.argv[2];
if (name === undefined) {
  process.stderr.write('usage: npm run -s fixture -- <service>/<fixture>   (see cards-fixtures/)\n');
  process.exit(2);
}
const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'cards-fixtures', `${name.replace(/\.json$/, '')}.json`), 'utf8'),
) as {
  now: string;
  request: Record<string, unknown>;
};
const request = fixtureRequestAt<Record<string, unknown>>(fixture, new Date());
request.hookInstance = randomUUID();
process.stdout.write(`${JSON.stringify(request)}\n`);
