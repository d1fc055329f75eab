// Specification of the sedative classifier: which draft orders count as opioids, benzodiazepines or
// other sedatives, by RxNorm code and by name, and which never do.
import { describe, expect, it } from 'vitest';
import { classifyOrder, MAX_TEXT_LENGTH, MAX_TEXTS, orderNames, type SedativeClass } from '../../src/sedation/classify-order.js';
import { buildSedativeIndex } from '../../src/sedation/sedative-index.js';
import drugMap from '../../src/sedation/rxnorm-drug-map.json' with { type: 'json' };
import sedativeClasses from '../../src/sedation/sedative-classes.json' with { type: 'json' };
import { codeOnly, draft, match, RXNORM, sandboxOrder, SNOMED, textOnly } from './orders.js';

describe('classifyOrder by RxNorm ingredient code', () => {
  it.each([
    ['7052', 'opioid', 'morphine'],
    ['3423', 'opioid', 'hydromorphone'],
    ['7804', 'opioid', 'oxycodone'],
    ['5489', 'opioid', 'hydrocodone'],
    ['4337', 'opioid', 'fentanyl'],
    ['2670', 'opioid', 'codeine'],
    ['10689', 'opioid', 'tramadol'],
    ['6813', 'opioid', 'methadone'],
    ['1819', 'opioid', 'buprenorphine'],
    ['787390', 'opioid', 'tapentadol'],
    ['7814', 'opioid', 'oxymorphone'],
    ['6754', 'opioid', 'meperidine'],
    ['73032', 'opioid', 'remifentanil'],
    ['3322', 'benzodiazepine', 'diazepam'],
    ['6960', 'benzodiazepine', 'midazolam'],
    ['7781', 'benzodiazepine', 'oxazepam'],
    ['21241', 'benzodiazepine', 'clobazam'],
    ['2101', 'other-sedative', 'carisoprodol'],
  ] as const)('classifies RxNorm ingredient %s as %s (%s) from the code alone', (code, drugClass, ingredient) => {
    expect(classifyOrder(codeOnly(code))).toEqual(match(drugClass, ingredient, 'rxnorm-ingredient-code'));
  });

  it('accepts RxNorm written as its HL7 OID and with a trailing slash', () => {
    expect(classifyOrder(codeOnly('7052', 'urn:oid:2.16.840.1.113883.6.88'))?.ingredient).toBe('morphine');
    expect(classifyOrder(codeOnly('7052', `${RXNORM}/`))?.ingredient).toBe('morphine');
  });

  it.each([
    ['a SNOMED coding', SNOMED],
    ['a coding without a system', undefined],
  ])('does not trust an ingredient-looking code in %s', (_label, system) => {
    expect(classifyOrder(draft({ medicationCodeableConcept: { coding: [{ system, code: '7052' }] } }))).toBeUndefined();
  });

  it('finds the ingredient code in any coding, not only the first', () => {
    const order = draft({
      medicationCodeableConcept: {
        coding: [
          { system: SNOMED, code: '322503006' },
          { system: RXNORM, code: '3423' },
        ],
      },
    });
    expect(classifyOrder(order)).toEqual(match('opioid', 'hydromorphone', 'rxnorm-ingredient-code'));
  });

  it('lets an ingredient code outrank a name that says otherwise', () => {
    const order = draft({ medicationCodeableConcept: { text: 'Lorazepam 1 MG Oral Tablet', coding: [{ system: RXNORM, code: '7052' }] } });
    expect(classifyOrder(order)).toEqual(match('opioid', 'morphine', 'rxnorm-ingredient-code'));
  });
});

describe('classifyOrder by clinical-drug code the CDS Hooks sandbox sends', () => {
  it.each([
    ['1014599', 'opioid', 'oxycodone'],
    ['856987', 'opioid', 'hydrocodone'],
    ['863852', 'opioid', 'morphine'],
    ['1149620', 'benzodiazepine', 'clorazepate'],
    ['483450', 'other-sedative', 'pregabalin'],
  ] as const)('classifies clinical drug %s as %s (%s) even without a display', (code, drugClass, ingredient) => {
    expect(classifyOrder(codeOnly(code))).toEqual(match(drugClass, ingredient, 'rxnorm-code'));
  });

  it('leaves an unknown clinical-drug code without a name unclassified', () => {
    expect(classifyOrder(codeOnly('999999999'))).toBeUndefined();
  });
});

