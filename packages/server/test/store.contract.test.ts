/**
 * The Store contract: one suite every adapter must pass, unchanged (SQLite file; PostgreSQL in a fresh
 * schema per test). `another()` opens a second store over the same data: a second SQLite connection to
 * the file, or a second PostgreSQL pool (a second node).
 */
import { expect, it } from 'vitest';
import type { NewEnvelope, Store } from '../src/store/store.js';
import { describeWith } from './helpers/services.js';
import {
  testAccount as account,
  testDevice as dev,
  eachTestStore,
  STORE_ADAPTERS,
} from './helpers/stores.js';

const key = (keyId: number) => ({ keyId, encoded: new Uint8Array([keyId & 0xff, keyId >> 8]) });
const alice1 = { account: 'alice', deviceId: 1 };
const alice2 = { account: 'alice', deviceId: 2 };
const env = (n: number, at = 100, to = alice2): NewEnvelope => ({
  id: new Uint8Array(16).fill(n & 0xff).fill(n >> 8, 0, 1),
  sender: alice1,
  recipient: to,
  body: new Uint8Array([n & 0xff, n >> 8]),
  receivedAt: at,
});
const num = (b: Uint8Array | undefined) => (b?.[0] ?? 0) + ((b?.[1] ?? 0) << 8);

