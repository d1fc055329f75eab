// The patient as the audit trail knows them: a keyed hash (HMAC-SHA-256) of the EHR's patient id.
// Unkeyed, a hash of a short id is reversed by trying every id; keyed, it links one patient's
// records without naming them, to whoever lacks the key.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '../errors.js';
import { keyedHash } from '../identity/keyed-hash.js';

export type PatientHasher = (patientId: string) => string;

/** The patient's pseudonym under `key`: the same one cards and the suppression state use (identity/keyed-hash.ts). */
export function patientHasher(key: string): PatientHasher {
  return keyedHash(key).pseudonym;
}

/** Where a development key lives when none is configured. */
export const DEV_KEY_FILE = 'audit-hmac.key';

/**
 * The configured key, or (development) one created once beside the data. A key stored with the
 * trail it protects protects little: production gives VIGIL_AUDIT_HMAC_KEY from a secret store.
 */
export async function resolveAuditKey(
  configured: string | undefined,
  dataDir: string,
  log: { warn(obj: object, msg: string): void },
): Promise<string> {
  if (configured !== undefined) return configured;
  const path = join(dataDir, DEV_KEY_FILE);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('hex');
  // `wx`: if another process created it meanwhile, fail rather than overwrite (and re-read below).
  await writeFile(path, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch((err: unknown) => {
    if (errorCode(err) !== 'EEXIST') throw err;
  });
  log.warn({ file: DEV_KEY_FILE }, 'VIGIL_AUDIT_HMAC_KEY is not set: using a key kept in the data directory (development only)');
  return (await readFile(path, 'utf8')).trim();
}
