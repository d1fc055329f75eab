// A prefetch key sent as one page of a search that had more. When the search asked for the newest first
// (`_sort=-date`, the vitals template) and the page holds them, older pages are not needed; when it is not
// newest first, newer values may be on the pages not sent. The fourth clinical safety review (2026-11-29)
// found a vitals Bundle of one page from 10 h ago, `total` 600 and a `next` link, gave no card and said
// nothing (the server had ignored `_sort`).
import { describe, expect, it } from 'vitest';
import type { FhirResource } from '../../src/fhir/resources.js';
import { hoursAgo, minutesAgo, normalSet, patient } from '../support/fhir-examples.js';
import { draftOrder, hookApp, morphineOrdered, searchset } from '../support/hook-calls.js';

const app = hookApp();

/** One page of a search with more: a `next` link and a `total` beyond the page. */
const onePageOfMore = (resources: FhirResource[]) => ({
  ...searchset(resources),
  total: 600,
  link: [
    { relation: 'self', url: 'https://ehr.example/fhir/Observation?patient=example' },
    { relation: 'next', url: 'https://ehr.example/fhir/Observation?patient=example&page=2' },
  ],
});

let n = 0;
async function patientViewWith(vitals: unknown) {
  const res = await app().inject({
    method: 'POST',
    url: '/cds-services/deterioration-risk',
    payload: {
      hook: 'patient-view',
      hookInstance: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
      context: { userId: 'Practitioner/1', patientId: 'example' },
      prefetch: { patient: patient('1950-01-01'), vitals, consciousness: null, oxygen: null, spo2Target: null },
    },
  });
  expect(res.statusCode).toBe(200);
  return res.json().cards as { indicator: string; summary: string; detail: string }[];
}

describe('a vitals prefetch sent as one page of more', () => {
  it('says newer values may be missing when the page is not newest first', async () => {
    // Oldest first, as a server that ignored _sort sends them.
    const page = [...normalSet(hoursAgo(11)), ...normalSet(hoursAgo(10))];
    const cards = await patientViewWith(onePageOfMore(page));
    expect(cards).toHaveLength(1);
    expect(cards[0]!.detail).toContain(
      'Vital signs: the EHR sent one page of its search, not newest first, and more were available: newer values may be missing',
    );
  });

  it('needs nothing more when the page holds the newest values, newest first (the control)', async () => {
    const page = [...normalSet(minutesAgo(30)), ...normalSet(hoursAgo(5))];
    expect(await patientViewWith(onePageOfMore(page))).toEqual([]);
  });
});

describe('a vitals prefetch whose search reported an error', () => {
  it('gives NEWS2 0 from it no routine band, but an info card that says the data may be incomplete', async () => {
    const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: 'partial' }] };
    const [card, ...rest] = await patientViewWith(searchset([...normalSet(minutesAgo(30)), outcome]));
    expect(rest).toEqual([]);
    expect(card!.indicator).toBe('info');
    expect(card!.summary).toMatch(/^NEWS2 0: from the values sent, which may be incomplete/);
    expect(card!.detail).toContain('No response band yet');
    expect(card!.detail).not.toContain('routine NEWS monitoring');
  });
});

describe('active medication orders sent as one page of more', () => {
  it('makes other sedatives "not checked", in words that say why', async () => {
    const [card] = await morphineOrdered(app(), [], null, {
      prefetch: {
        patient: patient('1950-01-01'),
        vitals: searchset(normalSet(minutesAgo(30))),
        consciousness: null,
        oxygen: null,
        spo2Target: null,
        activeMedications: onePageOfMore([{ ...draftOrder('active-1', '161', 'acetaminophen'), status: 'active', intent: 'order' }]),
      },
    });
    expect(card!.indicator).toBe('info');
    expect(card!.summary).toBe(
      'Opioid (morphine) ordered: other sedatives not checked (only one page of the active medication orders was sent)',
    );
  });
});

// Fifth review (2026-11-29): the control above existed on patient-view only; morphine ordered on the
// same vital signs gave no card, though a newer respiratory rate of 7 may be on the pages not sent.
describe('a sedative ordered on vital signs that may be incomplete', () => {
  const ordered = (vitals: unknown) =>
    morphineOrdered(app(), [], null, {
      prefetch: { patient: patient('1950-01-01'), vitals, consciousness: null, oxygen: null, spo2Target: null, activeMedications: null },
    });

  it('says breathing cannot be judged when the vitals are one page of more, not newest first', async () => {
    const [card, ...rest] = await ordered(onePageOfMore([...normalSet(hoursAgo(11)), ...normalSet(hoursAgo(10))]));
    expect(rest).toEqual([]);
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toBe(
      'Opioid (morphine) ordered: breathing cannot be judged — the vital signs sent may be incomplete (a newer value may be missing)',
    );
    expect(card!.detail).toContain('more were available: newer values may be missing');
  });

  it('says the same when the search reported an error', async () => {
    const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: 'partial' }] };
    const [card] = await ordered(searchset([...normalSet(minutesAgo(30)), outcome]));
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toContain('the vital signs sent may be incomplete');
  });

  it('gives no card for a complete page, newest first (the control)', async () => {
    expect(await ordered(onePageOfMore([...normalSet(minutesAgo(30)), ...normalSet(hoursAgo(5))]))).toEqual([]);
  });
});
