// Classifies one draft order as an opioid, a benzodiazepine or another sedative (or none), from RxNorm
// codes (ingredients, and clinical drugs through rxnorm-drug-map.json) and drug names. Pure; the drug
// data is checked and indexed once when this module loads (sedative-index.ts).
import { asArray, isJsonObject, type FhirResource, type Json } from '../fhir/resources.js';
import rawDrugMap from './rxnorm-drug-map.json' with { type: 'json' };
import rawSedativeClasses from './sedative-classes.json' with { type: 'json' };
import { buildSedativeIndex, normaliseTerm, SEDATIVE_CLASSES, type Classified, type SedativeClass } from './sedative-index.js';
import { withFields } from '../lang/with-fields.js';
import { canonicalSystem, SNOMED } from '../fhir/codes.js';

export { SEDATIVE_CLASS_WORDS, SEDATIVE_CLASSES, type SedativeClass } from './sedative-index.js';

export interface SedativeMatch {
  drugClass: SedativeClass;
  /** Canonical ingredient name from the data file, e.g. 'morphine' (also when matched by a synonym). */
  ingredient: string;
  matchedBy: 'rxnorm-ingredient-code' | 'rxnorm-code' | 'name';
}

/** A selected draft order that is a sedative: what the sedation-safety card is about. */
export interface SelectedSedative {
  /** `MedicationRequest/id` as named in `selections`. */
  reference: string;
  /** The order's own name as the EHR wrote it, for the card. */
  orderName: string;
  match: SedativeMatch;
}

/** RxNorm's canonical system URI, and its HL7 OID form that some EHRs still send. */
const RXNORM_SYSTEMS = new Set(['http://www.nlm.nih.gov/research/umls/rxnorm', 'urn:oid:2.16.840.1.113883.6.88']);

/**
 * A drug name is far shorter than MAX_TEXT_LENGTH, and an order carries a handful of names (text, a
 * display per coding, a reference display): the caps bound name matching to MAX_TEXTS × MAX_TEXT_LENGTH
 * characters per class whatever a client sends.
 */
export const MAX_TEXT_LENGTH = 4096;
export const MAX_TEXTS = 32;

const INDEX = buildSedativeIndex(rawSedativeClasses, rawDrugMap);

// --- reading the order -------------------------------------------------------------------------
// Inputs are loosely validated FHIR: every field is read defensively and anything unexpected is ignored.

const asRecord = (v: unknown): Json | undefined => (isJsonObject(v) ? v : undefined);
const asString = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** What an order says about its medication: codeable concepts, plus free-text names (reference displays). */
interface MedicationEvidence {
  concepts: Json[];
  texts: string[];
}

/** An entry of the draftOrders Bundle: a Medication there can be what an order's medicationReference names. */
export interface BundleEntry {
  fullUrl?: string;
  resource?: FhirResource;
}

const isMedication = (r: Json | undefined): r is Json => r?.['resourceType'] === 'Medication';

/**
 * The draftOrders entries by fullUrl and Medication id (the first of each), built once per entries
 * array: looking each order's reference up by scanning every entry made 6,000 orders cost 3.5 s
 * (found by fuzzing, 2026-11-29).
 */
interface EntryIndex {
  byFullUrl: Map<string, Json | undefined>;
  medicationById: Map<string, Json>;
}
const ENTRY_INDEXES = new WeakMap<readonly BundleEntry[], EntryIndex>();

function entryIndex(entries: readonly BundleEntry[]): EntryIndex {
  let index = ENTRY_INDEXES.get(entries);
  if (index !== undefined) return index;
  index = { byFullUrl: new Map(), medicationById: new Map() };
  for (const entry of asArray(entries).map(asRecord)) {
    const fullUrl = entry?.['fullUrl'];
    const resource = asRecord(entry?.['resource']);
    if (typeof fullUrl === 'string' && !index.byFullUrl.has(fullUrl)) index.byFullUrl.set(fullUrl, resource);
    const id = resource?.['id'];
    if (isMedication(resource) && typeof id === 'string' && !index.medicationById.has(id)) index.medicationById.set(id, resource);
  }
  ENTRY_INDEXES.set(entries, index);
  return index;
}

