// The repeat-card rule (default: downgrade, 60 min) through the real app, for a patient who worsens
// within a parameter's top NEWS2 band, or gains a reason no NEWS2 point carries: review 25a (N4) found
// each of these quietened to info as "No rise since the card shown … ago". The same patient is seen
// again 15–30 min later with the earlier set still in the chart; the clock is injected, nothing waits.
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { FhirResource } from '../../src/fhir/resources.js';
import {
  bloodPressurePanel,
  bodyTemperature,
  consciousness,
  heartRate,
  inhaledOxygenFlow,
  LOINC,
  normalSet,
  NOW,
  oxygenSaturation,
  respiratoryRate,
  spo2Goal,
} from '../support/fhir-examples.js';
import { morphineOrdered, patientView, type AnsweredCard } from '../support/hook-calls.js';
import { testApp } from '../support/app.js';

let now = NOW.getTime();
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(): Promise<FastifyInstance> {
  now = NOW.getTime();
  app = await testApp({ clock: () => new Date(now) });
  return app;
}

/** A set charted 5 min before the app's clock: a normal set but for `replace` (each built with the time given). */
function chartedNow(replace: (at: { effectiveDateTime: string }) => FhirResource[]): FhirResource[] {
  const at = { effectiveDateTime: new Date(now - 5 * 60_000).toISOString() };
  return normalSet(at.effectiveDateTime, replace(at));
}

const ROOM_AIR = '722742002';
/** Without the "breathing room air" code: the set is on oxygen. */
const onOxygen = (set: FhirResource[]) => set.filter((o) => (o['code'] as { coding: { code: string }[] }).coding[0]!.code !== ROOM_AIR);

const acvpu = (code: string, display: string) => ({ system: LOINC, code, display });
const CONFUSED = acvpu('LA6560-2', 'Confused');
const UNRESPONSIVE = acvpu('LA9343-0', 'Unresponsive');

type Call = (a: FastifyInstance, observations: FhirResource[]) => Promise<AnsweredCard[]>;
const pv: Call = (a, observations) => patientView(a, observations);
const morphine: Call = (a, observations) => morphineOrdered(a, observations);

/** The first card, then the card for the worse set `minutes` later (the first set still charted). */
async function seenTwice(call: Call, first: () => FhirResource[], second: () => FhirResource[], minutes: number) {
  const a = await start();
  const earlier = first();
  const [before] = await call(a, earlier);
  now += minutes * 60_000;
  const [after] = await call(a, [...earlier, ...second()]);
  return { before: before!, after: after! };
}

describe('a patient worse within the top band is shown in full, not "no rise"', () => {
  it.each<[string, Call, () => FhirResource[], () => FhirResource[], number]>([
    [
      'confusion, then unresponsive (NEWS2 5 both times)',
      pv,
      () => chartedNow((at) => [consciousness(CONFUSED, at), heartRate(95, at), bodyTemperature(38.4, at)]),
      () => chartedNow((at) => [consciousness(UNRESPONSIVE, at), heartRate(95, at), bodyTemperature(38.4, at)]),
      20,
    ],
    [
      'SBP 88, then 62 mmHg (HR 115 both times)',
      pv,
      () => chartedNow((at) => [bloodPressurePanel(88, 50, at), heartRate(115, at)]),
      () => chartedNow((at) => [bloodPressurePanel(62, 50, at), heartRate(115, at)]),
      25,
    ],
    [
      'RR 25, then 42/min',
      pv,
      () => chartedNow((at) => [respiratoryRate(25, at)]),
      () => chartedNow((at) => [respiratoryRate(42, at)]),
      30,
    ],
    [
      'SpO2 91 %, then 78 % on air',
      pv,
      () => chartedNow((at) => [oxygenSaturation(91, at)]),
      () => chartedNow((at) => [oxygenSaturation(78, at)]),
      20,
    ],
    [
      'morphine: oxygen at 2, then 15 L/min (SpO2 96 % both times)',
      morphine,
      () => onOxygen(chartedNow((at) => [oxygenSaturation(96, at), inhaledOxygenFlow(2, at)])),
      () => onOxygen(chartedNow((at) => [oxygenSaturation(96, at), inhaledOxygenFlow(15, at)])),
      15,
    ],
  ])('%s', async (_case, call, first, second, minutes) => {
    const { before, after } = await seenTwice(call, first, second, minutes);
    expect(before.indicator).toBe('warning');
    expect(after.indicator).toBe('warning');
    expect(after.summary).not.toMatch(/^(No rise|Unchanged) since/);
  });

  it('shows a morphine card in full when an 88–92 % SpO2 target is newly recorded (a reason with no NEWS2 point)', async () => {
    const a = await start();
    const set = () => chartedNow((at) => [respiratoryRate(10, at), oxygenSaturation(95, at)]);
    const earlier = set();
    const [before] = await morphineOrdered(a, earlier);
    now += 20 * 60_000;
    const [after] = await morphineOrdered(a, [...earlier, ...set()], null, { goals: [spo2Goal(92)] });
    expect(before!.indicator).toBe('warning');
    expect(after).toMatchObject({ indicator: 'warning' });
    expect(after!.summary).toContain('a prescribed SpO2 target of 88–92 %');
    expect(after!.extension['vigil.order'].unscoredReasons).toEqual(['spo2-target-88-92']);
  });

  it('still downgrades a repeat in the same band (RR 25, then 30/min; confusion both times)', async () => {
    const { after } = await seenTwice(
      pv,
      () => chartedNow((at) => [respiratoryRate(25, at), consciousness(CONFUSED, at)]),
      () => chartedNow((at) => [respiratoryRate(30, at), consciousness(CONFUSED, at)]),
      20,
    );
    expect(after.indicator).toBe('info');
    expect(after.summary).toMatch(/^No rise since the card shown 20 min ago: /);
  });

  it('still downgrades a morphine card again at 3 L/min after 2 L/min', async () => {
    const { after } = await seenTwice(
      morphine,
      () => onOxygen(chartedNow((at) => [oxygenSaturation(96, at), inhaledOxygenFlow(2, at)])),
      () => onOxygen(chartedNow((at) => [oxygenSaturation(96, at), inhaledOxygenFlow(3, at)])),
      15,
    );
    expect(after.indicator).toBe('info');
    expect(after.summary).toMatch(/^No rise since the card shown 15 min ago: .*3 L\/min/);
  });

  it("says it is NEWS2's total that is unchanged, beside a patient who is not", async () => {
    const { after } = await seenTwice(
      pv,
      () => chartedNow((at) => [consciousness(CONFUSED, at), heartRate(95, at), bodyTemperature(38.4, at)]),
      () => chartedNow((at) => [consciousness(UNRESPONSIVE, at), heartRate(95, at), bodyTemperature(38.4, at)]),
      20,
    );
    expect(after.summary).toBe('NEWS2 5: urgent response · NEWS2 total unchanged since 25 min ago — Unresponsive (3)');
    expect(after.detail).toContain('**NEWS2 5** (NEWS2 total unchanged since 25 min ago)');
  });
});
