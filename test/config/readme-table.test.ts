// The README's configuration table must list every setting the schema reads, so an operator never
// has to read source to find a knob.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config.js';

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

describe('README configuration table', () => {
  it.each(Object.keys(configSchema.shape))('documents %s', (key) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${key}\` \\|`, 'm'));
  });
});
