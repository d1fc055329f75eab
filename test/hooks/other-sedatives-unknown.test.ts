// Sedatives the patient already takes are a risk of their own (opioids with benzodiazepines or
// gabapentinoids). When the EHR neither sent the active medication orders nor let Vigil fetch them,
// that check cannot be made: the clinical safety review (2026-11-29) found a morphine order for a
// patient with a normal set then gave no card at all, as if there were no other sedative. The same
// review found an on-hold lorazepam not counted, and another patient's lorazepam named on the card.
import { describe, expect, it } from 'vitest';
import { consciousness, LOINC, minutesAgo, normalSet, respiratoryRate } from '../support/fhir-examples.js';
import { draftOrder, hookApp, morphineOrdered, searchset } from '../support/hook-calls.js';

const app = hookApp();

const wellSet = () => normalSet(minutesAgo(30));

describe('active medication orders that could not be obtained, for a morphine order', () => {
  it('gives no card when the EHR said there are none (the control)', async () => {
    expect(await morphineOrdered(app(), wellSet(), null)).toEqual([]);
  });

  it('says the check could not be made, as information, with no recommended removal', async () => {
    const [card, ...rest] = await morphineOrdered(app(), wellSet(), 'not sent');
    expect(rest).toEqual([]);
    expect(card!.indicator).toBe('info');
    expect(card!.summary).toBe('Opioid (morphine) ordered: other sedatives not checked (active medication orders not obtained)');
    expect(card!.detail).toContain("Check the patient's current medications for other opioids, benzodiazepines or gabapentinoids");
    expect(card!.detail).toContain('Active medication orders');
    const suggestions = (card as unknown as { suggestions: { label: string; isRecommended?: boolean }[] }).suggestions;
    expect(suggestions.map((s) => [s.label, s.isRecommended])).toEqual([['Remove the morphine order', false]]);
    expect(card!.extension['vigil.order'].alreadyPrescribed).toBe(0);
  });

  it('keeps the warning for breathing at risk, and lists the check it could not make after it', async () => {
    const [card] = await morphineOrdered(
      app(),
      normalSet(minutesAgo(30), [respiratoryRate(10, { effectiveDateTime: minutesAgo(30) })]),
      'not sent',
    );
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toMatch(/^Opioid \(morphine\) ordered: respiratory depression risk — respiratory rate 10\/min \(≤ 11\)/);
    const lines = card!.detail.split('\n');
    const rr = lines.indexOf('- respiratory rate 10/min (≤ 11)');
    const notChecked = lines.indexOf('- other sedatives not checked (active medication orders not obtained)');
    expect(rr).toBeGreaterThanOrEqual(0);
    expect(notChecked).toBe(rr + 1);
  });
});

