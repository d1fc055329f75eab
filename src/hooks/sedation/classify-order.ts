// Classifies one draft order as an opioid, a benzodiazepine or another sedative (or none), from RxNorm
// codes and drug names, so sedation-safety can warn about the newly selected order. Pure; the drug
// classes are data (sedative-classes.json), checked once when this module loads.
import { z } from 'zod';
import type { FhirResource } from '../../fhir/resources.js';
import rawSedativeClasses from './sedative-classes.json' with { type: 'json' };

export type SedativeClass = 'opioid' | 'benzodiazepine' | 'other-sedative';

export interface SedativeMatch {
  drugClass: SedativeClass;
  /** Canonical ingredient name from the data file, e.g. 'morphine' (also when matched by a synonym). */
  ingredient: string;
  matchedBy: 'rxnorm-ingredient-code' | 'rxnorm-code' | 'name';
}

/** Highest risk first: when one order holds ingredients of several classes, the first class wins. */
export const SEDATIVE_CLASSES: readonly SedativeClass[] = ['opioid', 'benzodiazepine', 'other-sedative'];

/** RxNorm's canonical system URI, and its HL7 OID form that some EHRs still send. */
const RXNORM_SYSTEMS = new Set(['http://www.nlm.nih.gov/research/umls/rxnorm', 'urn:oid:2.16.840.1.113883.6.88']);

/** A drug name is far shorter; the cap keeps name matching cheap whatever a client sends. */
const MAX_TEXT_LENGTH = 4096;

const rxcui = z.string().regex(/^\d{1,10}$/, 'must be an RxNorm concept id (digits)');
const ingredientName = z.string().regex(/^[a-z][a-z -]*[a-z]$/, 'must be a lower-case ingredient name');

const ingredientSchema = z
  .strictObject({
    name: ingredientName,
    rxcui: rxcui.nullable(),
    rxcuiSource: z.string().optional(),
    synonyms: z.array(z.string().min(3)),
  })
  .refine((i) => i.rxcui === null || i.rxcuiSource !== undefined, {
    message: 'an ingredient with an rxcui must cite the source that verified it (rxcuiSource)',
  });

const classSchema = z.strictObject({
  label: z.string().min(1),
  atc: z.array(z.string().min(1)),
  ingredients: z.array(ingredientSchema).min(1),
});

export const sedativeClassesSchema = z.strictObject({
  description: z.string().min(1),
  version: z.string().min(1),
  sources: z
    .array(z.strictObject({ id: z.string().min(1), title: z.string().min(1), url: z.url(), usedFor: z.string().min(1) }))
    .min(1),
  notes: z.array(z.string().min(1)),
  classes: z.strictObject({
    opioid: classSchema,
    benzodiazepine: classSchema,
    'other-sedative': classSchema,
  }),
  clinicalDrugs: z.array(
    z.strictObject({ rxcui, display: z.string().min(1), ingredient: ingredientName, source: z.string().min(1) }),
  ),
  excluded: z.array(
    z.strictObject({
      name: ingredientName,
      rxcui: rxcui.nullable(),
      rxcuiSource: z.string().optional(),
      reason: z.string().min(1),
    }),
  ),
});
export type SedativeClassesData = z.infer<typeof sedativeClassesSchema>;

interface Classified {
  drugClass: SedativeClass;
  ingredient: string;
}

interface NameMatcher {
  drugClass: SedativeClass;
  /** One alternation of every name and synonym of the class, longest first, bounded as whole words. */
  pattern: RegExp;
  /** Normalised name or synonym → canonical ingredient name. */
  ingredientByTerm: Map<string, string>;
}

interface Index {
  byIngredientCode: Map<string, Classified>;
  byClinicalDrugCode: Map<string, Classified>;
  nameMatchers: NameMatcher[];
}

const normaliseTerm = (term: string): string => term.trim().toLowerCase().replace(/\s+/g, ' ');
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Validates the data file and builds the lookup tables. Throws on a malformed or inconsistent file
 * (duplicate code or name, unknown source or ingredient), so a bad edit fails at start-up and in tests,
 * never as a silent miss at the bedside.
 */
