// The drug data sedation-safety matches orders against, validated and indexed once: the drug classes,
// ingredients, names and curated codes of sedative-classes.json, and the clinical-drug codes of
// rxnorm-drug-map.json (generated from RxNorm relationships by scripts/build-rxnorm-drug-map.ts).
// Inconsistent data throws here, so a bad edit fails at start-up and in tests, never as a silent miss.
import { z } from 'zod';

export type SedativeClass = 'opioid' | 'benzodiazepine' | 'other-sedative';

/** Highest risk first: when one order holds ingredients of several classes, the first class wins. */
export const SEDATIVE_CLASSES: readonly SedativeClass[] = ['opioid', 'benzodiazepine', 'other-sedative'];

/** Each class in clinicians' words: as a heading, after "is", and inside a sentence. */
export const SEDATIVE_CLASS_WORDS: Readonly<Record<SedativeClass, { heading: string; withArticle: string; word: string }>> = {
  opioid: { heading: 'Opioid', withArticle: 'an opioid', word: 'opioid' },
  benzodiazepine: { heading: 'Benzodiazepine', withArticle: 'a benzodiazepine', word: 'benzodiazepine' },
  'other-sedative': { heading: 'Sedative', withArticle: 'a sedative', word: 'sedative' },
};

export interface Classified {
  drugClass: SedativeClass;
  /** Canonical ingredient name from sedative-classes.json, e.g. 'morphine'. */
  ingredient: string;
}

const rxcui = z.string().regex(/^\d{1,10}$/, 'must be an RxNorm concept id (digits)');
const ingredientName = z.string().regex(/^[a-z][a-z -]*[a-z]$/, 'must be a lower-case ingredient name');
const sourceId = z.string().min(1);

const ingredientSchema = z
  .strictObject({
    name: ingredientName,
    rxcui: rxcui.nullable(),
    rxcuiSource: sourceId.optional(),
    synonyms: z.array(z.string().min(3)),
    /** Where the brand and other names came from. */
    synonymSources: z.array(sourceId).optional(),
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
  sources: z.array(z.strictObject({ id: sourceId, title: z.string().min(1), url: z.url(), usedFor: z.string().min(1) })).min(1),
  notes: z.array(z.string().min(1)),
  classes: z.strictObject({
    opioid: classSchema,
    benzodiazepine: classSchema,
    'other-sedative': classSchema,
  }),
  /** Hand-curated clinical-drug codes the generated map lacks (the CDS Hooks sandbox's older codes). */
  clinicalDrugs: z.array(z.strictObject({ rxcui, display: z.string().min(1), ingredient: ingredientName, source: sourceId })),
  excluded: z.array(
    z.strictObject({ name: ingredientName, rxcui: rxcui.nullable(), rxcuiSource: sourceId.optional(), reason: z.string().min(1) }),
  ),
});

const tty = z.enum(['SCDC', 'SCD', 'SBD', 'GPCK', 'BPCK', 'PIN']);

export const drugMapSchema = z.strictObject({
  description: z.string().min(1),
  generatedBy: z.string().min(1),
  generatedOn: z.iso.date(),
  sources: z.array(z.looseObject({ id: sourceId, title: z.string().min(1), url: z.url() })).min(1),
  /** Ingredient (TTY=IN) RxCUI → its RxNorm name, as the sources give it. */
  ingredients: z.record(rxcui, z.string().min(1)),
  /** Clinical-drug RxCUI → the ingredient RxCUIs it contains, through RxNorm relationships. */
  drugs: z.record(rxcui, z.strictObject({ tty, name: z.string().min(1), ingredients: z.array(rxcui).min(1), source: sourceId })),
  namedDrugsCheck: z.string().min(1),
  /** Clinical-drug RxCUI → canonical ingredient names, for codes only a value set holds. */
  namedDrugs: z.record(
    rxcui,
    z.strictObject({
      tty,
      name: z.string().min(1),
      ingredients: z.array(ingredientName).min(1),
      source: sourceId,
      valueSet: z.string().min(1),
    }),
  ),
});

