// The embedded replay store (no VIGIL_REDIS_URL): the in-memory one, written through to disk so that
// a token accepted once is refused after a restart too, `kill -9` included. Each accepted (iss, jti)
// is appended, as a digest with its expiry, to VIGIL_DATA_DIR/replay/replay-YYYY-MM-DD.jsonl and
// on disk before the call goes on (one O_DSYNC write per group commit, as the audit trail:
// daily-jsonl.ts), so the call's answer never precedes the record that forbids its replay.
//
// Why persist rather than refuse every token issued before the start: `iat` is the client's clock,
// so "issued before the start" cannot be told reliably within the tolerated skew; a token captured
// in the seconds before a restart could then be replayed, or every token refused for those seconds.
//
// At start-up only the entries that may still be live are read back, from each file's newest end,
// stopping at the first line older than the longest a token lives (VIGIL_JWT_MAX_LIFETIME_SECONDS plus
// twice the skew: claims.ts lets exp run that far ahead); calls wait for that read, nothing else does.
// Older days' files are deleted: they only hold expired tokens.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DailyJsonlLog, linesBackwards, parseLine, utcDay, type OpenForAppend } from '../journal/daily-jsonl.js';
import { ReplayStore, replayKey, replayUntilMs, type ReplayGuard } from './replay-store.js';

export interface DurableReplayOptions {
  dataDir: string;
  /** VIGIL_JWT_REPLAY_CACHE_SIZE: entries kept in memory and read back. */
  maxEntries: number;
  maxLifetimeSeconds: number;
  skewSeconds: number;
  clock?: () => Date;
  /** How files are opened (tests make writes fail). */
  open?: OpenForAppend;
  log?: { warn(obj: object, msg: string): void };
}

/** One line: the digest of (iss, jti), until when it is remembered, and when it was accepted (ms). */
interface ReplayLine {
  k: string;
  e: number;
  a: number;
}

const DAY_MS = 86_400_000;

export class DurableReplayStore implements ReplayGuard {
  private readonly memory: ReplayStore;
  private readonly log: DailyJsonlLog;
  private readonly opts: DurableReplayOptions;
  private readonly clock: () => Date;
  private loading: Promise<void> | undefined;

  constructor(opts: DurableReplayOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? (() => new Date());
    this.memory = new ReplayStore(opts.maxEntries);
    this.log = new DailyJsonlLog(join(opts.dataDir, 'replay'), 'replay', opts.open !== undefined ? { open: opts.open } : {});
  }

  /** Starts reading back the live entries (calls wait for it) and returns at once. */
  start(): this {
    this.loading = this.load()
      .catch((err: unknown) => {
        // Unreadable files: what could be read is kept; the gap is said, not hidden.
        this.opts.log?.warn({ code: (err as { code?: unknown }).code ?? 'unknown' }, 'the replay store could not be read back in full');
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this;
  }

  /** Resolves once the read-back is done. */
  whenLoaded(): Promise<void> {
    return this.loading ?? Promise.resolve();
  }

  async firstUse(iss: string, jti: string, expSeconds: number, skewSeconds: number, now: Date): Promise<boolean> {
    if (this.loading !== undefined) await this.loading;
    const key = replayKey(iss, jti);
    const until = replayUntilMs(expSeconds, skewSeconds);
    if (!this.memory.claim(key, until, now.getTime())) return false;
    try {
      await this.log.append(utcDay(now), { k: key, e: until, a: now.getTime() } satisfies ReplayLine);
    } catch (err) {
      // Not on disk: not accepted either (the caller answers 503), so a retry with this token may pass.
      this.memory.release(key);
      throw err;
    }
    return true;
  }

  close(): Promise<void> {
    return this.log.close();
  }

  /** The longest an accepted token can stay valid, counted from its acceptance (ms). */
  private get windowMs(): number {
    return (this.opts.maxLifetimeSeconds + 2 * this.opts.skewSeconds) * 1000;
  }

  private async load(): Promise<void> {
    const now = this.clock().getTime();
    const oldest = now - this.windowMs;
    const firstDay = utcDay(new Date(oldest));
    let restored = 0;
    const days = await this.log.days();
    reading: for (const day of [...days].reverse()) {
      if (day < firstDay) break;
      for (const path of (await this.log.filesOf(day)).reverse()) {
        for await (const text of linesBackwards(path)) {
          const line = parseLine(text) as Partial<ReplayLine> | undefined;
          if (typeof line?.k !== 'string' || typeof line.e !== 'number' || typeof line.a !== 'number') continue;
          if (line.a < oldest) break; // lines are in acceptance order: everything before is expired
          if (line.e >= now && this.memory.claim(line.k, line.e, now)) restored += 1;
          if (restored >= this.opts.maxEntries) break reading;
        }
      }
    }
    // Days wholly before the window hold only expired tokens (a day is kept one day more for skew).
    const keepFrom = utcDay(new Date(oldest - DAY_MS));
    for (const day of days) {
      if (day >= keepFrom) break;
      for (const path of await this.log.filesOf(day)) await rm(path, { force: true });
    }
  }
}
