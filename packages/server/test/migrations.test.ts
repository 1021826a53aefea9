/**
 * Migrations come from one source: released migrations render to pinned DDL in both dialects, and the
 * schemas they build in SQLite and PostgreSQL have the same tables and columns.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, POSTGRES, SQLITE } from '../src/store/migrations.js';
import { openPostgresStore } from '../src/store/postgres.js';
import {
  describeWith,
  dropSchema,
  POSTGRES_URL,
  postgresUrlWithSchema,
  testSchemaName,
} from './helpers/services.js';

const sha = (s: string | undefined) =>
  createHash('sha256')
    .update(s ?? '')
    .digest('hex')
    .slice(0, 16);

describe('migrations', () => {
  it('never change once released (append a migration instead)', () => {
    expect(MIGRATIONS.map((m) => sha(m(SQLITE)))).toEqual(['ba90139ba11c655e']);
    expect(MIGRATIONS.map((m) => sha(m(POSTGRES)))).toEqual(['32d160babbbe7ea9']);
  });

  it('record the version in SQLite and run once', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });
});

type Columns = Record<string, string[]>;

function sqliteColumns(): Columns {
  const db = new Database(':memory:');
  migrate(db);
  const out: Columns = {};
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as { name: string }[];
  for (const { name } of tables) {
    const cols = db.prepare(`PRAGMA table_info(${name})`).all() as {
      name: string;
      notnull: number;
      pk: number;
    }[];
    out[name] = cols.map((c) => `${c.name}${c.notnull || c.pk ? ' not null' : ''}`).sort();
  }
  db.close();
  return out;
}

await describeWith(['postgres'], 'migrations on PostgreSQL', () => {
  it('build the same tables and columns as on SQLite, and run once when two nodes start together', async () => {
    const schema = testSchemaName();
    const url = postgresUrlWithSchema(schema);
    const stores = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    const db = new pg.Client({ connectionString: POSTGRES_URL });
    await db.connect();
    try {
      const r = await db.query<{ table_name: string; column_name: string; is_nullable: string }>(
        `SELECT table_name, column_name, is_nullable FROM information_schema.columns
         WHERE table_schema = $1 AND table_name <> 'sotto_schema'`,
        [schema],
      );
      const out: Columns = {};
      for (const c of r.rows) {
        const cols = out[c.table_name] ?? [];
        cols.push(`${c.column_name}${c.is_nullable === 'NO' ? ' not null' : ''}`);
        out[c.table_name] = cols;
      }
      for (const k of Object.keys(out)) out[k]?.sort();
      expect(out).toEqual(sqliteColumns());
      const v = await db.query(`SELECT version FROM ${schema}.sotto_schema`);
      expect(v.rows.map((row: { version: string }) => Number(row.version))).toEqual([MIGRATIONS.length]);
    } finally {
      await db.end();
      for (const s of stores) await s.close();
      await dropSchema(schema);
    }
  });
});
