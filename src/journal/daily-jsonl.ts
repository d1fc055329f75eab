// An append-only JSON Lines log, one file per UTC day, that acknowledges a record only once it is on
// disk. Why this format: Node 20 has no built-in SQLite and a native module is one more thing to
// build and audit; JSON Lines needs no dependency, is read by every log shipper and by `grep`/`jq`,
// and append-only files are what an audit trail is.
//
// Durability: each batch is written in full (a short write is continued until every byte is down)
// and is on disk before its appends resolve; concurrent appends share one sync (group commit). Files
// are opened O_DSYNC, so each write returns only once its data (and the size needed to read it) is
// on disk, as write + fdatasync would: one system call and one thread-pool task per batch instead of
// two (measured on this machine: 168 against 214 µs of CPU per batch; bench/RESULTS.md).
// A batch that fails (ENOSPC, EIO, EROFS, ...) rejects every append in it and the file is cut back to
// its last complete line before anything else is appended, so a full disk never leaves a torn line
// for the next record to be glued to. A torn tail left by a crash is cut off when the file is opened.
// Readers skip any line that does not parse.
//
// One writer per file: the file is cut back, which only its own writer may do. Several processes
// sharing a directory give each a `writer` name (`audit-YYYY-MM-DD.<writer>.jsonl`); readers read every
// writer's file of a day.
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { errorCode } from '../errors.js';
import { GroupCommit, type GatherOptions } from './group-commit.js';

/** `YYYY-MM-DD` of an instant, in UTC: the file a record at that instant belongs to. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The part of node:fs/promises' FileHandle the log uses; tests wrap it to fail on purpose. */
export interface LogFileHandle {
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  datasync(): Promise<void>;
  /** True when every write returns only once durable (opened O_DSYNC): no datasync after it. */
  readonly syncedWrites?: boolean;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** Opens a file for appending (created 0600 when absent). */
export type OpenForAppend = (path: string) => Promise<LogFileHandle>;

/** `a+` (read, append, create) with O_DSYNC. */
const APPEND_DURABLY = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC;

const openForAppend: OpenForAppend = async (path) => Object.assign(await open(path, APPEND_DURABLY, 0o600), { syncedWrites: true });

export interface DailyJsonlOptions {
  /** This process's name in file names, when several processes write one directory. */
  writer?: string;
  /** How files are opened; tests inject short writes and ENOSPC. */
  open?: OpenForAppend;
  /** A batch waits briefly for appends announced as coming (group-commit.ts); default: never waits. */
  gather?: GatherOptions;
}

interface Pending {
  day: string;
  line: string;
}

interface Current {
  day: string;
  handle: LogFileHandle;
  /** Length of the file up to its last complete, synced line: where a failed batch is cut back to. */
  size: number;
}

/** A write that made no progress and reported no error: treated as one, never as success. */
export class ShortWriteError extends Error {
  readonly code = 'VIGIL_SHORT_WRITE';
  constructor(written: number, wanted: number) {
    super(`wrote ${written} of ${wanted} bytes and could write no more`);
    this.name = 'ShortWriteError';
  }
}

/** An append after close (a call still finishing during shutdown): refused, never half-written. */
export class LogClosedError extends Error {
  readonly code = 'VIGIL_LOG_CLOSED';
  constructor(prefix: string) {
    super(`${prefix} log is closed`);
    this.name = 'LogClosedError';
  }
}

export class DailyJsonlLog {
  private readonly dir: string;
  private readonly prefix: string;
  private readonly writer: string | undefined;
  private readonly openFile: OpenForAppend;
  /** Appends that arrive while a batch is on its way to disk wait for the next batch. */
  private readonly group: GroupCommit<Pending>;
  private current: Current | undefined;
  private closed = false;

