// Sedatives ordered in the same session are given together: an opioid with a benzodiazepine is the
// combination the FDA warned of (2016). The clinical safety review (2026-11-29) found morphine and
// midazolam selected together, or morphine beside a lorazepam draft, gave no card, though an active
// lorazepam order gave a warning.
import { describe, expect, it } from 'vitest';
import { minutesAgo, normalSet } from '../support/fhir-examples.js';
import { draftOrder, hookApp, morphineOrdered } from '../support/hook-calls.js';

const app = hookApp();

const wellSet = () => normalSet(minutesAgo(30));
const midazolam = draftOrder('draft-2', '6960', 'midazolam');
const amoxicillin = draftOrder('draft-3', '723', 'amoxicillin');

describe('sedatives ordered together', () => {
  it('warns on each of two sedatives selected together, naming the other', async () => {
    const cards = await morphineOrdered(app(), wellSet(), null, { drafts: [midazolam], selected: true });
    expect(cards.map((c) => [c.indicator, c.summary])).toEqual([
      ['warning', 'Opioid (morphine) ordered: respiratory depression risk — also ordered now: midazolam (benzodiazepine)'],
      ['warning', 'Benzodiazepine (midazolam) ordered: respiratory depression risk — also ordered now: morphine (opioid)'],
    ]);
    expect(cards[0]!.extension['vigil.order'].alreadyPrescribed).toBe(1);
  });

  it('warns on a sedative selected beside another sedative already in the basket', async () => {
    const [card, ...rest] = await morphineOrdered(app(), wellSet(), null, { drafts: [midazolam], selected: false });
    expect(rest).toEqual([]);
    expect(card!.summary).toBe('Opioid (morphine) ordered: respiratory depression risk — also ordered now: midazolam (benzodiazepine)');
  });

  it('names a sedative once when a renewal is drafted beside its active order', async () => {
    const active = { ...draftOrder('active-1', '6470', 'lorazepam'), status: 'active' };
    const renewal = draftOrder('draft-4', '6470', 'lorazepam');
    const [card] = await morphineOrdered(app(), wellSet(), [active], { drafts: [renewal], selected: false });
    expect(card!.summary).toBe('Opioid (morphine) ordered: respiratory depression risk — already prescribed: lorazepam (benzodiazepine)');
    expect(card!.extension['vigil.order'].alreadyPrescribed).toBe(1);
  });

  it('gives no card for a sedative beside a drug that is not one (the control)', async () => {
    expect(await morphineOrdered(app(), wellSet(), null, { drafts: [amoxicillin], selected: true })).toEqual([]);
  });
});
