// Shared-state test helpers: quiet logs that can be read back, and everything Vigil stored in Redis
// or PostgreSQL as one text, so a test can say what is (and is not) in it.
import type { Redis } from 'ioredis';
import pg from 'pg';
import { missingServers } from '../../scripts/lib/local-servers.js';

/** Why the shared-state suites are skipped here (said once per file), or undefined when they run. */
export const SKIP_REASON = missingServers();
if (SKIP_REASON !== undefined) process.stderr.write(`shared-state tests skipped: ${SKIP_REASON}\n`);

export function quietLog() {
  const lines: { level: string; obj: object; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj, msg });
  return { lines, warn: at('warn'), info: at('info'), error: at('error') };
}

/** Every key and value in Redis (strings and hashes), as lines of text. */
export async function redisContents(redis: Redis): Promise<string> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      const value = type === 'hash' ? JSON.stringify(await redis.hgetall(key)) : type === 'string' ? await redis.get(key) : `(${type})`;
      out.push(`${key} ${value}`);
    }
  } while (cursor !== '0');
  return out.join('\n');
}

/** Every row of every table Vigil made in PostgreSQL, as JSON lines. */
export async function postgresContents(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE tablename LIKE 'vigil\\_%' ORDER BY tablename",
    );
    const out: string[] = [];
    for (const { tablename } of tables.rows) {
      // Table names come from the catalogue just read, quoted as identifiers.
      const rows = await client.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${pg.escapeIdentifier(tablename)} t`);
      for (const r of rows.rows) out.push(`${tablename} ${r.row}`);
    }
    return out.join('\n');
  } finally {
    await client.end();
  }
}
