// An append-only JSON Lines log, one file per UTC day, that acknowledges a record only once it is on
// disk. Why this format: Node 20 has no built-in SQLite and a native module is one more thing to
// build and audit; JSON Lines needs no dependency, is read by every log shipper and by `grep`/`jq`,
// and append-only files are what an audit trail is. Durability: each batch is written then
// fdatasync'ed before its appends resolve; concurrent appends share one fsync (group commit), so a
// burst costs one disk flush, not one per call. A crash can leave a torn last line: the reader skips
// any line that does not parse, and the writer starts a fresh line before appending to such a file.
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** `YYYY-MM-DD` of an instant, in UTC: the file a record at that instant belongs to. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

interface Pending {
  day: string;
  line: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface ReadResult {
  records: unknown[];
  /** Lines that did not parse (a torn write after a crash, or damage): skipped, never fatal. */
  skipped: number;
}

export class DailyJsonlLog {
  private readonly dir: string;
  private readonly prefix: string;
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private current: { day: string; handle: FileHandle } | undefined;
  private closed = false;

  /** Files are `<dir>/<prefix>-YYYY-MM-DD.jsonl`. */
  constructor(dir: string, prefix: string) {
    this.dir = dir;
    this.prefix = prefix;
  }

  fileFor(day: string): string {
    return join(this.dir, `${this.prefix}-${day}.jsonl`);
  }

  /** Resolves once the record is on disk (written and fdatasync'ed). */
  append(day: string, record: object): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.prefix} log is closed`));
    const line = `${JSON.stringify(record)}\n`;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ day, line, resolve, reject });
      this.startFlush();
    });
  }

  private startFlush(): void {
    if (this.flushing !== undefined) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      // An append that ran between the last batch and this line found a flush still "running".
      if (this.queue.length > 0) this.startFlush();
    });
  }

  private async flush(): Promise<void> {
    // Appends that arrive while a batch is on its way to disk wait for the next batch.
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const byDay = new Map<string, Pending[]>();
      for (const p of batch) byDay.set(p.day, [...(byDay.get(p.day) ?? []), p]);
      for (const [day, items] of byDay) {
        try {
          const handle = await this.handleFor(day);
          await handle.write(items.map((p) => p.line).join(''));
          await handle.datasync();
          for (const p of items) p.resolve();
        } catch (err) {
          for (const p of items) p.reject(err);
        }
      }
    }
  }

  private async handleFor(day: string): Promise<FileHandle> {
    if (this.current?.day === day) return this.current.handle;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const path = this.fileFor(day);
    const existed = await stat(path).then((s) => s.size > 0, () => false);
    const handle = await open(path, 'a+', 0o600);
    try {
      if (existed && !(await endsWithNewline(handle))) await handle.write('\n'); // after a torn write
      if (!existed) await syncDirectory(this.dir); // the new file's name must survive a crash too
    } catch (err) {
      await handle.close();
      throw err;
    }
    // Records arrive in time order, so a new day retires the old file; a late record for an
    // earlier day (clock skew) simply reopens it.
    const previous = this.current;
    this.current = { day, handle };
    await previous?.handle.close();
    return handle;
  }

  /** Days that have a file, oldest first. */
  async days(): Promise<string[]> {
    const names = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const pattern = new RegExp(`^${this.prefix}-(\\d{4}-\\d{2}-\\d{2})\\.jsonl$`);
    return names
      .map((n) => pattern.exec(n)?.[1])
      .filter((d): d is string => d !== undefined)
      .sort();
  }

  /** Every parseable record of one day's file, in the order written. */
  async readDay(day: string): Promise<ReadResult> {
    const records: unknown[] = [];
    let skipped = 0;
    const lines = createInterface({ input: createReadStream(this.fileFor(day), 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.length === 0) continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        skipped += 1;
      }
    }
    return { records, skipped };
  }

  /** Waits for pending appends to reach disk, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing !== undefined) await this.flushing;
    await this.current?.handle.close();
    this.current = undefined;
  }
}

async function endsWithNewline(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the file's own data is still synced.
  } finally {
    await handle.close();
  }
}