export function buildSedativeIndex(raw: unknown): Index {
  const data = sedativeClassesSchema.parse(raw);
  const sourceIds = new Set(data.sources.map((s) => s.id));
  const byIngredientCode = new Map<string, Classified>();
  const byIngredientName = new Map<string, Classified>();
  const nameMatchers: NameMatcher[] = [];
  const seenTerms = new Map<string, string>();
  const problems: string[] = [];

  for (const drugClass of SEDATIVE_CLASSES) {
    const ingredientByTerm = new Map<string, string>();
    for (const ing of data.classes[drugClass].ingredients) {
      const classified: Classified = { drugClass, ingredient: ing.name };
      if (byIngredientName.has(ing.name)) problems.push(`ingredient ${ing.name} is listed twice`);
      byIngredientName.set(ing.name, classified);
      if (ing.rxcui !== null) {
        if (byIngredientCode.has(ing.rxcui)) problems.push(`rxcui ${ing.rxcui} is listed twice`);
        if (ing.rxcuiSource !== undefined && !sourceIds.has(ing.rxcuiSource)) {
          problems.push(`${ing.name} cites unknown source ${ing.rxcuiSource}`);
        }
        byIngredientCode.set(ing.rxcui, classified);
      }
      for (const term of [ing.name, ...ing.synonyms].map(normaliseTerm)) {
        const owner = seenTerms.get(term);
        if (owner !== undefined && owner !== ing.name) problems.push(`name ${term} belongs to ${owner} and ${ing.name}`);
        seenTerms.set(term, ing.name);
        ingredientByTerm.set(term, ing.name);
      }
    }
    const alternation = [...ingredientByTerm.keys()]
      .sort((a, b) => b.length - a.length)
      .map((term) => escapeRegExp(term).replace(/ /g, '\\s+'))
      .join('|');
    // Whole words: no letter may touch either end ("codeine" is not in "dihydrocodeine"); a digit may,
    // because free-text orders run strengths on ("Lorazepam2mg").
    nameMatchers.push({
      drugClass,
      pattern: new RegExp(`(?<![a-z])(?:${alternation})(?![a-z])`, 'i'),
      ingredientByTerm,
    });
  }

  const byClinicalDrugCode = new Map<string, Classified>();
  for (const drug of data.clinicalDrugs) {
    const classified = byIngredientName.get(drug.ingredient);
    if (classified === undefined) problems.push(`clinical drug ${drug.rxcui} names unknown ingredient ${drug.ingredient}`);
    else byClinicalDrugCode.set(drug.rxcui, classified);
    if (!sourceIds.has(drug.source)) problems.push(`clinical drug ${drug.rxcui} cites unknown source ${drug.source}`);
    if (byIngredientCode.has(drug.rxcui)) problems.push(`rxcui ${drug.rxcui} is both an ingredient and a clinical drug`);
  }

  for (const excluded of data.excluded) {
    if (seenTerms.has(excluded.name)) problems.push(`${excluded.name} is both excluded and a sedative`);
    if (excluded.rxcui !== null && (byIngredientCode.has(excluded.rxcui) || byClinicalDrugCode.has(excluded.rxcui))) {
      problems.push(`excluded rxcui ${excluded.rxcui} is also a sedative code`);
    }
  }

  if (problems.length > 0) throw new Error(`sedative-classes.json is inconsistent: ${problems.join('; ')}`);
  return { byIngredientCode, byClinicalDrugCode, nameMatchers };
}

const INDEX = buildSedativeIndex(rawSedativeClasses);

// --- reading the order -------------------------------------------------------------------------
// Inputs are loosely validated FHIR: every field is read defensively and anything unexpected is ignored.

type Json = Record<string, unknown>;
const asRecord = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asString = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** What an order says about its medication: codeable concepts, plus free-text names (reference displays). */
interface MedicationEvidence {
  concepts: Json[];
  texts: string[];
}

function findMedication(reference: string, order: Json, contained: readonly FhirResource[]): Json | undefined {
  const candidates = [...asArray(order['contained']), ...contained].map(asRecord);
  const isMedication = (r: Json | undefined): r is Json => r?.['resourceType'] === 'Medication';
  if (reference.startsWith('#')) {
    const id = reference.slice(1);
    return candidates.find((r) => isMedication(r) && r['id'] === id) as Json | undefined;
  }
  // "Medication/123", or an absolute URL ending in it: a sibling resource the caller passed in.
  const match = /(?:^|\/)Medication\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]*)?$/.exec(reference);
  if (match === null) return undefined;
  return candidates.find((r) => isMedication(r) && r['id'] === match[1]) as Json | undefined;
}

