/**
 * The Bus contract: one suite every adapter must pass, unchanged. `open()` gives two handles: two nodes
 * on Redis (two connections pairs on one channel), the same bus twice in-process (one node).
 */
import { randomBytes } from 'node:crypto';
import type { ServerFrame } from '@sotto/protocol';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Bus, BusEvents } from '../src/bus/bus.js';
import { MemoryBus } from '../src/bus/memory.js';
import { RedisBus } from '../src/bus/redis.js';
import { describeWith, REDIS_URL, type Service } from './helpers/services.js';

const adapters: {
  name: string;
  services: Service[];
  /** Every writer is in this process, so mail signals may carry their envelopes. */
  inProcess: boolean;
  open: (onError: (e: unknown) => void) => Promise<[Bus, Bus]>;
}[] = [
  {
    name: 'memory',
    services: [],
    inProcess: true,
    open: async (onError) => {
      const bus = new MemoryBus(onError);
      return [bus, bus];
    },
  },
  {
    name: 'redis',
    services: ['redis'],
    inProcess: false,
    open: async (onError) => {
      const channel = `sotto_test_${randomBytes(6).toString('hex')}`;
      return Promise.all([
        RedisBus.connect(REDIS_URL, { channel, onError }),
        RedisBus.connect(REDIS_URL, { channel, onError }),
      ]);
    },
  },
];

/** Resolves with the next `count` events `kind`/`key` delivers on `bus`. */
function collect<K extends keyof BusEvents>(bus: Bus, kind: K, key: string, count = 1) {
  const got: BusEvents[K][] = [];
  let unsubscribe: () => void = () => {};
  const done = new Promise<BusEvents[K][]>((resolve) => {
    unsubscribe = bus.subscribe(kind, key, (e) => {
      got.push(e);
      if (got.length === count) resolve(got);
    });
  });
  return { got, done, unsubscribe };
}

/** Lets every in-flight delivery land (Redis round trips included). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

const envelope: ServerFrame = {
  t: 'envelope',
  envelopeId: new Uint8Array(16).fill(7),
  from: { account: 'alice', deviceId: 1 },
  serverTime: 1_700_000_000_000,
  body: new Uint8Array([1, 2, 3]),
};

for (const adapter of adapters) {
  await describeWith(adapter.services, `Bus contract: ${adapter.name}`, () => {
    let a: Bus;
    let b: Bus;
    let errors: unknown[];
    beforeEach(async () => {
      errors = [];
      [a, b] = await adapter.open((e) => errors.push(e));
    });
    afterEach(async () => {
      await a.close();
      await b.close();
    });

    it('delivers an event to subscribers of its kind and key on this node and on another', async () => {
      const here = collect(a, 'mail', 'alice/1');
      const there = collect(b, 'mail', 'alice/1');
      const otherKey = collect(b, 'mail', 'alice/2');
      const otherKind = collect(b, 'kick', 'alice/1');
      a.publish('mail', 'alice/1', { account: 'alice', deviceId: 1 });
      expect(await here.done).toEqual([{ account: 'alice', deviceId: 1 }]);
      expect(await there.done).toEqual([{ account: 'alice', deviceId: 1 }]);
      await settle();
      expect(here.got).toHaveLength(1);
      expect(there.got).toHaveLength(1);
      expect(otherKey.got).toEqual([]);
      expect(otherKind.got).toEqual([]);
    });

    it('hands a mail signal’s envelopes on only within one process', async () => {
      const stored = {
        seq: 7,
        id: new Uint8Array(16).fill(7),
        sender: { account: 'bob', deviceId: 1 },
        recipient: { account: 'alice', deviceId: 1 },
        body: new Uint8Array([1, 2, 3]),
        receivedAt: 1,
      };
      const here = collect(a, 'mail', 'alice/1');
      const there = collect(b, 'mail', 'alice/1');
      a.publish('mail', 'alice/1', { account: 'alice', deviceId: 1, envelopes: [stored] });
      // Between nodes, signals may arrive out of commit order: every subscriber must read its mailbox.
      const expected = adapter.inProcess
        ? { account: 'alice', deviceId: 1, envelopes: [stored] }
        : { account: 'alice', deviceId: 1 };
      expect(await here.done).toEqual([expected]);
      expect(await there.done).toEqual([expected]);
    });

    it('carries pushed frames intact, bytes included', async () => {
      const there = collect(b, 'push', 'bob/1');
      a.publish('push', 'bob/1', { frame: envelope });
      expect(await there.done).toEqual([{ frame: envelope }]);
    });

    it('keeps the order of one publisher’s events', async () => {
      const there = collect(b, 'kick', 'carol', 50);
      for (let i = 1; i <= 50; i++) a.publish('kick', 'carol', { account: 'carol', deviceId: i });
      expect((await there.done).map((e) => e.deviceId)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('stops delivering after unsubscribe, and one throwing handler does not stop the others', async () => {
      const gone = collect(b, 'mail', 'dave/1');
      gone.unsubscribe();
      b.subscribe('mail', 'dave/1', () => {
        throw new Error('handler failed');
      });
      const kept = collect(b, 'mail', 'dave/1');
      a.publish('mail', 'dave/1', { account: 'dave', deviceId: 1 });
      expect(await kept.done).toHaveLength(1);
      await settle();
      expect(gone.got).toEqual([]);
      expect(errors.some((e) => (e as Error).message === 'handler failed')).toBe(true);
    });

    it('answers ping while open', async () => {
      await expect(a.ping()).resolves.toBeUndefined();
      await expect(b.ping()).resolves.toBeUndefined();
    });
  });
}
