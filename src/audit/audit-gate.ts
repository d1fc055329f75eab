// What a hook call does when its audit record cannot be written, decided here, above any AuditStore
// (the JSON Lines files today, a database later), so every store gets the same answer:
//
//  - `refuse` (the default): the call is answered 503 with an OperationOutcome and no cards. The EHR
//    then shows no card rather than one nobody could later account for; the README promises that an
//    acknowledged call is on disk, and this keeps the promise.
//  - `answer` (VIGIL_AUDIT_ON_FAILURE=answer, for sites that put availability first): the call is
//    answered and the missing record counted.
//
// Either way the failure is a metric (by error code), a log line (rate-limited: a full disk fails every
// call) and a readiness check: under `refuse`, /readyz answers 503 until a write succeeds again, so a
// load balancer sends the calls to replicas that can record them.
import { errorCode, VigilError } from '../errors.js';
import type { ReadinessCheck } from '../health/readiness.js';
import { type LogLimiter, defaultLogLimiter } from '../observability/log-limiter.js';
import type { AuditRecord } from './audit-record.js';
import type { AuditStore } from './audit-store.js';

export type AuditFailurePolicy = 'refuse' | 'answer';

/** 503: the call's audit record could not be written, so the call is not answered (policy `refuse`). */
export class AuditUnavailableError extends VigilError {
  constructor(cause: string) {
    super(
      'VIGIL_AUDIT_UNAVAILABLE',
      'the audit trail cannot be written',
      [
        {
          severity: 'error',
          code: 'transient',
          diagnostics: 'the call was not answered: its audit record could not be written (storage full or failing). Retry later.',
        },
      ],
      { retryAfterSeconds: 5, cause },
    );
  }
}

export interface AuditGateOptions {
  store: Pick<AuditStore, 'append' | 'check'>;
  policy: AuditFailurePolicy;
  log: { error(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** A record could not be written: its error code (ENOSPC, EROFS, ...), for metrics. */
  onFailure?: (code: string) => void;
  /** Whether the trail can currently be written (a gauge). */
  onWritable?: (writable: boolean) => void;
  /**
   * A record is durable: the seconds its call waited for it (gathering, the write or commit, and the
   * event loop's turn to see it done), the part of an answer's latency that is the audit trail.
   */
  onDurable?: (seconds: number) => void;
  limiter?: LogLimiter;
  /** Monotonic milliseconds, for spacing re-checks. */
  now?: () => number;
  /** Wall clock, for saying since when the trail fails. */
  clock?: () => Date;
  /** Least time between two re-checks of a failing store by the readiness probe. */
  recheckMs?: number;
}

export class AuditGate {
  private readonly opts: AuditGateOptions;
  private readonly limiter: LogLimiter;
  private readonly now: () => number;
  private failing: { code: string; since: Date } | undefined;
  private lastRecheck = Number.NEGATIVE_INFINITY;

  constructor(opts: AuditGateOptions) {
    this.opts = opts;
    this.limiter = opts.limiter ?? defaultLogLimiter();
    this.now = opts.now ?? (() => performance.now());
  }

  get policy(): AuditFailurePolicy {
    return this.opts.policy;
  }

  /**
   * Writes the record and resolves true once it is durable; on failure, throws AuditUnavailableError
   * under `refuse` and resolves false under `answer`.
   */
  async record(record: AuditRecord): Promise<boolean> {
    const started = this.now();
    try {
      await this.opts.store.append(record);
    } catch (err) {
      const code = errorCode(err);
      this.failed(code);
      if (this.opts.policy === 'refuse') throw new AuditUnavailableError(code);
      return false;
    }
    this.opts.onDurable?.((this.now() - started) / 1000);
    this.recovered();
    return true;
  }

  /**
   * The readiness check. While the trail is failing, a probe asks the store again (at most once per
   * `recheckMs`), so a replica taken out of rotation, and so getting no calls, still notices recovery.
   */
  async readinessCheck(): Promise<ReadinessCheck> {
    if (this.failing !== undefined && this.now() - this.lastRecheck >= (this.opts.recheckMs ?? 1000)) {
      this.lastRecheck = this.now();
      try {
        await this.opts.store.check();
        this.recovered();
      } catch {
        // Still failing: said by the check below.
      }
    }
    if (this.failing === undefined) return { name: 'audit', ok: true, detail: 'writable' };
    const refusing = this.opts.policy === 'refuse';
    return {
      name: 'audit',
      ok: !refusing,
      detail:
        `cannot be written (${this.failing.code}) since ${this.failing.since.toISOString()}; ` +
        (refusing ? 'hook calls are refused with 503' : 'hook calls are answered without a record (VIGIL_AUDIT_ON_FAILURE=answer)'),
    };
  }

  private failed(code: string): void {
    if (this.failing === undefined) {
      this.failing = { code, since: (this.opts.clock ?? (() => new Date()))() };
      this.opts.onWritable?.(false);
    }
    this.opts.onFailure?.(code);
    this.limiter.log(
      this.opts.log,
      'error',
      `audit:${code}`,
      { code, policy: this.opts.policy },
      this.opts.policy === 'refuse'
        ? 'audit record not written: the call is refused (503)'
        : 'audit record not written: the call is answered without one',
    );
  }

  private recovered(): void {
    if (this.failing === undefined) return;
    this.opts.log.info({ code: this.failing.code, since: this.failing.since.toISOString() }, 'the audit trail can be written again');
    this.failing = undefined;
    this.opts.onWritable?.(true);
  }
}
