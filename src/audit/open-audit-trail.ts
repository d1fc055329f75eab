// Opens the embedded audit trail at start-up: the patient-hash key, the store under VIGIL_DATA_DIR,
// the issued cards rebuilt from it (so feedback recognises cards issued before a restart), the gate
// that decides what a call does when its record cannot be written, and the recorder every call passes.
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, type Config } from '../config.js';
import { errorCode } from '../errors.js';
import { whyUnwritable } from './why-unwritable.js';
import type { CallObserver } from '../observability/answered-call.js';
import { AuditGate } from './audit-gate.js';
import { auditRecorder } from './audit-observer.js';
import { createFileAuditStore, type AuditStore } from './audit-store.js';
import { IssuedCards, type IssuedCardStore } from './issued-cards.js';
import { resolveAuditKey } from './patient-hash.js';
import { keyedHash, type KeyedHash } from '../identity/keyed-hash.js';
import { Arrivals } from '../journal/arrivals.js';

export interface AuditTrail {
  store: AuditStore;
  issued: IssuedCardStore;
  gate: AuditGate;
  /** What every hook call passes before it is answered. */
  recorder: CallObserver;
  /** Pseudonyms and card ids under the audit key, so card uuids survive a restart. */
  keyed: KeyedHash;
  /**
   * A hook call announces its record when its handling starts and settles the announcement when it
   * records (or ends without a record), so a write can wait briefly for records on their way.
   */
  expectRecord: () => () => void;
}

export interface AuditTrailLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface AuditTrailOptions {
  /** A record could not be written (metrics), by error code. */
  onWriteFailure?: (code: string) => void;
  /** Whether the trail can currently be written (metrics). */
  onWritable?: (writable: boolean) => void;
  /** A record is durable, after its call waited this many seconds for it (metrics). */
  onDurable?: (seconds: number) => void;
  /** The store; default the JSON Lines files under VIGIL_DATA_DIR/audit. */
  store?: AuditStore;
  /** The wall clock (tests pin it): what "recent" means for the issued cards. */
  clock?: () => Date;
  /** A record of issued cards shared by replicas (Redis); default one in memory, rebuilt from the trail. */
  issued?: IssuedCardStore;
  /** When the in-memory record's rebuild from the trail may begin (the server: once it listens); default at once. */
  rebuildAfter?: Promise<unknown>;
}

export async function openAuditTrail(
  config: Pick<
    Config,
    | 'VIGIL_DATA_DIR'
    | 'VIGIL_AUDIT_HMAC_KEY'
    | 'VIGIL_ISSUED_CARDS_MAX'
    | 'VIGIL_ISSUED_CARDS_MAX_AGE_HOURS'
    | 'VIGIL_AUDIT_ON_FAILURE'
    | 'VIGIL_AUDIT_GATHER_MS'
  >,
  log: AuditTrailLog,
  options: AuditTrailOptions = {},
): Promise<AuditTrail> {
  // Fail at start-up, not on the first call, when the data directory cannot be written (the files
  // are the trail unless another store is given).
  if (options.store === undefined) {
    const auditDir = join(config.VIGIL_DATA_DIR, 'audit');
    try {
      await mkdir(auditDir, { recursive: true, mode: 0o700 });
      await access(auditDir, constants.W_OK);
    } catch (err) {
      // The file system's own errno (a read-only volume reads EROFS, not the recursive mkdir's ENOENT).
      const why = await whyUnwritable(auditDir, err);
      throw new ConfigError([`VIGIL_DATA_DIR: cannot write the audit trail under ${config.VIGIL_DATA_DIR} (${why.description})`]);
    }
  }
  const key = await resolveAuditKey(config.VIGIL_AUDIT_HMAC_KEY, config.VIGIL_DATA_DIR, log);
  // Records on their way: the files' writes wait up to VIGIL_AUDIT_GATHER_MS for them (group-commit.ts).
  const arrivals = new Arrivals();
  const store =
    options.store ?? createFileAuditStore(config.VIGIL_DATA_DIR, { gather: { arrivals, maxWaitMs: config.VIGIL_AUDIT_GATHER_MS } });
  // Shared (Redis) when given; otherwise in memory, rebuilt from the trail in the background: start-up
  // does not wait for the trail to be read, nor share the CPU with it (issued-cards.ts says why).
  const issued =
    options.issued ??
    new IssuedCards({
      max: config.VIGIL_ISSUED_CARDS_MAX,
      maxAgeMs: config.VIGIL_ISSUED_CARDS_MAX_AGE_HOURS * 3600_000,
      ...(options.clock !== undefined ? { clock: options.clock } : {}),
    }).rebuildFrom(
      (bounds) => store.issuedCards(bounds),
      (err) =>
        log.warn(
          { code: errorCode(err, 'unknown') },
          'issued cards could not be read from the audit trail; feedback on older cards is flagged unknown',
        ),
      options.rebuildAfter,
    );
  const gate = new AuditGate({
    store,
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
    policy: config.VIGIL_AUDIT_ON_FAILURE,
    log,
    ...(options.onWriteFailure !== undefined ? { onFailure: options.onWriteFailure } : {}),
    ...(options.onWritable !== undefined ? { onWritable: options.onWritable } : {}),
    ...(options.onDurable !== undefined ? { onDurable: options.onDurable } : {}),
  });
  const keyed = keyedHash(key);
  const recorder = auditRecorder({ gate, issued });
  return { store, issued, gate, recorder, keyed, expectRecord: () => arrivals.announce() };
}
