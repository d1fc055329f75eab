// Specification of which selected orders sedation-safety treats as sedatives, through the real
// order-select context: an order whose medicationReference points at a Medication that is another entry
// of draftOrders (as EHRs send compounded or pharmacy-built products) is classified by that Medication.
import { describe, expect, it } from 'vitest';
import { selectedSedatives } from '../../src/hooks/sedation-safety.js';
import { orderSelectCall } from '../../src/cds-hooks/request-schema.js';
import { RXNORM } from '../sedation/orders.js';

type Entry = { fullUrl?: string; resource: Record<string, unknown> };

function call(entries: Entry[], selections = ['MedicationRequest/mr-1']) {
  return orderSelectCall.parse({
    hook: 'order-select',
    hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
    context: {
      userId: 'Practitioner/example',
      patientId: 'syn-1',
      selections,
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: entries },
    },
  });
}

const order = (medicationReference: Record<string, unknown>, extra: Record<string, unknown> = {}): Entry => ({
  resource: {
    resourceType: 'MedicationRequest',
    id: 'mr-1',
    status: 'draft',
    subject: { reference: 'Patient/syn-1' },
    medicationReference,
    ...extra,
  },
});

const midazolamByCode = { resourceType: 'Medication', id: 'med-1', code: { coding: [{ system: RXNORM, code: '311700' }] } };
const lorazepamByName = { resourceType: 'Medication', id: 'med-1', code: { text: 'Lorazepam 2 MG/ML Injectable Solution' } };

describe('selectedSedatives with a Medication in draftOrders', () => {
  it.each([
    ['a relative reference', 'Medication/med-1', undefined],
    ['an absolute reference', 'https://ehr.example.org/fhir/Medication/med-1', undefined],
    ['a versioned reference', 'Medication/med-1/_history/2', undefined],
    ['the entry fullUrl (urn:uuid)', 'urn:uuid:4f0c1a4e-7d3b-4e1a-9f7c-2b8d6c3e5a10', 'urn:uuid:4f0c1a4e-7d3b-4e1a-9f7c-2b8d6c3e5a10'],
  ])('follows %s to the Medication entry and classifies it by its code', (_label, reference, fullUrl) => {
    const medication: Entry =
      fullUrl === undefined ? { resource: midazolamByCode } : { fullUrl, resource: { ...midazolamByCode, id: 'other-id' } };
    const sedatives = selectedSedatives(call([order({ reference }), medication]));
    expect(sedatives.map((s) => [s.reference, s.match])).toEqual([
      ['MedicationRequest/mr-1', { drugClass: 'benzodiazepine', ingredient: 'midazolam', matchedBy: 'rxnorm-code' }],
    ]);
  });

  it('classifies the Medication entry by its name when it has no code', () => {
    const sedatives = selectedSedatives(call([order({ reference: 'Medication/med-1' }), { resource: lorazepamByName }]));
    expect(sedatives.map((s) => s.match)).toEqual([{ drugClass: 'benzodiazepine', ingredient: 'lorazepam', matchedBy: 'name' }]);
  });

  it('still follows #id to a Medication contained in the order', () => {
    const sedatives = selectedSedatives(call([order({ reference: '#med-1' }, { contained: [midazolamByCode] })]));
    expect(sedatives.map((s) => s.match.ingredient)).toEqual(['midazolam']);
  });

  it("follows a contained Medication's ingredient itemReference to a contained Substance (third review)", () => {
    const substance = { resourceType: 'Substance', id: 'sub-1', code: { coding: [{ system: RXNORM, code: '2670' }] } };
    const byReference = (item: Record<string, unknown>) => ({
      resourceType: 'Medication',
      id: 'med-1',
      code: { text: 'Oral solution, pharmacy-made' },
      ingredient: [item],
    });
    const r4 = selectedSedatives(
      call([order({ reference: '#med-1' }, { contained: [byReference({ itemReference: { reference: '#sub-1' } }), substance] })]),
    );
    expect(r4.map((s) => s.match.ingredient)).toEqual(['codeine']);
    const r5 = selectedSedatives(
      call([order({ reference: '#med-1' }, { contained: [byReference({ item: { reference: { reference: '#sub-1' } } }), substance] })]),
    );
    expect(r5.map((s) => s.match.ingredient)).toEqual(['codeine']);
    // Without the Substance contained, nothing names a sedative.
    expect(
      selectedSedatives(call([order({ reference: '#med-1' }, { contained: [byReference({ itemReference: { reference: '#sub-1' } })] })])),
    ).toEqual([]);
  });

  it('does not resolve #id against other draftOrders entries (#id means contained in the order itself)', () => {
    expect(selectedSedatives(call([order({ reference: '#med-1' }), { resource: midazolamByCode }]))).toEqual([]);
  });

  it('ignores an entry with the referenced id that is not a Medication', () => {
    const impostor = { resourceType: 'Substance', id: 'med-1', code: { coding: [{ system: RXNORM, code: '311700' }] } };
    expect(selectedSedatives(call([order({ reference: 'Medication/med-1' }), { resource: impostor }]))).toEqual([]);
  });

  it('does not treat the Medication entry itself as a selected order', () => {
    expect(
      selectedSedatives(
        call([order({ reference: 'Medication/med-1' }), { resource: midazolamByCode }], ['MedicationRequest/mr-1', 'Medication/med-1']),
      ).map((s) => s.reference),
    ).toEqual(['MedicationRequest/mr-1']);
  });
});