function findMedication(reference: string, order: Json, entries: readonly BundleEntry[]): Json | undefined {
  // "#id" names a resource contained in the order itself (FHIR R4 §2.34 contained resources), nothing else.
  if (reference.startsWith('#')) {
    const id = reference.slice(1);
    return asArray(order['contained'])
      .map(asRecord)
      .find((r) => isMedication(r) && r['id'] === id);
  }
  const index = entryIndex(entries);
  // A Bundle reference resolves against the entries' fullUrl first (urn:uuid:..., or an absolute URL)...
  const sibling = index.byFullUrl.get(reference);
  if (isMedication(sibling)) return sibling;
  // ...then as "Medication/123", absolute or versioned, against the entries' resource ids.
  const match = /(?:^|\/)Medication\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]*)?$/.exec(reference);
  return match === null ? undefined : index.medicationById.get(match[1]!);
}

/**
 * The code of the resource a contained reference ("#id") names: a Substance or Medication contained in
 * the Medication itself or in the order that contains both (FHIR R4 §2.34: contained resources share
 * their container). One step only: what it names is read for its code, not followed further.
 */
function containedCode(reference: Json | undefined, medication: Json, order: Json): Json[] {
  const ref = asString(reference?.['reference']);
  const out: Json[] = [];
  const display = asString(reference?.['display']);
  if (display) out.push({ text: display });
  if (ref === undefined || !ref.startsWith('#')) return out;
  const id = ref.slice(1);
  const named = [...asArray(medication['contained']), ...asArray(order['contained'])]
    .map(asRecord)
    .find((r) => r !== undefined && r['id'] === id && (r['resourceType'] === 'Substance' || r['resourceType'] === 'Medication'));
  const code = asRecord(named?.['code']);
  if (code) out.push(code);
  return out;
}

function medicationConcepts(medication: Json, order: Json): Json[] {
  const concepts: Json[] = [];
  const code = asRecord(medication['code']);
  if (code) concepts.push(code);
  for (const ingredient of asArray(medication['ingredient']).map(asRecord)) {
    // R4 itemCodeableConcept; R5 item.concept.
    const item = asRecord(ingredient?.['itemCodeableConcept']) ?? asRecord(asRecord(ingredient?.['item'])?.['concept']);
    if (item) concepts.push(item);
    // R4 itemReference, R5 item.reference: a contained Substance (third clinical safety review,
    // 2026-11-29: codeine named only so gave no card).
    const reference = asRecord(ingredient?.['itemReference']) ?? asRecord(asRecord(ingredient?.['item'])?.['reference']);
    if (reference) concepts.push(...containedCode(reference, medication, order));
  }
  return concepts;
}

