// Pure core of `npm run drug-map`: turns RxNorm-derived tables into the clinical-drug map that
// sedation-safety ships (src/sedation/rxnorm-drug-map.json): every clinical-drug code
// (SCD, SBD, packs, SCDC, PIN) that contains one of our sedative ingredients → that ingredient's RxCUI.
// Every link comes from an RxNorm relationship the source records; nothing is inferred from a drug's name.
import { z } from 'zod';

/** RxNorm term types the map carries. BN is left out on purpose: a brand can span products with and
 * without the sedative, and a source rooted at ingredients cannot prove it does not. */
export const MAPPED_TTYS = ['SCDC', 'SCD', 'SBD', 'GPCK', 'BPCK', 'PIN'] as const;
export type MappedTty = (typeof MAPPED_TTYS)[number];

export interface MappedDrug {
  rxcui: string;
  tty: MappedTty;
  name: string;
  /** Ingredient (TTY=IN) RxCUIs of ours that the drug contains, ascending. */
  ingredients: string[];
}

// --- RxNorm Current Prescribable Content, as an ingredient → SCDC → SCD → SBD/pack tree --------------
// The shape written by davidanderson3/rxnorm-ingredients (web/data/<letter>.json) from RXNCONSO and
// RXNREL: under each IN (or PIN) the SCDCs that have it as ingredient (precise ingredient), under each
// SCDC the SCDs it constitutes, under each SCD its tradenames (SBD) and the packs that contain it.

const named = { Name: z.string().min(1), RXCUI: z.string().regex(/^\d+$/) };
const pack = z.looseObject({ ...named, TTY: z.enum(['GPCK', 'BPCK']) });
const sbd = z.looseObject({ ...named, TTY: z.literal('SBD') });
const scd = z.looseObject({
  ...named,
  TTY: z.literal('SCD'),
  SBDs: z.array(sbd).optional(),
  GPCKs: z.array(pack).optional(),
  BPCKs: z.array(pack).optional(),
});
const scdc = z.looseObject({ ...named, TTY: z.literal('SCDC'), SCDs: z.array(scd).optional() });
export const prescribableRecordSchema = z.looseObject({
  ...named,
  TTY: z.enum(['IN', 'PIN', 'MIN']),
  SCDCs: z.array(scdc).optional(),
});
export type PrescribableRecord = z.infer<typeof prescribableRecordSchema>;

export interface SourceResult {
  /** IN RxCUI → the source's own name for it, for every wanted ingredient the source holds. */
  ingredients: Map<string, string>;
  drugs: MappedDrug[];
}

class DrugCollector {
  private readonly byRxcui = new Map<string, { tty: MappedTty; name: string; ingredients: Set<string> }>();
  readonly problems: string[] = [];

  add(rxcui: string, tty: MappedTty, name: string, ingredient: string): void {
    const seen = this.byRxcui.get(rxcui);
    if (seen === undefined) {
      this.byRxcui.set(rxcui, { tty, name, ingredients: new Set([ingredient]) });
      return;
    }
    if (seen.tty !== tty) this.problems.push(`rxcui ${rxcui} appears as both ${seen.tty} and ${tty}`);
    seen.ingredients.add(ingredient);
  }

  drugs(): MappedDrug[] {
    return [...this.byRxcui].map(([rxcui, d]) => ({ rxcui, tty: d.tty, name: d.name, ingredients: sortCodes(d.ingredients) }));
  }
}

export const sortCodes = (codes: Iterable<string>): string[] => [...codes].sort((a, b) => Number(a) - Number(b));

/**
 * Follows the prescribable tree from each wanted ingredient (IN) down to its SCDCs, SCDs, SBDs and
 * packs, and maps each precise ingredient (PIN, e.g. morphine sulfate) to the IN whose SCDCs it shares.
 */
export function drugsFromPrescribable(records: PrescribableRecord[], wanted: ReadonlySet<string>): SourceResult & { problems: string[] } {
  const collector = new DrugCollector();
  const ingredients = new Map<string, string>();
  const ingredientByScdc = new Map<string, string>();

  for (const record of records) {
    if (record.TTY !== 'IN' || !wanted.has(record.RXCUI)) continue;
    const ingredient = record.RXCUI;
    ingredients.set(ingredient, record.Name);
    for (const component of record.SCDCs ?? []) {
      ingredientByScdc.set(component.RXCUI, ingredient);
      collector.add(component.RXCUI, 'SCDC', component.Name, ingredient);
      for (const drug of component.SCDs ?? []) {
        collector.add(drug.RXCUI, 'SCD', drug.Name, ingredient);
        for (const branded of drug.SBDs ?? []) collector.add(branded.RXCUI, 'SBD', branded.Name, ingredient);
        for (const p of [...(drug.GPCKs ?? []), ...(drug.BPCKs ?? [])]) collector.add(p.RXCUI, p.TTY, p.Name, ingredient);
      }
    }
  }

  for (const record of records) {
    if (record.TTY !== 'PIN') continue;
    const owners = new Set((record.SCDCs ?? []).flatMap((c) => ingredientByScdc.get(c.RXCUI) ?? []));
    if (owners.size > 1) collector.problems.push(`precise ingredient ${record.RXCUI} shares components with ${[...owners].join(', ')}`);
    for (const owner of owners) collector.add(record.RXCUI, 'PIN', record.Name, owner);
  }
  return { ingredients, drugs: collector.drugs(), problems: collector.problems };
}

