// Opens the embedded audit trail at start-up: the patient-hash key, the store under VIGIL_DATA_DIR,
// the issued cards rebuilt from it (so feedback recognises cards issued before a restart) and the
// observer that records each call.
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, type Config } from '../config.js';
import type { CallObserver } from '../http/cds-routes.js';
import { auditObserver } from './audit-observer.js';
import { createFileAuditStore, type AuditStore } from './audit-store.js';
import { IssuedCards } from './issued-cards.js';
import { patientHasher, resolveAuditKey } from './patient-hash.js';

export interface AuditTrail {
  store: AuditStore;
  issued: IssuedCards;
  observer: CallObserver;
}

export async function openAuditTrail(
  config: Pick<Config, 'VIGIL_DATA_DIR' | 'VIGIL_AUDIT_HMAC_KEY' | 'VIGIL_ISSUED_CARDS_MAX'>,
  log: { warn(obj: object, msg: string): void },
  onWriteFailure?: () => void,
): Promise<AuditTrail> {
  // Fail at start-up, not on the first call, when the data directory cannot be written.
  const auditDir = join(config.VIGIL_DATA_DIR, 'audit');
  try {
    await mkdir(auditDir, { recursive: true, mode: 0o700 });
    await access(auditDir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ConfigError([`VIGIL_DATA_DIR: cannot write the audit trail under ${config.VIGIL_DATA_DIR} (${code})`]);
  }
  const key = await resolveAuditKey(config.VIGIL_AUDIT_HMAC_KEY, config.VIGIL_DATA_DIR, log);
  const store = createFileAuditStore(config.VIGIL_DATA_DIR);
  const issued = await IssuedCards.fromAudit(store, config.VIGIL_ISSUED_CARDS_MAX);
  const observer = auditObserver({ store, hashPatient: patientHasher(key), issued, ...(onWriteFailure ? { onWriteFailure } : {}) });
  return { store, issued, observer };
}
