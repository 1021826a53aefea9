/** Presence shared through Redis: what one node sets, another sees; a dead node's devices stop counting. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { MemoryBus } from '../src/bus/memory.js';
import { systemClock } from '../src/clock.js';
import { RedisPresence } from '../src/presence/redis-presence.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { describeWith, dropRedisPrefix, REDIS_URL } from './helpers/services.js';

await describeWith(['redis'], 'Redis presence', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** Two nodes' presence over one Redis prefix and one store. */
  async function twoNodes() {
    const prefix = `sotto_test_${randomBytes(6).toString('hex')}`;
    const store = openSqliteStore(':memory:');
    const account = { name: 'alice', opaqueRecord: 'r', identityKey: new Uint8Array(32), createdAt: 1 };
    const blobs = { deviceList: new Uint8Array(1), deviceListVersion: 1, backup: new Uint8Array(1) };
    await store.createAccount({ ...account, ...blobs }, []);
    const bus = new MemoryBus();
    const redis = new Redis(REDIS_URL);
    cleanups.push(async () => {
      await dropRedisPrefix(prefix);
      redis.disconnect();
      await store.close();
    });
    const node = async () => {
      const p = new RedisPresence(store, bus, systemClock, redis, prefix, 60_000);
      await p.start();
      cleanups.push(() => p.close());
      return p;
    };
    return { x: await node(), y: await node(), redis, prefix };
  }

  it('shows on one node the state and text set through another', async () => {
    const { x, y } = await twoNodes();
    expect(await y.frameOf('alice')).toEqual({ t: 'presence', account: 'alice', state: 'offline' });
    await x.connected('alice');
    expect(await y.frameOf('alice')).toEqual({ t: 'presence', account: 'alice', state: 'online' });
    await y.set('alice', 'busy', 'in a meeting');
    expect(await x.frameOf('alice')).toEqual({
      t: 'presence',
      account: 'alice',
      state: 'busy',
      text: 'in a meeting',
    });
    await y.connected('alice');
    await x.disconnected('alice');
    expect((await x.frameOf('alice')).state).toBe('busy');
    await y.disconnected('alice');
    expect(await x.frameOf('alice')).toMatchObject({ state: 'offline', lastSeen: expect.any(Number) });
  });

  it('stops counting the devices of a node that stopped refreshing its heartbeat', async () => {
    const { x, y, redis, prefix } = await twoNodes();
    await x.connected('alice');
    expect((await y.frameOf('alice')).state).toBe('online');
    // Node x dies: its heartbeat key expires (deleted here rather than waiting for the TTL).
    const nodeKeys = await redis.keys(`${prefix}:node:*`);
    const fields = await redis.hkeys(`${prefix}:presence:alice`);
    const xNode = fields.find((f) => f.startsWith('n:'))?.slice(2);
    await redis.del(`${prefix}:node:${xNode}`);
    expect(nodeKeys).toHaveLength(2);
    expect((await y.frameOf('alice')).state).toBe('offline');
    expect(await redis.hkeys(`${prefix}:presence:alice`)).toEqual([]);
  });
});
