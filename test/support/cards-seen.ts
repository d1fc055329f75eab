// What a clinician sees of an answer, for comparing two servers' answers to the same call.
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';

/**
 * Each card's colour and summary, in order, with relative times ("13 min ago") left out: the answers
 * compared are made moments apart on the real clock.
 */
export function seen(body: Buffer | string): string[] {
  const cards = (JSON.parse(body.toString()) as { cards: { summary: string; indicator: string }[] }).cards;
  return cards.map((c) => `${c.indicator}: ${c.summary.replace(/(\d+ (?:h|min|days?) )+ago|just now/g, '… ago')}`);
}

/** What the app in this process (bodies digested inline) shows for the same call: the answer to compare with. */
export async function seenInProcess(app: FastifyInstance, call: { path: string; body: string }): Promise<string[]> {
  const res = await app.inject({ method: 'POST', url: call.path, headers: { 'content-type': 'application/json' }, payload: call.body });
  expect(res.statusCode).toBe(200);
  return seen(res.body);
}
