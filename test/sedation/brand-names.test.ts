// Specification of matching by brand and common name: UK and US wards order by brand ("Oramorph 10mg in
// 5ml", "Zomorph 30mg") and by combination names (co-codamol), and an order with such a name and no code
// must warn as the sedative it contains. Brand names whose digits could run into a strength must not.
import { describe, expect, it } from 'vitest';
import { classifyOrder } from '../../src/sedation/classify-order.js';
import { match, textOnly } from './orders.js';

describe('brand and common names', () => {
  it.each([
    // UK
    ['Oramorph 10mg/5ml oral solution', 'opioid', 'morphine'],
    ['Zomorph 30mg modified-release capsules', 'opioid', 'morphine'],
    ['MST Continus 10mg tablets', 'opioid', 'morphine'],
    ['MST CONTINUS 15 mg', 'opioid', 'morphine'],
    ['Sevredol 10mg tablets', 'opioid', 'morphine'],
    ['OxyNorm 5mg capsules', 'opioid', 'oxycodone'],
    ['Shortec 5mg capsules', 'opioid', 'oxycodone'],
    ['Longtec 10mg tablets', 'opioid', 'oxycodone'],
    ['co-codamol 30/500 tablets', 'opioid', 'codeine'],
    ['Cocodamol 8/500', 'opioid', 'codeine'],
    ['Solpadol caplets', 'opioid', 'codeine'],
    ['co-dydramol 10/500 tablets', 'opioid', 'dihydrocodeine'],
    ['DF118 Forte 40mg tablets', 'opioid', 'dihydrocodeine'],
    ['Zydol 50mg capsules', 'opioid', 'tramadol'],
    ['Palexia SR 50mg tablets', 'opioid', 'tapentadol'],
    ['Temgesic 200 microgram sublingual tablets', 'opioid', 'buprenorphine'],
    ['BuTrans 10micrograms/hour patch', 'opioid', 'buprenorphine'],
    ['Durogesic DTrans 25 patch', 'opioid', 'fentanyl'],
    ['Pethidine 50mg/1ml injection', 'opioid', 'meperidine'],
    ['Diamorphine 5mg powder for injection', 'opioid', 'diamorphine'],
    ['Papaveretum 15.4mg/1ml injection', 'opioid', 'papaveretum'],
    ['Buccolam 10mg oromucosal solution', 'benzodiazepine', 'midazolam'],
    ['Hypnovel 10mg/2ml injection', 'benzodiazepine', 'midazolam'],
    ['Stesolid 10mg rectal tubes', 'benzodiazepine', 'diazepam'],
    ['Nitrazepam 5mg tablets', 'benzodiazepine', 'nitrazepam'],
    ['Zimovane 7.5mg tablets', 'other-sedative', 'zopiclone'],
    ['Heminevrin 192mg capsules', 'other-sedative', 'clomethiazole'],
    ['Clomethiazole 31.5mg/ml syrup', 'other-sedative', 'clomethiazole'],
    ['Chloral hydrate 500mg/5ml oral solution', 'other-sedative', 'chloral hydrate'],
    ['Piriton 4mg tablets', 'other-sedative', 'chlorpheniramine'],
    // Found unmatched by the third clinical safety review (2026-11-29).
    ['Physeptone 1mg/ml oral solution', 'opioid', 'methadone'],
    ['Tramacet 37.5mg/325mg tablets', 'opioid', 'tramadol'],
    ['Palladone 1.3mg capsules', 'opioid', 'hydromorphone'],
    ['Rivotril 500microgram tablets', 'benzodiazepine', 'clonazepam'],
    ['Cloral betaine 707mg tablets', 'other-sedative', 'chloral hydrate'],
    ['Welldorm 707mg tablets', 'other-sedative', 'chloral hydrate'],
    ['Cloral hydrate 143.3mg/5ml oral solution', 'other-sedative', 'chloral hydrate'],
    ['Ucerax 25mg tablets', 'other-sedative', 'hydroxyzine'],
    ['Atarax 10mg tablets', 'other-sedative', 'hydroxyzine'],
    ['Chlorphenamine 10mg/1ml injection', 'other-sedative', 'chlorpheniramine'],
    ['Alimemazine 10mg tablets', 'other-sedative', 'alimemazine'],
    ['Phenergan 25mg tablets', 'other-sedative', 'promethazine'],
    ['Sodium oxybate 500mg/ml oral solution', 'other-sedative', 'oxybate'],
    // Found unmatched by the fourth clinical safety review (2026-11-29).
    ['Diconal 10mg/30mg tablets', 'opioid', 'dipipanone'],
    ['Dipipanone 10mg tablets', 'opioid', 'dipipanone'],
    ['Co-proxamol 32.5mg/325mg tablets', 'opioid', 'dextropropoxyphene'],
    ['Darvocet-N 100', 'opioid', 'dextropropoxyphene'],
    ['Piritramide 7.5mg/ml injection', 'opioid', 'piritramide'],
    ['Tilidine 50mg/4mg (with naloxone) tablets', 'opioid', 'tilidine'],
    ['Nicomorphine 10mg/ml injection', 'opioid', 'nicomorphine'],
    ['Flunitrazepam 1mg tablets', 'benzodiazepine', 'flunitrazepam'],
    ['Bromazepam 3mg tablets', 'benzodiazepine', 'bromazepam'],
    ['Tizanidine 2mg tablets', 'other-sedative', 'tizanidine'],
    ['Mysoline 250mg tablets', 'other-sedative', 'primidone'],
    ['Paraldehyde 5ml rectal', 'other-sedative', 'paraldehyde'],
    // US
    ['OxyContin 10 MG', 'opioid', 'oxycodone'],
    ['Percocet 5/325', 'opioid', 'oxycodone'],
    ['Vicodin 5/300', 'opioid', 'hydrocodone'],
    ['Norco 10-325 tablet', 'opioid', 'hydrocodone'],
    ['Tylenol #3', 'opioid', 'codeine'],
    ['Tylenol with Codeine #4', 'opioid', 'codeine'],
    ['Ultram 50 mg', 'opioid', 'tramadol'],
    ['Duragesic 25 mcg/hr', 'opioid', 'fentanyl'],
    ['Dilaudid 2 mg', 'opioid', 'hydromorphone'],
    ['Subutex 8 mg', 'opioid', 'buprenorphine'],
    ['Suboxone 8 mg/2 mg film', 'opioid', 'buprenorphine'],
    ['Valium 5 mg', 'benzodiazepine', 'diazepam'],
    ['Ativan 1 mg', 'benzodiazepine', 'lorazepam'],
    ['Xanax 0.25 mg', 'benzodiazepine', 'alprazolam'],
    ['Klonopin 0.5 mg', 'benzodiazepine', 'clonazepam'],
    ['Ambien 10 mg', 'other-sedative', 'zolpidem'],
    ['Lyrica 75 mg', 'other-sedative', 'pregabalin'],
    ['Neurontin 300 mg', 'other-sedative', 'gabapentin'],
    ['Diprivan 1% infusion', 'other-sedative', 'propofol'],
    ['Precedex infusion', 'other-sedative', 'dexmedetomidine'],
    ['Xyrem 500 mg/mL', 'other-sedative', 'oxybate'],
    ['Vistaril 25 mg', 'other-sedative', 'hydroxyzine'],
    ['Benadryl 25 mg capsule', 'other-sedative', 'diphenhydramine'],
    ['Lioresal 10 mg', 'other-sedative', 'baclofen'],
  ] as const)('classifies "%s" as %s (%s)', (text, drugClass, ingredient) => {
    expect(classifyOrder(textOnly(text))).toEqual(match(drugClass, ingredient, 'name'));
  });
});

