// Suggestions a clinician can accept: the RCP response for the band as proposed ServiceRequests.
import { describe, expect, it } from 'vitest';
import { deteriorationSuggestions } from '../../src/cards/suggestions.js';
import { scoreNews2 } from '../../src/fallback-rules/news2.js';
import { patientInputs, WELL, type Vitals } from '../support/patient-inputs.js';
import { fixtureCall } from '../observability/hook-calls.js';
import { testApp } from '../support/app.js';

const suggestionsFor = (v: Vitals, mustObserve = false) =>
  deteriorationSuggestions(scoreNews2(patientInputs(v)), 'syn-sugg-1', mustObserve);

describe('suggestions per NEWS2 band', () => {
  it.each<[string, Vitals, string[]]>([
    ['NEWS2 0', WELL, []],
    ['NEWS2 2 (low)', { ...WELL, respiratoryRate: 22 }, ['Increase observation frequency to at least 4-hourly']],
    [
      'a single 3 (low-medium)',
      { ...WELL, respiratoryRate: 8 },
      ['Request urgent ward-based review by the medical team', 'Increase observation frequency to at least hourly'],
    ],
    [
      'NEWS2 5 (medium)',
      { ...WELL, respiratoryRate: 22, heartRate: 115, spo2: 95 },
      ['Request urgent clinical review', 'Increase observation frequency to at least hourly'],
    ],
    [
      'NEWS2 7 (high)',
      { ...WELL, respiratoryRate: 25, heartRate: 115, spo2: 94, temperature: 38.5 },
      ['Request emergency assessment', 'Start continuous monitoring of vital signs'],
    ],
  ])('%s: %j, the first recommended', (_name, vitals, labels) => {
    const s = suggestionsFor(vitals);
    expect(s.map((x) => x.label)).toEqual(labels);
    expect(s.map((x) => x.isRecommended === true)).toEqual(labels.map((_, i) => i === 0));
  });

  it('asks first for a full set of observations when the score is incomplete', () => {
    const { respiratoryRate: _r, ...rest } = WELL;
    expect(suggestionsFor(rest).map((s) => [s.label, s.isRecommended === true])).toEqual([['Record a full set of observations now', true]]);
  });

  it('asks first for a full set now, recommended, when values must be re-checked and the band asks only for more frequent observations', () => {
    expect(suggestionsFor({ ...WELL, respiratoryRate: 22 }, true).map((s) => [s.label, s.isRecommended === true])).toEqual([
      ['Record a full set of observations now', true],
      ['Increase observation frequency to at least 4-hourly', false],
    ]);
    const { respiratoryRate: _r, ...partial } = { ...WELL, heartRate: 95 };
    expect(suggestionsFor(partial).map((s) => s.label)[0]).toBe('Record a full set of observations now');
    // A band that calls for a review keeps it first: the full set comes after it.
    expect(suggestionsFor({ ...WELL, respiratoryRate: 8 }, true).map((s) => [s.label, s.isRecommended === true])).toEqual([
      ['Request urgent ward-based review by the medical team', true],
      ['Increase observation frequency to at least hourly', false],
      ['Record a full set of observations now', false],
    ]);
  });

  it('proposes each as a draft ServiceRequest for this patient, coded in SNOMED CT, with NEWS2 as the coded reason', () => {
    const [review, hourly] = suggestionsFor({ ...WELL, respiratoryRate: 22, heartRate: 115, spo2: 95 });
    expect(review!.actions).toEqual([
      {
        type: 'create',
        description: 'Urgent assessment by a clinician with competencies in acute illness',
        resource: {
          resourceType: 'ServiceRequest',
          status: 'draft',
          intent: 'proposal',
          priority: 'urgent',
          code: {
            coding: [{ system: 'http://snomed.info/sct', code: '304562007', display: 'Informing doctor' }],
            text: 'Urgent assessment by a clinician with competencies in acute illness',
          },
          subject: { reference: 'Patient/syn-sugg-1' },
          reasonCode: [
            { coding: [{ system: 'http://snomed.info/sct', code: '1104051000000101', display: 'NEWS2 total score' }], text: 'NEWS2 5' },
          ],
        },
      },
    ]);
    expect(hourly!.actions[0]!.resource).toMatchObject({
      code: { coding: [{ code: '61746007' }] },
      occurrenceTiming: { repeat: { frequency: 1, period: 1, periodUnit: 'h' } },
    });
  });
});

async function firstCard(fixture: string) {
  const call = fixtureCall(fixture, { patientId: 'syn-sugg-2' });
  const app = await testApp();
  const [card] = (await app.inject({ method: 'POST', url: `/cds-services/${call.service}`, payload: call.body })).json().cards;
  await app.close();
  return card;
}

describe('suggestions on the cards', () => {
  it('patient-view cards carry them with selectionBehavior "any", each with a uuid', async () => {
    const card = await firstCard('deterioration-risk/news2-medium-warning');
    expect(card.selectionBehavior).toBe('any');
    expect(card.suggestions.map((s: { label: string; uuid: string }) => [s.label, typeof s.uuid])).toEqual([
      ['Request urgent clinical review', 'string'],
      ['Increase observation frequency to at least hourly', 'string'],
    ]);
    expect(card.suggestions[0].actions[0].resource.subject).toEqual({ reference: 'Patient/syn-sugg-2' });
  });

  it('order-select keeps "remove the draft order" and adds continuous pulse oximetry where breathing is the reason', async () => {
    const card = await firstCard('sedation-safety/opioid-low-respiratory-rate');
    expect(card.selectionBehavior).toBe('at-most-one');
    expect(card.suggestions.map((s: { label: string }) => s.label)).toEqual([
      'Remove the morphine order',
      'Order continuous pulse oximetry',
    ]);
    expect(card.suggestions[0]).toMatchObject({ isRecommended: true, actions: [{ type: 'delete', resourceId: 'MedicationRequest/mr-1' }] });
    expect(card.suggestions[1].actions[0].resource).toMatchObject({
      code: { coding: [{ code: '252465000' }] },
      orderDetail: [{ coding: [{ code: '255238004' }] }],
    });
  });
});
