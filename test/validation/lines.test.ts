import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFiles, readLines } from '../../src/validation/lines.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-lines-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function all(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readLines(path)) out.push(line);
  return out;
}

describe('reading an export file line by line', () => {
  const text = '\uFEFF{"a":1}\r\n{"b":2}\n\n{"c":3}';

  it('reads plain NDJSON, dropping a byte-order mark and Windows line endings', async () => {
    const file = join(dir, 'plain.ndjson');
    await writeFile(file, text);
    expect(await all(file)).toEqual(['{"a":1}', '{"b":2}', '', '{"c":3}']);
  });

  it('reads gzip by its content, whatever the file is called', async () => {
    for (const name of ['Observation.ndjson.gz', 'Observation.ndjson']) {
      const file = join(dir, `gz-${name}`);
      await writeFile(file, gzipSync(text));
      expect(await all(file)).toEqual(['{"a":1}', '{"b":2}', '', '{"c":3}']);
    }
  });

  it('fails on a damaged gzip file rather than ending the export early', async () => {
    const file = join(dir, 'damaged.ndjson.gz');
    const packed = gzipSync('{"a":1}\n'.repeat(10_000));
    await writeFile(file, packed.subarray(0, packed.length - 200));
    await expect(all(file)).rejects.toThrow();
  });

  it('takes a directory as its NDJSON files, in name order, and a file as itself', async () => {
    const exportDir = join(dir, 'export');
    await mkdir(exportDir);
    for (const name of ['Patient.ndjson', 'Observation.ndjson.gz', 'manifest.json', 'Encounter.jsonl', 'notes.txt'])
      await writeFile(join(exportDir, name), '');
    expect((await exportFiles(exportDir)).map((f) => f.slice(exportDir.length + 1))).toEqual([
      'Encounter.jsonl',
      'Observation.ndjson.gz',
      'Patient.ndjson',
    ]);
    expect(await exportFiles(join(exportDir, 'Patient.ndjson'))).toEqual([join(exportDir, 'Patient.ndjson')]);
  });
});
