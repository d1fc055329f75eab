// Loads cards-fixtures/: every real-shaped request with the cards it must produce.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const FIXTURE_DIR = join(import.meta.dirname, '..', '..', 'cards-fixtures');

export interface CardExpectation {
  indicator: 'info' | 'warning' | 'critical';
  summaryIncludes?: string[];
  summaryStartsWith?: string;
  detailIncludes?: string[];
  detailExcludes?: string[];
  score?: Record<string, unknown>;
  suggestions?: number;
  /** How many of the suggestions are marked isRecommended. */
  recommendedSuggestions?: number;
}

export interface Fixture {
  name: string;
  description: string;
  service: string;
  now: string;
  env?: Record<string, string>;
  hazard?: string;
  request: Record<string, unknown>;
  expect: { status: number; cards?: CardExpectation[]; issueExpression?: string };
  withModel?: { cards?: number; indicatorAtMost?: CardExpectation['indicator'][] };
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
  );
}

export function loadFixtures(): Fixture[] {
  return walk(FIXTURE_DIR)
    .sort()
    .map((file) => ({ name: relative(FIXTURE_DIR, file).replace(/\.json$/, ''), ...JSON.parse(readFileSync(file, 'utf8')) }));
}
