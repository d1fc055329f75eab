// Real-shaped hook calls for the operations tests, taken from cards-fixtures/ and given a fresh
// hookInstance and a recognisable synthetic patient id (so tests can grep files for it).
import { randomUUID } from 'node:crypto';
import { loadFixtures } from '../support/fixtures.js';

const fixtures = new Map(loadFixtures().map((f) => [f.name, f]));

export interface Call {
  service: string;
  body: Record<string, unknown>;
}

export function fixtureCall(name: string, patientId = 'syn-ops-patient-4711'): Call {
  const fixture = fixtures.get(name);
  if (fixture === undefined) throw new Error(`no fixture ${name}`);
  const body = structuredClone(fixture.request) as { context: Record<string, unknown> } & Record<string, unknown>;
  body.hookInstance = randomUUID();
  body.context = { ...body.context, patientId };
  return { service: fixture.service, body };
}

/** The critical NEWS2 13 call (rules path, one critical card). */
export const criticalCall = (patientId?: string) => fixtureCall('deterioration-risk/news2-high-critical', patientId);
/** The low NEWS2 call (rules path, one info card). */
export const lowCall = (patientId?: string) => fixtureCall('deterioration-risk/news2-low-info', patientId);