export type SedativeClassesData = z.infer<typeof sedativeClassesSchema>;
export type DrugMapData = z.infer<typeof drugMapSchema>;

export interface NameMatcher {
  drugClass: SedativeClass;
  /** One alternation of every name and synonym of the class, longest first, bounded as whole words. */
  pattern: RegExp;
  /** Normalised name or synonym → canonical ingredient name. */
  ingredientByTerm: Map<string, string>;
}

export interface SedativeIndex {
  byIngredientCode: Map<string, Classified>;
  /** A clinical drug can hold several of our ingredients (butalbital / codeine); the caller picks. */
  byClinicalDrugCode: Map<string, Classified[]>;
  nameMatchers: NameMatcher[];
}

export const normaliseTerm = (term: string): string => term.trim().toLowerCase().replace(/\s+/g, ' ');
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A whole-word pattern for one term. No letter may touch either end ("codeine" is not in
 * "dihydrocodeine"); a digit may, because free-text orders run strengths on ("Lorazepam2mg"), except
 * after a term that itself ends in a digit ("Tylenol 3" must not match "Tylenol 325 MG").
 */
function termPattern(term: string): string {
  const body = escapeRegExp(term).replace(/ /g, '\\s+');
  return /\d$/.test(term) ? `${body}(?![0-9])` : body;
}