function gatherEvidence(order: Json, entries: readonly BundleEntry[]): MedicationEvidence {
  const concepts: Json[] = [];
  const texts: string[] = [];
  const followReference = (ref: Json | undefined): void => {
    if (!ref) return;
    const display = asString(ref['display']);
    if (display) texts.push(display);
    const reference = asString(ref['reference']);
    const medication = reference === undefined ? undefined : findMedication(reference, order, entries);
    if (medication) concepts.push(...medicationConcepts(medication, order));
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

/**
 * True when the order names its drug in any way Vigil can read: a code or text, in the order or in a
 * Medication its reference resolves to, or a reference's display. False for an order that names its
 * drug only by a reference to a Medication that was not sent: what it orders cannot be known (fourth
 * review, 2026-11-29: an active lorazepam named only as `Medication/lzp-1` was counted as no sedative).
 */
export function namesItsDrug(resource: FhirResource, entries: readonly BundleEntry[] = []): boolean {
  const order = asRecord(resource);
  if (order === undefined) return false;
  const evidence = gatherEvidence(order, entries);
  return (
    evidence.texts.length > 0 ||
    evidence.concepts.some(
      (c) => asString(c['text']) !== undefined || asArray(c['coding']).some((coding) => asRecord(coding) !== undefined),
    )
  );
}

/**
 * True for a MedicationRequest that names its drug only by a reference to a Medication that was not
 * sent: it has chosen a drug, but which one cannot be known. False for an order with no medication
 * chosen yet (the CDS Hooks sandbox's first order-select call), which is no order of a drug at all.
 */
export function namesItsDrugOnlyByUnsentReference(resource: FhirResource, entries: readonly BundleEntry[] = []): boolean {
  const order = asRecord(resource);
  if (order?.['resourceType'] !== 'MedicationRequest') return false;
  const references = [asRecord(order['medicationReference']), asRecord(asRecord(order['medication'])?.['reference'])];
  return references.some((r) => asString(r?.['reference']) !== undefined) && !namesItsDrug(resource, entries);
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
    if (out.length >= MAX_TEXTS) break;
    const text = asString(concept['text']);
    if (text) out.push(text);
    for (const coding of asArray(concept['coding'])) {
      if (out.length >= MAX_TEXTS) break;
      const display = asString(asRecord(coding)?.['display']);
      if (display) out.push(display);
    }
  }
  return out.slice(0, MAX_TEXTS).map((t) => t.slice(0, MAX_TEXT_LENGTH));
}

function highestRisk(found: Classified[]): Classified | undefined {
  for (const drugClass of SEDATIVE_CLASSES) {
    const hit = found.find((c) => c.drugClass === drugClass);
    if (hit) return hit;
  }
  return undefined;
}

/** Per name, the ingredient each class's matcher finds in it (by INDEX.nameMatchers position), if any. */
export type NameMemo = Map<string, (string | undefined)[]>;

function hitsIn(text: string, memo: NameMemo | undefined): (string | undefined)[] {
  const known = memo?.get(text);
  if (known !== undefined) return known;
  const hits = INDEX.nameMatchers.map((matcher) => {
    const hit = matcher.pattern.exec(text);
    return hit === null ? undefined : matcher.ingredientByTerm.get(normaliseTerm(hit[0]));
  });
  memo?.set(text, hits);
  return hits;
}

/**
 * Class priority first; within a class, the first text (concept text before displays). `memo` keeps
 * each name's matches for the rest of the call: many orders naming one Medication with long displays
 * made one call cost seconds (found by fuzzing, 2026-11-29).
 */
function matchByName(texts: string[], memo?: NameMemo): Classified | undefined {
  const hits = texts.map((text) => hitsIn(text, memo));
  for (let m = 0; m < INDEX.nameMatchers.length; m++) {
    for (const perText of hits) {
      const ingredient = perText[m];
      if (ingredient !== undefined) return { drugClass: INDEX.nameMatchers[m]!.drugClass, ingredient };
    }
  }
  return undefined;
}

/**
 * The names of an order that name matching reads, in order: reference displays, then each concept's
 * text and displays; at most MAX_TEXTS of them, each cut to MAX_TEXT_LENGTH characters.
 */
export function orderNames(resource: FhirResource, entries: readonly BundleEntry[] = []): string[] {
  const order = asRecord(resource);
  return order === undefined ? [] : names(gatherEvidence(order, entries));
}

// --- local use --------------------------------------------------------------------------------
// A sedating antihistamine applied to the skin, the eye or the ear acts where it is put: diphenhydramine
// cream for an itch is no sedative order (fifth review, 2026-11-29: it raised "respiratory depression
// risk" beside RR 10). Only these antihistamines are read so: an opioid or anything else by any route
// still counts (fentanyl patches and buccal midazolam are systemic), and a route or form Vigil cannot
// read leaves the order a sedative.

/** Sedating antihistamines that come as creams, gels, sprays or drops for local use. */
const LOCAL_USE_ANTIHISTAMINES = new Set(['diphenhydramine', 'promethazine', 'chlorpheniramine', 'dexchlorpheniramine', 'alimemazine']);

/**
 * SNOMED CT routes of local use: 6064005 Topical, 359540000 Cutaneous (and 448598008, its newer
 * concept), 54485002 Ophthalmic, 10547007 Otic (SNOMED CT route of administration value set, as FHIR
 * R4's example binding lists it). Transdermal (45890007) is systemic and not among them.
 */
const LOCAL_ROUTE_CODES = new Set(['6064005', '359540000', '448598008', '54485002', '10547007']);
const LOCAL_WORDS = /\b(?:topical|cutaneous|ophthalmic|otic|cream|ointment|lotion|gel|eye drops?|ear drops?)\b/i;
const SYSTEMIC_WORDS =
  /\b(?:oral|tablets?|capsules?|inject(?:ion|able)|syrup|elixir|intravenous|intramuscular|IV|IM|suppositor(?:y|ies)|rectal|transdermal|patch)\b/i;

/** RxNorm clinical drugs whose own name is a local form (a topical cream): an order coded so and nothing else is one. */
const LOCAL_FORM_CODES = new Set(
  Object.entries((rawDrugMap as { drugs?: Record<string, { name?: unknown }> }).drugs ?? {}).flatMap(([code, drug]) =>
    typeof drug.name === 'string' && LOCAL_WORDS.test(drug.name) && !SYSTEMIC_WORDS.test(drug.name) ? [code] : [],
  ),
);

/** Each route an order names: true when it is local, false when it is not or cannot be told. */
function routesAreLocal(order: Json): boolean | undefined {
  const routes = asArray(order['dosageInstruction'])
    .map(asRecord)
    .map((d) => asRecord(d?.['route']))
    .filter((r): r is Json => r !== undefined);
  if (routes.length === 0) return undefined;
  return routes.every((route) => {
    const byCode = asArray(route['coding'])
      .map(asRecord)
      .some((c) => canonicalSystem(c?.['system']) === SNOMED && LOCAL_ROUTE_CODES.has(String(c?.['code'])));
    const words = [asString(route['text']), ...asArray(route['coding']).map((c) => asString(asRecord(c)?.['display']))];
    return byCode || words.some((w) => w !== undefined && LOCAL_WORDS.test(w) && !SYSTEMIC_WORDS.test(w));
  });
}

/** True for an antihistamine order for local use: its routes say so, or, with none, its names do and none says otherwise. */
function forLocalUse(order: Json, match: Classified, evidence: MedicationEvidence): boolean {
  if (!LOCAL_USE_ANTIHISTAMINES.has(match.ingredient)) return false;
  const byRoute = routesAreLocal(order);
  if (byRoute !== undefined) return byRoute;
  const texts = names(evidence);
  if (texts.some((t) => SYSTEMIC_WORDS.test(t))) return false;
  return texts.some((t) => LOCAL_WORDS.test(t)) || rxnormCodes(evidence.concepts).some((c) => LOCAL_FORM_CODES.has(c));
}

/**
 * Classifies one draft order resource. Only MedicationRequest is classified (MedicationOrder,
 * NutritionOrder, ServiceRequest and anything else → undefined). Returns undefined for non-sedatives and
 * for an order with no medication chosen yet (the CDS Hooks sandbox's first order-select call).
 * `entries` are the draftOrders Bundle's entries: a `medicationReference` may name a Medication among
 * them (by fullUrl or by Medication/id); "#id" references resolve in the order's own `contained`.
 * `memo`: one per call, so a name many orders share is matched once.
 */
export function classifyOrder(resource: FhirResource, entries: readonly BundleEntry[] = [], memo?: NameMemo): SedativeMatch | undefined {
  const order = asRecord(resource);
  if (order?.['resourceType'] !== 'MedicationRequest') return undefined;
  const evidence = gatherEvidence(order, entries);

  const match = sedativeIn(evidence, memo);
  return match === undefined || forLocalUse(order, match, evidence) ? undefined : match;
}

function sedativeIn(evidence: MedicationEvidence, memo: NameMemo | undefined): SedativeMatch | undefined {
  const codes = rxnormCodes(evidence.concepts);
  const byIngredient = highestRisk(codes.flatMap((c) => INDEX.byIngredientCode.get(c) ?? []));
  if (byIngredient) return withFields(byIngredient, { matchedBy: 'rxnorm-ingredient-code' as const });
  const byClinicalDrug = highestRisk(codes.flatMap((c) => INDEX.byClinicalDrugCode.get(c) ?? []));
  if (byClinicalDrug) return withFields(byClinicalDrug, { matchedBy: 'rxnorm-code' as const });
  const byName = matchByName(names(evidence), memo);
  if (byName) return withFields(byName, { matchedBy: 'name' as const });
  return undefined;
}
