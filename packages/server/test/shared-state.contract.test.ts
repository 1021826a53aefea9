/**
 * The SharedState contract: one suite every adapter must pass, unchanged. `open()` gives two handles, as
 * two nodes see it: the same memory state twice (one node), two Redis connections on one prefix.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { memorySharedState } from '../src/shared/memory-state.js';
import { redisSharedState } from '../src/shared/redis-state.js';
import type { SharedState } from '../src/shared/shared-state.js';
import { describeWith, dropRedisPrefix, REDIS_URL, type Service } from './helpers/services.js';

interface Opened {
  readonly nodes: [SharedState, SharedState];
  close(): Promise<void>;
}

const adapters: { name: string; services: Service[]; open: () => Promise<Opened> }[] = [
  {
    name: 'memory',
    services: [],
    open: async () => {
      const state = memorySharedState(systemClock);
      return { nodes: [state, state], close: () => state.close() };
    },
  },
  {
    name: 'redis',
    services: ['redis'],
    open: async () => {
      const prefix = `sotto_test_${randomBytes(6).toString('hex')}`;
      const connections = [new Redis(REDIS_URL), new Redis(REDIS_URL)] as const;
      return {
        nodes: [redisSharedState(connections[0], prefix), redisSharedState(connections[1], prefix)],
        close: async () => {
          for (const c of connections) c.disconnect();
          await dropRedisPrefix(prefix);
        },
      };
    },
  },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const adapter of adapters) {
  await describeWith(adapter.services, `SharedState contract: ${adapter.name}`, () => {
    let opened: Opened;
    let a: SharedState;
    let b: SharedState;
    beforeEach(async () => {
      opened = await adapter.open();
      [a, b] = opened.nodes;
    });
    afterEach(async () => {
      await opened.close();
    });

    const login = (s: SharedState, ttlMs = 60_000) =>
      s.tokens<{ account: string; state: string }>('login', { ttlMs, tokenBytes: 16, secret: true });

    it('issues fresh tokens of the asked length whose value another node can take once', async () => {
      const token = await login(a).issue({ account: 'alice', state: 's3cret' });
      expect(token).toHaveLength(16);
      expect(await login(a).issue({ account: 'alice', state: 's3cret' })).not.toEqual(token);
      expect(await login(b).take(token)).toEqual({ account: 'alice', state: 's3cret' });
      expect(await login(a).take(token)).toBeUndefined();
      expect(await login(b).take(token)).toBeUndefined();
    });

    it('lets exactly one of concurrent takes on two nodes have the value', async () => {
      const token = await login(a).issue({ account: 'alice', state: 's' });
      const got = await Promise.all(
        Array.from({ length: 10 }, (_, i) => login(i % 2 === 0 ? a : b).take(token)),
      );
      expect(got.filter((v) => v !== undefined)).toHaveLength(1);
    });

    it('peeks without consuming, and knows no token it did not issue', async () => {
      const tickets = (s: SharedState) => s.tokens<string>('ticket', { ttlMs: 60_000, tokenBytes: 32 });
      const token = await tickets(a).issue('alice');
      expect(await tickets(b).peek(token)).toBe('alice');
      expect(await tickets(b).peek(token)).toBe('alice');
      expect(await tickets(b).peek(new Uint8Array(32))).toBeUndefined();
      // Stores are namespaced: a ticket is not a login state.
      expect(await login(b).take(token)).toBeUndefined();
    });

    it('forgets a token after its time to live', async () => {
      const token = await login(a, 100).issue({ account: 'alice', state: 's' });
      expect(login(a, 100).ttlMs).toBe(100);
      await sleep(250);
      expect(await login(b, 100).take(token)).toBeUndefined();
    });

    it('counts a limit across nodes, per key, and opens again after the window', async () => {
      const limit = (s: SharedState) => s.rateLimit('login', 3, 300);
      expect(await limit(a).take('account:alice')).toBe(true);
      expect(await limit(b).take('account:alice')).toBe(true);
      expect(await limit(a).take('account:alice')).toBe(true);
      expect(await limit(b).take('account:alice')).toBe(false);
      expect(await limit(a).take('account:alice')).toBe(false);
      expect(await limit(a).take('account:bob')).toBe(true);
      await sleep(450);
      expect(await limit(b).take('account:alice')).toBe(true);
    });

    for (const hot of [false, true]) {
      const opts = { hot };
      it(`grants exactly the limit to concurrent attempts on two nodes (hot: ${hot})`, async () => {
        const got = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? a : b).rateLimit('send', 5, 60_000, opts).take('d'),
          ),
        );
        expect(got.filter(Boolean)).toHaveLength(5);
      });

      it(`holds a limit spent on one node when the key moves to another (hot: ${hot})`, async () => {
        const limit = (s: SharedState) => s.rateLimit('send', 3, 60_000, opts);
        const onA = [];
        for (let i = 0; i < 5; i++) onA.push(await limit(a).take('alice/1'));
        expect(onA).toEqual([true, true, true, false, false]);
        await sleep(50);
        expect(await limit(b).take('alice/1')).toBe(false);
        expect(await limit(b).take('alice/2')).toBe(true);
      });
    }
  });
}

await describeWith(['redis'], 'SharedState in Redis: secrets', () => {
  it('keeps a secret login state at most 60 s, under a key that is not the token', async () => {
    const prefix = `sotto_test_${randomBytes(6).toString('hex')}`;
    const redis = new Redis(REDIS_URL);
    try {
      const tokens = redisSharedState(redis, prefix).tokens<string>('login', {
        ttlMs: 10 * 60_000,
        tokenBytes: 16,
        secret: true,
      });
      expect(tokens.ttlMs).toBe(60_000);
      const token = await tokens.issue('state');
      const keys = await redis.keys(`${prefix}:*`);
      expect(keys).toHaveLength(1);
      const key = keys[0] ?? '';
      expect(key).not.toContain(Buffer.from(token).toString('hex'));
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      redis.disconnect();
      await dropRedisPrefix(prefix);
    }
  });
});
