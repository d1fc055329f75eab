// One secret, several uses: the patient's pseudonym (audit trail, suppression state), and the card and
// suggestion uuids that stay the same when a hook fires again with nothing new. All are HMAC-SHA-256
// under the key the audit trail uses (VIGIL_AUDIT_HMAC_KEY), so they survive a restart and agree across
// replicas that share the key, and none can be turned back into a patient id by whoever lacks it.
import { createHmac, randomBytes } from 'node:crypto';

export interface KeyedHash {
  /** `hmac-sha256:<hex>` of a patient id: the only form in which a patient leaves a call. */
  pseudonym: (patientId: string) => string;
  /** A UUID (RFC 9562 version 8, "custom") determined by `material` under the key. */
  uuid: (material: string) => string;
}

/** Formats 16 bytes of a digest as an RFC 9562 version-8 UUID (version and variant bits set). */
function uuidV8(digest: Buffer): string {
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function keyedHash(key: string): KeyedHash {
  const hmac = (text: string) => createHmac('sha256', key).update(text, 'utf8').digest();
  return {
    pseudonym: (patientId) => `hmac-sha256:${hmac(patientId).toString('hex')}`,
    // Prefixed so a uuid's material can never collide with a patient id's hash.
    uuid: (material) => uuidV8(hmac(`uuid\u0000${material}`)),
  };
}

/**
 * The same hash for one hook call: its patient's pseudonym is asked for three times (canary choice,
 * cards, repeat-card rule) and an HMAC costs ~3.4 µs, so the one answer is remembered for the call's
 * lifetime. Nothing outlives the call: no cache keyed by a patient id in clear text (a process-wide
 * map of ids to pseudonyms would be one).
 */
export function forOneCall(keyed: KeyedHash): KeyedHash {
  let lastId: string | undefined;
  let lastPseudonym = '';
  return {
    pseudonym: (patientId) => {
      if (patientId !== lastId) {
        lastPseudonym = keyed.pseudonym(patientId);
        lastId = patientId;
      }
      return lastPseudonym;
    },
    uuid: keyed.uuid,
  };
}

/** For tests and tools that need no continuity across processes: a fresh random key. */
export function ephemeralKeyedHash(): KeyedHash {
  return keyedHash(randomBytes(32).toString('hex'));
}
