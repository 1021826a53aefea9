/**
 * Where the benchmarked relay keeps its data: SQLite in node 0's data directory, or a fresh schema of the
 * PostgreSQL test database; the in-process bus, or a fresh channel on the Redis test server. Closing
 * drops the schema and the channel's keys and deletes the data directories.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as opaque from '@serenity-kit/opaque';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DATABASE_FILE } from '../../src/index.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';

const POSTGRES_URL = process.env.SOTTO_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.SOTTO_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** One benchmark deployment. */
export interface Deployment {
  /** Opens the store the nodes will use (for seeding, before they start). */
  openStore(): Promise<Store>;
  /** The data directory of node `n` (node 0's holds the SQLite file). */
  dataDir(n: number): string;
  /** `--store`/`--bus` arguments of every node. */
  readonly serverArgs: readonly string[];
  close(): Promise<void>;
}

/** Prepares a deployment on `store` and `bus`. */
export async function openDeployment(options: {
  store: 'sqlite' | 'postgres';
  bus: 'memory' | 'redis';
}): Promise<Deployment> {
  const name = `sotto_bench_${randomBytes(6).toString('hex')}`;
  const dirs = new Map<number, string>();
  const dataDir = (n: number) => {
    let d = dirs.get(n);
    if (d === undefined) {
      d = mkdtempSync(join(tmpdir(), 'sotto-bench-'));
      dirs.set(n, d);
    }
    return d;
  };
  const storeUrl = new URL(POSTGRES_URL);
  storeUrl.searchParams.set('schema', name);
  const busUrl = new URL(REDIS_URL);
  busUrl.searchParams.set('channel', name);
  // Every node runs with one OPAQUE setup (the seeded store has accounts, so no node may make its own).
  await opaque.ready;
  const setupFile = join(dataDir(0), 'deployment-opaque-setup');
  writeFileSync(setupFile, opaque.server.createSetup(), { mode: 0o600 });
  // The load generator sends far faster than a person, and opens thousands of connections from one
  // address: lift the per-device send limit (20/s by default) and the per-IP connection limit (600/min).
  const args: string[] = [
    '--limit',
    'sendsPerDevicePerSecond=1000000',
    '--limit',
    'connectionsPerIpPerMinute=1000000',
    '--opaque-setup',
    setupFile,
  ];
  if (options.store === 'postgres') args.push('--store', storeUrl.toString());
  if (options.bus === 'redis') args.push('--bus', busUrl.toString());
  return {
    openStore: async () =>
      options.store === 'postgres'
        ? openPostgresStore(storeUrl.toString())
        : openSqliteStore(join(dataDir(0), DATABASE_FILE)),
    dataDir,
    serverArgs: args,
    close: async () => {
      for (const d of dirs.values()) rmSync(d, { recursive: true, force: true });
      if (options.store === 'postgres') {
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`).finally(() => client.end());
      }
      if (options.bus === 'redis') {
        const redis = new Redis(REDIS_URL);
        const keys = await redis.keys(`${name}:*`);
        if (keys.length > 0) await redis.del(...keys);
        redis.disconnect();
      }
    },
  };
}