export function buildSedativeIndex(rawClasses: unknown, rawMap: unknown): SedativeIndex {
  const data = sedativeClassesSchema.parse(rawClasses);
  const map = drugMapSchema.parse(rawMap);
  const sourceIds = new Set(data.sources.map((s) => s.id));
  const byIngredientCode = new Map<string, Classified>();
  const byIngredientName = new Map<string, Classified>();
  const nameMatchers: NameMatcher[] = [];
  const seenTerms = new Map<string, string>();
  const problems: string[] = [];
  const citeKnown = (owner: string, id: string): void => {
    if (!sourceIds.has(id)) problems.push(`${owner} cites unknown source ${id}`);
  };

  for (const drugClass of SEDATIVE_CLASSES) {
    const ingredientByTerm = new Map<string, string>();
    for (const ing of data.classes[drugClass].ingredients) {
      const classified: Classified = { drugClass, ingredient: ing.name };
      if (byIngredientName.has(ing.name)) problems.push(`ingredient ${ing.name} is listed twice`);
      byIngredientName.set(ing.name, classified);
      if (ing.rxcui !== null) {
        if (byIngredientCode.has(ing.rxcui)) problems.push(`rxcui ${ing.rxcui} is listed twice`);
        if (ing.rxcuiSource !== undefined) citeKnown(ing.name, ing.rxcuiSource);
        byIngredientCode.set(ing.rxcui, classified);
      }
      for (const id of ing.synonymSources ?? []) citeKnown(ing.name, id);
      for (const term of [ing.name, ...ing.synonyms].map(normaliseTerm)) {
        const owner = seenTerms.get(term);
        if (owner !== undefined && owner !== ing.name) problems.push(`name ${term} belongs to ${owner} and ${ing.name}`);
        seenTerms.set(term, ing.name);
        ingredientByTerm.set(term, ing.name);
      }
    }
    const alternation = [...ingredientByTerm.keys()]
      .sort((a, b) => b.length - a.length)
      .map(termPattern)
      .join('|');
    nameMatchers.push({ drugClass, pattern: new RegExp(`(?<![a-z])(?:${alternation})(?![a-z])`, 'i'), ingredientByTerm });
  }

  const excludedCodes = new Set(data.excluded.flatMap((e) => e.rxcui ?? []));
  for (const excluded of data.excluded) {
    if (seenTerms.has(excluded.name)) problems.push(`${excluded.name} is both excluded and a sedative`);
    if (excluded.rxcui !== null && byIngredientCode.has(excluded.rxcui))
      problems.push(`excluded rxcui ${excluded.rxcui} is also a sedative code`);
    if (excluded.rxcuiSource !== undefined) citeKnown(excluded.name, excluded.rxcuiSource);
  }

  // The generated map must speak of our ingredients only, by the codes and names this file gives them.
  const mapSources = new Set(map.sources.map((s) => s.id));
  for (const [code, name] of Object.entries(map.ingredients)) {
    const ours = byIngredientCode.get(code);
    if (ours === undefined)
      problems.push(`rxnorm-drug-map.json: ingredient ${code} (${name}) is not an ingredient of sedative-classes.json`);
    else if (ours.ingredient !== name)
      problems.push(`rxnorm-drug-map.json: ingredient ${code} is "${name}" there and "${ours.ingredient}" here`);
  }
  const byClinicalDrugCode = new Map<string, Classified[]>();
  const addDrug = (code: string, classified: Classified[]): void => {
    if (byClinicalDrugCode.has(code)) problems.push(`rxnorm-drug-map.json: clinical drug ${code} is listed twice`);
    if (byIngredientCode.has(code) || excludedCodes.has(code))
      problems.push(`rxnorm-drug-map.json: ${code} is an ingredient or excluded code, not a clinical drug`);
    byClinicalDrugCode.set(code, classified);
  };
  for (const [code, drug] of Object.entries(map.drugs)) {
    if (!mapSources.has(drug.source)) problems.push(`rxnorm-drug-map.json: clinical drug ${code} cites unknown source ${drug.source}`);
    const unknown = drug.ingredients.filter((i) => !byIngredientCode.has(i));
    if (unknown.length > 0) problems.push(`rxnorm-drug-map.json: clinical drug ${code} names unknown ingredient ${unknown.join(', ')}`);
    addDrug(
      code,
      drug.ingredients.flatMap((i) => byIngredientCode.get(i) ?? []),
    );
  }
  for (const [code, drug] of Object.entries(map.namedDrugs)) {
    if (!mapSources.has(drug.source)) problems.push(`rxnorm-drug-map.json: clinical drug ${code} cites unknown source ${drug.source}`);
    const unknown = drug.ingredients.filter((i) => !byIngredientName.has(i));
    if (unknown.length > 0) problems.push(`rxnorm-drug-map.json: clinical drug ${code} names unknown ingredient ${unknown.join(', ')}`);
    addDrug(
      code,
      drug.ingredients.flatMap((i) => byIngredientName.get(i) ?? []),
    );
  }

  // Curated codes fill the map's gaps; where both know a code they must agree.
  for (const drug of data.clinicalDrugs) {
    citeKnown(`clinical drug ${drug.rxcui}`, drug.source);
    const classified = byIngredientName.get(drug.ingredient);
    if (classified === undefined) {
      problems.push(`clinical drug ${drug.rxcui} names unknown ingredient ${drug.ingredient}`);
      continue;
    }
    if (byIngredientCode.has(drug.rxcui) || excludedCodes.has(drug.rxcui))
      problems.push(`rxcui ${drug.rxcui} is both an ingredient and a clinical drug`);
    const mapped = byClinicalDrugCode.get(drug.rxcui);
    if (mapped === undefined) byClinicalDrugCode.set(drug.rxcui, [classified]);
    else if (!mapped.some((c) => c.ingredient === drug.ingredient)) {
      problems.push(
        `clinical drug ${drug.rxcui} is ${drug.ingredient} here but ${mapped.map((c) => c.ingredient).join(', ')} in rxnorm-drug-map.json`,
      );
    }
  }

  if (problems.length > 0) throw new Error(`sedative drug data is inconsistent: ${problems.join('; ')}`);
  return { byIngredientCode, byClinicalDrugCode, nameMatchers };
}