describe('the active medication orders that were sent', () => {
  const lorazepam = (extra: Record<string, unknown>) => ({ ...draftOrder('active-1', '6470', 'lorazepam'), intent: 'order', ...extra });

  it('counts an order on hold (it may be resumed) and one whose status is unknown', async () => {
    for (const status of ['active', 'on-hold', 'unknown']) {
      const [card] = await morphineOrdered(app(), wellSet(), [lorazepam({ status })]);
      expect(card?.summary, status).toBe(
        'Opioid (morphine) ordered: respiratory depression risk — already prescribed: lorazepam (benzodiazepine)',
      );
    }
    expect(await morphineOrdered(app(), wellSet(), [lorazepam({ status: 'stopped' })])).toEqual([]);
  });

  it('reads a search that reported an error as not checked; a warning beside the results changes nothing', async () => {
    const outcome = (severity: string) => ({
      resourceType: 'OperationOutcome',
      issue: [{ severity, code: 'exception', diagnostics: 'medication search failed' }],
    });
    const [card] = await morphineOrdered(app(), wellSet(), [outcome('error')]);
    expect(card!.indicator).toBe('info');
    expect(card!.summary).toBe(
      "Opioid (morphine) ordered: other sedatives not checked (the EHR's search for active medication orders reported an error)",
    );
    expect(card!.detail).toContain("Active medication orders: the EHR's search reported an error, so what it sent may be incomplete");
    expect(await morphineOrdered(app(), wellSet(), [outcome('warning')])).toEqual([]);
  });

  it("never names another patient's order: it is set aside, and the card says the list could not be trusted", async () => {
    const [card, ...rest] = await morphineOrdered(app(), wellSet(), [
      lorazepam({ status: 'active', subject: { reference: 'Patient/someone-else' } }),
    ]);
    expect(rest).toEqual([]);
    expect(card!.indicator).toBe('info');
    expect(card!.summary).toBe(
      'Opioid (morphine) ordered: other sedatives not checked (some active medication orders were about another patient)',
    );
    expect(card!.detail).not.toContain('lorazepam');
    expect(card!.detail).toContain('Active medication orders: 1 resource was about another patient');
    expect(card!.detail).not.toContain('someone-else');
  });

  // Fourth review (2026-11-29): a lorazepam dose completed an hour ago, or a fentanyl patch just stopped,
  // gave morphine no card, though either still acts.
  it('counts a sedative order completed or stopped in the last 24 h, and not one that ended long before', async () => {
    const [given] = await morphineOrdered(app(), wellSet(), [lorazepam({ status: 'completed', authoredOn: minutesAgo(60) })]);
    expect(given?.indicator).toBe('warning');
    expect(given?.summary).toBe(
      'Opioid (morphine) ordered: respiratory depression risk — completed, stopped or changed in the last 24 h: lorazepam (benzodiazepine)',
    );
    const patch = {
      ...draftOrder('patch-1', '4337', 'fentanyl'),
      status: 'stopped',
      intent: 'order',
      authoredOn: minutesAgo(5 * 24 * 60),
      meta: { lastUpdated: minutesAgo(120) },
    };
    const [stopped] = await morphineOrdered(app(), wellSet(), [patch]);
    expect(stopped?.summary).toContain('completed, stopped or changed in the last 24 h: fentanyl (opioid)');
    expect(await morphineOrdered(app(), wellSet(), [lorazepam({ status: 'completed', authoredOn: minutesAgo(3 * 24 * 60) })])).toEqual([]);
    // Still prescribed as well: said once, as prescribed.
    const [both] = await morphineOrdered(app(), wellSet(), [
      lorazepam({ status: 'active' }),
      { ...lorazepam({ status: 'completed', authoredOn: minutesAgo(30) }), id: 'done-1' },
    ]);
    expect(both?.summary).toBe('Opioid (morphine) ordered: respiratory depression risk — already prescribed: lorazepam (benzodiazepine)');
    expect(given?.detail).toContain('Doses recorded as given (administrations) are not read.');
  });

  // A review of the change (2026-11-29): a patch's validity end, a date-only authoredOn and an ended order
  // whose drug cannot be known were all silent.
  it('reads when an order ended from its validity period or a date alone, and an ended order of unknown drug is "not checked"', async () => {
    const patch = {
      ...draftOrder('patch-2', '4337', 'fentanyl'),
      status: 'stopped',
      intent: 'order',
      authoredOn: minutesAgo(5 * 24 * 60),
      dispenseRequest: { validityPeriod: { start: minutesAgo(5 * 24 * 60), end: minutesAgo(60) } },
    };
    const [byValidity] = await morphineOrdered(app(), wellSet(), [patch]);
    expect(byValidity?.summary).toContain('completed, stopped or changed in the last 24 h: fentanyl (opioid)');
    const yesterday = minutesAgo(24 * 60).slice(0, 10);
    const [byDate] = await morphineOrdered(app(), wellSet(), [lorazepam({ status: 'completed', authoredOn: yesterday })]);
    expect(byDate?.summary).toContain('completed, stopped or changed in the last 24 h: lorazepam (benzodiazepine)');
    const unknownDrug = {
      ...lorazepam({ status: 'completed', authoredOn: minutesAgo(120) }),
      medicationCodeableConcept: undefined,
      medicationReference: { reference: 'Medication/lzp-9' },
    };
    const [unknown] = await morphineOrdered(app(), wellSet(), [unknownDrug]);
    expect(unknown?.summary).toContain('other sedatives not checked (a medication order names its drug only by a reference not sent)');
  });

  // Fourth review (2026-11-29): an order naming its drug only as `Medication/<id>`, the Medication not
  // sent, was counted as no sedative; and a draft of another type sharing an active order's id hid it.
  it('says other sedatives were not checked when a medication order names its drug only by a reference not sent', async () => {
    const byReference = {
      ...lorazepam({ status: 'active' }),
      medicationCodeableConcept: undefined,
      medicationReference: { reference: 'Medication/lzp-1' },
    };
    const [card] = await morphineOrdered(app(), wellSet(), [byReference]);
    expect(card!.indicator).toBe('info');
    expect(card!.summary).toBe(
      'Opioid (morphine) ordered: other sedatives not checked (a medication order names its drug only by a reference not sent)',
    );
  });

  it('names the sedative when the referenced Medication was sent beside the orders (the template includes it)', async () => {
    const byReference = {
      ...lorazepam({ status: 'active' }),
      medicationCodeableConcept: undefined,
      medicationReference: { reference: 'Medication/lzp-1' },
    };
    const medication = {
      resourceType: 'Medication',
      id: 'lzp-1',
      code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '6470', display: 'lorazepam' }] },
    };
    const [card] = await morphineOrdered(app(), wellSet(), [byReference, medication]);
    expect(card!.summary).toBe('Opioid (morphine) ordered: respiratory depression risk — already prescribed: lorazepam (benzodiazepine)');
  });

  it('still gives no card for an active order of a drug that is no sedative', async () => {
    const paracetamol = { ...draftOrder('active-2', '161', 'acetaminophen'), status: 'active', intent: 'order' };
    expect(await morphineOrdered(app(), wellSet(), [paracetamol])).toEqual([]);
  });

  it('counts an active sedative whose id is shared by a draft of another type', async () => {
    const xray = {
      resourceType: 'ServiceRequest',
      id: 'active-1',
      status: 'draft',
      intent: 'order',
      subject: { reference: 'Patient/example' },
    };
    const [card] = await morphineOrdered(app(), wellSet(), [lorazepam({ status: 'active' })], { drafts: [xray] });
    expect(card?.summary).toBe('Opioid (morphine) ordered: respiratory depression risk — already prescribed: lorazepam (benzodiazepine)');
  });
});

