// Writes a large synthetic audit trail (records shaped like real ones, no patient data) straight to
// a day file, fast: what start-up meets after a busy day.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditRecord } from '../../src/audit/audit-record.js';

export function syntheticAuditRecord(at: Date, n: number): AuditRecord {
  const hex = (s: string) => createHash('sha256').update(s).digest('hex');
  return {
    v: 1,
    at: at.toISOString(),
    hookInstance: randomUUID(),
    service: n % 5 === 0 ? 'sedation-safety' : 'deterioration-risk',
    hook: n % 5 === 0 ? 'order-select' : 'patient-view',
    patient: `hmac-sha256:${hex(`syn-patient-${n % 5000}`)}`,
    path: 'model',
    model: { name: 'vigil-deterioration', version: '1.0.0', probability: 0.4242, band: 'medium' },
    modelStatus: 'ok',
    news2: { total: 5, partial: false, risk: 'medium' },
    qsofa: { score: 1, positive: false, partial: false },
    indicator: 'warning',
    cards: [{ uuid: randomUUID(), indicator: 'warning', sha256: hex(`card-${n}`) }],
    latencyMs: 2.345,
    sources: { patient: 'sent', vitals: 'sent', consciousness: 'sent', oxygen: 'fetched', spo2Target: 'none' },
  };
}

/** A UUID made from a number, so that every record's ids differ without the cost of randomUUID. */
export const numberedUuid = (prefix: string, n: number): string => `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/**
 * `count` records spread over the UTC day `day` (YYYY-MM-DD) up to `until`, oldest first, in
 * `<dataDir>/audit/audit-<day>.jsonl` (~750 bytes each). Card uuids are `numberedUuid('c0000000', n)`.
 */
export async function writeAuditDay(
  dataDir: string,
  day: string,
  count: number,
  until: Date,
): Promise<{ newestCard: string; bytes: number }> {
  const dir = join(dataDir, 'audit');
  await mkdir(dir, { recursive: true });
  const handle = await open(join(dir, `audit-${day}.jsonl`), 'w');
  const start = Date.parse(`${day}T00:00:00Z`);
  const step = (until.getTime() - start) / count;
  // One real-shaped record as a template; each line swaps in its own time and ids.
  const template = JSON.stringify({
    ...syntheticAuditRecord(new Date(start), 1),
    at: '@AT@',
    hookInstance: '@HOOK@',
    cards: [{ uuid: '@CARD@', indicator: 'warning', sha256: 'f'.repeat(64) }],
  });
  let bytes = 0;
  let chunk: string[] = [];
  for (let n = 0; n < count; n++) {
    chunk.push(
      template
        .replace('@AT@', new Date(start + n * step).toISOString())
        .replace('@HOOK@', numberedUuid('a0000000', n))
        .replace('@CARD@', numberedUuid('c0000000', n)) + '\n',
    );
    if (chunk.length === 10_000 || n === count - 1) {
      const text = chunk.join('');
      bytes += Buffer.byteLength(text);
      await handle.write(text);
      chunk = [];
    }
  }
  await handle.close();
  return { newestCard: numberedUuid('c0000000', count - 1), bytes };
}