  /** Files are `<dir>/<prefix>-YYYY-MM-DD.jsonl` (`...YYYY-MM-DD.<writer>.jsonl` with a writer). */
  constructor(dir: string, prefix: string, options: DailyJsonlOptions = {}) {
    if (options.writer !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(options.writer)) {
      throw new RangeError('a writer name is 1 to 64 letters, digits, _ or -');
    }
    this.dir = dir;
    this.prefix = prefix;
    this.writer = options.writer;
    this.openFile = options.open ?? openForAppend;
    this.group = new GroupCommit<Pending>((batch) => this.writeDays(batch), Number.POSITIVE_INFINITY, options.gather);
  }

  fileFor(day: string): string {
    return join(this.dir, `${this.prefix}-${day}${this.writer === undefined ? '' : `.${this.writer}`}.jsonl`);
  }

  /** Resolves once the record is on disk (written in full and synced); rejects if it is not. */
  append(day: string, record: object): Promise<void> {
    if (this.closed) return Promise.reject(new LogClosedError(this.prefix));
    return this.group.add({ day, line: `${JSON.stringify(record)}\n` });
  }

  /** One batch, one write and fsync per day it touches; a day that fails fails only its own records. */
  private async writeDays(batch: Pending[]): Promise<unknown[]> {
    const errors: unknown[] = new Array(batch.length).fill(undefined);
    const byDay = new Map<string, number[]>();
    batch.forEach((p, i) => byDay.set(p.day, [...(byDay.get(p.day) ?? []), i]));
    for (const [day, indexes] of byDay) {
      try {
        await this.writeBatch(day, Buffer.from(indexes.map((i) => batch[i]!.line).join(''), 'utf8'));
      } catch (err) {
        for (const i of indexes) errors[i] = err;
      }
    }
    return errors;
  }

  private async writeBatch(day: string, data: Buffer): Promise<void> {
    const file = await this.fileOf(day);
    try {
      await writeFully(file.handle, data);
      if (file.handle.syncedWrites !== true) await file.handle.datasync();
      file.size += data.length;
    } catch (err) {
      await this.cutBack(file);
      throw err;
    }
  }

  /**
   * After a failed batch: remove whatever part of it reached the file, so the next record starts on
   * a line of its own. If even that fails, the file is closed and reopened (and repaired) next time.
   */
  private async cutBack(file: Current): Promise<void> {
    try {
      await file.handle.truncate(file.size);
    } catch {
      if (this.current === file) this.current = undefined;
      await file.handle.close().catch(() => {});
    }
  }

  private async fileOf(day: string): Promise<Current> {
    if (this.current?.day === day) return this.current;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const path = this.fileFor(day);
    const handle = await this.openFile(path);
    let size: number;
    try {
      const before = (await handle.stat()).size;
      size = await cutTornTail(handle, before);
      if (before === 0) await syncDirectory(this.dir); // the new file's name must survive a crash too
    } catch (err) {
      await handle.close().catch(() => {});
      throw err;
    }
    // Records arrive in time order, so a new day retires the old file; a late record for an
    // earlier day (clock skew) simply reopens it.
    const previous = this.current;
    this.current = { day, handle, size };
    await previous?.handle.close().catch(() => {});
    return this.current;
  }

  /**
   * Resolves when a few kilobytes can be written and synced in the log's directory now (a scratch
   * file, removed again): how a log that failed learns, without a record to risk, that it may work.
   */
  async probe(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const path = join(this.dir, `.probe-${this.prefix}${this.writer === undefined ? '' : `.${this.writer}`}`);
    const handle = await this.openFile(path);
    try {
      await writeFully(handle, Buffer.alloc(PROBE_BYTES, 0x20));
      if (handle.syncedWrites !== true) await handle.datasync();
    } finally {
      await handle.close().catch(() => {});
      await rm(path, { force: true }).catch(() => {});
    }
  }

  /** Days that have a file (of any writer), oldest first. */
  async days(): Promise<string[]> {
    const days = new Set<string>();
    for (const name of await this.names()) {
      const day = this.dayOf(name);
      if (day !== undefined) days.add(day);
    }
    return [...days].sort();
  }

  /** Every file of one day (one per writer), by name. */
  async filesOf(day: string): Promise<string[]> {
    return (await this.names())
      .filter((n) => this.dayOf(n) === day)
      .sort()
      .map((n) => join(this.dir, n));
  }

