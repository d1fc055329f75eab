// Specification of the clinical-drug map builder: which RxNorm relationships it follows, and when it
// refuses to build. The inputs are small synthetic extracts shaped like the real sources (the RxNorm
// codes in them are made up), so each rule is visible in one row.
import { describe, expect, it } from 'vitest';
import {
  drugsFromOmtk,
  drugsFromPrescribable,
  drugsFromValueSet,
  ingredientNames,
  mergeSources,
  prescribableRecordSchema,
  ttyFromName,
  type PrescribableRecord,
} from '../../scripts/rxnorm-drug-map.js';

const IN_A = '100';
const IN_B = '200';
const NOT_OURS = '900';

/** IN → SCDC → SCD → SBD / GPCK / BPCK, as the prescribable extract nests them. */
const records: PrescribableRecord[] = [
  {
    Name: 'drugamine',
    RXCUI: IN_A,
    TTY: 'IN',
    SCDCs: [
      {
        Name: 'drugamine 5 MG',
        RXCUI: '101',
        TTY: 'SCDC',
        SCDs: [
          {
            Name: 'drugamine 5 MG Oral Tablet',
            RXCUI: '102',
            TTY: 'SCD',
            SBDs: [{ Name: 'drugamine 5 MG Oral Tablet [Brandol]', RXCUI: '103', TTY: 'SBD' }],
            GPCKs: [{ Name: '{30 (drugamine 5 MG Oral Tablet) } Pack', RXCUI: '104', TTY: 'GPCK' }],
          },
          { Name: 'drugamine 5 MG / sleepazine 2 MG Oral Tablet', RXCUI: '110', TTY: 'SCD' },
        ],
      },
    ],
  },
  {
    Name: 'sleepazine',
    RXCUI: IN_B,
    TTY: 'IN',
    SCDCs: [
      {
        Name: 'sleepazine 2 MG',
        RXCUI: '201',
        TTY: 'SCDC',
        SCDs: [{ Name: 'drugamine 5 MG / sleepazine 2 MG Oral Tablet', RXCUI: '110', TTY: 'SCD' }],
      },
    ],
  },
  { Name: 'drugamine hydrochloride', RXCUI: '150', TTY: 'PIN', SCDCs: [{ Name: 'drugamine 5 MG', RXCUI: '101', TTY: 'SCDC' }] },
  {
    Name: 'harmlessol',
    RXCUI: NOT_OURS,
    TTY: 'IN',
    SCDCs: [
      { Name: 'harmlessol 1 MG', RXCUI: '901', TTY: 'SCDC', SCDs: [{ Name: 'harmlessol 1 MG Oral Tablet', RXCUI: '902', TTY: 'SCD' }] },
    ],
  },
].map((r) => prescribableRecordSchema.parse(r));

const wanted = new Set([IN_A, IN_B]);
const byRxcui = <T extends { rxcui: string }>(items: T[]): Record<string, T> => Object.fromEntries(items.map((i) => [i.rxcui, i]));

describe('drugsFromPrescribable', () => {
  const result = drugsFromPrescribable(records, wanted);
  const drugs = byRxcui(result.drugs);

  it.each([
    ['101', 'SCDC', [IN_A], 'IN has_ingredient→ SCDC'],
    ['102', 'SCD', [IN_A], 'SCDC constitutes→ SCD'],
    ['103', 'SBD', [IN_A], 'SCD has_tradename→ SBD'],
    ['104', 'GPCK', [IN_A], 'SCD contained_in→ pack'],
    ['110', 'SCD', [IN_A, IN_B], 'a combination reached from both of its ingredients'],
    ['150', 'PIN', [IN_A], 'a precise ingredient, through the components it shares with its IN'],
  ])('maps %s (%s) to %j: %s', (rxcui, tty, ingredients) => {
    expect(drugs[rxcui]).toMatchObject({ tty, ingredients });
  });

  it('leaves out the drugs of ingredients that are not ours', () => {
    expect(drugs['901']).toBeUndefined();
    expect(drugs['902']).toBeUndefined();
    expect([...result.ingredients]).toEqual([
      [IN_A, 'drugamine'],
      [IN_B, 'sleepazine'],
    ]);
    expect(result.problems).toEqual([]);
  });

  it('reports a code that the source gives two term types', () => {
    const clash = prescribableRecordSchema.parse({
      Name: 'sleepazine',
      RXCUI: IN_B,
      TTY: 'IN',
      SCDCs: [{ Name: 'sleepazine 2 MG', RXCUI: '102', TTY: 'SCDC' }],
    });
    expect(drugsFromPrescribable([records[0]!, clash], wanted).problems).toEqual(['rxcui 102 appears as both SCD and SCDC']);
  });
});

