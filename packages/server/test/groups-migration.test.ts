/**
 * Migration 6 (groups, ADR 0018) on a database that already holds data: accounts, devices, prekeys and
 * waiting envelopes of version 5 survive it unchanged, on SQLite and on PostgreSQL, and groups work after.
 * Migration 9 (KeyPackages per suite) keeps version-8 KeyPackages, as X-Wing ones.
 * Its foreign keys take a deleted account's devices off every roster (the server has no account deletion
 * yet; the schema is ready for it).
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

/** SQL that deletes alice's account row (what an account deletion would do). */
const DELETE_ALICE = "DELETE FROM accounts WHERE name = 'alice'";

/** After {@link DELETE_ALICE}: no roster row, KeyPackage or group of alice's is left, after the sweep. */
async function checkAccountGone(store: Store): Promise<void> {
  const id = new Uint8Array(16).fill(3);
  expect(await store.groups.roster(id)).toEqual([]);
  expect(await store.groups.countKeyPackages({ account: 'alice', deviceId: 1 }, 83)).toEqual({
    count: 0,
    lastResort: false,
  });
  expect(await store.groups.expire(0)).toMatchObject({ groups: 1 });
  expect(await store.groups.getGroup(id)).toBeUndefined();
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
        await store.groups.addKeyPackages(
          { account: 'alice', deviceId: 1 },
          83,
          [new Uint8Array([1])],
          undefined,
          { maxStored: 9, maxSuites: 4 },
        );
        const raw = new Database(path);
        raw.pragma('foreign_keys = ON');
        raw.exec(DELETE_ALICE);
        raw.close();
        await checkAccountGone(store);
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
        await store.groups.addKeyPackages(
          { account: 'alice', deviceId: 1 },
          83,
          [new Uint8Array([1])],
          undefined,
          { maxStored: 9, maxSuites: 4 },
        );
        await client.query(DELETE_ALICE);
        await checkAccountGone(store);
      } finally {
        await store.close();
      }
    } finally {
      await client.end();
      await dropSchema(schema);
    }
  });
});

/** Version-8 KeyPackages of alice/1 (two one-time ones and a last-resort one) and of alice/2 (one). */
const SEED_KEY_PACKAGES = [
  `INSERT INTO mls_key_packages (account, device_id, encoded) VALUES ('alice', 1, X'A1'), ('alice', 1, X'A2'),
     ('alice', 2, X'B1')`,
  `INSERT INTO mls_last_resort (account, device_id, encoded) VALUES ('alice', 1, X'AF')`,
];

/** After migration 9: the version-8 KeyPackages are X-Wing's (83), and classic ones go beside them. */
async function checkKeyPackagesSurvived(store: Store): Promise<void> {
  const a1 = { account: 'alice', deviceId: 1 };
  const a2 = { account: 'alice', deviceId: 2 };
  expect(await store.groups.countKeyPackages(a1, 83)).toEqual({ count: 2, lastResort: true });
  expect(await store.groups.countKeyPackages(a2, 83)).toEqual({ count: 1, lastResort: false });
  expect(await store.groups.countKeyPackages(a1, 1)).toEqual({ count: 0, lastResort: false });
  const limits = { maxStored: 10, maxSuites: 4 };
  expect(
    await store.groups.addKeyPackages(a1, 1, [new Uint8Array([0xc1])], new Uint8Array([0xcf]), limits),
  ).toBe('ok');
  const first = (claimed: { keyPackage: Uint8Array }[]) => claimed.map((c) => c.keyPackage[0]);
  expect(first(await store.groups.claimKeyPackages([a1, a2], 83))).toEqual([0xa1, 0xb1]);
  expect(first(await store.groups.claimKeyPackages([a1, a2], 1))).toEqual([0xc1]);
  expect(first(await store.groups.claimKeyPackages([a1], 83))).toEqual([0xa2]);
  expect(first(await store.groups.claimKeyPackages([a1], 83))).toEqual([0xaf]);
  expect(first(await store.groups.claimKeyPackages([a1], 1))).toEqual([0xcf]);
}

describe('migration 9 on SQLite', () => {
  it('keeps version-8 KeyPackages as X-Wing ones and adds pools per suite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sotto-mig9-'));
    const path = join(dir, 'test.db');
    try {
      const db = new Database(path);
      db.pragma('foreign_keys = ON');
      for (const m of MIGRATIONS.slice(0, 8)) db.exec(m(SQLITE));
      db.pragma('user_version = 8');
      for (const sql of [...SEED, ...SEED_KEY_PACKAGES]) db.exec(sql);
      db.close();
      const store = openSqliteStore(path);
      try {
        await checkKeyPackagesSurvived(store);
        await checkSurvived(store);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

await describeWith(['postgres'], 'migration 9 on PostgreSQL', () => {
  it('keeps version-8 KeyPackages as X-Wing ones and adds pools per suite', async () => {
    const schema = testSchemaName();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`SET search_path = ${schema}`);
      for (const m of MIGRATIONS.slice(0, 8)) await client.query(m(POSTGRES));
      await client.query(
        'CREATE TABLE sotto_schema (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), version BIGINT NOT NULL)',
      );
      await client.query('INSERT INTO sotto_schema (version) VALUES (8)');
      for (const sql of [...SEED, ...SEED_KEY_PACKAGES]) {
        await client.query(sql.replaceAll(/X'([0-9A-F]*)'/g, "'\\x$1'::bytea"));
      }
      const store = await openPostgresStore(postgresUrlWithSchema(schema));
      try {
        await checkKeyPackagesSurvived(store);
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
