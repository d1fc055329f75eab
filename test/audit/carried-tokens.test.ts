// What start-up reads back from the audit files for the replay store: the tokens records carried,
// newest first, across days and writers, going on a little past the oldest time asked for (a record is
// written when its call ends but dated when it began) and no further.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordStart, tokensCarriedByAuditFiles } from '../../src/audit/carried-tokens.js';

const NOW = Date.parse('2026-11-23T00:10:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
/** An audit line as Vigil writes it: v, at and token first, the rest after. */
const line = (atMs: number, digest?: string) =>
  JSON.stringify({
    v: 1,
    at: iso(atMs),
    ...(digest !== undefined ? { token: { digest, until: iso(atMs + 300_000) } } : {}),
    hookInstance: 'h',
    service: 'deterioration-risk',
    cards: [],
  });

describe('tokens carried by the audit files', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function readBack(oldestMs: number): Promise<string[]> {
    const keys: string[] = [];
    for await (const token of tokensCarriedByAuditFiles(dir)(oldestMs)) keys.push(token.key);
    return keys;
  }

  it('gives the tokens newest first across days and writers, and stops two minutes before the oldest time asked for', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-carried-'));
    await mkdir(join(dir, 'audit'));
    const minute = 60_000;
    await writeFile(
      join(dir, 'audit', 'audit-2026-11-22.jsonl'),
      [line(NOW - 30 * minute, 'too-old'), line(NOW - 14 * minute, 'stops-here'), line(NOW - 12 * minute, 'slow-call')].join('\n') + '\n',
    );
    await writeFile(
      join(dir, 'audit', 'audit-2026-11-23.jsonl'),
      [line(NOW - 9 * minute, 'a'), line(NOW - 8 * minute), 'torn {"v":1', line(NOW - 7 * minute, 'b')].join('\n') + '\n',
    );
    await writeFile(join(dir, 'audit', 'audit-2026-11-23.replica-2.jsonl'), line(NOW - 5 * minute, 'c') + '\n');
    // Asked from 11 minutes ago: 'slow-call' began 12 minutes ago (within the two minutes' margin for
    // calls written after later ones); 'stops-here', 14 minutes ago, ends the reading.
    expect(await readBack(NOW - 11 * minute)).toEqual(['c', 'b', 'a', 'slow-call']);
  });

  it('reads a record written in another key order, and skips what is not a record', () => {
    const reordered = JSON.stringify({ service: 's', token: { until: iso(NOW + 1000), digest: 'd' }, at: iso(NOW), v: 1 });
    expect(recordStart(reordered)).toEqual({ atMs: NOW, token: { key: 'd', untilMs: NOW + 1000 } });
    expect(recordStart(line(NOW))).toEqual({ atMs: NOW });
    expect(recordStart(line(NOW, 'x'))).toEqual({ atMs: NOW, token: { key: 'x', untilMs: NOW + 300_000 } });
    expect(recordStart('{"v":1,"at":"not a date"}')).toBeUndefined();
    expect(recordStart('')).toBeUndefined();
  });

  it('gives nothing when there is no audit directory yet', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-carried-'));
    expect(await readBack(NOW)).toEqual([]);
  });
});
