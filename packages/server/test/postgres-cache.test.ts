/**
 * The PostgreSQL store's per-node read cache: two nodes (two stores on one schema, each linked to its own
 * Redis bus on one channel, as `openAdapters` links them) see each other's changes to what the relay
 * checks on every send well before the cache's age limit, and a load that raced a change never keeps
 * the old answer.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { CACHE_KEY } from '../src/bus/bus.js';
import { RedisBus } from '../src/bus/redis.js';
import { decodeBusMessage, encodeBusMessage } from '../src/bus/redis-codec.js';
import { openPostgresStore, type PostgresStore } from '../src/store/postgres.js';
import { MAX_AGE_MS, SharedReadCache } from '../src/store/postgres-cache.js';
import {
  describeWith,
  dropSchema,
  postgresUrlWithSchema,
  REDIS_URL,
  testSchemaName,
} from './helpers/services.js';
import { testAccount, testDevice } from './helpers/stores.js';

/** A node: a store whose cache announces to, and hears from, its bus. */
async function openNode(url: string, channel: string): Promise<{ store: PostgresStore; bus: RedisBus }> {
  const store = await openPostgresStore(url);
  const bus = await RedisBus.connect(REDIS_URL, { channel });
  const link = store.sharedCache;
  link.announce((change) => bus.publish('cache', CACHE_KEY, change));
  bus.subscribe('cache', CACHE_KEY, (change) => link.invalidate(change));
  return { store, bus };
}

await describeWith(['postgres', 'redis'], 'PostgreSQL read cache across nodes', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('drops blocks, contacts, accounts and device lists another node changed', async () => {
    const schema = testSchemaName();
    const url = postgresUrlWithSchema(schema);
    const channel = `sotto_test_${randomBytes(6).toString('hex')}`;
    cleanups.push(() => dropSchema(schema));
    const a = await openNode(url, channel);
    const b = await openNode(url, channel);
    for (const n of [a, b])
      cleanups.push(
        () => n.bus.close(),
        () => n.store.close(),
      );
    await a.store.createAccount(testAccount('alice'), [testDevice(1)]);
    await a.store.createAccount(testAccount('bob'), [testDevice(1)]);
    await a.store.requestContact('alice', 'bob');
    await b.store.acceptContact('bob', 'alice');

    // Node A caches what a send from bob to alice checks.
    expect(await a.store.getContact('bob', 'alice')).toBe('accepted');
    expect(await a.store.isBlocked('alice', 'bob')).toBe(false);
    expect(await a.store.listDeviceIds('alice')).toEqual([1]);
    expect(await a.store.accountExists('carol')).toBe(false);

    // Node B changes all of it; A sees it long before the age limit would clear its cache.
    await b.store.block('alice', 'bob');
    await b.store.replaceDeviceList('alice', 1, {
      deviceList: new Uint8Array([3]),
      version: 2,
      devices: [testDevice(1), testDevice(2)],
    });
    await b.store.createAccount(testAccount('carol'), [testDevice(1)]);
    const timeout = MAX_AGE_MS / 2;
    await expect.poll(() => a.store.isBlocked('alice', 'bob'), { timeout }).toBe(true);
    await expect.poll(() => a.store.getContact('bob', 'alice'), { timeout }).toBeUndefined();
    await expect.poll(() => a.store.listDeviceIds('alice'), { timeout }).toEqual([1, 2]);
    await expect.poll(() => a.store.accountExists('carol'), { timeout }).toBe(true);
  });

  it('never keeps an answer loaded before an invalidation that arrived during the load', async () => {
    const cache = new SharedReadCache();
    let finish: (v: boolean) => void = () => {};
    const first = cache.isBlocked('alice', 'bob', () => new Promise<boolean>((r) => (finish = r)));
    cache.apply({ kind: 'relations' });
    finish(false);
    expect(await first).toBe(false);
    expect(await cache.isBlocked('alice', 'bob', async () => true)).toBe(true);
    // Without a change in between, the answer is kept.
    expect(await cache.isBlocked('alice', 'bob', async () => false)).toBe(true);
  });

  it('carries cache announcements between nodes as strict CBOR, and refuses malformed ones', () => {
    const node = new Uint8Array(16);
    for (const event of [
      { kind: 'account', account: 'alice' },
      { kind: 'relations' },
      { kind: 'all' },
    ] as const) {
      const m = decodeBusMessage(encodeBusMessage({ node, kind: 'cache', key: CACHE_KEY, event }));
      expect(m).toEqual({ node, kind: 'cache', key: CACHE_KEY, event });
    }
    const bad = encodeBusMessage({ node, kind: 'cache', key: CACHE_KEY, event: { kind: 'all' } });
    // Flip the event kind's text ("all" → "alx"): not a known invalidation.
    const at = Buffer.from(bad).indexOf('all');
    const mangled = new Uint8Array(bad);
    mangled[at + 2] = 'x'.charCodeAt(0);
    expect(() => decodeBusMessage(mangled)).toThrow(/cache/);
  });
});
