// Brings the database's schema up to date at start-up: the plain SQL files in `migrations/`
// (NNNN_name.sql), applied in name order, each in its own transaction with its record in
// `vigil_migrations`. Replicas starting together take a session advisory lock, so one applies and the
// others find the work done. A file changed after it was applied is refused (its SHA-256 is kept):
// a schema change is a new file. Plain files rather than a migration tool: two tables, no down steps,
// readable by the hospital's DBA as they are.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { withFields } from '../lang/with-fields.js';

/** Where the files are, from src/shared-state or dist/shared-state alike. */
export const MIGRATIONS_DIR = join(import.meta.dirname, '..', '..', 'migrations');

/** Any fixed number: the advisory lock's key ("vigil" in ASCII). */
const LOCK_KEY = 0x7669676971;

const FILE = /^\d{4}_[a-z0-9_]+\.sql$/;

export class MigrationChangedError extends Error {
  readonly code = 'VIGIL_MIGRATION_CHANGED';
  constructor(file: string) {
    super(`migration ${file} differs from the one applied to this database: add a new file instead of editing it`);
    this.name = 'MigrationChangedError';
  }
}

/** Applies the migrations not yet applied; returns their names. */
export async function migrate(connection: pg.ClientConfig, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => FILE.test(f)).sort();
  // Its own connection, without the pool's statement timeout: a migration may take longer than a call.
  const client = new pg.Client(withFields(connection, { statement_timeout: 0, query_timeout: undefined }));
  client.on('error', () => {}); // a dropped connection fails the query below; the event itself is no news
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS vigil_migrations (name text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Map(
      (await client.query<{ name: string; sha256: string }>('SELECT name, sha256 FROM vigil_migrations')).rows.map((r) => [
        r.name,
        r.sha256,
      ]),
    );
    for (const file of files) {
      const sql = await readFile(join(dir, file), 'utf8');
      const sha256 = createHash('sha256').update(sql, 'utf8').digest('hex');
      const before = done.get(file);
      if (before !== undefined) {
        if (before !== sha256) throw new MigrationChangedError(file);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO vigil_migrations (name, sha256) VALUES ($1, $2)', [file, sha256]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
      applied.push(file);
    }
  } finally {
    // Ending the session releases the advisory lock too.
    await client.end().catch(() => {});
  }
  return applied;
}