describe('classifyOrder by name', () => {
  it.each([
    ['Morphine Sulfate 15 MG Oral Tablet', 'opioid', 'morphine'],
    ['Hydromorphone Hydrochloride 2 MG/ML Injectable Solution', 'opioid', 'hydromorphone'],
    ['Fentanyl 0.025 MG/HR Transdermal System', 'opioid', 'fentanyl'],
    ['Meperidine Hydrochloride 50 MG Oral Tablet', 'opioid', 'meperidine'],
    ['Pethidine 50 mg tablets', 'opioid', 'meperidine'],
    ['Tapentadol 50 MG Oral Tablet', 'opioid', 'tapentadol'],
    ['Tramadol Hydrochloride 50 MG Oral Tablet', 'opioid', 'tramadol'],
    ['Oxycontin 10mg', 'opioid', 'oxycodone'],
    ['Dihydrocodeine 30 mg tablets', 'opioid', 'dihydrocodeine'],
    ['Levomethadone 5 mg/ml oral solution', 'opioid', 'levomethadone'],
    ['Lorazepam 1 MG Oral Tablet', 'benzodiazepine', 'lorazepam'],
    ['Alprazolam 0.25 MG Oral Tablet [Xanax]', 'benzodiazepine', 'alprazolam'],
    ['Xanax 0.5 mg', 'benzodiazepine', 'alprazolam'],
    ['clonazepam 0.5 MG Oral Tablet', 'benzodiazepine', 'clonazepam'],
    ['Temazepam 15 MG Oral Capsule', 'benzodiazepine', 'temazepam'],
    ['chlordiazepoxide hydrochloride 10 MG Oral Capsule', 'benzodiazepine', 'chlordiazepoxide'],
    ['Midazolam 1 MG/ML Injectable Solution', 'benzodiazepine', 'midazolam'],
    ['zolpidem tartrate 10 MG Oral Tablet', 'other-sedative', 'zolpidem'],
    ['Eszopiclone 3 MG Oral Tablet', 'other-sedative', 'eszopiclone'],
    ['Zopiclone 7.5 mg tablets', 'other-sedative', 'zopiclone'],
    ['zaleplon 10 MG Oral Capsule', 'other-sedative', 'zaleplon'],
    ['Propofol 10 MG/ML Injectable Suspension', 'other-sedative', 'propofol'],
    ['dexmedetomidine 4 MCG/ML Injectable Solution', 'other-sedative', 'dexmedetomidine'],
    ['Ketamine 50 MG/ML Injectable Solution', 'other-sedative', 'ketamine'],
    ['Phenobarbital 30 MG Oral Tablet', 'other-sedative', 'phenobarbital'],
    ['Promethazine Hydrochloride 25 MG Oral Tablet', 'other-sedative', 'promethazine'],
    ['gabapentin 300 MG Oral Capsule', 'other-sedative', 'gabapentin'],
    ['Diphenhydramine Hydrochloride 25 MG Oral Capsule', 'other-sedative', 'diphenhydramine'],
    ['Hydroxyzine Hydrochloride 25 MG Oral Tablet', 'other-sedative', 'hydroxyzine'],
    ['Baclofen 10 MG Oral Tablet', 'other-sedative', 'baclofen'],
    ['Clomethiazole 192 MG Oral Capsule', 'other-sedative', 'clomethiazole'],
  ] as const)('classifies "%s" in text as %s (%s)', (name, drugClass, ingredient) => {
    expect(classifyOrder(textOnly(name))).toEqual(match(drugClass, ingredient, 'name'));
  });

  it('classifies the sandbox morphine order (RxNorm code unknown to the table, name in text and display)', () => {
    expect(classifyOrder(sandboxOrder('1', 'Morphine Sulfate 15 MG Oral Tablet'))).toEqual(match('opioid', 'morphine', 'name'));
  });

  it.each([
    ['an RxNorm coding', RXNORM],
    ['a SNOMED coding', SNOMED],
    ['a coding without a system', undefined],
  ])('reads the name from the display of %s when there is no text', (_label, system) => {
    const order = draft({
      medicationCodeableConcept: { coding: [{ system, code: '12345', display: 'Lorazepam 2 MG/ML Injectable Solution' }] },
    });
    expect(classifyOrder(order)).toEqual(match('benzodiazepine', 'lorazepam', 'name'));
  });

  it('reads every display, not only the first coding', () => {
    const order = draft({
      medicationCodeableConcept: {
        text: 'Pain relief as charted',
        coding: [
          { system: 'urn:example:local', code: 'A1', display: 'Pain relief' },
          { system: RXNORM, code: '12345', display: 'Oxycodone Hydrochloride 5 MG Oral Tablet' },
        ],
      },
    });
    expect(classifyOrder(order)).toEqual(match('opioid', 'oxycodone', 'name'));
  });
});