describe('combination products by name', () => {
  it.each([
    ['Paracetamol 500mg / codeine phosphate 30mg tablets', 'opioid', 'codeine'],
    ['Oxycodone / naloxone (Targinact) 10mg/5mg', 'opioid', 'oxycodone'],
    ['Fioricet with Codeine', 'opioid', 'codeine'],
    ['Fioricet', 'other-sedative', 'butalbital'],
    ['Promethazine / codeine oral solution', 'opioid', 'codeine'],
  ] as const)('classifies "%s" by its highest-risk sedative: %s (%s)', (text, drugClass, ingredient) => {
    expect(classifyOrder(textOnly(text))).toEqual(match(drugClass, ingredient, 'name'));
  });
});

describe('names that must not match', () => {
  it.each([
    ['Paracetamol 1g tablets'],
    ['Tylenol 325 MG Oral Tablet'],
    ['Tylenol 30 caplets'],
    ['Acetaminophen 500 MG Oral Tablet'],
    ['Naloxone 400 micrograms/1ml injection'],
    ['Flumazenil 500 micrograms/5ml injection'],
    ['Loperamide 2mg capsules'],
    ['Cyclizine 50mg/1ml injection'],
    ['Melatonin 2mg modified-release tablets'],
    ['Sominex 20mg tablets'],
  ])('leaves "%s" unclassified', (text) => {
    expect(classifyOrder(textOnly(text))).toBeUndefined();
  });
});