  /** Every parseable record of one day's files, in the order written; lines that do not parse are skipped. */
  async *readDay(day: string): AsyncIterable<unknown> {
    for (const path of await this.filesOf(day)) {
      const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
      for await (const line of lines) {
        const record = parseLine(line);
        if (record !== undefined) yield record;
      }
    }
  }

  /**
   * The same records newest first, read backwards from each file's end in chunks: what start-up needs
   * (the most recent records) costs what it reads, not the size of the day.
   */
  async *readDayNewestFirst(day: string): AsyncIterable<unknown> {
    for (const path of (await this.filesOf(day)).reverse()) {
      for await (const line of linesBackwards(path)) {
        const record = parseLine(line);
        if (record !== undefined) yield record;
      }
    }
  }

  /** Waits for pending appends to reach disk, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    await this.group.close();
    await this.current?.handle.close();
    this.current = undefined;
  }

  private async names(): Promise<string[]> {
    return readdir(this.dir).catch((err: unknown) => {
      if (errorCode(err) === 'ENOENT') return [] as string[];
      throw err;
    });
  }

  private dayOf(name: string): string | undefined {
    const match = /^(.+)-(\d{4}-\d{2}-\d{2})(?:\.[A-Za-z0-9_-]{1,64})?\.jsonl$/.exec(name);
    return match !== null && match[1] === this.prefix ? match[2] : undefined;
  }
}

/** Writes every byte of `data`, continuing short writes; a write that makes no progress is an error. */
async function writeFully(handle: LogFileHandle, data: Buffer): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await handle.write(data, written, data.length - written);
    if (bytesWritten <= 0) throw new ShortWriteError(written, data.length);
    written += bytesWritten;
  }
}

/** A line's record, or undefined for a blank or unparseable (torn, damaged) line. */
export function parseLine(line: string): unknown {
  if (line.length === 0) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** A file's lines from the last to the first, read in chunks from the end (no line is split: 0x0A never occurs inside a UTF-8 character). */
export async function* linesBackwards(path: string, chunkBytes = 256 * 1024): AsyncIterable<string> {
  const handle = await open(path, 'r');
  try {
    let position = (await handle.stat()).size;
    // The start of a line whose beginning is in a chunk not yet read.
    let carry = Buffer.alloc(0);
    while (position > 0) {
      const length = Math.min(chunkBytes, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      const buf = carry.length > 0 ? Buffer.concat([chunk, carry]) : chunk;
      let end = buf.length;
      for (let nl = buf.lastIndexOf(0x0a, end - 1); nl >= 0; nl = nl === 0 ? -1 : buf.lastIndexOf(0x0a, nl - 1)) {
        if (nl + 1 < end) yield buf.toString('utf8', nl + 1, end);
        end = nl;
      }
      carry = buf.subarray(0, end);
    }
    if (carry.length > 0) yield carry.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** What probe() writes: more than a typical batch of records. */
const PROBE_BYTES = 16 * 1024;

/** How far back a torn tail is looked for: far more than any one record. */
const TAIL_SEARCH_BYTES = 1024 * 1024;

/**
 * Cuts a file that does not end with a newline back to just after its last one (a record torn by a
 * crash was never acknowledged), and returns the resulting size.
 */
async function cutTornTail(handle: LogFileHandle, size: number): Promise<number> {
  if (size === 0) return 0;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  if (last[0] === 0x0a) return size;
  const span = Math.min(size, TAIL_SEARCH_BYTES);
  const tail = Buffer.alloc(span);
  await handle.read(tail, 0, span, size - span);
  const newline = tail.lastIndexOf(0x0a);
  // No newline within the search span: keep the bytes and end them, so nothing older is lost.
  if (newline < 0 && span < size) {
    await handle.write(Buffer.from('\n'), 0, 1);
    await handle.datasync();
    return size + 1;
  }
  const keep = newline < 0 ? 0 : size - span + newline + 1;
  await handle.truncate(keep);
  await handle.datasync();
  return keep;
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