describe('classifyOrder on combination products', () => {
  it.each([
    ['Acetaminophen 325 MG / Oxycodone Hydrochloride 5 MG Oral Tablet', 'opioid', 'oxycodone'],
    ['Acetaminophen 300 MG / Hydrocodone Bitartrate 5 MG Oral Tablet', 'opioid', 'hydrocodone'],
    ['Buprenorphine 8 MG / Naloxone 2 MG Sublingual Tablet', 'opioid', 'buprenorphine'],
    ['Morphine Sulfate 30 MG / Naltrexone hydrochloride 1.2 MG Extended Release Oral Capsule', 'opioid', 'morphine'],
    ['Codeine Phosphate 20 MG / Guaifenesin 400 MG Oral Tablet', 'opioid', 'codeine'],
    ['Chlordiazepoxide Hydrochloride 5 MG / Clidinium bromide 2.5 MG Oral Capsule', 'benzodiazepine', 'chlordiazepoxide'],
    ['Amitriptyline Hydrochloride 25 MG / Chlordiazepoxide 10 MG Oral Tablet', 'benzodiazepine', 'chlordiazepoxide'],
  ] as const)('classifies "%s" by its sedative ingredient', (name, drugClass, ingredient) => {
    expect(classifyOrder(sandboxOrder('12345', name))).toEqual(match(drugClass, ingredient, 'name'));
  });

  it.each([
    ['Acetaminophen 300 MG / Butalbital 50 MG / Caffeine 40 MG / Codeine Phosphate 30 MG Oral Capsule', 'opioid', 'codeine'],
    ['Zolpidem 10 MG / Lorazepam 1 MG (synthetic)', 'benzodiazepine', 'lorazepam'],
  ] as const)('reports the highest-risk class when "%s" holds several', (name, drugClass, ingredient) => {
    expect(classifyOrder(textOnly(name))).toEqual(match(drugClass, ingredient, 'name'));
  });

  it('reports the highest-risk class among several ingredient codes', () => {
    const order = draft({
      medicationCodeableConcept: {
        coding: [
          { system: RXNORM, code: '2101' },
          { system: RXNORM, code: '3322' },
          { system: RXNORM, code: '7804' },
        ],
      },
    });
    expect(classifyOrder(order)).toEqual(match('opioid', 'oxycodone', 'rxnorm-ingredient-code'));
  });
});

describe('classifyOrder on non-sedatives', () => {
  it.each([
    ['723', 'Amoxicillin 500 MG Oral Capsule'],
    ['161', 'Acetaminophen 325 MG Oral Tablet'],
    ['7242', 'Naloxone Hydrochloride 0.4 MG/ML Injectable Solution'],
    ['7243', 'Naltrexone hydrochloride 50 MG Oral Tablet'],
    ['6809', 'Metformin hydrochloride 500 MG Oral Tablet'],
    ['12345', 'Loperamide Hydrochloride 2 MG Oral Capsule'],
    ['5093', 'Haloperidol 5 MG/ML Injectable Solution'],
    ['12345', 'Quetiapine 25 MG Oral Tablet'],
    ['12345', 'Cyclizine Lactate 50 MG/ML Injectable Solution'],
    ['4457', 'Flumazenil 0.1 MG/ML Injectable Solution'],
    ['12345', 'Methylnaltrexone bromide 12 MG/0.6ML Injectable Solution'],
  ])('leaves RxNorm %s "%s" unclassified', (code, name) => {
    expect(classifyOrder(sandboxOrder(code, name))).toBeUndefined();
  });

  it.each(sedativeClasses.excluded.map((e) => [e.name]))('never classifies the excluded ingredient %s, whatever its strength', (name) => {
    expect(classifyOrder(textOnly(`${name} 10 MG Oral Tablet`))).toBeUndefined();
  });
});

