/**
 * The store adapters every store contract suite runs against: a SQLite file, and PostgreSQL in a fresh
 * schema per test. `another()` opens a second store over the same data: a second SQLite connection to the
 * file, or a second PostgreSQL pool (a second node).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { dropSchema, postgresUrlWithSchema, type Service, testSchemaName } from './services.js';

/** A store under test, and a way to open another one over the same data. */
export interface StoreHarness {
  readonly store: Store;
  another(): Promise<Store>;
  cleanup(): Promise<void>;
}

/** Every adapter, with the services it needs. */
export const STORE_ADAPTERS: { name: string; services: Service[]; open: () => Promise<StoreHarness> }[] = [
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