describe('drugsFromOmtk', () => {
  const cql = [
    "  { drugCode: 300, drugName: '72 HR drugamine 0.025 MG/HR Transdermal System', doseFormCode: 1, doseFormName: 'x', ingredientCode: 100, ingredientName: 'Drugamine', strength: '0.025 MG/HR' },",
    "  { drugCode: 301, drugName: 'drugamine 5 MG Oral Tablet [Dr. O\\'Brien\\'s]', doseFormCode: 1, doseFormName: 'x', ingredientCode: 100, ingredientName: 'Drugamine', strength: '5 MG' },",
    "  { drugCode: 302, drugName: '{7 (drugamine 5 MG Oral Tablet) } Pack', doseFormCode: 1, doseFormName: 'x', ingredientCode: 100, ingredientName: 'Drugamine', strength: '5 MG' },",
    "  { drugCode: 303, drugName: 'harmlessol 1 MG Oral Tablet', doseFormCode: 1, doseFormName: 'x', ingredientCode: 900, ingredientName: 'Harmlessol', strength: '1 MG' },",
  ].join('\n');
  const result = drugsFromOmtk(cql, wanted);

  it('reads drug → ingredient rows of our ingredients, with escaped quotes', () => {
    expect(result.drugs).toEqual([
      { rxcui: '300', tty: 'SCD', name: '72 HR drugamine 0.025 MG/HR Transdermal System', ingredients: [IN_A] },
      { rxcui: '301', tty: 'SBD', name: "drugamine 5 MG Oral Tablet [Dr. O'Brien's]", ingredients: [IN_A] },
      { rxcui: '302', tty: 'GPCK', name: '{7 (drugamine 5 MG Oral Tablet) } Pack', ingredients: [IN_A] },
    ]);
    expect([...result.ingredients]).toEqual([[IN_A, 'drugamine']]);
  });
});

describe('ttyFromName', () => {
  it.each([
    ['drugamine 5 MG Oral Tablet', 'SCD'],
    ['drugamine 5 MG Oral Tablet [Brandol]', 'SBD'],
    ['{30 (drugamine 5 MG Oral Tablet) } Pack', 'GPCK'],
    ['{30 (drugamine 5 MG Oral Tablet [Brandol]) } Pack [Brandol Pak]', 'BPCK'],
  ])('reads "%s" as %s', (name, tty) => {
    expect(ttyFromName(name)).toBe(tty);
  });
});

describe('drugsFromValueSet', () => {
  const valueSet = {
    resourceType: 'ValueSet',
    id: 'benzodiazepine-medications',
    expansion: {
      contains: [
        { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '500', display: 'drugamine 5 MG Oral Tablet [Sleepazine Forte]' },
        { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '501', display: 'drugamine 5 MG / sleepazine 2 MG Oral Tablet' },
        { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '502', display: 'harmlessol 1 MG Oral Tablet' },
        { system: 'http://snomed.info/sct', code: '503', display: 'drugamine 5 mg tablet' },
      ],
    },
  };

  it('names the ingredients of ours stated in the clinical name, ignoring the bracketed brand', () => {
    expect(drugsFromValueSet(valueSet, ['drugamine', 'sleepazine'])).toEqual([
      {
        rxcui: '500',
        tty: 'SBD',
        name: 'drugamine 5 MG Oral Tablet [Sleepazine Forte]',
        ingredients: ['drugamine'],
        valueSet: 'benzodiazepine-medications',
      },
      {
        rxcui: '501',
        tty: 'SCD',
        name: 'drugamine 5 MG / sleepazine 2 MG Oral Tablet',
        ingredients: ['drugamine', 'sleepazine'],
        valueSet: 'benzodiazepine-medications',
      },
    ]);
  });
});

describe('merging sources', () => {
  const first = {
    id: 'first',
    result: { ingredients: new Map([[IN_A, 'drugamine']]), drugs: [{ rxcui: '102', tty: 'SCD' as const, name: 'a', ingredients: [IN_A] }] },
  };

  it('keeps the first source for a code both know, and adds codes only a later source has', () => {
    const later = {
      id: 'later',
      result: {
        ingredients: new Map([[IN_A, 'Drugamine']]),
        drugs: [
          { rxcui: '102', tty: 'SCD' as const, name: 'b', ingredients: [IN_A] },
          { rxcui: '300', tty: 'SCD' as const, name: 'c', ingredients: [IN_A] },
        ],
      },
    };
    const merged = mergeSources([first, later]);
    expect(merged.problems).toEqual([]);
    expect(Object.fromEntries(merged.drugs)).toEqual({
      '102': { tty: 'SCD', name: 'a', ingredients: [IN_A], source: 'first' },
      '300': { tty: 'SCD', name: 'c', ingredients: [IN_A], source: 'later' },
    });
    expect(ingredientNames([first, later]).problems).toEqual([]);
  });

  it('refuses a later source that gives a known code an ingredient the first does not', () => {
    const later = {
      id: 'later',
      result: { ingredients: new Map(), drugs: [{ rxcui: '102', tty: 'SCD' as const, name: 'b', ingredients: [IN_B] }] },
    };
    expect(mergeSources([first, later]).problems).toEqual([`later maps 102 to ${IN_B}, which first does not`]);
  });

  it('refuses sources that name one ingredient code differently', () => {
    const later = { id: 'later', result: { ingredients: new Map([[IN_A, 'otheramine']]), drugs: [] } };
    expect(ingredientNames([first, later]).problems).toEqual([`later names ingredient ${IN_A} "otheramine", not "drugamine"`]);
  });
});