// Fifth review (2026-11-29): diphenhydramine cream for an itch raised "respiratory depression risk".
describe('classifyOrder on sedating antihistamines for local use', () => {
  const route = (code: string, display: string) => ({
    dosageInstruction: [{ route: { coding: [{ system: SNOMED, code, display }] } }],
  });

  it.each([
    [
      'a topical route',
      draft({ medicationCodeableConcept: { text: 'Diphenhydramine hydrochloride 2% cream' }, ...route('6064005', 'Topical route') }),
    ],
    [
      'an ophthalmic route in words',
      draft({ medicationCodeableConcept: { text: 'Chlorphenamine' }, dosageInstruction: [{ route: { text: 'Ophthalmic' } }] }),
    ],
    ['no route, a name that says cream', textOnly('diphenhydramine hydrochloride 20 MG/ML Topical Cream')],
    ['a clinical-drug code whose display says topical', sandboxOrder('1050077', 'diphenhydramine hydrochloride 20 MG/ML Topical Cream')],
    ['a clinical-drug code alone, of a topical cream', codeOnly('1050077')],
  ])('does not count one given by %s', (_label, order) => {
    expect(classifyOrder(order)).toBeUndefined();
  });

  it.each([
    ['an oral route', draft({ medicationCodeableConcept: { text: 'Diphenhydramine 25 mg' }, ...route('26643006', 'Oral route') })],
    [
      'a topical and an oral route',
      draft({
        medicationCodeableConcept: { text: 'Diphenhydramine' },
        dosageInstruction: [{ route: { text: 'topical' } }, { route: { text: 'oral' } }],
      }),
    ],
    ['no route and no form', textOnly('Diphenhydramine')],
    ['a name that says both cream and tablets', textOnly('Diphenhydramine cream / tablets')],
    [
      'a route Vigil cannot read',
      draft({ medicationCodeableConcept: { text: 'Promethazine' }, dosageInstruction: [{ route: { text: 'PEG' } }] }),
    ],
  ])('still counts one given by %s', (_label, order) => {
    expect(classifyOrder(order)?.ingredient).toMatch(/diphenhydramine|promethazine/);
  });

  it('still counts an opioid applied to the skin (a fentanyl patch is systemic), and an oral capsule by its code alone', () => {
    const patch = draft({
      medicationCodeableConcept: { text: 'Fentanyl 25 micrograms/hour transdermal patch' },
      ...route('6064005', 'Topical route'),
    });
    expect(classifyOrder(patch)?.ingredient).toBe('fentanyl');
    const gel = draft({ medicationCodeableConcept: { text: 'Morphine 0.1% topical gel' }, ...route('6064005', 'Topical route') });
    expect(classifyOrder(gel)?.ingredient).toBe('morphine');
    expect(classifyOrder(codeOnly('1049909'))?.ingredient).toBe('diphenhydramine');
  });
});

describe('classifyOrder on orders with no medication yet', () => {
  it.each([
    ['no medication field at all (the sandbox first call)', {}],
    ['an empty medicationCodeableConcept', { medicationCodeableConcept: {} }],
    ['empty text and coding', { medicationCodeableConcept: { text: '', coding: [] } }],
    ['whitespace-only text', { medicationCodeableConcept: { text: '   ' } }],
    ['a reference to a Medication that is not there', { medicationReference: { reference: '#missing' } }],
    ['an empty medicationReference', { medicationReference: {} }],
    ['a null medicationCodeableConcept', { medicationCodeableConcept: null }],
    [
      'wrongly typed fields',
      { medicationCodeableConcept: { text: 42, coding: 'morphine' }, medicationReference: 'Medication/1', contained: 'x' },
    ],
    ['codings that are not objects', { medicationCodeableConcept: { coding: [null, 7, 'morphine', [{ display: 'morphine' }]] } }],
  ])('returns undefined for %s', (_label, extra) => {
    expect(classifyOrder(draft(extra))).toBeUndefined();
  });
});