// Integration review (2026-11-29): with nothing sent and no FHIR server, the card said "no verified
// vital signs in the last 12 h … Chart observations", a claim about a chart Vigil never saw.
describe('a sedative ordered when the vital signs could not be obtained at all', () => {
  it('says they could not be obtained, not that none were charted', async () => {
    const res = await app().inject({
      method: 'POST',
      url: '/cds-services/sedation-safety',
      payload: {
        hook: 'order-select',
        hookInstance: '00000000-0000-4000-8000-0000000000ee',
        context: {
          userId: 'Practitioner/1',
          patientId: 'example',
          selections: ['MedicationRequest/draft-1'],
          draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draftOrder('draft-1', '7052', 'morphine') }] },
        },
      },
    });
    const [card] = res.json().cards;
    expect(card.indicator).toBe('warning');
    expect(card.summary).toMatch(/^Opioid \(morphine\) ordered: breathing cannot be judged — vital signs could not be obtained/);
    expect(card.detail).toContain("Vigil could not obtain this patient's vital signs (below)");
    expect(card.detail).not.toContain('no verified vital signs charted');
    expect(card.extension['vigil.score']).toMatchObject({ scored: false, reason: 'vitals-not-obtained' });
  });

  it('says the missing values were not obtained when another key (consciousness) was sent', async () => {
    const alert = consciousness({ system: LOINC, code: 'LA9340-6', display: 'Alert' }, { effectiveDateTime: minutesAgo(10) });
    const [card] = await morphineOrdered(app(), [], null, { prefetch: { consciousness: searchset([alert]) } });
    expect(card!.detail).toContain('respiratory rate not obtained');
    expect(card!.detail).not.toMatch(/not charted in the last/);
  });

  it('says consciousness was not obtained when its own search was neither sent nor obtainable', async () => {
    const withoutAcvpu = normalSet(minutesAgo(30)).filter((o) => JSON.stringify(o['code']).includes('67775-7') === false);
    const [card] = await morphineOrdered(app(), [], null, {
      prefetch: { patient: null, vitals: searchset(withoutAcvpu), oxygen: null, spo2Target: null, activeMedications: null },
    });
    expect(card!.detail).toContain('- consciousness not obtained');
    expect(card!.detail).not.toContain('consciousness not charted');
  });

  it('says air or oxygen was not obtained when its own search was neither sent nor obtainable (fifth pass)', async () => {
    const withoutAir = normalSet(minutesAgo(30)).filter((o) => JSON.stringify(o['code']).includes('722742002') === false);
    const sent = { patient: null, vitals: searchset(withoutAir), consciousness: null, spo2Target: null, activeMedications: null };
    const [card] = await morphineOrdered(app(), [], null, { prefetch: sent });
    expect(card!.detail).toMatch(/- air or oxygen not obtained/i);
    expect(card!.detail).not.toMatch(/air or oxygen not charted/i);
    // The control: the search sent, and empty, is "not charted".
    const [charted] = await morphineOrdered(app(), [], null, { prefetch: { ...sent, oxygen: null } });
    expect(charted!.detail).toMatch(/air or oxygen not charted/i);
  });
});
