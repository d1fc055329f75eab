// The embedded replay store (no VIGIL_REDIS_URL): the in-memory one, written through to disk so that
// a token accepted once is refused after a restart too, `kill -9` included. Each accepted (iss, jti)
// is kept, as a digest with its expiry, on disk before the answer to its call leaves, in one of two
// places:
//
//  - in the audit record of the hook call it authenticated (`claimUntilAnswered`, when the audit trail
//    is the files under VIGIL_DATA_DIR): the record is written before the call is answered anyway, so
//    the token costs no write of its own. Measured (bench/RESULTS.md): a separate O_DSYNC write per
//    token was most of what authentication cost Vigil beyond the signature check;
//  - otherwise (discovery, feedback, a call refused, an audit trail elsewhere) in its own line in
//    VIGIL_DATA_DIR/replay/replay-YYYY-MM-DD.jsonl (one O_DSYNC write per group commit, as the audit
//    trail: daily-jsonl.ts).
//
// Either way the token is refused for replay in memory the moment it is accepted, and the answer to
// its call never precedes the record that forbids its replay. A crash between the two loses only a
// call that was never answered, so its token being accepted once more after the restart gives no one
// a second answer.
//
// Why persist rather than refuse every token issued before the start: `iat` is the client's clock,
// so "issued before the start" cannot be told reliably within the tolerated skew; a token captured
// in the seconds before a restart could then be replayed, or every token refused for those seconds.
//
// At start-up only the entries that may still be live are read back, from each file's newest end,
// stopping at the first line older than the longest a token lives (VIGIL_JWT_MAX_LIFETIME_SECONDS plus
// twice the skew: claims.ts lets exp run that far ahead); calls wait for that read, nothing else does.
// Older days' replay files are deleted: they only hold expired tokens.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DailyJsonlLog, linesBackwards, parseLine, utcDay, type OpenForAppend } from '../journal/daily-jsonl.js';
import { errorCode } from '../errors.js';
import { ReplayCheckUnavailableError, ReplayStore, replayKey, replayUntilMs, type PendingToken, type ReplayGuard } from './replay-store.js';

/** A token an audit record carried: its digest and until when it is refused (ms since the epoch). */
export interface CarriedToken {
  key: string;
  untilMs: number;
}

/**
 * The tokens carried by records written since `oldestMs` (and possibly a little before), newest
 * first: how the audit trail gives back what it carried (src/audit/carried-tokens.ts).
 */
export type CarriedTokenSource = (oldestMs: number) => AsyncIterable<CarriedToken>;

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
  /**
   * Where records that carry tokens are read back: given only when the audit trail is the files under
   * the same VIGIL_DATA_DIR. Without it every token gets its own line before its call goes on.
   */
  carriedTokens?: CarriedTokenSource;
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
      await this.writeLine(key, until, now.getTime());
    } catch (err) {
      // Not on disk: not accepted either (the caller answers 503), so a retry with this token may pass.
      this.memory.release(key);
      throw err;
    }
    return true;
  }

  async claimUntilAnswered(
    iss: string,
    jti: string,
    expSeconds: number,
    skewSeconds: number,
    now: Date,
  ): Promise<PendingToken | undefined> {
    if (this.loading !== undefined) await this.loading;
    const key = replayKey(iss, jti);
    const until = replayUntilMs(expSeconds, skewSeconds);
    if (!this.memory.claim(key, until, now.getTime())) return undefined;
    const token = new PendingReplayLine(key, until, now.getTime(), {
      write: (line) => this.writeLine(line.key, line.untilMs, line.acceptedMs),
      forget: (k) => this.memory.release(k),
    });
    // No record will carry it (the audit trail is elsewhere): on disk before the call goes on, as firstUse.
    if (this.opts.carriedTokens === undefined) await token.persist();
    return token;
  }

  close(): Promise<void> {
    return this.log.close();
  }

  /** The longest an accepted token can stay valid, counted from its acceptance (ms). */
  private get windowMs(): number {
    return (this.opts.maxLifetimeSeconds + 2 * this.opts.skewSeconds) * 1000;
  }

  private writeLine(key: string, untilMs: number, acceptedMs: number): Promise<void> {
    return this.log.append(utcDay(new Date(acceptedMs)), { k: key, e: untilMs, a: acceptedMs } satisfies ReplayLine);
  }

  private async load(): Promise<void> {
    const now = this.clock().getTime();
    const oldest = now - this.windowMs;
    const firstDay = utcDay(new Date(oldest));
    let restored = 0;
    /** Remembers one live entry; false once as many are remembered as memory keeps. */
    const restore = (key: string, untilMs: number): boolean => {
      if (untilMs >= now && this.memory.claim(key, untilMs, now)) restored += 1;
      return restored < this.opts.maxEntries;
    };
    const days = await this.log.days();
    reading: for (const day of [...days].reverse()) {
      if (day < firstDay) break;
      for (const path of (await this.log.filesOf(day)).reverse()) {
        for await (const text of linesBackwards(path)) {
          const line = parseLine(text) as Partial<ReplayLine> | undefined;
          if (typeof line?.k !== 'string' || typeof line.e !== 'number' || typeof line.a !== 'number') continue;
          if (line.a < oldest) break; // lines are in acceptance order: everything before is expired
          if (!restore(line.k, line.e)) break reading;
        }
      }
    }
    if (this.opts.carriedTokens !== undefined && restored < this.opts.maxEntries) {
      for await (const token of this.opts.carriedTokens(oldest)) if (!restore(token.key, token.untilMs)) break;
    }
    // Days wholly before the window hold only expired tokens (a day is kept one day more for skew).
    const keepFrom = utcDay(new Date(oldest - DAY_MS));
    for (const day of days) {
      if (day >= keepFrom) break;
      for (const path of await this.log.filesOf(day)) await rm(path, { force: true });
    }
  }
}

/** A token accepted in memory whose line or carrying record is not on disk yet (replay-store.ts, PendingToken). */
class PendingReplayLine implements PendingToken {
  private state: 'pending' | 'durable' | 'forgotten' = 'pending';

  constructor(
    readonly key: string,
    readonly untilMs: number,
    /** When it was accepted (ms since the epoch): its own line says so. */
    readonly acceptedMs: number,
    private readonly store: { write(line: PendingReplayLine): Promise<void>; forget(key: string): void },
  ) {}

  get durable(): boolean {
    return this.state === 'durable';
  }

  carried(): void {
    if (this.state === 'pending') this.state = 'durable';
  }

  async persist(): Promise<void> {
    if (this.state !== 'pending') return;
    try {
      await this.store.write(this);
      this.state = 'durable';
    } catch (err) {
      // Not on disk: not accepted either (the call is answered 503), so a retry with this token may pass.
      this.state = 'forgotten';
      this.store.forget(this.key);
      throw new ReplayCheckUnavailableError(errorCode(err));
    }
  }

  async persistAfterRefusal(): Promise<void> {
    if (this.state !== 'pending') return;
    try {
      await this.store.write(this);
      this.state = 'durable';
    } catch {
      // The refused call gave nothing away; the token stays refused in this process. A failing disk
      // is reported by the audit trail's gate and readiness check, not once per refused call here.
    }
  }
}
