/**
 * Migration 6 (groups, ADR 0018) on a database that already holds data: accounts, devices, prekeys and
 * waiting envelopes of version 5 survive it unchanged, on SQLite and on PostgreSQL, and groups work after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, POSTGRES, SQLITE } from '../src/store/migrations.js';
import { openPostgresStore } from '../src/store/postgres.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';
import {
  describeWith,
  dropSchema,
  POSTGRES_URL,
  postgresUrlWithSchema,
  testSchemaName,
} from './helpers/services.js';

/** Version-5 rows: alice (devices 1, 2) with a one-time prekey, two envelopes waiting for alice/2. */
const SEED = [
  `INSERT INTO accounts (name, opaque_record, identity_key, device_list, device_list_version, backup, created_at)
   VALUES ('alice', 'record', X'0101', X'01', 1, X'02', 1)`,
  `INSERT INTO devices (account, device_id, signing_key) VALUES ('alice', 1, X'11'), ('alice', 2, X'22')`,
  `INSERT INTO one_time_prekeys (account, device_id, kind, key_id, encoded) VALUES ('alice', 2, 'x25519', 7, X'07')`,
  `INSERT INTO envelopes (recipient_account, recipient_device, id, sender_account, sender_device, body, received_at)
   VALUES ('alice', 2, X'00000000000000000000000000000001', 'alice', 1, X'6869', 50),
          ('alice', 2, X'00000000000000000000000000000002', 'alice', 1, X'7468657265', 60)`,
];

/** What the seed must still be after migrating, and groups working on top of it. */
async function checkSurvived(store: Store): Promise<void> {
  expect((await store.getAccount('alice'))?.identityKey).toEqual(new Uint8Array([1, 1]));
  expect(await store.listDeviceIds('alice')).toEqual([1, 2]);
  expect(await store.countOneTimePrekeys({ account: 'alice', deviceId: 2 })).toEqual({ x25519: 1, mlkem: 0 });
  const waiting = await store.fetchMailbox({ account: 'alice', deviceId: 2 }, 0, 0, 10);
  expect(waiting.map((e) => [Buffer.from(e.body).toString(), e.receivedAt, e.group])).toEqual([
    ['hi', 50, undefined],
    ['there', 60, undefined],
  ]);
  const id = new Uint8Array(16).fill(3);
  expect(
    await store.groups.createGroup(
      { id, suite: 1, epoch: 0, createdAt: 70 },
      { account: 'alice', deviceId: 1 },
    ),
  ).toBe(true);
  const sent = await store.groups.commit(
    {
      groupId: id,
      epoch: 0,
      committer: { account: 'alice', deviceId: 1 },
      commit: new Uint8Array([5]),
      welcome: new Uint8Array([6]),
      added: [{ account: 'alice', deviceId: 2 }],
      removed: [],
      commitEnvelopeId: new Uint8Array(16).fill(8),
      welcomeEnvelopeId: new Uint8Array(16).fill(9),
      receivedAt: 80,
    },
    100,
    10,
  );
  expect(sent.ok).toBe(true);
  const after = await store.fetchMailbox({ account: 'alice', deviceId: 2 }, 0, 0, 10);
  expect(after.map((e) => e.group?.kind ?? 'direct')).toEqual(['direct', 'direct', 'welcome']);
  // New envelopes continue the old mailbox order.
  expect(after[2]?.seq).toBeGreaterThan(after[1]?.seq ?? Number.POSITIVE_INFINITY);
}

describe('migration 6 on SQLite', () => {
  it('keeps version-5 data and adds groups', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sotto-mig6-'));
    const path = join(dir, 'test.db');
    try {
      const db = new Database(path);
      db.pragma('foreign_keys = ON');
      for (const m of MIGRATIONS.slice(0, 5)) db.exec(m(SQLITE));
      db.pragma('user_version = 5');
      for (const sql of SEED) db.exec(sql);
      db.close();
      const store = openSqliteStore(path);
      try {
        await checkSurvived(store);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

await describeWith(['postgres'], 'migration 6 on PostgreSQL', () => {
  it('keeps version-5 data and adds groups', async () => {
    const schema = testSchemaName();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`SET search_path = ${schema}`);
      for (const m of MIGRATIONS.slice(0, 5)) await client.query(m(POSTGRES));
      await client.query(
        'CREATE TABLE sotto_schema (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), version BIGINT NOT NULL)',
      );
      await client.query('INSERT INTO sotto_schema (version) VALUES (5)');
      for (const sql of SEED) await client.query(sql.replaceAll(/X'([0-9A-F]*)'/g, "'\\x$1'::bytea"));
      const store = await openPostgresStore(postgresUrlWithSchema(schema));
      try {
        await checkSurvived(store);
        const v = await client.query(`SELECT version FROM ${schema}.sotto_schema`);
        expect(Number(v.rows[0]?.version)).toBe(MIGRATIONS.length);
      } finally {
        await store.close();
      }
    } finally {
      await client.end();
      await dropSchema(schema);
    }
  });
});