for (const adapter of STORE_ADAPTERS) {
  await describeWith(adapter.services, `Store contract: ${adapter.name}`, () => {
    let store: Store;
    const another = eachTestStore(adapter, [['alice', [1, 2]]], (s) => {
      store = s;
    });

    it('refuses a second account with the same name', async () => {
      expect(await store.createAccount(account('alice'), [dev(1)])).toBe(false);
      expect((await store.getAccount('alice'))?.createdAt).toBe(1);
      expect(await store.accountExists('alice')).toBe(true);
      expect(await store.accountExists('bob')).toBe(false);
      expect(await store.listDeviceIds('alice')).toEqual([1, 2]);
    });

    it('round-trips account fields, devices, backups, chosen presence and last-seen times', async () => {
      const a = await store.getAccount('alice');
      expect(a).toEqual(account('alice'));
      await store.setBackup('alice', new Uint8Array([9, 9]));
      expect((await store.getAccount('alice'))?.backup).toEqual(new Uint8Array([9, 9]));
      const none = { state: undefined, text: undefined, lastSeen: undefined };
      expect(await store.getPresence('alice')).toEqual(none);
      await store.setLastSeen('alice', 1_700_000_000_123);
      await store.setPresence('alice', 'busy', 'in a meeting');
      const lastSeen = 1_700_000_000_123;
      expect(await store.getPresence('alice')).toEqual({ state: 'busy', text: 'in a meeting', lastSeen });
      await store.setPresence('alice', 'away', undefined);
      expect(await store.getPresence('alice')).toEqual({ state: 'away', text: undefined, lastSeen });
      expect(await store.getPresence('nobody')).toBeUndefined();
      expect(await store.getDevice('alice', 2)).toEqual({
        account: 'alice',
        deviceId: 2,
        signingKey: dev(2).signingKey,
        certificate: undefined,
      });
      expect(await store.getDevice('alice', 3)).toBeUndefined();
      expect(await store.createAccount(account('big'), [dev(4_294_967_295)])).toBe(true);
      expect(await store.listDeviceIds('big')).toEqual([4_294_967_295]);
    });

    it('replaces a device list only from the expected version, dropping removed devices and their mail', async () => {
      expect(await store.enqueue([env(7, 5)], 10)).toMatchObject({ ok: true, stored: 1 });
      const update = { deviceList: new Uint8Array([9]), version: 2, devices: [dev(1)] };
      expect(await store.replaceDeviceList('alice', 0, update)).toBe(false);
      expect(await store.replaceDeviceList('alice', 1, update)).toBe(true);
      expect((await store.listDevices('alice')).map((d) => d.deviceId)).toEqual([1]);
      expect(await store.mailboxDepth()).toBe(0);
    });

    it('lets exactly one of two concurrent device-list updates from the same version win', async () => {
      const other = await another();
      const update = (v: number) => ({ deviceList: new Uint8Array([v]), version: 2, devices: [dev(1)] });
      const won = await Promise.all([
        store.replaceDeviceList('alice', 1, update(7)),
        other.replaceDeviceList('alice', 1, update(8)),
      ]);
      expect(won.filter(Boolean)).toHaveLength(1);
      expect((await store.getAccount('alice'))?.deviceListVersion).toBe(2);
    });

    it('hands out each one-time prekey once and falls back to the last-resort key', async () => {
      const d = alice1;
      expect(await store.takeBundle(d)).toBeUndefined();
      await store.putDeviceKeys(d, {
        certificate: new Uint8Array([3]),
        signedPrekey: key(1),
        lastResortKem: key(2),
      });
      await store.addOneTimePrekeys(d, 'x25519', [key(10), key(11)]);
      await store.addOneTimePrekeys(d, 'mlkem', [key(20)]);
      const taken = await Promise.all([store.takeBundle(d), store.takeBundle(d), store.takeBundle(d)]);
      const ids = (k: 'oneTimeX25519' | 'oneTimeKem') => taken.map((b) => b?.[k]?.keyId ?? 0).sort();
      expect(ids('oneTimeX25519')).toEqual([0, 10, 11]);
      expect(ids('oneTimeKem')).toEqual([0, 0, 20]);
      expect(taken.every((b) => b?.lastResortKem.keyId === 2 && b.signedPrekey.keyId === 1)).toBe(true);
      expect(taken[0]?.device.certificate).toEqual(new Uint8Array([3]));
      expect(await store.countOneTimePrekeys(d)).toEqual({ x25519: 0, mlkem: 0 });
      expect(await store.takeBundle(d)).toMatchObject({ oneTimeX25519: undefined, oneTimeKem: undefined });
      expect(await store.addOneTimePrekeys({ account: 'alice', deviceId: 9 }, 'x25519', [key(1)])).toBe(
        false,
      );
      expect(await store.putDeviceKeys({ account: 'alice', deviceId: 9 }, { signedPrekey: key(1) })).toBe(
        false,
      );
    });

    it('hands out each one-time prekey once under many concurrent fetches from two stores', async () => {
      const other = await another();
      const d = alice1;
      await store.putDeviceKeys(d, {
        certificate: new Uint8Array([3]),
        signedPrekey: key(1),
        lastResortKem: key(2),
      });
      const keys = Array.from({ length: 40 }, (_, i) => key(100 + i));
      await store.addOneTimePrekeys(d, 'x25519', keys);
      await store.addOneTimePrekeys(d, 'mlkem', keys.slice(0, 25));
      const fetches = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? store : other).takeBundle(d));
      const taken = await Promise.all(fetches);
      const x = taken.flatMap((b) => (b?.oneTimeX25519 ? [b.oneTimeX25519.keyId] : []));
      const k = taken.flatMap((b) => (b?.oneTimeKem ? [b.oneTimeKem.keyId] : []));
      expect(new Set(x).size).toBe(x.length);
      expect(new Set(k).size).toBe(k.length);
      expect(x.sort()).toEqual(keys.map((p) => p.keyId));
      expect(k).toHaveLength(25);
      expect(taken.every((b) => b !== undefined)).toBe(true);
      expect(await other.countOneTimePrekeys(d)).toEqual({ x25519: 0, mlkem: 0 });
    });

    it('stores a send atomically, in order, caps mailboxes, acks and expires', async () => {
      const first = await store.enqueue([env(1), env(2)], 3);
      expect(first).toMatchObject({ ok: true, stored: 2 });
      expect(await store.enqueue([env(3), env(4)], 3)).toEqual({ ok: false, full: alice2 });
      expect(await store.mailboxDepth()).toBe(2);
      const got = await store.fetchMailbox(alice2, 0, 0, 10);
      // Each envelope's seq is reported as stored, in send order.
      expect(first.ok && first.seqs).toEqual(got.map((e) => e.seq));
      expect((got[0]?.seq ?? 0) > 0 && (got[0]?.seq ?? 0) < (got[1]?.seq ?? 0)).toBe(true);
      expect(got.map((e) => num(e.body))).toEqual([1, 2]);
      expect(got[0]).toMatchObject({ sender: alice1, recipient: alice2, receivedAt: 100, id: env(1).id });
      expect((await store.fetchMailbox(alice2, got[0]?.seq ?? 0, 0, 10)).map((e) => num(e.body))).toEqual([
        2,
      ]);
      // An ack deletes by seq, and only when the id matches too: a wrong id, a repeat, another device's
      // seq or an unknown seq deletes nothing.
      const [e1, e2] = got;
      if (e1 === undefined || e2 === undefined) throw new Error('no envelopes');
      expect(await store.ackEnvelopes(alice2, [{ seq: e1.seq, id: env(9).id }])).toBe(0);
      expect(await store.ackEnvelopes(alice1, [{ seq: e1.seq, id: e1.id }])).toBe(0);
      expect(
        await store.ackEnvelopes(alice2, [
          { seq: e1.seq, id: e1.id },
          { seq: e1.seq, id: e1.id },
          { seq: e2.seq + 1000, id: e2.id },
        ]),
      ).toBe(1);
      expect((await store.fetchMailbox(alice2, 0, 0, 10)).map((e) => num(e.body))).toEqual([2]);
      expect(await store.enqueue([env(5, 200)], 3)).toMatchObject({ ok: true, stored: 1 });
      // Reads skip what is past the age limit; expiry deletes it, oldest first.
      expect((await store.fetchMailbox(alice2, 0, 150, 10)).map((e) => num(e.body))).toEqual([5]);
      expect(await store.expireEnvelopes(150)).toBe(1);
      expect(await store.mailboxDepth()).toBe(1);
      expect(await store.expireEnvelopes(150)).toBe(0);
      expect(await store.expireEnvelopes(201)).toBe(1);
      expect(await store.mailboxDepth()).toBe(0);
    });

    it('walks seq order when expiring: an envelope stamped out of order waits for the ones before it', async () => {
      // Stamps from two nodes' clocks may interleave: expiry stops at the first envelope not expired,
      // and reads skip the expired one behind it meanwhile.
      expect(
        await store.enqueue([env(1, 100), env(2, 300), env(3, 100), env(4, 400, alice1)], 10),
      ).toMatchObject({
        ok: true,
      });
      expect(await store.expireEnvelopes(200)).toBe(1);
      expect((await store.fetchMailbox(alice2, 0, 200, 10)).map((e) => num(e.body))).toEqual([2]);
      expect(await store.expireEnvelopes(350)).toBe(2);
      expect((await store.fetchMailbox(alice1, 0, 0, 10)).map((e) => num(e.body))).toEqual([4]);
    });

    it('stores nothing of a send when one mailbox is full, and gives every envelope its own seq', async () => {
      const both = await store.enqueue([env(1), env(1, 100, alice1)], 2);
      expect(both).toMatchObject({ ok: true, stored: 2 });
      // The same id again is a new envelope (ids are the relay's, fresh per send; nothing matches on them).
      const again = await store.enqueue([env(1)], 2);
      expect(again).toMatchObject({ ok: true, stored: 1 });
      const inbox = await store.fetchMailbox(alice2, 0, 0, 10);
      expect(inbox.map((e) => e.seq)).toEqual([
        ...(both.ok ? [both.seqs[0]] : []),
        ...(again.ok ? again.seqs : []),
      ]);
      expect(await store.enqueue([env(3, 100, alice1), env(3)], 2)).toEqual({ ok: false, full: alice2 });
      expect(await store.fetchMailbox(alice1, 0, 0, 10)).toHaveLength(1);
      expect(await store.mailboxDepth()).toBe(3);
    });

    it('holds the mailbox cap under concurrent sends from two stores', async () => {
      const other = await another();
      const sends = Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).enqueue([env(i + 1)], 10));
      const results = await Promise.all(sends);
      expect(results.filter((r) => r.ok)).toHaveLength(10);
      expect(await store.mailboxDepth()).toBe(10);
    });

    it('never lets a reader resuming after a seq skip an envelope stored concurrently', async () => {
      const other = await another();
      let writing = true;
      const seen = new Set<number>();
      let after = 0;
      const drain = async () => {
        for (const e of await store.fetchMailbox(alice2, after, 0, 1000)) {
          seen.add(num(e.body));
          after = e.seq;
        }
      };
      // Yields a macrotask per round, as a real reader waiting on I/O does (SQLite answers synchronously).
      const reader = (async () => {
        while (writing) {
          await drain();
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      const writes = Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? store : other).enqueue([env(i + 1)], 1000),
      );
      await Promise.all(writes);
      writing = false;
      await reader;
      await drain();
      expect(seen.size).toBe(60);
    });

    it('keeps contact relations symmetric and blocks apart', async () => {
      expect(await store.requestContact('alice', 'bob')).toBe('pending');
      expect(await store.getContact('bob', 'alice')).toBe('incoming');
      expect(await store.getContact('alice', 'bob')).toBe('outgoing');
      expect(await store.requestContact('alice', 'bob')).toBe('unchanged');
      expect(await store.acceptContact('alice', 'bob')).toBe(false);
      expect(await store.requestContact('bob', 'alice')).toBe('accepted');
      expect(await store.getContact('alice', 'bob')).toBe('accepted');
      expect(await store.requestContact('carol', 'alice')).toBe('pending');
      expect(await store.listContacts('alice')).toEqual([
        { peer: 'bob', state: 'accepted' },
        { peer: 'carol', state: 'incoming' },
      ]);
      expect(await store.acceptContact('alice', 'carol')).toBe(true);
      expect(await store.removeContact('carol', 'alice')).toBe(true);
      expect(await store.removeContact('carol', 'alice')).toBe(false);
      await store.block('bob', 'alice');
      expect(await store.isBlocked('bob', 'alice')).toBe(true);
      expect(await store.isBlocked('alice', 'bob')).toBe(false);
      expect(await store.listContacts('alice')).toEqual([]);
      expect(await store.listBlocked('bob')).toEqual(['alice']);
      await store.unblock('bob', 'alice');
      expect(await store.listBlocked('bob')).toEqual([]);
    });

    it('accepts both sides when two contact requests cross, on two stores', async () => {
      const other = await another();
      const results = await Promise.all([
        store.requestContact('alice', 'bob'),
        other.requestContact('bob', 'alice'),
      ]);
      expect(results.sort()).toEqual(['accepted', 'pending']);
      expect(await store.getContact('alice', 'bob')).toBe('accepted');
      expect(await other.getContact('bob', 'alice')).toBe('accepted');
    });

    it('records a deployment setting once: of two stores racing, one value wins for both', async () => {
      expect(await store.hasAccounts()).toBe(true);
      const other = await another();
      expect(await other.getSetting('fingerprint')).toBeUndefined();
      const [a, b] = await Promise.all([
        store.recordSetting('fingerprint', 'one'),
        other.recordSetting('fingerprint', 'two'),
      ]);
      expect(a).toBe(b);
      expect(['one', 'two']).toContain(a);
      expect(await store.recordSetting('fingerprint', 'three')).toBe(a);
      expect(await other.getSetting('fingerprint')).toBe(a);
    });

    it('answers ping and closes idempotently', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      const other = await another();
      await other.close();
      await other.close();
    });
  });
}
