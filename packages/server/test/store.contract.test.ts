/**
 * The Store contract: one suite every adapter must pass (SQLite now; PostgreSQL joins the list later).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { AccountRecord, Store } from '../src/store/store.js';

const adapters: { name: string; open: (dir: string) => Store }[] = [
  { name: 'sqlite', open: (dir) => openSqliteStore(join(dir, 'test.db')) },
];

const account = (name: string): AccountRecord => ({
  name,
  opaqueRecord: 'record',
  identityKey: new Uint8Array(32).fill(1),
  deviceList: new Uint8Array([1]),
  deviceListVersion: 1,
  backup: new Uint8Array([2]),
  createdAt: 1,
});
const dev = (deviceId: number) => ({ deviceId, signingKey: new Uint8Array(32).fill(deviceId) });
const key = (keyId: number) => ({ keyId, encoded: new Uint8Array([keyId]) });

for (const adapter of adapters) {
  describe(`Store contract: ${adapter.name}`, () => {
    let dir: string;
    let store: Store;
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sotto-store-'));
      store = adapter.open(dir);
      expect(await store.createAccount(account('alice'), [dev(1), dev(2)])).toBe(true);
    });
    afterEach(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('refuses a second account with the same name', async () => {
      expect(await store.createAccount(account('alice'), [dev(1)])).toBe(false);
      expect((await store.getAccount('alice'))?.createdAt).toBe(1);
      expect(await store.accountExists('alice')).toBe(true);
      expect(await store.accountExists('bob')).toBe(false);
      expect(await store.listDeviceIds('alice')).toEqual([1, 2]);
    });

    it('replaces a device list only from the expected version, dropping removed devices and their mail', async () => {
      const alice1 = { account: 'alice', deviceId: 1 };
      const e = {
        id: new Uint8Array(16),
        sender: alice1,
        recipient: { account: 'alice', deviceId: 2 },
        body: new Uint8Array([7]),
        receivedAt: 5,
      };
      expect(await store.enqueue([e], 10)).toEqual({ ok: true, stored: 1 });
      const update = { deviceList: new Uint8Array([9]), version: 2, devices: [dev(1)] };
      expect(await store.replaceDeviceList('alice', 0, update)).toBe(false);
      expect(await store.replaceDeviceList('alice', 1, update)).toBe(true);
      expect((await store.listDevices('alice')).map((d) => d.deviceId)).toEqual([1]);
      expect(await store.mailboxDepth()).toBe(0);
    });

    it('hands out each one-time prekey once and falls back to the last-resort key', async () => {
      const d = { account: 'alice', deviceId: 1 };
      expect(await store.takeBundle(d)).toBeUndefined();
      await store.putDeviceKeys(d, {
        certificate: new Uint8Array([3]),
        signedPrekey: key(1),
        lastResortKem: key(2),
      });
      await store.addOneTimePrekeys(d, 'x25519', [key(10), key(11)]);
      await store.addOneTimePrekeys(d, 'mlkem', [key(20)]);
      const taken = await Promise.all([store.takeBundle(d), store.takeBundle(d), store.takeBundle(d)]);
      expect(taken.map((b) => b?.oneTimeX25519?.keyId)).toEqual([10, 11, undefined]);
      expect(taken.map((b) => b?.oneTimeKem?.keyId)).toEqual([20, undefined, undefined]);
      expect(taken[2]?.lastResortKem.keyId).toBe(2);
      expect(await store.countOneTimePrekeys(d)).toEqual({ x25519: 0, mlkem: 0 });
      expect(await store.addOneTimePrekeys({ account: 'alice', deviceId: 9 }, 'x25519', [key(1)])).toBe(
        false,
      );
    });

    it('stores a send atomically, in order, caps mailboxes, acks and expires', async () => {
      const from = { account: 'alice', deviceId: 1 };
      const to = { account: 'alice', deviceId: 2 };
      const env = (n: number, at = 100) => ({
        id: new Uint8Array(16).fill(n),
        sender: from,
        recipient: to,
        body: new Uint8Array([n]),
        receivedAt: at,
      });
      expect(await store.enqueue([env(1), env(2)], 3)).toEqual({ ok: true, stored: 2 });
      expect(await store.enqueue([env(3), env(4)], 3)).toEqual({ ok: false, full: to });
      expect(await store.mailboxDepth()).toBe(2);
      const got = await store.fetchMailbox(to, 0, 0, 10);
      expect(got.map((e) => e.body[0])).toEqual([1, 2]);
      expect((await store.fetchMailbox(to, got[0]?.seq ?? 0, 0, 10)).map((e) => e.body[0])).toEqual([2]);
      expect(await store.ackEnvelopes(to, [env(1).id])).toBe(1);
      expect(await store.enqueue([env(5, 10)], 3)).toEqual({ ok: true, stored: 1 });
      expect(await store.fetchMailbox(to, 0, 50, 10)).toHaveLength(1);
      expect(await store.expireEnvelopes(50)).toBe(1);
      expect(await store.mailboxDepth()).toBe(1);
    });

    it('keeps contact relations symmetric and blocks apart', async () => {
      expect(await store.requestContact('alice', 'bob')).toBe('pending');
      expect(await store.getContact('bob', 'alice')).toBe('incoming');
      expect(await store.acceptContact('alice', 'bob')).toBe(false);
      expect(await store.requestContact('bob', 'alice')).toBe('accepted');
      expect(await store.getContact('alice', 'bob')).toBe('accepted');
      await store.block('bob', 'alice');
      expect(await store.isBlocked('bob', 'alice')).toBe(true);
      expect(await store.listContacts('alice')).toEqual([]);
      expect(await store.listBlocked('bob')).toEqual(['alice']);
    });
  });
}
