// `npm run drug-map`: regenerates src/sedation/rxnorm-drug-map.json from RxNorm-derived tables,
// and checks every ingredient RxCUI in sedative-classes.json against them (same RxCUI, same name; an
// uncoded ingredient that RxNorm has is an error). It only reads its inputs, and exits non-zero,
// writing nothing, when a source disagrees with the data file or with another source.
//
// Inputs (public; see SOURCES for what each is and its date), as used for the committed file:
//   --prescribable  davidanderson3/rxnorm-ingredients @ a8fcf13: the web/data/<letter>.json files
//   --omtk          cqframework/opioid-cds-r4 @ b29bdcbf: input/cql/OMTKData.cql
//   --value-set     cqframework/opioid-cds-r4 @ b29bdcbf: input/vocabulary/valueset/
//                   benzodiazepine-medications.json, barbiturate-medications.json, cns-depressant-medications.json
//   npm run drug-map -- --prescribable data/ --omtk OMTKData.cql --value-set benzodiazepine-medications.json \
//     --value-set barbiturate-medications.json --value-set cns-depressant-medications.json --generated-on 2026-11-27
// With a full RxNorm release instead, the same tree can be read from RXNCONSO.RRF and RXNREL.RRF with the
// relationships named in SOURCES; drugsFromPrescribable is the one place that knows the input shape.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  drugsFromOmtk,
  drugsFromPrescribable,
  drugsFromValueSet,
  ingredientNames,
  mergeSources,
  prescribableRecordSchema,
  sortCodes,
  type SourceResult,
} from './rxnorm-drug-map.js';

const ROOT = join(import.meta.dirname, '..');
const CLASSES_FILE = join(ROOT, 'src/sedation/sedative-classes.json');
const OUT_FILE = join(ROOT, 'src/sedation/rxnorm-drug-map.json');

/** What each input is; recorded in the output so the file says where every mapping came from. */
const SOURCES = {
  'rxnorm-prescribable': {
    title:
      'RxNorm Current Prescribable Content (NLM), release 2025-10-06, as the ingredient → SCDC → SCD → SBD/pack tree that davidanderson3/rxnorm-ingredients extracted from RXNCONSO.RRF and RXNREL.RRF (web/data/<letter>.json, commit a8fcf13a679fa37073e8fa83e11d5e0d8cc07276 of 2025-11-20; the release date is that of Readme_Full_Prescribe_10062025.txt in the same repository)',
    url: 'https://github.com/davidanderson3/rxnorm-ingredients',
    relationships:
      'SCDC has_ingredient IN; SCDC has_precise_ingredient PIN; SCDC constitutes SCD; SCD has_tradename SBD; GPCK/BPCK contains SCD (RXNREL, as the extractor documents its joins)',
    gaps: 'web/data/A.json (ingredients whose name starts with A) is over the 4 MiB the snapshot store keeps and was not available, so alprazolam, alfentanil and amobarbital have no drugs from this source; combinations that contain another of our ingredients are still reached through it.',
  },
  omtk: {
    title:
      'OMTKData (Opioid Management Terminology Knowledge), CDC Opioid Prescribing Support IG: DrugIngredients rows generated from RxNav on 2020-10-20 (cqframework/opioid-cds-r4 input/cql/OMTKData.cql, commit b29bdcbf of 2025-09-26)',
    url: 'https://github.com/cqframework/opioid-cds-r4',
    relationships:
      'drug (SCD/SBD/pack) → opioid ingredient (IN) as returned by RxNav; term type read from the RxNorm name ("{" opens a pack, "[Brand]" ends a branded drug)',
    gaps: 'opioids only; codes as of 2020, kept because older codes still arrive from EHRs.',
  },
  'cdc-valuesets': {
    title:
      'CDC Opioid Prescribing Support IG value sets benzodiazepine-medications, barbiturate-medications and cns-depressant-medications (expansions of 2025-02-24, built with NLM RxMix from RxNorm relationships: SNOMED drug class → IN/PIN/MIN → SCD/SBD/GPCK/BPCK), cqframework/opioid-cds-r4 input/vocabulary/valueset/, commit b29bdcbf of 2025-09-26',
    url: 'https://github.com/cqframework/opioid-cds-r4',
    relationships:
      'class membership through RxNorm relationships; the expansion does not say which ingredient led to a drug, so the ingredient is the one of ours that the RxNorm name states (brand in brackets ignored). Used only for codes the two sources above lack (namedDrugs); checked against every code they also map.',
    gaps: 'benzodiazepines, barbiturates and a few other CNS depressants only; ingredients we do not list (bromazepam, halazepam, prazepam, flunitrazepam, butabarbital, mephobarbital, primidone...) are skipped.',
  },
} as const;
type SourceId = keyof typeof SOURCES;

