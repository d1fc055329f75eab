// What a card says around values that must be re-checked (third clinical safety review, 2026-11-29):
// qSOFA from an older value is no plain "negative", the model's estimate says what it rests on, and a
// patient of unknown age is said to be scored as an adult.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createScorer } from '../../src/models/create-scorer.js';
import type { DeteriorationScorer } from '../../src/models/scorer.js';
import { testApp, testConfig } from '../support/app.js';
import { bloodPressurePanel, heartRate, minutesAgo, normalSet, NOW, respiratoryRate } from '../support/fhir-examples.js';
import { patientView } from '../support/hook-calls.js';

const quiet = { info: () => {}, warn: () => {} };
let app: FastifyInstance;
let withModel: FastifyInstance;
let scorer: DeteriorationScorer;
beforeAll(async () => {
  app = await testApp({ clock: () => NOW }, { VIGIL_REPEAT_CARD_POLICY: 'off' });
  scorer = await createScorer(testConfig({ VIGIL_MODEL_MODE: 'active' }), quiet);
  withModel = await testApp({ clock: () => NOW, scorer }, { VIGIL_REPEAT_CARD_POLICY: 'off' });
});
afterAll(async () => {
  await app.close();
  await withModel.close();
  await scorer.close();
});

const at30 = { effectiveDateTime: minutesAgo(30) };

describe('around values to re-check', () => {
  it('gives qSOFA from the older systolic BP as negative from the values scored only', async () => {
    const set = normalSet(at30.effectiveDateTime, [respiratoryRate(25, at30)]);
    expect((await patientView(app, set))[0]!.detail).toContain('qSOFA 1/3, negative (respiratory rate ≥ 22/min).');
    const preliminary = bloodPressurePanel(85, 50, { effectiveDateTime: minutesAgo(5), status: 'preliminary' });
    const [card] = await patientView(app, [...set, preliminary]);
    expect(card!.detail).toContain(
      'qSOFA 1/3, negative (respiratory rate ≥ 22/min) from the values scored only: re-check the values above first.',
    );
  });

  it("says the model's estimate rests on the values NEWS2 used", async () => {
    const aboveRange = {
      ...heartRate(75, { effectiveDateTime: minutesAgo(5) }),
      valueQuantity: undefined,
      dataAbsentReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'positive-infinity' }] },
    };
    const [card] = await patientView(withModel, [...normalSet(at30.effectiveDateTime), aboveRange]);
    expect(card!.extension['vigil.score'].path).toBe('model');
    expect(card!.detail).toContain("_The model's estimate rests on the values NEWS2 used, not on the values to re-check above._");
  });

  it('says a patient of unknown age is scored as an adult', async () => {
    const set = normalSet(at30.effectiveDateTime, [respiratoryRate(22, at30)]);
    expect((await patientView(app, set))[0]!.detail).not.toContain('Age not known');
    expect((await patientView(app, set, null))[0]!.detail).toContain(
      'Age not known (no birth date was obtained): NEWS2 is scored as for an adult.',
    );
  });
});