describe('classifyOrder on other resource types', () => {
  it.each([
    ['ServiceRequest', { code: { text: 'Morphine Sulfate 15 MG Oral Tablet' } }],
    ['NutritionOrder', { oralDiet: { type: [{ text: 'Morphine' }] } }],
    [
      'MedicationOrder',
      { medicationCodeableConcept: { text: 'Morphine Sulfate 15 MG Oral Tablet', coding: [{ system: RXNORM, code: '7052' }] } },
    ],
    ['Medication', { code: { text: 'Morphine Sulfate 15 MG Oral Tablet' } }],
  ])('returns undefined for a %s', (resourceType, extra) => {
    expect(classifyOrder({ resourceType, id: 'x', ...extra })).toBeUndefined();
  });
});

describe('classifyOrder with a referenced Medication', () => {
  const morphineMedication = {
    resourceType: 'Medication',
    id: 'med1',
    code: { coding: [{ system: RXNORM, code: '7052' }] },
  };

  it('follows #id to a Medication contained in the order', () => {
    const order = draft({ contained: [morphineMedication], medicationReference: { reference: '#med1' } });
    expect(classifyOrder(order)).toEqual(match('opioid', 'morphine', 'rxnorm-ingredient-code'));
  });

  it('does not follow #id out of the order into the draftOrders entries', () => {
    const order = draft({ medicationReference: { reference: '#med1' } });
    expect(classifyOrder(order, [{ resource: morphineMedication }])).toBeUndefined();
  });

  it.each([['Medication/med2'], ['https://ehr.example.org/fhir/Medication/med2'], ['Medication/med2/_history/3']])(
    'follows %s to a Medication entry of draftOrders',
    (reference) => {
      const lorazepam = { resourceType: 'Medication', id: 'med2', code: { text: 'Lorazepam 2 MG/ML Injectable Solution' } };
      expect(classifyOrder(draft({ medicationReference: { reference } }), [{ resource: lorazepam }])).toEqual(
        match('benzodiazepine', 'lorazepam', 'name'),
      );
    },
  );

  it('follows a urn:uuid reference to the draftOrders entry with that fullUrl', () => {
    const fullUrl = 'urn:uuid:0b8a3a7e-46b1-4b0e-9d43-6a2c1b0f9e11';
    const entries = [{ fullUrl, resource: { resourceType: 'Medication', code: { coding: [{ system: RXNORM, code: '6470' }] } } }];
    expect(classifyOrder(draft({ medicationReference: { reference: fullUrl } }), entries)).toEqual(
      match('benzodiazepine', 'lorazepam', 'rxnorm-ingredient-code'),
    );
  });

  it('reads ingredient codes of a Medication whose own code is not a sedative', () => {
    const medication = {
      resourceType: 'Medication',
      id: 'compound',
      code: { text: 'Pharmacy compound 17' },
      ingredient: [
        { itemCodeableConcept: { coding: [{ system: RXNORM, code: '161', display: 'Acetaminophen' }] } },
        { itemCodeableConcept: { coding: [{ system: RXNORM, code: '7804', display: 'Oxycodone' }] } },
      ],
    };
    const order = draft({ contained: [medication], medicationReference: { reference: '#compound' } });
    expect(classifyOrder(order)).toEqual(match('opioid', 'oxycodone', 'rxnorm-ingredient-code'));
  });

  it('uses the reference display when the Medication cannot be found', () => {
    const order = draft({ medicationReference: { reference: 'Medication/elsewhere', display: 'Fentanyl citrate 50 MCG/ML' } });
    expect(classifyOrder(order)).toEqual(match('opioid', 'fentanyl', 'name'));
  });

  it('ignores a contained resource with the right id that is not a Medication', () => {
    const impostor = { resourceType: 'Substance', id: 'med1', code: { coding: [{ system: RXNORM, code: '7052' }] } };
    expect(classifyOrder(draft({ contained: [impostor], medicationReference: { reference: '#med1' } }))).toBeUndefined();
  });

  it('reads an R5 CodeableReference medication', () => {
    const order = draft({ medication: { concept: { text: 'Midazolam 5 MG/ML Injectable Solution' } } });
    expect(classifyOrder(order)).toEqual(match('benzodiazepine', 'midazolam', 'name'));
  });
});

