/**
 * The store adapters every store contract suite runs against: a SQLite file, and PostgreSQL in a fresh
 * schema per test. `another()` opens a second store over the same data: a second SQLite connection to the
 * file, or a second PostgreSQL pool (a second node).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { AccountRecord, Store } from '../../src/store/store.js';
import { dropSchema, postgresUrlWithSchema, type Service, testSchemaName } from './services.js';

/** A store under test, and a way to open another one over the same data. */
export interface StoreHarness {
  readonly store: Store;
  another(): Promise<Store>;
  cleanup(): Promise<void>;
}

/** A store adapter, with the services it needs. */
export interface StoreAdapter {
  readonly name: string;
  readonly services: Service[];
  open(): Promise<StoreHarness>;
}

/** Every adapter, with the services it needs. */
export const STORE_ADAPTERS: StoreAdapter[] = [
  {
    name: 'sqlite',
    services: [],
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sotto-store-'));
      const path = join(dir, 'test.db');
      return {
        store: openSqliteStore(path),
        another: async () => openSqliteStore(path),
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'postgres',
    services: ['postgres'],
    open: async () => {
      const url = postgresUrlWithSchema(testSchemaName());
      const schema = new URL(url).searchParams.get('schema') ?? '';
      return {
        store: await openPostgresStore(url),
        another: () => openPostgresStore(url),
        cleanup: () => dropSchema(schema),
      };
    },
  },
];

/** An account record for store tests (`createdAt` 1 unless given). */
export const testAccount = (name: string, createdAt = 1): AccountRecord => ({
  name,
  opaqueRecord: 'record',
  identityKey: new Uint8Array(32).fill(1),
  deviceList: new Uint8Array([1]),
  deviceListVersion: 1,
  backup: new Uint8Array([2]),
  createdAt,
});

/** A device for store tests, its signing key filled with its id. */
export const testDevice = (deviceId: number) => ({ deviceId, signingKey: new Uint8Array(32).fill(deviceId) });

/** An account a contract suite starts with: its name, device ids and (optionally) creation time. */
export type SeedAccount = readonly [name: string, deviceIds: readonly number[], createdAt?: number];

/**
 * For each test of the suite: opens a fresh store of `adapter` holding `accounts`, hands it to `opened`,
 * and afterwards closes it, every store opened by the returned `another()` (a second connection or node
 * over the same data), and removes the data.
 */
export function eachTestStore(
  adapter: StoreAdapter,
  accounts: readonly SeedAccount[],
  opened: (store: Store) => void,
): () => Promise<Store> {
  let h: StoreHarness | undefined;
  const others: Store[] = [];
  beforeEach(async () => {
    h = await adapter.open();
    for (const [name, devices, createdAt] of accounts) {
      expect(await h.store.createAccount(testAccount(name, createdAt), devices.map(testDevice))).toBe(true);
    }
    opened(h.store);
  });
  afterEach(async () => {
    for (const s of others.splice(0)) await s.close();
    await h?.store.close();
    await h?.cleanup();
  });
  return async () => {
    if (h === undefined) throw new Error('no store open outside a test');
    const s = await h.another();
    others.push(s);
    return s;
  };
}
