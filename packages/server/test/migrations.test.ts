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
    expect(MIGRATIONS.map((m) => sha(m(SQLITE)))).toEqual([
      'ba90139ba11c655e',
      '1a3cdaa6524f8e94',
      '1ed03ea8ce445873',
      'c35339b3ac02ac22',
      '83e1a546195ec6f8',
      '83ec40a084c71926',
      // 7 (operators)
      '5eae7d072588f294',
      '4e6c65d2ac880dd7', // 8 (notifications)
      'e515350a9f4399d5', // 9 (KeyPackages per suite)
    ]);
    expect(MIGRATIONS.map((m) => sha(m(POSTGRES)))).toEqual([
      '32d160babbbe7ea9',
      '583e1df7922fa438',
      '9458ac1dc737e003',
      'c35339b3ac02ac22',
      '1744b9210a3d2c44',
      'a749b78f43b22fc4',
      // 7
      '6f1ce1fafd3c815e',
      'e3c63c5e1c55315e', // 8 (notifications)
      'bb77476444d4f2d9', // 9
    ]);
  });

  it('move waiting envelopes to the version 2 table, keeping their seqs and the sequence, with one index', () => {
    const db = new Database(':memory:');
    db.exec(MIGRATIONS[0]?.(SQLITE) ?? '');
    db.pragma('user_version = 1');
    const insert = db.prepare(
      `INSERT INTO envelopes (recipient_account, recipient_device, id, sender_account, sender_device, body, received_at)
       VALUES ('bob', 1, ?, 'alice', 1, ?, ?)`,
    );
    for (let i = 1; i <= 5; i++) insert.run(Buffer.alloc(16, i), Buffer.from(`m${i}`), i);
    // The newest envelopes were acknowledged: their seqs must not be handed out again.
    db.prepare('DELETE FROM envelopes WHERE seq > 3').run();
    expect(migrate(db)).toBe(MIGRATIONS.length);
    const rows = db.prepare('SELECT seq, id, body, received_at FROM envelopes ORDER BY seq').all() as {
      seq: number;
      id: Buffer;
      body: Buffer;
    }[];
    expect(rows.map((r) => [r.seq, r.id[0], r.body.toString()])).toEqual([
      [1, 1, 'm1'],
      [2, 2, 'm2'],
      [3, 3, 'm3'],
    ]);
    const next = db
      .prepare(
        `INSERT INTO envelopes (recipient_account, recipient_device, id, sender_account, sender_device, body, received_at)
         VALUES ('bob', 1, x'00', 'alice', 1, x'00', 9)`,
      )
      .run();
    expect(Number(next.lastInsertRowid)).toBe(6);
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'envelopes'")
      .all() as { name: string }[];
    // Migration 6 adds a partial index that only group envelopes enter (1:1 inserts and deletes skip it).
    expect(indexes.map((i) => i.name).sort()).toEqual(['envelopes_by_group_body', 'envelopes_by_mailbox']);
    db.close();
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
      const indexes = await db.query<{ indexname: string }>(
        'SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname',
        [schema, 'envelopes'],
      );
      expect(indexes.rows.map((i) => i.indexname)).toEqual([
        'envelopes_by_group_body',
        'envelopes_by_mailbox',
        'envelopes_pkey',
      ]);
      const v = await db.query(`SELECT version FROM ${schema}.sotto_schema`);
      expect(v.rows.map((row: { version: string }) => Number(row.version))).toEqual([MIGRATIONS.length]);
    } finally {
      await db.end();
      for (const s of stores) await s.close();
      await dropSchema(schema);
    }
  });
});
