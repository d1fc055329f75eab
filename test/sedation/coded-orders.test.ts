// Specification of coded-only orders: an order that carries an RxNorm code and no text at all (no
// medicationCodeableConcept.text, no display) is classified from the code alone, whether the code is an
// ingredient, a clinical drug (SCD), a branded drug (SBD), a pack, a component or a precise ingredient.
// Every code below is the RxNorm concept its comment names, as the cited source lists it.
import { describe, expect, it } from 'vitest';
import { classifyOrder } from '../../src/sedation/classify-order.js';
import { codeOnly, match } from './orders.js';

describe('a coded-only order naming the ingredient (RxNorm TTY=IN)', () => {
  // The IN concept of each name in RxNorm Current Prescribable Content 2025-10-06 (alfentanil: CPIC).
  it.each([
    ['6470', 'benzodiazepine', 'lorazepam'],
    ['2598', 'benzodiazepine', 'clonazepam'],
    ['10355', 'benzodiazepine', 'temazepam'],
    ['2356', 'benzodiazepine', 'chlordiazepoxide'],
    ['2353', 'benzodiazepine', 'clorazepate'],
    ['10767', 'benzodiazepine', 'triazolam'],
    ['2383941', 'benzodiazepine', 'remimazolam'],
    ['39993', 'other-sedative', 'zolpidem'],
    ['461016', 'other-sedative', 'eszopiclone'],
    ['74667', 'other-sedative', 'zaleplon'],
    ['25480', 'other-sedative', 'gabapentin'],
    ['187832', 'other-sedative', 'pregabalin'],
    ['8782', 'other-sedative', 'propofol'],
    ['48937', 'other-sedative', 'dexmedetomidine'],
    ['6130', 'other-sedative', 'ketamine'],
    ['2119365', 'other-sedative', 'esketamine'],
    ['4177', 'other-sedative', 'etomidate'],
    ['8134', 'other-sedative', 'phenobarbital'],
    ['8004', 'other-sedative', 'pentobarbital'],
    ['19860', 'other-sedative', 'butalbital'],
    ['6847', 'other-sedative', 'methohexital'],
    ['2387302', 'other-sedative', 'oxybate'],
    ['1292', 'other-sedative', 'baclofen'],
    ['6760', 'other-sedative', 'meprobamate'],
    ['8745', 'other-sedative', 'promethazine'],
    ['5553', 'other-sedative', 'hydroxyzine'],
    ['3498', 'other-sedative', 'diphenhydramine'],
    ['2400', 'other-sedative', 'chlorpheniramine'],
    ['22697', 'other-sedative', 'dexchlorpheniramine'],
    ['3642', 'other-sedative', 'doxylamine'],
    ['7238', 'opioid', 'nalbuphine'],
    ['2001352', 'opioid', 'benzhydrocodone'],
    ['2392230', 'opioid', 'oliceridine'],
    ['480', 'opioid', 'alfentanil'],
  ] as const)('classifies ingredient %s as %s (%s) with no text', (code, drugClass, ingredient) => {
    expect(classifyOrder(codeOnly(code))).toEqual(match(drugClass, ingredient, 'rxnorm-ingredient-code'));
  });
});

