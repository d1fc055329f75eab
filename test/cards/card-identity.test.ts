// One card, once: a hook that fires again with nothing material changed gets the same card and
// suggestion uuids (across restarts, under the same key); anything material gives a new one.
import { describe, expect, it } from 'vitest';
import { keyedHash } from '../../src/identity/keyed-hash.js';
import { testApp } from '../support/app.js';
import { fixtureCall } from '../observability/hook-calls.js';

const KEY = 'test-only-card-identity-key-0123456789abcdef';

async function cardsOf(call: ReturnType<typeof fixtureCall>, key = KEY) {
  const app = await testApp({ keyed: keyedHash(key) });
  const res = await app.inject({ method: 'POST', url: `/cds-services/${call.service}`, payload: call.body });
  await app.close();
  return res.json().cards as { uuid: string; summary: string; suggestions?: { uuid: string; label: string }[] }[];
}

/** The same call re-fired: a new hookInstance, nothing else changed. */
const refire = (call: ReturnType<typeof fixtureCall>) => ({ ...call, body: { ...call.body, hookInstance: crypto.randomUUID() } });

describe('stable card identity', () => {
  it('gives a re-fired, unchanged call the same card uuid and suggestion uuids, also from a new process with the same key', async () => {
    const call = fixtureCall('deterioration-risk/news2-high-critical');
    const [first] = await cardsOf(call);
    const [again] = await cardsOf(refire(call));
    expect(again!.uuid).toBe(first!.uuid);
    expect(again!.suggestions!.map((s) => s.uuid)).toEqual(first!.suggestions!.map((s) => s.uuid));
    expect(new Set(first!.suggestions!.map((s) => s.uuid)).size).toBe(first!.suggestions!.length);
    expect(first!.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives another key other uuids (the key, not the data alone, makes them)', async () => {
    const call = fixtureCall('deterioration-risk/news2-high-critical');
    const [a] = await cardsOf(call);
    const [b] = await cardsOf(call, `${KEY}-rotated`);
    expect(b!.uuid).not.toBe(a!.uuid);
  });

  it('gives another patient with the same observations another card', async () => {
    const [a] = await cardsOf(fixtureCall('deterioration-risk/news2-high-critical', { patientId: 'syn-identity-a' }));
    const [b] = await cardsOf(fixtureCall('deterioration-risk/news2-high-critical', { patientId: 'syn-identity-b' }));
    expect(b!.uuid).not.toBe(a!.uuid);
  });

  it('gives a new uuid when the data change: a new value, or a score that goes down', async () => {
    const call = fixtureCall('deterioration-risk/news2-high-critical');
    const [before] = await cardsOf(call);
    const body = structuredClone(call.body) as {
      prefetch: { vitals: { entry: { resource: { code: { coding: { code: string }[] }; valueQuantity?: { value: number } } }[] } };
    };
    const rr = body.prefetch.vitals.entry.find((e) => e.resource.code.coding[0]!.code === '9279-1')!;
    rr.resource.valueQuantity!.value = 22; // RR 26 → 22: 3 points → 2, the score goes down
    const [after] = await cardsOf({ ...call, body: body });
    expect(after!.summary).toContain('NEWS2 12');
    expect(after!.uuid).not.toBe(before!.uuid);
  });

  it('gives a different drug a different card on order-select', async () => {
    const call = fixtureCall('sedation-safety/opioid-low-respiratory-rate');
    const [morphine] = await cardsOf(call);
    const body = structuredClone(call.body) as {
      context: { draftOrders: { entry: { resource: { medicationCodeableConcept: Record<string, unknown> } }[] } };
    };
    body.context.draftOrders.entry[0]!.resource.medicationCodeableConcept = { text: 'Oxycodone 5 mg oral tablet' };
    const [oxycodone] = await cardsOf({ ...call, body: body });
    expect(oxycodone!.summary).toContain('oxycodone');
    expect(oxycodone!.uuid).not.toBe(morphine!.uuid);
  });
});