describe('classifyOrder name matching: case and word boundaries', () => {
  it.each([
    ['MORPHINE SULFATE 10 MG/ML INJECTABLE SOLUTION', 'morphine'],
    ['morphine sulfate', 'morphine'],
    ['oxycodone-acetaminophen 5-325 tablet', 'oxycodone'],
    ['Hydrocodone/APAP 5/325', 'hydrocodone'],
    ['(Lorazepam) PRN', 'lorazepam'],
    ['Lorazepam2mg', 'lorazepam'],
    ['MS   Contin 30 mg', 'morphine'],
    ['Codeine', 'codeine'],
  ])('matches "%s" as %s', (text, ingredient) => {
    expect(classifyOrder(textOnly(text))?.ingredient).toBe(ingredient);
  });

  it.each([
    ['Codeinex 10 mg'],
    ['precodeine syrup'],
    ['Somatropin 5 MG Injection'],
    ['Morphinesque placebo'],
    ['Methadonex'],
    ['Ketaminer 1 mg'],
    ['Propofolx'],
  ])('does not match a name inside another word: "%s"', (text) => {
    expect(classifyOrder(textOnly(text))).toBeUndefined();
  });

  it.each([
    ['Dihydrocodeine 30 mg', 'dihydrocodeine'],
    ['Eszopiclone 2 mg', 'eszopiclone'],
    ['Levomethadone 5 mg', 'levomethadone'],
    ['Remifentanil 1 MG Injection', 'remifentanil'],
    ['Sufentanil 50 MCG/ML', 'sufentanil'],
  ])('reports the whole ingredient, not a shorter name inside it: "%s" is %s', (text, ingredient) => {
    expect(classifyOrder(textOnly(text))?.ingredient).toBe(ingredient);
  });

  // Name matching is bounded by capping what it reads, so a client cannot make it slow with a huge order.
  it('reads a name within the first MAX_TEXT_LENGTH characters of a text and nothing beyond', () => {
    const pad = (n: number): string => 'x '.repeat(n / 2);
    expect(classifyOrder(textOnly(`${pad(MAX_TEXT_LENGTH - 10)}Morphine`))?.ingredient).toBe('morphine');
    expect(classifyOrder(textOnly(`${pad(MAX_TEXT_LENGTH)}Morphine`))).toBeUndefined();
    expect(classifyOrder(textOnly(`${'x'.repeat(1_000_000)} Morphine`))).toBeUndefined();
  });

  it('reads at most MAX_TEXTS names of at most MAX_TEXT_LENGTH characters from a huge order', () => {
    const huge = 'Oxycodone '.repeat(100_000);
    const order = draft({
      medicationCodeableConcept: {
        text: huge,
        coding: Array.from({ length: 10_000 }, () => ({ system: RXNORM, code: '1', display: huge })),
      },
      medicationReference: { reference: '#nowhere', display: huge },
    });
    const read = orderNames(order);
    expect(read).toHaveLength(MAX_TEXTS);
    expect(Math.max(...read.map((t) => t.length))).toBe(MAX_TEXT_LENGTH);
    expect(classifyOrder(order)?.ingredient).toBe('oxycodone');
  });

  it("matches the capped worst case (every name a near miss) well within a busy machine's time", () => {
    // Every position starts a candidate name that fails late, so each regex does its most backtracking.
    const nearMisses = 'co-codamo MST Continu Tylenol No. 3x dihydrocodein '.repeat(MAX_TEXT_LENGTH / 40).slice(0, MAX_TEXT_LENGTH);
    const order = draft({ medicationCodeableConcept: { coding: Array.from({ length: MAX_TEXTS }, () => ({ display: nearMisses })) } });
    const started = performance.now();
    expect(classifyOrder(order)).toBeUndefined();
    // About a millisecond on a quiet laptop; the margin is for a loaded two-core CI runner.
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('the drug data files', () => {
  it('load: sedative-classes.json and rxnorm-drug-map.json are consistent with each other', () => {
    expect(() => buildSedativeIndex(sedativeClasses, drugMap)).not.toThrow();
  });

  it('cite the RxNorm release only for ingredient codes that release gives the same name', () => {
    const cited = Object.values(sedativeClasses.classes)
      .flatMap((c) => c.ingredients as { name: string; rxcui: string | null; rxcuiSource?: string }[])
      .filter((i) => i.rxcuiSource === 'rxnorm-prescribable');
    expect(cited.length).toBeGreaterThan(30);
    for (const i of cited) expect((drugMap.ingredients as Record<string, string>)[i.rxcui!], i.name).toBe(i.name);
  });

  it.each([
    [
      'opioid',
      [
        'morphine',
        'diamorphine',
        'hydromorphone',
        'oxycodone',
        'hydrocodone',
        'fentanyl',
        'alfentanil',
        'remifentanil',
        'codeine',
        'dihydrocodeine',
        'tramadol',
        'methadone',
        'buprenorphine',
        'tapentadol',
        'oxymorphone',
        'meperidine',
        'pethidine',
      ],
    ],
    [
      'benzodiazepine',
      [
        'lorazepam',
        'diazepam',
        'midazolam',
        'alprazolam',
        'clonazepam',
        'temazepam',
        'chlordiazepoxide',
        'oxazepam',
        'clobazam',
        'nitrazepam',
      ],
    ],
    [
      'other-sedative',
      [
        'zolpidem',
        'zopiclone',
        'eszopiclone',
        'zaleplon',
        'propofol',
        'dexmedetomidine',
        'ketamine',
        'phenobarbital',
        'thiopental',
        'gabapentin',
        'pregabalin',
        'clomethiazole',
        'sodium oxybate',
        'chloral hydrate',
        'baclofen',
        'promethazine',
        'hydroxyzine',
        'diphenhydramine',
        'chlorphenamine',
        'chlorpheniramine',
      ],
    ],
  ] as const)('list every required %s by name', (drugClass, required) => {
    for (const name of required) expect(classifyOrder(textOnly(`${name} 1 MG`))?.drugClass, name).toBe(drugClass);
  });

  type Classes = {
    classes: Record<
      SedativeClass,
      { ingredients: { name: string; rxcui: string | null; rxcuiSource?: string; synonyms: string[]; synonymSources?: string[] }[] }
    >;
    excluded: { name: string; rxcui: string | null }[];
    clinicalDrugs: { rxcui: string; display: string; ingredient: string; source: string }[];
  };
  type DrugMap = {
    generatedOn: string;
    ingredients: Record<string, string>;
    drugs: Record<string, { tty: string; name: string; ingredients: string[]; source: string }>;
    namedDrugs: Record<string, { tty: string; name: string; ingredients: string[]; source: string; valueSet: string }>;
  };
  const edited = <T>(original: unknown, edit: (copy: T) => void): unknown => {
    const copy = structuredClone(original) as T;
    edit(copy);
    return copy;
  };
  const classesWith = (edit: (d: Classes) => void): [unknown, unknown] => [edited(sedativeClasses, edit), drugMap];
  const mapWith = (edit: (m: DrugMap) => void): [unknown, unknown] => [sedativeClasses, edited(drugMap, edit)];

  it.each([
    [
      'a code listed twice',
      classesWith((d) => {
        d.classes.benzodiazepine.ingredients[1]!.rxcui = '7052';
      }),
      /rxcui 7052 is listed twice/,
    ],
    [
      'a name in two classes',
      classesWith((d) => {
        d.classes['other-sedative'].ingredients[0]!.synonyms.push('morphine');
      }),
      /name morphine belongs to/,
    ],
    [
      'an unknown source',
      classesWith((d) => {
        d.classes.opioid.ingredients[0]!.rxcuiSource = 'nowhere';
      }),
      /unknown source nowhere/,
    ],
    [
      'synonyms citing an unknown source',
      classesWith((d) => {
        d.classes.opioid.ingredients[0]!.synonymSources = ['nowhere'];
      }),
      /morphine cites unknown source nowhere/,
    ],
    [
      'a code without a source',
      classesWith((d) => {
        delete d.classes.opioid.ingredients[0]!.rxcuiSource;
      }),
      /must cite the source/,
    ],
    [
      'an excluded drug that is also a sedative',
      classesWith((d) => {
        d.excluded[0]!.name = 'morphine';
      }),
      /morphine is both excluded and a sedative/,
    ],
    [
      'a clinical drug of an unknown ingredient',
      classesWith((d) => {
        d.clinicalDrugs[0]!.ingredient = 'unobtainium';
      }),
      /unknown ingredient unobtainium/,
    ],
    [
      'a non-numeric code',
      classesWith((d) => {
        d.classes.opioid.ingredients[0]!.rxcui = 'N02AA01';
      }),
      /RxNorm concept id/,
    ],
    [
      'a curated clinical drug that the map gives another ingredient',
      classesWith((d) => {
        d.clinicalDrugs.push({ rxcui: '892582', display: 'x', ingredient: 'lorazepam', source: 'cds-hooks-sandbox' });
      }),
      /892582 is lorazepam here but morphine in rxnorm-drug-map.json/,
    ],
    [
      'a map ingredient that is not ours',
      mapWith((m) => {
        m.ingredients['6711'] = 'melatonin';
      }),
      /ingredient 6711 \(melatonin\) is not an ingredient of sedative-classes.json/,
    ],
    [
      'a map ingredient named differently',
      mapWith((m) => {
        m.ingredients['7052'] = 'heroin';
      }),
      /ingredient 7052 is "heroin" there and "morphine" here/,
    ],
    [
      'a mapped drug of an ingredient code that is not ours',
      mapWith((m) => {
        m.drugs['892582']!.ingredients = ['6711'];
      }),
      /clinical drug 892582 names unknown ingredient 6711/,
    ],
    [
      'a mapped drug citing an unknown source',
      mapWith((m) => {
        m.drugs['892582']!.source = 'nowhere';
      }),
      /clinical drug 892582 cites unknown source nowhere/,
    ],
    [
      'a named drug of an unknown ingredient',
      mapWith((m) => {
        m.namedDrugs['308047']!.ingredients = ['unobtainium'];
      }),
      /clinical drug 308047 names unknown ingredient unobtainium/,
    ],
    [
      'a code both mapped and named',
      mapWith((m) => {
        m.namedDrugs['892582'] = m.namedDrugs['308047']!;
      }),
      /clinical drug 892582 is listed twice/,
    ],
    [
      'an excluded code mapped as a clinical drug',
      mapWith((m) => {
        m.drugs['7242'] = m.drugs['892582']!;
      }),
      /7242 is an ingredient or excluded code/,
    ],
    [
      'an ingredient code mapped as a clinical drug',
      mapWith((m) => {
        m.drugs['7052'] = m.drugs['892582']!;
      }),
      /7052 is an ingredient or excluded code/,
    ],
    [
      'a generation date that is not a date',
      mapWith((m) => {
        m.generatedOn = 'yesterday';
      }),
      /generatedOn/,
    ],
  ] as const)('refuse data with %s', (_label, [classes, map], message) => {
    expect(() => buildSedativeIndex(classes, map)).toThrow(message);
  });
});

describe('many orders naming one Medication (found by fuzzing: one call cost seconds)', () => {
  const longDisplays = Array.from({ length: MAX_TEXTS }, (_, i) => ({ display: `${'x'.repeat(MAX_TEXT_LENGTH - 12)} morphine ${i}` }));
  const medication = { resourceType: 'Medication', id: 'shared', code: { coding: longDisplays } };
  const orders = Array.from({ length: 50 }, (_, i) => ({
    resourceType: 'MedicationRequest',
    id: `mr-${i}`,
    status: 'draft',
    medicationReference: { reference: 'Medication/shared' },
  }));
  const entries = [...orders, medication].map((resource) => ({ resource }));

  it('matches each name once per call, however many orders carry it, and classifies every order alike', () => {
    const memo = new Map<string, (string | undefined)[]>();
    const matches = orders.map((order) => classifyOrder(order, entries, memo));
    expect(new Set(matches.map((m) => JSON.stringify(m))).size).toBe(1);
    expect(matches[0]).toEqual({ drugClass: 'opioid', ingredient: 'morphine', matchedBy: 'name' });
    expect(memo.size).toBe(MAX_TEXTS);
  });

  it('classifies as it does without a memo', () => {
    expect(classifyOrder(orders[0]!, entries)).toEqual(classifyOrder(orders[0]!, entries, new Map()));
  });
});
