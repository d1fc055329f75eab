// The JSON Lines log under a failing file system (injected: short writes, ENOSPC part-way through a
// batch, a failing fdatasync or truncate): every acknowledged record is readable afterwards, no failed
// record is, and a record written once space returns is never glued to a torn line.
import { appendFile, mkdtemp, open, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DailyJsonlLog, linesBackwards, ShortWriteError, type LogFileHandle, type OpenForAppend } from '../../src/journal/daily-jsonl.js';
import { propertyRuns } from '../support/property.js';

const DAY = '2026-11-23';

/** A disk the test controls: how many bytes fit, how many one write() takes, what fails. */
interface FaultyDisk {
  open: OpenForAppend;
  /** Bytes that may still be written; undefined: unlimited. */
  space: number | undefined;
  /** Most bytes one write() call takes (a short write beyond it). */
  maxPerWrite: number;
  /** What a write to a full disk does: fail with ENOSPC, or report 0 bytes written and no error. */
  whenFull: 'ENOSPC' | 'zero';
  failDatasync: boolean;
  failTruncate: boolean;
}

function faultyDisk(): FaultyDisk {
  const disk: FaultyDisk = {
    space: undefined,
    maxPerWrite: Number.POSITIVE_INFINITY,
    whenFull: 'ENOSPC',
    failDatasync: false,
    failTruncate: false,
    open: async (path) => {
      const real = await open(path, 'a+', 0o600);
      const handle: LogFileHandle = {
        async write(buffer, offset, length) {
          if (disk.space === 0 && disk.whenFull === 'zero') return { bytesWritten: 0 };
          if (disk.space === 0) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
          const n = Math.min(length, disk.maxPerWrite, disk.space ?? Number.POSITIVE_INFINITY);
          const result = await real.write(buffer, offset, n);
          if (disk.space !== undefined) disk.space -= result.bytesWritten;
          return result;
        },
        read: (buffer, offset, length, position) => real.read(buffer, offset, length, position),
        async datasync() {
          if (disk.failDatasync) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
          await real.datasync();
        },
        async truncate(length) {
          if (disk.failTruncate) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
          await real.truncate(length);
        },
        stat: () => real.stat(),
        close: () => real.close(),
      };
      return handle;
    },
  };
  return disk;
}

const record = (n: number) => ({ n, pad: 'x'.repeat(40 + (n % 7) * 13), note: 'é ü 漢' });

async function readNs(dir: string): Promise<number[]> {
  const log = new DailyJsonlLog(dir, 'audit');
  const out: number[] = [];
  for await (const r of log.readDay(DAY)) out.push((r as { n: number }).n);
  return out;
}

async function fileText(dir: string): Promise<string> {
  return readFile(join(dir, `audit-${DAY}.jsonl`), 'utf8');
}

describe('the JSON Lines log on a failing disk', () => {
  let dir: string;
  let disk: FaultyDisk;
  let log: DailyJsonlLog;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-jsonl-'));
    disk = faultyDisk();
    log = new DailyJsonlLog(dir, 'audit', { open: disk.open });
  });
  afterEach(async () => {
    await log.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  it('continues a short write until the whole batch is down', async () => {
    disk.maxPerWrite = 7;
    await Promise.all([1, 2, 3, 4, 5].map((n) => log.append(DAY, record(n))));
    expect(await readNs(dir)).toEqual([1, 2, 3, 4, 5]);
  });

  it('fails an append whose write stops making progress, leaving no partial line', async () => {
    await log.append(DAY, record(1));
    disk.space = 10; // ten bytes go down, then write() reports 0 bytes and no error
    disk.whenFull = 'zero';
    await expect(log.append(DAY, record(2))).rejects.toBeInstanceOf(ShortWriteError);
    disk.space = undefined;
    await log.append(DAY, record(3));
    expect(await readNs(dir)).toEqual([1, 3]);
    expect((await fileText(dir)).split('\n').filter((l) => l !== '')).toHaveLength(2);
  });

  it('cuts back a batch that ran out of space part-way, so the next record is not glued to it', async () => {
    await log.append(DAY, record(1));
    disk.space = 30; // part of the next record fits, then ENOSPC
    await expect(log.append(DAY, record(2))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await fileText(dir)).toMatch(/\n$/);
    disk.space = undefined; // space returns
    await log.append(DAY, record(3));
    expect(await readNs(dir)).toEqual([1, 3]);
  });

  it('cuts back a batch whose fdatasync failed: it was never acknowledged', async () => {
    await log.append(DAY, record(1));
    disk.failDatasync = true;
    await expect(log.append(DAY, record(2))).rejects.toMatchObject({ code: 'EIO' });
    disk.failDatasync = false;
    await log.append(DAY, record(3));
    expect(await readNs(dir)).toEqual([1, 3]);
  });

  it('when the cut-back fails too, repairs the torn tail on reopening before appending', async () => {
    await log.append(DAY, record(1));
    disk.space = 30;
    disk.failTruncate = true;
    await expect(log.append(DAY, record(2))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await fileText(dir)).not.toMatch(/\n$/); // the torn piece is still there...
    disk.space = undefined;
    disk.failTruncate = false;
    await log.append(DAY, record(3)); // ...and is cut off before this one is written
    expect(await readNs(dir)).toEqual([1, 3]);
    expect((await fileText(dir)).split('\n')).toHaveLength(3); // two lines and the final newline
  });

  it('acknowledges exactly the records that are readable, however the space runs out (property)', async (ctx) => {
    const scenario = fc.record({
      space: fc.integer({ min: 0, max: 3000 }),
      maxPerWrite: fc.integer({ min: 1, max: 400 }),
      bursts: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 6 }),
      freedAfter: fc.integer({ min: 0, max: 5 }),
    });
    let caseNo = 0;
    await propertyRuns(
      ctx.annotate,
      fc.asyncProperty(scenario, async ({ space, maxPerWrite, bursts, freedAfter }) => {
        const caseDir = join(dir, `case-${caseNo++}`);
        const d = faultyDisk();
        d.space = space;
        d.maxPerWrite = maxPerWrite;
        const l = new DailyJsonlLog(caseDir, 'audit', { open: d.open });
        const acknowledged: number[] = [];
        let n = 0;
        for (const [i, size] of bursts.entries()) {
          if (i === freedAfter) d.space = undefined; // space returns part-way through
          const burst = Array.from({ length: size }, () => n++);
          const settled = await Promise.allSettled(burst.map((k) => l.append(DAY, record(k))));
          settled.forEach((s, j) => s.status === 'fulfilled' && acknowledged.push(burst[j]!));
        }
        await l.close();
        const readable = await readNs(caseDir).catch(() => []);
        expect(readable.sort((a, b) => a - b)).toEqual(acknowledged.sort((a, b) => a - b));
      }),
      { minRuns: 40, timeLimitMs: 2000, maxRuns: 300 },
    );
  });
});