const classesSchema = z.looseObject({
  classes: z.record(z.string(), z.looseObject({ ingredients: z.array(z.looseObject({ name: z.string(), rxcui: z.string().nullable() })) })),
});

function readPrescribable(dir: string) {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return files.flatMap((f) => z.array(prescribableRecordSchema).parse(JSON.parse(readFileSync(join(dir, f), 'utf8'))));
}

/** Pretty JSON, except that each ingredient and each drug takes one line, so a regeneration diffs by drug. */
function formatMap(map: Record<string, unknown>): string {
  const lines = Object.entries(map).map(([key, value]) => {
    if (key !== 'drugs' && key !== 'ingredients' && key !== 'namedDrugs')
      return `  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}`;
    const rows = Object.entries(value as Record<string, unknown>).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
    return `  ${JSON.stringify(key)}: {\n${rows.join(',\n')}\n  }`;
  });
  return `{\n${lines.join(',\n')}\n}\n`;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      prescribable: { type: 'string' },
      omtk: { type: 'string' },
      'value-set': { type: 'string', multiple: true, default: [] },
      'generated-on': { type: 'string', default: new Date().toISOString().slice(0, 10) },
      check: { type: 'boolean', default: false },
    },
  });
  if (values.prescribable === undefined || values.omtk === undefined) {
    throw new Error(
      'usage: build-rxnorm-drug-map --prescribable <dir of web/data/*.json> --omtk <OMTKData.cql> [--value-set <ValueSet.json>]... [--generated-on YYYY-MM-DD] [--check]',
    );
  }

  const classes = classesSchema.parse(JSON.parse(readFileSync(CLASSES_FILE, 'utf8')));
  const ours = Object.values(classes.classes).flatMap((c) => c.ingredients);
  const wanted = new Set(ours.flatMap((i) => i.rxcui ?? []));

  const prescribable = readPrescribable(values.prescribable);
  const results: { id: SourceId; result: SourceResult & { problems: string[] } }[] = [
    { id: 'rxnorm-prescribable', result: drugsFromPrescribable(prescribable, wanted) },
    { id: 'omtk', result: drugsFromOmtk(readFileSync(values.omtk, 'utf8'), wanted) },
  ];
  const problems = results.flatMap((r) => r.result.problems.map((p) => `${r.id}: ${p}`));
  const names = ingredientNames(results);
  problems.push(...names.problems);
  const merged = mergeSources(results);
  problems.push(...merged.problems);

  // Value-set drugs: where a relationship source maps the code too, the name reading must agree.
  const ourNames = ours.map((i) => i.name);
  const nameByRxcui = new Map(ours.flatMap((i) => (i.rxcui === null ? [] : [[i.rxcui, i.name] as const])));
  const namedDrugs = new Map<string, { tty: string; name: string; ingredients: string[]; source: string; valueSet: string }>();
  let agreed = 0;
  for (const file of values['value-set']) {
    for (const drug of drugsFromValueSet(JSON.parse(readFileSync(file, 'utf8')), ourNames)) {
      const mapped = merged.drugs.get(drug.rxcui);
      if (mapped !== undefined) {
        const byRelationship = mapped.ingredients.map((r) => nameByRxcui.get(r)).sort();
        if (byRelationship.join() === drug.ingredients.join()) agreed += 1;
        else
          problems.push(
            `${drug.valueSet}: ${drug.rxcui} "${drug.name}" names ${drug.ingredients.join(', ')}; RxNorm relationships give ${byRelationship.join(', ')}`,
          );
        continue;
      }
      const seen = namedDrugs.get(drug.rxcui);
      if (seen !== undefined && seen.ingredients.join() !== drug.ingredients.join())
        problems.push(`${drug.rxcui} is read differently in two value sets`);
      namedDrugs.set(drug.rxcui, {
        tty: drug.tty,
        name: drug.name,
        ingredients: drug.ingredients,
        source: 'cdc-valuesets',
        valueSet: drug.valueSet,
      });
    }
  }

  // Every coded ingredient must be the RxNorm IN of that name; an uncoded one that RxNorm has is a gap.
  const inByName = new Map(prescribable.filter((r) => r.TTY === 'IN').map((r) => [r.Name.toLowerCase(), r.RXCUI]));
  for (const ingredient of ours) {
    const sourceName = ingredient.rxcui === null ? undefined : names.names.get(ingredient.rxcui);
    if (ingredient.rxcui !== null && sourceName !== undefined && sourceName !== ingredient.name) {
      problems.push(`sedative-classes.json: ${ingredient.name} has rxcui ${ingredient.rxcui}, which RxNorm names "${sourceName}"`);
    }
    const byName = inByName.get(ingredient.name);
    if (ingredient.rxcui === null && byName !== undefined) {
      problems.push(`sedative-classes.json: ${ingredient.name} has no rxcui, but RxNorm has IN ${byName} of that name`);
    }
    if (ingredient.rxcui !== null && sourceName === undefined) {
      console.warn(`note: no source here holds ${ingredient.name} (${ingredient.rxcui}); its clinical drugs are matched by name only`);
    }
  }

  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exitCode = 1;
    return;
  }

  const drugs = Object.fromEntries(sortCodes(merged.drugs.keys()).map((rxcui) => [rxcui, merged.drugs.get(rxcui)!]));
  const map = {
    description:
      'Clinical-drug RxCUIs (SCD, SBD, GPCK, BPCK, SCDC, PIN) → the RxCUIs of the sedative ingredients (TTY=IN) of sedative-classes.json they contain, followed through RxNorm relationships (drugs). namedDrugs adds codes only the CDC value sets hold, for ingredients named as in sedative-classes.json (see the cdc-valuesets source). Generated; do not edit by hand: run `npm run drug-map` (scripts/build-rxnorm-drug-map.ts).',
    generatedBy: 'scripts/build-rxnorm-drug-map.ts',
    generatedOn: values['generated-on'],
    sources: Object.entries(SOURCES).map(([id, s]) => ({ id, ...s })),
    ingredients: Object.fromEntries(sortCodes(names.names.keys()).map((rxcui) => [rxcui, names.names.get(rxcui)!])),
    drugs,
    namedDrugsCheck: `${agreed} value-set codes that RxNorm relationships also map: the name reading agrees on every one`,
    namedDrugs: Object.fromEntries(sortCodes(namedDrugs.keys()).map((rxcui) => [rxcui, namedDrugs.get(rxcui)!])),
  };
  for (const { id, result } of results) console.log(`${id}: ${result.ingredients.size} ingredients, ${result.drugs.length} drugs`);
  console.log(`merged: ${merged.drugs.size} drugs; value sets: ${namedDrugs.size} more by name, ${agreed} cross-checked`);
  if (!values.check) writeFileSync(OUT_FILE, formatMap(map));
}

main();
