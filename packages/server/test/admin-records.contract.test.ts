/**
 * The AdminRecords contract: what `sotto-server admin` and the nodes read and write about accounts,
 * invites, daily counts and nodes behaves the same on every store adapter (SQLite file; PostgreSQL in a
 * fresh schema per test), also through a second connection (the admin process beside a running server).
 */
import { createHash, randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import type { NewInvite } from '../src/store/admin-records.js';
import type { NewEnvelope, Store } from '../src/store/store.js';
import { describeWith } from './helpers/services.js';
import {
  testAccount as account,
  testDevice as dev,
  eachTestStore,
  STORE_ADAPTERS,
} from './helpers/stores.js';

const key = (keyId: number) => ({ keyId, encoded: new Uint8Array([keyId]) });
const envelope = (n: number, from: string, to: string, toDevice: number, bytes: number): NewEnvelope => ({
  id: new Uint8Array(16).fill(n),
  sender: { account: from, deviceId: 1 },
  recipient: { account: to, deviceId: toDevice },
  body: new Uint8Array(bytes),
  receivedAt: 1_000 + n,
});
const sha = (token: string) => new Uint8Array(createHash('sha256').update(token).digest());
const invite = (token: string, o: Partial<NewInvite> = {}): NewInvite => ({
  id: createHash('sha256').update(token).digest('hex').slice(0, 12),
  tokenHash: sha(token),
  maxUses: 1,
  createdAt: 100,
  expiresAt: 10_000,
  note: undefined,
  ...o,
});

for (const adapter of STORE_ADAPTERS) {
  await describeWith(adapter.services, `AdminRecords contract: ${adapter.name}`, () => {
    let store: Store;
    const another = eachTestStore(
      adapter,
      [
        ['alice', [1, 2], 10],
        ['bob', [1], 20],
      ],
      (s) => {
        store = s;
      },
    );

    it('list accounts with their device counts, and devices with keys and waiting mail', async () => {
      await store.setLastSeen('bob', 555);
      expect(await store.admin.listAccounts()).toEqual([
        { name: 'alice', createdAt: 10, lastSeen: undefined, disabledAt: undefined, devices: 2 },
        { name: 'bob', createdAt: 20, lastSeen: 555, disabledAt: undefined, devices: 1 },
      ]);
      await store.putDeviceKeys({ account: 'alice', deviceId: 1 }, { certificate: new Uint8Array([7]) });
      await store.addOneTimePrekeys({ account: 'alice', deviceId: 1 }, 'x25519', [key(1), key(2), key(3)]);
      await store.addOneTimePrekeys({ account: 'alice', deviceId: 1 }, 'mlkem', [key(4)]);
      await store.enqueue([envelope(1, 'bob', 'alice', 2, 100), envelope(2, 'bob', 'alice', 2, 50)], 10);
      expect(await store.admin.listDevices('alice')).toEqual([
        {
          deviceId: 1,
          certified: true,
          prekeys: { x25519: 3, mlkem: 1 },
          waiting: 0,
          waitingBytes: 0,
          oldestWaiting: undefined,
        },
        {
          deviceId: 2,
          certified: false,
          prekeys: { x25519: 0, mlkem: 0 },
          waiting: 2,
          waitingBytes: 150,
          oldestWaiting: 1_001,
        },
      ]);
      expect(await store.admin.listDevices('nobody')).toBeUndefined();
    });

    it('disable and enable an account once each, recording what was done, seen by another connection', async () => {
      const admin = await another();
      expect(await store.admin.isDisabled('alice')).toBe(false);
      const before = await store.admin.lastAccountEvent();
      expect(await admin.admin.setDisabled('alice', true, 1_000)).toBe(true);
      expect(await admin.admin.setDisabled('alice', true, 2_000)).toBe(true);
      expect(await store.admin.isDisabled('alice')).toBe(true);
      expect((await store.admin.listAccounts())[0]?.disabledAt).toBe(1_000);
      expect(await admin.admin.setDisabled('alice', false, 3_000)).toBe(true);
      expect(await admin.admin.setDisabled('alice', false, 3_500)).toBe(true);
      expect(await store.admin.isDisabled('alice')).toBe(false);
      expect(await admin.admin.setDisabled('nobody', true, 4_000)).toBe(false);
      expect(await store.admin.isDisabled('nobody')).toBe(false);
      const events = await store.admin.accountEvents(before, 10);
      expect(events.map((e) => [e.account, e.action, e.at])).toEqual([
        ['alice', 'disabled', 1_000],
        ['alice', 'enabled', 3_000],
      ]);
      expect(await store.admin.lastAccountEvent()).toBe(events.at(-1)?.seq);
      expect(await store.admin.accountEvents(events[0]?.seq ?? 0, 10)).toHaveLength(1);
    });

    it('delete an account with its devices, keys, mailboxes, files, contacts and blocks; the name is free again', async () => {
      const alice1 = { account: 'alice', deviceId: 1 };
      await store.putDeviceKeys(alice1, { certificate: new Uint8Array([7]), signedPrekey: key(9) });
      await store.addOneTimePrekeys(alice1, 'x25519', [key(1)]);
      await store.enqueue([envelope(1, 'bob', 'alice', 1, 10), envelope(2, 'alice', 'bob', 1, 20)], 10);
      expect(await store.requestContact('alice', 'bob')).toBe('pending');
      expect(await store.createAccount(account('carol'), [dev(1)])).toBe(true);
      await store.block('carol', 'alice');
      await store.block('alice', 'carol');
      const file = randomBytes(16).toString('hex');
      const grant = {
        id: file,
        account: 'alice',
        tokenHash: randomBytes(32),
        maxSize: 10,
        createdAt: 1,
        tokenExpiresAt: 99,
      };
      expect(await store.files.authorize(grant, 100)).toBe(true);

      const admin = await another();
      expect(await admin.admin.deleteAccount('alice', 5_000)).toEqual({
        devices: 2,
        envelopes: 1,
        files: [file],
      });
      expect(await admin.admin.deleteAccount('alice', 5_001)).toBeUndefined();
      // The running server's connection sees it at once (its caches are not trusted across the change).
      expect(await store.accountExists('alice')).toBe(false);
      expect(await store.getDevice('alice', 1)).toBeUndefined();
      expect(await store.listDeviceIds('alice')).toEqual([]);
      expect(await store.getContact('bob', 'alice')).toBeUndefined();
      expect(await store.listContacts('bob')).toEqual([]);
      expect(await store.isBlocked('carol', 'alice')).toBe(false);
      expect(await store.listBlocked('alice')).toEqual([]);
      expect(await store.files.get(file)).toBeUndefined();
      expect(await store.fetchMailbox(alice1, 0, 0, 10)).toEqual([]);
      // What alice sent bob is bob's, and stays.
      expect(await store.fetchMailbox({ account: 'bob', deviceId: 1 }, 0, 0, 10)).toHaveLength(1);
      expect((await store.admin.accountEvents(0, 10)).map((e) => e.action)).toEqual(['deleted']);
      // The name can be registered again, with nothing of the old account.
      expect(await store.createAccount(account('alice', 7), [dev(1)])).toBe(true);
      expect(await store.countOneTimePrekeys(alice1)).toEqual({ x25519: 0, mlkem: 0 });
      expect(await store.takeBundle(alice1)).toBeUndefined();
      expect(await store.admin.isDisabled('alice')).toBe(false);
    });

    it('let an invite be used as often as allowed, exactly, even when registrations race', async () => {
      await store.admin.createInvite(invite('token-one', { maxUses: 3, note: 'for the team' }));
      const other = await another();
      const takes = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? store : other).admin.useInvite(sha('token-one'), 500)),
      );
      expect(takes.filter((id) => id !== undefined)).toHaveLength(3);
      expect(await store.admin.inviteUsable(sha('token-one'), 500)).toBe(false);
      const id = invite('token-one').id;
      await store.admin.releaseInvite(id);
      expect(await store.admin.inviteUsable(sha('token-one'), 500)).toBe(true);
      expect(await store.admin.useInvite(sha('token-one'), 500)).toBe(id);
      expect(await store.admin.useInvite(sha('token-one'), 500)).toBeUndefined();
      expect(await store.admin.listInvites()).toEqual([
        {
          id,
          maxUses: 3,
          uses: 3,
          createdAt: 100,
          expiresAt: 10_000,
          revokedAt: undefined,
          note: 'for the team',
        },
      ]);
      expect(await store.admin.useInvite(sha('no-such-token'), 500)).toBeUndefined();
    });

    it('refuse expired and revoked invites; list newest first', async () => {
      await store.admin.createInvite(invite('old', { createdAt: 100, expiresAt: 1_000 }));
      await store.admin.createInvite(invite('new', { createdAt: 200, maxUses: 5 }));
      expect(await store.admin.inviteUsable(sha('old'), 999)).toBe(true);
      expect(await store.admin.inviteUsable(sha('old'), 1_000)).toBe(false);
      expect(await store.admin.useInvite(sha('old'), 1_000)).toBeUndefined();
      expect(await store.admin.revokeInvite(invite('new').id, 300)).toBe(true);
      expect(await store.admin.revokeInvite(invite('new').id, 400)).toBe(false);
      expect(await store.admin.revokeInvite('nosuchid', 400)).toBe(false);
      expect(await store.admin.useInvite(sha('new'), 500)).toBeUndefined();
      const list = await store.admin.listInvites();
      expect(list.map((i) => [i.id, i.revokedAt])).toEqual([
        [invite('new').id, 300],
        [invite('old').id, undefined],
      ]);
      // Two invites with one token cannot exist (the hash is unique).
      await expect(store.admin.createInvite(invite('new', { id: 'other' }))).rejects.toThrow();
    });

    it('add up daily counts from several nodes, and keep node reports until they go silent', async () => {
      const other = await another();
      await store.admin.addDailyCounts('2030-01-01', 2, 5);
      await other.admin.addDailyCounts('2030-01-01', 1, 1);
      await store.admin.addDailyCounts('2030-01-02', 4, 8);
      expect(await store.admin.dailyCounts('2030-01-01')).toEqual([
        { day: '2030-01-01', sends: 3, envelopes: 6 },
        { day: '2030-01-02', sends: 4, envelopes: 8 },
      ]);
      expect(await store.admin.dailyCounts('2030-01-02')).toHaveLength(1);

      const node = (name: string, devices: number, at: number) => ({
        node: name,
        devices,
        startedAt: 1,
        updatedAt: at,
        version: '0.1.0',
      });
      await store.admin.reportNode(node('a', 3, 1_000), 0);
      await other.admin.reportNode(node('b', 4, 1_500), 0);
      await store.admin.reportNode(node('a', 5, 2_000), 0);
      expect((await store.admin.nodes(1_000)).map((n) => [n.node, n.devices])).toEqual([
        ['a', 5],
        ['b', 4],
      ]);
      expect((await store.admin.nodes(1_800)).map((n) => n.node)).toEqual(['a']);
      await store.admin.reportNode(node('a', 5, 3_000), 1_600);
      expect((await store.admin.nodes(0)).map((n) => n.node)).toEqual(['a']);
      await store.admin.removeNode('a');
      expect(await store.admin.nodes(0)).toEqual([]);
    });

    it('count accounts, devices, waiting mail, files and the database size', async () => {
      await store.admin.setDisabled('bob', true, 1);
      await store.enqueue([envelope(1, 'bob', 'alice', 1, 100), envelope(2, 'bob', 'alice', 2, 28)], 10);
      const stats = await store.admin.stats();
      expect(stats).toMatchObject({
        accounts: 2,
        disabledAccounts: 1,
        devices: 3,
        envelopes: 2,
        envelopeBytes: 128,
        files: { files: 0, bytes: 0, uploads: 0 },
      });
      expect(stats.databaseBytes).toBeGreaterThan(4_096);
    });
  });
}