describe('a coded-only order naming a clinical drug', () => {
  it('classifies the CDS Hooks sandbox order "Morphine Sulfate 15 MG Oral Tablet" (892582) by its code', () => {
    expect(classifyOrder(codeOnly('892582'))).toEqual(match('opioid', 'morphine', 'rxnorm-code'));
  });

  it.each([
    // rxnorm-drug-map.json drugs, through RxNorm relationships: SCD, SBD, packs, SCDC and PIN.
    ['197901', 'SCD lorazepam 1 MG Oral Tablet', 'benzodiazepine', 'lorazepam'],
    ['104719', 'SBD lorazepam 1 MG Oral Tablet [Ativan]', 'benzodiazepine', 'lorazepam'],
    ['197527', 'SCD clonazepam 0.5 MG Oral Tablet', 'benzodiazepine', 'clonazepam'],
    ['198241', 'SCD temazepam 15 MG Oral Capsule', 'benzodiazepine', 'temazepam'],
    ['197591', 'SCD diazepam 5 MG Oral Tablet', 'benzodiazepine', 'diazepam'],
    ['311700', 'SCD midazolam 1 MG/ML Injectable Solution', 'benzodiazepine', 'midazolam'],
    ['905369', 'SCD chlordiazepoxide hydrochloride 10 MG Oral Capsule', 'benzodiazepine', 'chlordiazepoxide'],
    ['310431', 'SCD gabapentin 300 MG Oral Capsule', 'other-sedative', 'gabapentin'],
    ['607038', 'SBD pregabalin 75 MG Oral Capsule [Lyrica]', 'other-sedative', 'pregabalin'],
    ['854873', 'SCD zolpidem tartrate 10 MG Oral Tablet', 'other-sedative', 'zolpidem'],
    ['854875', 'SBD zolpidem tartrate 10 MG Oral Tablet [Ambien]', 'other-sedative', 'zolpidem'],
    ['485465', 'SCD eszopiclone 3 MG Oral Tablet', 'other-sedative', 'eszopiclone'],
    ['312674', 'SCD propofol 10 MG/ML Injectable Suspension', 'other-sedative', 'propofol'],
    ['1808219', 'SBD 100 ML propofol 10 MG/ML Injection [Diprivan]', 'other-sedative', 'propofol'],
    ['1788947', 'SCD dexmedetomidine 0.1 MG/ML Injectable Solution', 'other-sedative', 'dexmedetomidine'],
    ['238082', 'SCD ketamine 10 MG/ML Injectable Solution', 'other-sedative', 'ketamine'],
    ['312362', 'SCD phenobarbital 30 MG Oral Tablet', 'other-sedative', 'phenobarbital'],
    ['992447', 'SCD promethazine hydrochloride 25 MG Oral Tablet', 'other-sedative', 'promethazine'],
    ['995258', 'SCD hydroxyzine hydrochloride 25 MG Oral Tablet', 'other-sedative', 'hydroxyzine'],
    ['1049909', 'SCD diphenhydramine hydrochloride 25 MG Oral Capsule', 'other-sedative', 'diphenhydramine'],
    ['1363309', 'SCD chlorpheniramine maleate 4 MG Oral Tablet', 'other-sedative', 'chlorpheniramine'],
    ['197391', 'SCD baclofen 10 MG Oral Tablet', 'other-sedative', 'baclofen'],
    ['352257', 'SBD sodium oxybate 500 MG/ML Oral Solution [Xyrem]', 'other-sedative', 'oxybate'],
    ['825411', 'SCD tapentadol 50 MG Oral Tablet', 'opioid', 'tapentadol'],
    ['864706', 'SCD methadone hydrochloride 10 MG Oral Tablet', 'opioid', 'methadone'],
    ['897696', 'SCD hydromorphone hydrochloride 2 MG Oral Tablet', 'opioid', 'hydromorphone'],
    ['835603', 'SCD tramadol hydrochloride 50 MG Oral Tablet', 'opioid', 'tramadol'],
    ['861467', 'SCD meperidine hydrochloride 50 MG Oral Tablet', 'opioid', 'meperidine'],
    ['245134', 'SCD 72 HR fentanyl 0.025 MG/HR Transdermal System', 'opioid', 'fentanyl'],
    ['904874', 'SBD 168 HR buprenorphine 0.01 MG/HR Transdermal System [BuTrans]', 'opioid', 'buprenorphine'],
    ['1010603', 'SBD buprenorphine 2 MG / naloxone 0.5 MG Sublingual Film [Suboxone]', 'opioid', 'buprenorphine'],
    ['993837', 'SBD acetaminophen 300 MG / codeine phosphate 30 MG Oral Tablet [Tylenol with Codeine]', 'opioid', 'codeine'],
    ['1049625', 'SBD acetaminophen 325 MG / oxycodone hydrochloride 10 MG Oral Tablet [Percocet]', 'opioid', 'oxycodone'],
    ['891877', 'SCDC morphine sulfate 15 MG', 'opioid', 'morphine'],
    ['30236', 'PIN morphine sulfate', 'opioid', 'morphine'],
    ['9899', 'PIN sodium oxybate', 'other-sedative', 'oxybate'],
    ['1740008', 'BPCK {2 (fentanyl 0.6 MG/ACTUAT Mucosal Spray [Subsys]) } Pack', 'opioid', 'fentanyl'],
    ['246474', 'SCD buprenorphine 0.2 MG Sublingual Tablet (OMTK, 2020)', 'opioid', 'buprenorphine'],
    ['1049502', 'SCD 12 HR oxycodone hydrochloride 10 MG Extended Release Oral Tablet (OMTK, 2020)', 'opioid', 'oxycodone'],
    // rxnorm-drug-map.json namedDrugs, from the CDC value sets: ingredients the relationship extract lacks.
    ['308047', 'SCD alprazolam 0.25 MG Oral Tablet', 'benzodiazepine', 'alprazolam'],
    ['141927', 'SBD alprazolam 0.25 MG Oral Tablet [Xanax]', 'benzodiazepine', 'alprazolam'],
    ['433798', 'SCD 24 HR alprazolam 0.5 MG Extended Release Oral Tablet', 'benzodiazepine', 'alprazolam'],
    ['141922', 'SCD nitrazepam 10 MG Oral Tablet', 'benzodiazepine', 'nitrazepam'],
    ['201628', 'SBD amobarbital sodium 500 MG Injection [Amytal]', 'other-sedative', 'amobarbital'],
    ['312914', 'SCD secobarbital sodium 100 MG Oral Capsule', 'other-sedative', 'secobarbital'],
    ['314259', 'SCD thiopental 25 MG/ML Injectable Solution', 'other-sedative', 'thiopental'],
    // sedative-classes.json clinicalDrugs: the CDS Hooks sandbox's codes for UK hypnotics RxNorm has no ingredient code for.
    ['199523', 'zopiclone 7.5 MG Oral Tablet', 'other-sedative', 'zopiclone'],
    ['243628', 'Chloral Hydrate 250 MG Oral Capsule', 'other-sedative', 'chloral hydrate'],
    ['332892', 'Chlormethiazole 192 MG', 'other-sedative', 'clomethiazole'],
  ] as const)('classifies %s (%s) as %s (%s) with no text', (code, _name, drugClass, ingredient) => {
    expect(classifyOrder(codeOnly(code))).toEqual(match(drugClass, ingredient, 'rxnorm-code'));
  });

  it.each([
    ['993943', 'acetaminophen / butalbital / caffeine / codeine capsule', 'opioid', 'codeine'],
    ['1101555', '{acetaminophen / chlorpheniramine / phenylephrine tablets} Pack', 'other-sedative', 'chlorpheniramine'],
  ] as const)('classifies the combination %s (%s) by its highest-risk sedative: %s (%s)', (code, _name, drugClass, ingredient) => {
    expect(classifyOrder(codeOnly(code))).toEqual(match(drugClass, ingredient, 'rxnorm-code'));
  });
});

describe('a coded-only order that is not a sedative', () => {
  it.each([
    ['161', 'acetaminophen (paracetamol)'],
    ['7242', 'naloxone'],
    ['4457', 'flumazenil'],
    ['6468', 'loperamide'],
    ['51272', 'quetiapine'],
    ['6711', 'melatonin'],
    ['6676', 'meclizine'],
    ['3289', 'dextromethorphan'],
    ['999999999', 'a code RxNorm does not have'],
  ])('leaves %s (%s) unclassified', (code) => {
    expect(classifyOrder(codeOnly(code))).toBeUndefined();
  });
});