function medicationConcepts(medication: Json): Json[] {
  const concepts: Json[] = [];
  const code = asRecord(medication['code']);
  if (code) concepts.push(code);
  for (const ingredient of asArray(medication['ingredient']).map(asRecord)) {
    // R4 itemCodeableConcept; R5 item.concept.
    const item = asRecord(ingredient?.['itemCodeableConcept']) ?? asRecord(asRecord(ingredient?.['item'])?.['concept']);
    if (item) concepts.push(item);
  }
  return concepts;
}

function gatherEvidence(order: Json, contained: readonly FhirResource[]): MedicationEvidence {
  const concepts: Json[] = [];
  const texts: string[] = [];
  const followReference = (ref: Json | undefined): void => {
    if (!ref) return;
    const display = asString(ref['display']);
    if (display) texts.push(display);
    const reference = asString(ref['reference']);
    const medication = reference === undefined ? undefined : findMedication(reference, order, contained);
    if (medication) concepts.push(...medicationConcepts(medication));
  };

  const r4Concept = asRecord(order['medicationCodeableConcept']);
  if (r4Concept) concepts.push(r4Concept);
  followReference(asRecord(order['medicationReference']));
  // R5 CodeableReference, so an R5 client is not silently missed.
  const r5 = asRecord(order['medication']);
  const r5Concept = asRecord(r5?.['concept']);
  if (r5Concept) concepts.push(r5Concept);
  followReference(asRecord(r5?.['reference']));
  return { concepts, texts };
}

function rxnormCodes(concepts: Json[]): string[] {
  const codes: string[] = [];
  for (const concept of concepts) {
    for (const coding of asArray(concept['coding']).map(asRecord)) {
      const system = asString(coding?.['system']);
      const code = asString(coding?.['code']);
      if (system !== undefined && code !== undefined && RXNORM_SYSTEMS.has(system.replace(/\/$/, ''))) codes.push(code);
    }
  }
  return codes;
}

function names(evidence: MedicationEvidence): string[] {
  const out = [...evidence.texts];
  for (const concept of evidence.concepts) {
    const text = asString(concept['text']);
    if (text) out.push(text);
    for (const coding of asArray(concept['coding']).map(asRecord)) {
      const display = asString(coding?.['display']);
      if (display) out.push(display);
    }
  }
  return out.map((t) => t.slice(0, MAX_TEXT_LENGTH));
}

function highestRisk(found: Classified[]): Classified | undefined {
  for (const drugClass of SEDATIVE_CLASSES) {
    const hit = found.find((c) => c.drugClass === drugClass);
    if (hit) return hit;
  }
  return undefined;
}

function matchByName(texts: string[]): Classified | undefined {
  // Class priority first; within a class, the first text (concept text before displays) and the earliest position.
  for (const matcher of INDEX.nameMatchers) {
    for (const text of texts) {
      const hit = matcher.pattern.exec(text);
      if (hit === null) continue;
      const ingredient = matcher.ingredientByTerm.get(normaliseTerm(hit[0]));
      if (ingredient !== undefined) return { drugClass: matcher.drugClass, ingredient };
    }
  }
  return undefined;
}

/**
 * Classifies one draft order resource. Only MedicationRequest is classified (MedicationOrder,
 * NutritionOrder, ServiceRequest and anything else → undefined). Returns undefined for non-sedatives and
 * for an order with no medication chosen yet (the CDS Hooks sandbox's first order-select call).
 * `contained` supplies resources a `medicationReference` may point at besides `order.contained`, for
 * example Medication entries elsewhere in the draftOrders Bundle.
 */
export function classifyOrder(resource: FhirResource, contained: FhirResource[] = []): SedativeMatch | undefined {
  const order = asRecord(resource);
  if (order?.['resourceType'] !== 'MedicationRequest') return undefined;
  const evidence = gatherEvidence(order, contained);

  const codes = rxnormCodes(evidence.concepts);
  const byIngredient = highestRisk(codes.flatMap((c) => INDEX.byIngredientCode.get(c) ?? []));
  if (byIngredient) return { ...byIngredient, matchedBy: 'rxnorm-ingredient-code' };
  const byClinicalDrug = highestRisk(codes.flatMap((c) => INDEX.byClinicalDrugCode.get(c) ?? []));
  if (byClinicalDrug) return { ...byClinicalDrug, matchedBy: 'rxnorm-code' };
  const byName = matchByName(names(evidence));
  if (byName) return { ...byName, matchedBy: 'name' };
  return undefined;
}