describe('durability on a real disk', () => {
  /** O_DSYNC in /proc/<pid>/fdinfo's octal flags (Linux): each write returns only once on disk. */
  const O_DSYNC = 0o10000;

  it('appends through a file opened O_DSYNC, so an acknowledged write is on disk without a separate fdatasync', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-jsonl-'));
    try {
      const log = new DailyJsonlLog(dir, 'audit');
      await log.append(DAY, { n: 1 });
      const file = join(dir, `audit-${DAY}.jsonl`);
      const fds = await readdir('/proc/self/fd');
      const flags: number[] = [];
      for (const fd of fds) {
        const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
        if (target !== file) continue;
        const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8');
        flags.push(parseInt(/^flags:\s+([0-7]+)/m.exec(info)![1]!, 8));
      }
      expect(flags).toHaveLength(1);
      expect(flags[0]! & O_DSYNC).toBe(O_DSYNC);
      await log.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('opening a file a crash left torn', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-jsonl-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('cuts the torn last line off before appending', async () => {
    await writeFile(join(dir, `audit-${DAY}.jsonl`), `${JSON.stringify(record(1))}\n${JSON.stringify(record(2)).slice(0, 25)}`);
    const log = new DailyJsonlLog(dir, 'audit');
    await log.append(DAY, record(3));
    await log.close();
    expect(await readNs(dir)).toEqual([1, 3]);
    expect(await fileText(dir)).toBe(`${JSON.stringify(record(1))}\n${JSON.stringify(record(3))}\n`);
  });

  it('treats a file holding only a torn line as empty', async () => {
    await writeFile(join(dir, `audit-${DAY}.jsonl`), '{"n":1,"pad":"xx');
    const log = new DailyJsonlLog(dir, 'audit');
    await log.append(DAY, record(2));
    await log.close();
    expect(await readNs(dir)).toEqual([2]);
  });
});

describe('several writers, one directory', () => {
  it("names each writer's file and reads every writer's records of a day", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-jsonl-'));
    const a = new DailyJsonlLog(dir, 'audit', { writer: 'w1' });
    const b = new DailyJsonlLog(dir, 'audit', { writer: 'w2' });
    await Promise.all([a.append(DAY, record(1)), b.append(DAY, record(2))]);
    await appendFile(join(dir, 'audit-2026-11-23.notes.txt'), 'not a log file');
    await Promise.all([a.close(), b.close()]);
    const reader = new DailyJsonlLog(dir, 'audit');
    expect(await reader.filesOf(DAY)).toEqual([join(dir, `audit-${DAY}.w1.jsonl`), join(dir, `audit-${DAY}.w2.jsonl`)]);
    expect((await readNs(dir)).sort()).toEqual([1, 2]);
    expect(await reader.days()).toEqual([DAY]);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('reading lines backwards', () => {
  it('gives every line, last first, whatever the chunk size (property)', async (ctx) => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-jsonl-'));
    const path = join(dir, 'lines.jsonl');
    const line = fc.string({ unit: fc.constantFrom('a', 'é', '漢', '😀', '"', ' '), minLength: 0, maxLength: 30 });
    await propertyRuns(
      ctx.annotate,
      fc.asyncProperty(
        fc.array(line, { maxLength: 25 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        async (lines, chunk, trailingNewline) => {
          const text = lines.join('\n') + (trailingNewline && lines.length > 0 ? '\n' : '');
          await writeFile(path, text);
          const back: string[] = [];
          for await (const l of linesBackwards(path, chunk)) back.push(l);
          expect(back).toEqual(lines.filter((l) => l !== '').reverse());
        },
      ),
      { minRuns: 100, timeLimitMs: 1500, maxRuns: 2000 },
    );
    await rm(dir, { recursive: true, force: true });
  });
});
