/**
 * The notification records contract: an address with its code, tries of the code counted atomically,
 * scheduling with the window between two notifications, and due notifications taken once — the same on
 * every store adapter (SQLite file; PostgreSQL in a fresh schema per test), also when two nodes race.
 */
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Store } from '../src/store/store.js';
import { describeWith } from './helpers/services.js';
import { eachTestStore, STORE_ADAPTERS } from './helpers/stores.js';

const HOUR = 3_600_000;

for (const adapter of STORE_ADAPTERS) {
  await describeWith(adapter.services, `NotifyRecords contract: ${adapter.name}`, () => {
    let store: Store;
    const another = eachTestStore(
      adapter,
      [
        ['alice', []],
        ['bob', []],
        ['carol', []],
      ],
      (s) => {
        store = s;
      },
    );

    /** Gives `name` a verified address. */
    async function verified(name: string, address = `${name}@example.org`) {
      const hash = randomBytes(32);
      await store.notify.setAddress(name, address, { hash, expiresAt: 1_000 });
      expect(await store.notify.tryCode(name, 10, 5)).toEqual(new Uint8Array(hash));
      expect(await store.notify.confirm(name, hash)).toBe(true);
    }

    it('keep one address per account, unverified until its code is confirmed, and forget it on remove', async () => {
      expect(await store.notify.get('alice')).toBeUndefined();
      const hash = randomBytes(32);
      await store.notify.setAddress('alice', 'alice@example.org', { hash, expiresAt: 1_000 });
      expect(await store.notify.get('alice')).toEqual({
        account: 'alice',
        address: 'alice@example.org',
        verified: false,
        notifiedAt: undefined,
        dueAt: undefined,
      });
      expect(await store.notify.confirm('alice', randomBytes(32))).toBe(false);
      expect(await store.notify.confirm('alice', hash)).toBe(true);
      expect(await store.notify.get('alice')).toMatchObject({ verified: true });
      // Used once: the same code does not confirm again, nor does a try succeed on a verified address.
      expect(await store.notify.confirm('alice', hash)).toBe(false);
      expect(await store.notify.tryCode('alice', 10, 5)).toBeUndefined();

      // A new address replaces the old and is unverified again.
      await store.notify.setAddress('alice', 'a2@example.org', { hash: randomBytes(32), expiresAt: 2_000 });
      expect(await store.notify.get('alice')).toMatchObject({ address: 'a2@example.org', verified: false });
      expect(await store.notify.get('bob')).toBeUndefined();

      expect(await store.notify.remove('alice')).toBe(true);
      expect(await store.notify.remove('alice')).toBe(false);
      expect(await store.notify.get('alice')).toBeUndefined();
    });

    it('count every try of a code, refuse it once expired or out of tries, and start over with a new code', async () => {
      const hash = randomBytes(32);
      await store.notify.setAddress('bob', 'bob@example.org', { hash, expiresAt: 1_000 });
      expect(await store.notify.tryCode('bob', 1_000, 3)).toBeUndefined(); // expired at 1000
      for (let i = 0; i < 3; i++)
        expect(await store.notify.tryCode('bob', 999, 3)).toEqual(new Uint8Array(hash));
      expect(await store.notify.tryCode('bob', 999, 3)).toBeUndefined();
      expect(await store.notify.tryCode('carol', 0, 3)).toBeUndefined(); // no address at all

      const next = randomBytes(32);
      await store.notify.setAddress('bob', 'bob@example.org', { hash: next, expiresAt: 5_000 });
      expect(await store.notify.tryCode('bob', 1_500, 3)).toEqual(new Uint8Array(next));
    });

    it('allow at most the set number of tries in all when two nodes race', async () => {
      const second = await another();
      await store.notify.setAddress('bob', 'bob@example.org', { hash: randomBytes(32), expiresAt: 1_000 });
      const tries = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : second).notify.tryCode('bob', 10, 5)),
      );
      expect(tries.filter((t) => t !== undefined)).toHaveLength(5);
    });

    it('schedule only verified addresses, once (moved up only when sooner), and not within the window after the last one', async () => {
      await store.notify.setAddress('carol', 'carol@example.org', {
        hash: randomBytes(32),
        expiresAt: 1_000,
      });
      expect(await store.notify.schedule('carol', 100, 200, HOUR)).toBe(false); // unverified
      expect(await store.notify.schedule('nobody', 100, 200, HOUR)).toBe(false);

      await verified('alice');
      expect(await store.notify.nextDue()).toBeUndefined();
      expect(await store.notify.schedule('alice', 100, 200, HOUR)).toBe(true);
      expect(await store.notify.schedule('alice', 150, 250, HOUR)).toBe(false); // one is due sooner already
      expect(await store.notify.schedule('alice', 150, 200, HOUR)).toBe(false);
      expect(await store.notify.get('alice')).toMatchObject({ dueAt: 200 });
      // A sooner one (a busy account) moves it up, and messages still count as waiting from the first.
      expect(await store.notify.schedule('alice', 160, 180, HOUR)).toBe(true);
      expect(await store.notify.nextDue()).toBe(180);

      expect(await store.notify.takeDue(179, 10)).toEqual([]);
      expect(await store.notify.takeDue(180, 10)).toEqual([
        { account: 'alice', address: 'alice@example.org', waitingSince: 100 },
      ]);
      expect(await store.notify.takeDue(10_000, 10)).toEqual([]); // taken once
      await store.notify.notified('alice', 300);
      expect(await store.notify.get('alice')).toMatchObject({ notifiedAt: 300, dueAt: undefined });

      // Within the window after the last one, the next is due when the window ends, however soon it asks.
      expect(await store.notify.schedule('alice', 400, 500, HOUR)).toBe(true);
      expect(await store.notify.get('alice')).toMatchObject({ dueAt: 300 + HOUR });
      expect(await store.notify.schedule('alice', 450, 460, HOUR)).toBe(false);
      expect(await store.notify.get('alice')).toMatchObject({ dueAt: 300 + HOUR });
      // Removing the address drops the schedule with it.
      expect(await store.notify.remove('alice')).toBe(true);
      expect(await store.notify.nextDue()).toBeUndefined();
    });

    it('take each due notification exactly once when two nodes race, soonest first', async () => {
      const second = await another();
      for (const [i, name] of ['alice', 'bob', 'carol'].entries()) {
        await verified(name);
        expect(await store.notify.schedule(name, 10, 100 + i, HOUR)).toBe(true);
      }
      expect((await store.notify.takeDue(1_000, 1)).map((d) => d.account)).toEqual(['alice']);
      const [a, b] = await Promise.all([store.notify.takeDue(1_000, 10), second.notify.takeDue(1_000, 10)]);
      expect([...a, ...b].map((d) => d.account).sort()).toEqual(['bob', 'carol']);
    });
  });
}
