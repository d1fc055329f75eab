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
  const from = body.context['patientId'];
  body.hookInstance = randomUUID();
  body.context = { ...body.context, patientId };
  // The fixture's resources move with it: Vigil sets aside anything about another patient.
  if (typeof from === 'string' && from !== patientId) {
    for (const key of ['prefetch'] as const) if (body[key] !== undefined) body[key] = rehomed(body[key], from, patientId);
  }
  return { service: fixture.service, body };
}

/** `value` with every reference to Patient/`from` (and a Patient resource `from`) pointing at `to`. */
function rehomed(value: unknown, from: string, to: string): unknown {
  if (value === `Patient/${from}`) return `Patient/${to}`;
  if (Array.isArray(value)) return value.map((v) => rehomed(v, from, to));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = rehomed(v, from, to);
  if (out['resourceType'] === 'Patient' && out['id'] === from) out['id'] = to;
  return out;
}

/** The critical NEWS2 13 call (rules path, one critical card). */
export const criticalCall = (options?: CallOptions) => fixtureCall('deterioration-risk/news2-high-critical', options);
/** The low NEWS2 call (rules path, one info card). */
export const lowCall = (options?: CallOptions) => fixtureCall('deterioration-risk/news2-low-info', options);
