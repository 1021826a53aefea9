/**
 * Applies {@link MIGRATIONS} to a PostgreSQL schema. Several nodes may start at once: each migration runs
 * in its own transaction under an advisory lock, and re-reads the version after taking it, so every
 * migration runs exactly once. `sotto_schema` records the version (SQLite's `user_version`).
 */
import type { PoolClient } from 'pg';
import { MIGRATIONS, POSTGRES } from './migrations.js';

/** Arbitrary constant: the advisory lock key migrations take (per database, across schemas). */
const MIGRATION_LOCK = 0x50770;

/** Reads the schema version, creating the version table when missing. */
async function currentVersion(client: PoolClient): Promise<number> {
  await client.query(
    'CREATE TABLE IF NOT EXISTS sotto_schema (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), version BIGINT NOT NULL)',
  );
  await client.query('INSERT INTO sotto_schema (version) VALUES (0) ON CONFLICT DO NOTHING');
  const r = await client.query<{ version: string }>('SELECT version FROM sotto_schema');
  return Number(r.rows[0]?.version ?? 0);
}

/**
 * Brings the schema on `search_path` up to date; returns the resulting version. Throws when the schema is
 * newer than this server, or when a migration fails (that migration is rolled back). `install` runs last,
 * in the same transaction and under the same lock as the last version check (for objects this release
 * recreates at every start, such as server-side functions).
 */
export async function migratePostgres(
  client: PoolClient,
  install?: (client: PoolClient) => Promise<void>,
): Promise<number> {
  for (;;) {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const version = await currentVersion(client);
      if (version > MIGRATIONS.length) {
        throw new Error(`database schema ${version} is newer than this server (${MIGRATIONS.length})`);
      }
      const next = MIGRATIONS[version];
      if (next === undefined) {
        await install?.(client);
        await client.query('COMMIT');
        return version;
      }
      await client.query(next(POSTGRES));
      await client.query('UPDATE sotto_schema SET version = $1', [version + 1]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
  }
}