// --- OMTKData (CDC Opioid CDS): drug → opioid ingredient rows, generated from RxNav ----------------------

const OMTK_ROW =
  /\{\s*drugCode:\s*(\d+),\s*drugName:\s*'((?:[^'\\]|\\.)*)',.*?ingredientCode:\s*(\d+),\s*ingredientName:\s*'((?:[^'\\]|\\.)*)'/;

/**
 * Reads the `DrugIngredients` tuples of OMTKData.cql. OMTK does not record the term type, so it is read
 * from RxNorm's naming convention: packs open with "{", branded names end with "[Brand]".
 */
export function drugsFromOmtk(cql: string, wanted: ReadonlySet<string>): SourceResult & { problems: string[] } {
  const collector = new DrugCollector();
  const ingredients = new Map<string, string>();
  for (const line of cql.split('\n')) {
    const row = OMTK_ROW.exec(line);
    if (row === null) continue;
    const [, drugCode, rawName, ingredientCode, ingredientName] = row as unknown as [string, string, string, string, string];
    if (!wanted.has(ingredientCode)) continue;
    const name = rawName.replace(/\\'/g, "'");
    ingredients.set(ingredientCode, ingredientName.toLowerCase());
    collector.add(drugCode, ttyFromName(name), name, ingredientCode);
  }
  return { ingredients, drugs: collector.drugs(), problems: collector.problems };
}

// --- CDC value sets: class membership from RxNorm relationships, ingredient from the RxNorm name -------
// The CDC Opioid Prescribing Support value sets are expanded with NLM RxMix from RxNorm relationships
// (a SNOMED drug class → its ingredients → their SCD/SBD/packs). An expansion lists the drugs, not which
// ingredient led to each, so the ingredient is the one of ours its RxNorm name states. The build checks
// that reading against every code the relationship sources also map, and uses it only for the rest.

const valueSetSchema = z.looseObject({
  id: z.string(),
  expansion: z.looseObject({
    timestamp: z.string().optional(),
    contains: z.array(z.looseObject({ system: z.string(), code: z.string().regex(/^\d+$/), display: z.string().min(1) })),
  }),
});

export interface NamedDrug {
  rxcui: string;
  tty: MappedTty;
  name: string;
  /** Canonical ingredient names (sedative-classes.json) stated in the RxNorm name, sorted. */
  ingredients: string[];
  valueSet: string;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Term type from RxNorm's naming convention: packs open with "{", branded names end with "[Brand]". */
export function ttyFromName(name: string): MappedTty {
  const branded = /\]\s*$/.test(name);
  if (name.startsWith('{')) return branded ? 'BPCK' : 'GPCK';
  return branded ? 'SBD' : 'SCD';
}

export function drugsFromValueSet(raw: unknown, ingredientNames: readonly string[]): NamedDrug[] {
  const valueSet = valueSetSchema.parse(raw);
  const patterns = ingredientNames.map((name) => ({ name, pattern: new RegExp(`(?<![a-z])${escapeRegExp(name)}(?![a-z])`, 'i') }));
  const drugs: NamedDrug[] = [];
  for (const concept of valueSet.expansion.contains) {
    if (!concept.system.startsWith('http://www.nlm.nih.gov/research/umls/rxnorm')) continue;
    // The brand in brackets names a product, not an ingredient; read only the clinical name.
    const clinicalName = concept.display.replace(/\[[^\]]*\]/g, ' ');
    const ingredients = patterns
      .filter((p) => p.pattern.test(clinicalName))
      .map((p) => p.name)
      .sort();
    if (ingredients.length > 0)
      drugs.push({ rxcui: concept.code, tty: ttyFromName(concept.display), name: concept.display, ingredients, valueSet: valueSet.id });
  }
  return drugs;
}

// --- merging ---------------------------------------------------------------------------------------------

export interface MapEntry {
  tty: MappedTty;
  name: string;
  ingredients: string[];
  source: string;
}

/**
 * Sources in priority order. A later source adds only drugs the earlier ones lack; where it knows a
 * drug already mapped, its ingredients must be among the earlier ones' (a disagreement stops the build).
 */
export function mergeSources(sources: { id: string; result: SourceResult }[]): { drugs: Map<string, MapEntry>; problems: string[] } {
  const drugs = new Map<string, MapEntry>();
  const problems: string[] = [];
  for (const { id, result } of sources) {
    for (const drug of result.drugs) {
      const earlier = drugs.get(drug.rxcui);
      if (earlier === undefined) {
        drugs.set(drug.rxcui, { tty: drug.tty, name: drug.name, ingredients: drug.ingredients, source: id });
        continue;
      }
      const extra = drug.ingredients.filter((i) => !earlier.ingredients.includes(i));
      if (extra.length > 0) {
        problems.push(`${id} maps ${drug.rxcui} to ${extra.join(', ')}, which ${earlier.source} does not`);
      }
    }
  }
  return { drugs, problems };
}

/** The ingredient names each source gives must agree with each other (case aside). */
export function ingredientNames(sources: { id: string; result: SourceResult }[]): { names: Map<string, string>; problems: string[] } {
  const names = new Map<string, string>();
  const problems: string[] = [];
  for (const { id, result } of sources) {
    for (const [rxcui, name] of result.ingredients) {
      const earlier = names.get(rxcui);
      if (earlier === undefined) names.set(rxcui, name.toLowerCase());
      else if (earlier !== name.toLowerCase()) problems.push(`${id} names ingredient ${rxcui} "${name}", not "${earlier}"`);
    }
  }
  return { names, problems };
}
