// An SpO2 target recorded in a form Vigil does not read (coded by SNOMED CT only, named only in words, a
// bound without a "%" unit or written as a fraction). Scale 2 is a prescriber's decision Vigil never
// guesses, so SpO2 is scored on scale 1; but the fourth clinical safety pass (2026-11-29) found that such
// a target read as no target at all: SpO2 97 % on 2 L/min gave "NEWS2 2: Low clinical risk" where the
// prescribed 88–92 % target's scale 2 scores 5, and nothing on the card said a target was there.
import { describe, expect, it } from 'vitest';
import type { FhirResource } from '../../src/fhir/resources.js';
import { codedAirOrOxygen, inhaledOxygenFlow, minutesAgo, normalSet, oxygenSaturation, spo2Goal } from '../support/fhir-examples.js';
import { hookApp, morphineOrdered, patientView } from '../support/hook-calls.js';

const at = { effectiveDateTime: minutesAgo(10) };
const onTwoLitres = (spo2: number) =>
  normalSet(minutesAgo(10), [oxygenSaturation(spo2, at), codedAirOrOxygen('371825009', at), inhaledOxygenFlow(2, at)]);
const onAir = (spo2: number) => normalSet(minutesAgo(10), [oxygenSaturation(spo2, at)]);

function snomedTarget(): FhirResource {
  const goal = spo2Goal(92) as FhirResource & { target: { measure: unknown }[] };
  goal.target[0]!.measure = { coding: [{ system: 'http://snomed.info/sct', code: '431314004', display: 'Peripheral oxygen saturation' }] };
  return goal;
}

const app = hookApp();

describe('an SpO2 target Vigil cannot read, on patient-view', () => {
  it('asks for the target to be confirmed, as a warning, with what scale 2 would score', async () => {
    const [card, ...rest] = await patientView(app(), onTwoLitres(97), '1950-01-01', [snomedTarget()]);
    expect(rest).toEqual([]);
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toContain('NEWS2 2: at least ward-based assessment · re-check SpO2 target (NEWS2 5 on scale 2)');
    expect(card!.detail).toContain(
      '- SpO2 target: one is recorded that Vigil cannot read, so SpO2 was scored on scale 1. If it is a hypercapnic target of 88–92 % (scale 2), SpO2 scores 3 and NEWS2 would be 5: medium clinical risk. Confirm the prescribed target.',
    );
    expect(card!.extension['vigil.score'].ifScale2).toEqual({ total: 5, risk: 'medium', spo2Points: 3 });
    // The score itself stays on scale 1: Vigil never chooses scale 2 on its own.
    expect(card!.extension['vigil.score'].news2.spo2Scale).toBe(1);
  });

  // Fifth review (2026-11-29): a description of 88–92 % beside a structured 94–98 % was read as 94–98 %.
  it('asks the same when the description and the structured target disagree', async () => {
    const conflicting = { ...spo2Goal(98, { low: 94 }), description: { text: 'Target saturation range 88–92% (COPD)' } };
    const [card] = await patientView(app(), onTwoLitres(97), '1950-01-01', [conflicting]);
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toContain('re-check SpO2 target (NEWS2 5 on scale 2)');
  });

  it('scores what a readable target scores once the record carries one (the control)', async () => {
    const [card] = await patientView(app(), onTwoLitres(97), '1950-01-01', [spo2Goal(92)]);
    expect(card!.summary).toMatch(/^NEWS2 5: urgent response/);
  });

  it('says the target could not be read even where scale 2 would score no more (on air)', async () => {
    const [card] = await patientView(app(), onAir(95), '1950-01-01', [spo2Goal({ value: 92 })]);
    expect(card!.indicator).toBe('info');
    expect(card!.detail).toContain('SpO2 target: one is recorded but not in a form Vigil reads');
    expect(card!.extension['vigil.score'].ifScale2).toBeUndefined();
  });

  // A review of the first version (2026-11-29): any Goal naming a saturation made this a warning.
  it('raises nothing for goals about other saturations, or an ordinary target however it is coded', async () => {
    const goal = (text: string): FhirResource => ({ resourceType: 'Goal', id: 'g', lifecycleStatus: 'active', description: { text } });
    for (const other of [goal('Transferrin saturation above 20%'), goal('Wean oxygen, keeping sats at or above 94%')]) {
      const [card] = await patientView(app(), onTwoLitres(97), '1950-01-01', [other]);
      expect(card!.indicator).toBe('info');
      expect(card!.detail).not.toContain('SpO2 target');
    }
  });

  it('says nothing of a target when the record has none', async () => {
    const [card] = await patientView(app(), onTwoLitres(97), '1950-01-01', []);
    expect(card!.summary).not.toContain('SpO2 target');
    expect(card!.detail).not.toContain('SpO2 target');
  });
});

describe('an SpO2 target Vigil cannot read, on order-select', () => {
  it('tells the prescriber the target was not checked (it may be the 88–92 % one)', async () => {
    const [card] = await morphineOrdered(app(), onAir(96), null, { goals: [snomedTarget()] });
    expect(card).toBeDefined();
    expect(card!.summary).toBe('Opioid (morphine) ordered: SpO2 target unreadable (88–92 % not ruled out)');
    expect(card!.detail).toContain("Check the patient's prescribed SpO2 target before the first dose");
  });

  it('gives no such card when the record has no target', async () => {
    const cards = await morphineOrdered(app(), onAir(96), null, { goals: [] });
    expect(cards).toEqual([]);
  });
});
