// Real-shaped hook calls for the operations tests, taken from cards-fixtures/ and given a fresh
// hookInstance and a recognisable synthetic patient id (so tests can grep files for it).
import { randomUUID } from 'node:crypto';
import { fixtureRequestAt } from '../../scripts/lib/fixture-time.js';
import { loadFixtures } from '../support/fixtures.js';

const fixtures = new Map(loadFixtures().map((f) => [f.name, f]));

export interface Call {
  service: string;
  body: Record<string, unknown>;
}

export interface CallOptions {
  patientId?: string;
  /**
   * The moment the call is made as of. Omitted: the fixture's own `now` (for apps with a pinned clock,
   * testApp's FIXED_NOW). A server that reads the real clock needs `new Date()`, or its vitals are stale.
   */
  asOf?: Date;
}

export function fixtureCall(name: string, { patientId = 'syn-ops-patient-4711', asOf }: CallOptions = {}): Call {
  const fixture = fixtures.get(name);
  if (fixture === undefined) throw new Error(`no fixture ${name}`);
  const request = asOf === undefined ? structuredClone(fixture.request) : fixtureRequestAt(fixture, asOf);
  const body = request as { context: Record<string, unknown> } & Record<string, unknown>;
  body.hookInstance = randomUUID();
  body.context = { ...body.context, patientId };
  return { service: fixture.service, body };
}

/** The critical NEWS2 13 call (rules path, one critical card). */
export const criticalCall = (options?: CallOptions) => fixtureCall('deterioration-risk/news2-high-critical', options);
/** The low NEWS2 call (rules path, one info card). */
export const lowCall = (options?: CallOptions) => fixtureCall('deterioration-risk/news2-low-info', options);
