/**
 * The group records contract (ADR 0018): KeyPackages, groups, rosters, the commit log and the fan-out of
 * bodies stored once behave the same on every store adapter (SQLite file; PostgreSQL in a fresh schema
 * per test), also when two nodes race.
 */
import { expect, it } from 'vitest';
import type { GroupFanout, GroupRefusal, NewCommit, NewGroupMessage } from '../src/store/group-records.js';
import type { DeviceAddress, Store, StoredEnvelope } from '../src/store/store.js';
import { describeWith } from './helpers/services.js';
import { testDevice as dev, eachTestStore, STORE_ADAPTERS } from './helpers/stores.js';

const at = (account: string, deviceId: number): DeviceAddress => ({ account, deviceId });
const alice1 = at('alice', 1);
const alice2 = at('alice', 2);
const bob1 = at('bob', 1);
const bob2 = at('bob', 2);
const carol1 = at('carol', 1);
const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const gid = (n: number) => bytes(16, n);
const kp = (n: number) => new Uint8Array([n, 0xee, n]);
let ids = 0;
const envelopeId = () => {
  ids++;
  return new Uint8Array(16).fill(ids & 0xff).fill(ids >> 8, 0, 1);
};

const commit = (fields: Partial<NewCommit> & { epoch: number; committer: DeviceAddress }): NewCommit => ({
  groupId: gid(1),
  commit: bytes(40, fields.epoch + 1),
  welcome: undefined,
  added: [],
  removed: [],
  commitEnvelopeId: envelopeId(),
  welcomeEnvelopeId: envelopeId(),
  receivedAt: 100,
  ...fields,
});
const message = (fields: Partial<NewGroupMessage> & { sender: DeviceAddress }): NewGroupMessage => ({
  groupId: gid(1),
  epoch: 0,
  body: bytes(500, 9),
  envelopeId: envelopeId(),
  receivedAt: 100,
  ...fields,
});

function fanout(r: GroupFanout | GroupRefusal): GroupFanout {
  if (!r.ok) throw new Error(`refused: ${r.reason}`);
  return r;
}
const to = (envelopes: readonly StoredEnvelope[]) =>
  envelopes.map((e) => `${e.recipient.account}/${e.recipient.deviceId}`).sort();

/** The suites of the tests: X-Wing (83) and RFC 9420 suite 1. */
const XW = 83;
const CLASSIC = 1;
/** KeyPackage bounds with `maxStored` one-time ones and 4 suites. */
const lim = (maxStored: number) => ({ maxStored, maxSuites: 4 });

for (const adapter of STORE_ADAPTERS) {
  await describeWith(adapter.services, `GroupRecords contract: ${adapter.name}`, () => {
    let store: Store;
    const another = eachTestStore(
      adapter,
      [
        ['alice', [1, 2]],
        ['bob', [1, 2]],
        ['carol', [1]],
      ],
      (s) => {
        store = s;
      },
    );
    const mailbox = (d: DeviceAddress) => store.fetchMailbox(d, 0, 0, 1000);

    it('keep KeyPackages per device, up to the stored maximum, and count them', async () => {
      const g = store.groups;
      expect(await g.countKeyPackages(bob1, XW)).toEqual({ count: 0, lastResort: false });
      expect(await g.addKeyPackages(bob1, XW, [kp(1), kp(2), kp(3)], kp(99), lim(5))).toBe('ok');
      expect(await g.countKeyPackages(bob1, XW)).toEqual({ count: 3, lastResort: true });
      expect(await g.addKeyPackages(bob1, XW, [kp(4), kp(5), kp(6)], undefined, lim(5))).toBe('full');
      expect(await g.countKeyPackages(bob1, XW)).toEqual({ count: 3, lastResort: true });
      expect(await g.addKeyPackages(at('bob', 9), XW, [kp(1)], undefined, lim(5))).toBe('unknown-device');
      expect(await g.countKeyPackages(bob2, XW)).toEqual({ count: 0, lastResort: false });
    });

    it('hand out the oldest one-time KeyPackage, then the last-resort one, and leave out devices with none', async () => {
      const g = store.groups;
      await g.addKeyPackages(bob1, XW, [kp(1), kp(2)], kp(99), lim(10));
      await g.addKeyPackages(bob2, XW, [], kp(98), lim(10));
      const first = await g.claimKeyPackages([bob1, bob2, carol1], XW);
      expect(first.map((c) => [c.device, c.keyPackage[0], c.lastResort, c.remaining])).toEqual([
        [bob1, 1, false, 1],
        [bob2, 98, true, 0],
      ]);
      expect((await g.claimKeyPackages([bob1], XW))[0]?.keyPackage[0]).toBe(2);
      // The last-resort one is handed out again and again; a new upload replaces it.
      expect((await g.claimKeyPackages([bob1], XW))[0]).toMatchObject({ lastResort: true, remaining: 0 });
      expect((await g.claimKeyPackages([bob1], XW))[0]?.keyPackage[0]).toBe(99);
      await g.addKeyPackages(bob1, XW, [], kp(97), lim(10));
      expect((await g.claimKeyPackages([bob1], XW))[0]?.keyPackage[0]).toBe(97);
      expect(await g.claimKeyPackages([carol1], XW)).toEqual([]);
    });

    it('keep one pool and one last-resort KeyPackage per suite, and claim from the suite asked for', async () => {
      const g = store.groups;
      expect(await g.addKeyPackages(bob1, XW, [kp(1), kp(2)], kp(80), lim(10))).toBe('ok');
      expect(await g.addKeyPackages(bob1, CLASSIC, [kp(11)], kp(81), lim(10))).toBe('ok');
      expect(await g.countKeyPackages(bob1, XW)).toEqual({ count: 2, lastResort: true });
      expect(await g.countKeyPackages(bob1, CLASSIC)).toEqual({ count: 1, lastResort: true });
      expect(await g.countKeyPackages(bob1, 2)).toEqual({ count: 0, lastResort: false });
      const claimed = async (suite: number) =>
        (await g.claimKeyPackages([bob1, bob2], suite)).map((c) => [
          c.keyPackage[0],
          c.lastResort,
          c.remaining,
        ]);
      expect(await claimed(CLASSIC)).toEqual([[11, false, 0]]);
      expect(await claimed(CLASSIC)).toEqual([[81, true, 0]]);
      expect(await claimed(XW)).toEqual([[1, false, 1]]);
      expect(await claimed(2)).toEqual([]);
      // Replacing one suite's last-resort KeyPackage leaves the other's.
      await g.addKeyPackages(bob1, CLASSIC, [], kp(82), lim(10));
      expect(await claimed(CLASSIC)).toEqual([[82, true, 0]]);
      expect(await claimed(XW)).toEqual([[2, false, 0]]);
      expect(await claimed(XW)).toEqual([[80, true, 0]]);
    });

    it('bound one-time KeyPackages over all suites together, and the number of suites', async () => {
      const g = store.groups;
      expect(await g.addKeyPackages(bob1, XW, [kp(1), kp(2), kp(3)], undefined, lim(5))).toBe('ok');
      expect(await g.addKeyPackages(bob1, CLASSIC, [kp(4), kp(5), kp(6)], undefined, lim(5))).toBe('full');
      expect(await g.addKeyPackages(bob1, CLASSIC, [kp(4), kp(5)], undefined, lim(5))).toBe('ok');
      const two = { maxStored: 10, maxSuites: 2 };
      expect(await g.addKeyPackages(bob1, 2, [], kp(7), two)).toBe('suites');
      expect(await g.addKeyPackages(bob1, 2, [kp(7)], undefined, two)).toBe('suites');
      expect(await g.countKeyPackages(bob1, 2)).toEqual({ count: 0, lastResort: false });
      // A last-resort KeyPackage alone counts as a suite; an upload of a suite it has is fine.
      expect(await g.addKeyPackages(bob2, 2, [], kp(8), two)).toBe('ok');
      expect(await g.addKeyPackages(bob2, XW, [kp(9)], undefined, two)).toBe('ok');
      expect(await g.addKeyPackages(bob2, CLASSIC, [kp(9)], undefined, two)).toBe('suites');
      expect(await g.addKeyPackages(bob2, 2, [kp(10)], kp(11), two)).toBe('ok');
    });

    it('never hand out one KeyPackage twice when two nodes claim at once', async () => {
      const second = await another();
      await store.groups.addKeyPackages(
        bob1,
        XW,
        Array.from({ length: 20 }, (_, i) => kp(i)),
        kp(200),
        lim(50),
      );
      const claims = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (i % 2 === 0 ? store : second).groups.claimKeyPackages([bob1], XW),
        ),
      );
      const oneTime = claims.flat().filter((c) => !c.lastResort);
      expect(oneTime).toHaveLength(20);
      expect(new Set(oneTime.map((c) => c.keyPackage[0])).size).toBe(20);
      expect(claims.flat().filter((c) => c.lastResort)).toHaveLength(10);
    });

    it('create a group once, at epoch 0, with its creator as the roster', async () => {
      const g = store.groups;
      expect(await g.createGroup({ id: gid(1), suite: 0xf031, epoch: 0, createdAt: 5 }, alice1)).toBe(true);
      expect(await g.createGroup({ id: gid(1), suite: 1, epoch: 0, createdAt: 6 }, bob1)).toBe(false);
      expect(await g.getGroup(gid(1))).toEqual({ id: gid(1), suite: 0xf031, epoch: 0, createdAt: 5 });
      expect(await g.roster(gid(1))).toEqual([alice1]);
      expect(await g.joinedEpoch(gid(1), alice1)).toBe(0);
      expect(await g.joinedEpoch(gid(1), bob1)).toBeUndefined();
      expect(await g.getGroup(gid(2))).toBeUndefined();
      expect(await g.count()).toBe(1);
    });

    it('apply a commit only at the current epoch, from a member, and fan it out', async () => {
      const g = store.groups;
      await g.createGroup({ id: gid(1), suite: 1, epoch: 0, createdAt: 5 }, alice1);
      const add = commit({ epoch: 0, committer: alice1, added: [alice2, bob1], welcome: bytes(3000, 7) });
      expect(await g.commit({ ...add, epoch: 1 }, 100, 10)).toEqual({ ok: false, reason: 'stale', epoch: 0 });
      expect(await g.commit({ ...add, committer: bob1 }, 100, 10)).toEqual({
        ok: false,
        reason: 'not-member',
      });
      expect(await g.commit({ ...add, groupId: gid(9) }, 100, 10)).toEqual({
        ok: false,
        reason: 'not-found',
      });
      expect(await g.commit({ ...add, added: [at('bob', 7)] }, 100, 10)).toEqual({
        ok: false,
        reason: 'unknown-device',
        device: at('bob', 7),
      });
      expect(await g.commit(add, 100, 2)).toEqual({ ok: false, reason: 'too-large' });
      expect((await g.getGroup(gid(1)))?.epoch).toBe(0);

      const added = fanout(await g.commit(add, 100, 3));
      expect(added.epoch).toBe(1);
      // The roster before was only the committer: no commit envelopes, one Welcome per added device.
      expect(to(added.envelopes)).toEqual(['alice/2', 'bob/1']);
      expect(added.envelopes.every((e) => e.group?.kind === 'welcome' && e.group.epoch === 1)).toBe(true);
      expect(await g.roster(gid(1))).toEqual([alice1, alice2, bob1]);
      expect(await g.joinedEpoch(gid(1), bob1)).toBe(1);
      expect(await g.commit(commit({ epoch: 1, committer: bob1, added: [alice2] }), 100, 10)).toEqual({
        ok: false,
        reason: 'already-member',
        device: alice2,
      });

      // Removing bob/1: the commit goes to the roster before it (bob/1 included), not to the committer.
      const remove = fanout(
        await g.commit(commit({ epoch: 1, committer: alice2, removed: [bob1, carol1] }), 100, 3),
      );
      expect(remove.epoch).toBe(2);
      expect(to(remove.envelopes)).toEqual(['alice/1', 'bob/1']);
      expect(await g.roster(gid(1))).toEqual([alice1, alice2]);
      const [welcome] = await mailbox(bob1);
      expect(welcome).toMatchObject({ sender: alice1, group: { id: gid(1), kind: 'welcome', epoch: 1 } });
      expect(welcome?.body).toEqual(bytes(3000, 7));
      const delivered = await mailbox(bob1);
      expect(delivered.map((e) => e.group?.kind)).toEqual(['welcome', 'commit']);
      expect(delivered[1]).toMatchObject({ sender: alice2, group: { kind: 'commit', epoch: 1 } });
      expect(delivered[1]?.body).toEqual(bytes(40, 2));
    });

    it('log commits, handing each device the log from the commit that added it, in pages', async () => {
      const g = store.groups;
      await g.createGroup({ id: gid(1), suite: 1, epoch: 0, createdAt: 5 }, alice1);
      fanout(
        await g.commit(commit({ epoch: 0, committer: alice1, added: [bob1], welcome: bytes(50, 1) }), 100, 9),
      );
      for (let e = 1; e < 5; e++) fanout(await g.commit(commit({ epoch: e, committer: bob1 }), 100, 9));
      const all = await g.commits(gid(1), 0, 10, 1 << 20, 0);
      expect(all.more).toBe(false);
      expect(all.commits.map((c) => [c.epoch, c.commit[0], c.welcome?.length])).toEqual([
        [0, 1, 50],
        [1, 2, undefined],
        [2, 3, undefined],
        [3, 4, undefined],
        [4, 5, undefined],
      ]);
      expect((await g.commits(gid(1), 0, 10, 1 << 20, undefined)).commits[0]?.welcome).toBeUndefined();
      const page = await g.commits(gid(1), 2, 2, 1 << 20, undefined);
      expect([page.commits.map((c) => c.epoch), page.more]).toEqual([[2, 3], true]);
      // By bytes: 40-byte commits, at most 100 bytes a page (but always one).
      const small = await g.commits(gid(1), 1, 10, 100, undefined);
      expect([small.commits.map((c) => c.epoch), small.more]).toEqual([[1, 2], true]);
      expect((await g.commits(gid(1), 1, 10, 1, undefined)).commits).toHaveLength(1);
    });

    it('let exactly one of two commits at the same epoch through, on two nodes', async () => {
      const second = await another();
      const g = store.groups;
      await g.createGroup({ id: gid(1), suite: 1, epoch: 0, createdAt: 5 }, alice1);
      fanout(
        await g.commit(commit({ epoch: 0, committer: alice1, added: [bob1], welcome: bytes(9, 1) }), 100, 9),
      );
      const results = await Promise.all([
        g.commit(commit({ epoch: 1, committer: alice1, commit: bytes(30, 0xa1) }), 100, 9),
        second.groups.commit(commit({ epoch: 1, committer: bob1, commit: bytes(30, 0xb1) }), 100, 9),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.find((r) => !r.ok)).toEqual({ ok: false, reason: 'stale', epoch: 2 });
      const log = await g.commits(gid(1), 1, 10, 1 << 20, undefined);
      expect(log.commits).toHaveLength(1);
      const winner = results[0]?.ok ? 0xa1 : 0xb1;
      expect(log.commits[0]?.commit[0]).toBe(winner);
    });

    it('store a message once, with an envelope per other roster device, and collect it once all are gone', async () => {
      const g = store.groups;
      await g.createGroup({ id: gid(1), suite: 1, epoch: 0, createdAt: 5 }, alice1);
      fanout(
        await g.commit(
          commit({ epoch: 0, committer: alice1, added: [alice2, bob1, bob2, carol1], welcome: bytes(9, 1) }),
          100,
          9,
        ),
      );
      expect(await g.send(message({ sender: alice1, epoch: 0 }), 100)).toEqual({
        ok: false,
        reason: 'stale',
        epoch: 1,
      });
      expect(await g.send(message({ sender: at('bob', 3), epoch: 1 }), 100)).toEqual({
        ok: false,
        reason: 'not-member',
      });
      const before = await g.bodyUsage();
      const sent = fanout(await g.send(message({ sender: alice1, epoch: 1, body: bytes(5000, 3) }), 100));
      expect(to(sent.envelopes)).toEqual(['alice/2', 'bob/1', 'bob/2', 'carol/1']);
      const after = await g.bodyUsage();
      expect(after.bodies - before.bodies).toBe(1);
      expect(after.bytes - before.bytes).toBe(5000);
      for (const d of [alice2, bob1, bob2, carol1]) {
        const m = (await mailbox(d)).at(-1);
        expect(m?.body).toEqual(bytes(5000, 3));
        expect(m).toMatchObject({ sender: alice1, group: { id: gid(1), kind: 'message', epoch: 1 } });
      }
      expect(await mailbox(alice1)).toEqual([]);

      // Acknowledged by three of four: the body stays; by the fourth: it is collected.
      const ack = async (d: DeviceAddress) => {
        const all = await mailbox(d);
        await store.ackEnvelopes(
          d,
          all.map((e) => ({ seq: e.seq, id: e.id })),
        );
      };
      for (const d of [alice2, bob1, bob2]) await ack(d);
      await g.collect();
      expect((await g.bodyUsage()).bodies).toBe(after.bodies);
      await ack(carol1);
      await g.collect();
      expect(await g.bodyUsage()).toEqual({ bodies: 0, bytes: 0 });
      expect(await g.collect()).toBe(0);
    });

    it('deliver in acceptance order: a commit before the messages of the epoch it starts', async () => {
      const g = store.groups;
      await g.createGroup({ id: gid(1), suite: 1, epoch: 0, createdAt: 5 }, alice1);
      fanout(
        await g.commit(
          commit({ epoch: 0, committer: alice1, added: [bob1, carol1], welcome: bytes(9, 1) }),
          100,
          9,
        ),
      );
      fanout(await g.send(message({ sender: bob1, epoch: 1, body: bytes(10, 0x11) }), 100));
      fanout(await g.commit(commit({ epoch: 1, committer: alice1 }), 100, 9));
      fanout(await g.send(message({ sender: alice1, epoch: 2, body: bytes(10, 0x22) }), 100));
      const kinds = (await mailbox(carol1)).map((e) => `${e.group?.kind}:${e.group?.epoch}`);
      expect(kinds).toEqual(['welcome:1', 'message:1', 'commit:1', 'message:2']);
    });

    it('skip a recipient whose mailbox is full', async () => {
      const g = store.groups;
      await g.createGroup({ id: gid(1), suite: 1, epoch: 0, createdAt: 5 }, alice1);
      fanout(
        await g.commit(
          commit({ epoch: 0, committer: alice1, added: [bob1, carol1], welcome: bytes(9, 1) }),
          100,
          9,
        ),
      );
      const sent = fanout(await g.send(message({ sender: alice1, epoch: 1 }), 2));
      expect(to(sent.envelopes)).toEqual(['bob/1', 'carol/1']);
      const full = fanout(await g.send(message({ sender: alice1, epoch: 1 }), 2));
      expect(full.envelopes).toEqual([]);
      expect(full.skipped).toEqual([bob1, carol1]);
      expect((await mailbox(bob1)).length).toBe(2);
    });

    it('take a leaving device off the roster, and delete the group with its last device', async () => {
      const g = store.groups;
      await g.createGroup({ id: gid(1), suite: 1, epoch: 0, createdAt: 5 }, alice1);
      fanout(
        await g.commit(commit({ epoch: 0, committer: alice1, added: [bob1], welcome: bytes(9, 1) }), 100, 9),
      );
      expect(await g.leave(gid(1), bob1)).toBe(true);
      expect(await g.leave(gid(1), bob1)).toBe(false);
      expect(await g.roster(gid(1))).toEqual([alice1]);
      expect(await g.groupsOf(bob1)).toEqual([]);
      expect(await g.leave(gid(1), alice1)).toBe(true);
      expect(await g.getGroup(gid(1))).toBeUndefined();
      expect(await g.commits(gid(1), 0, 10, 1 << 20, undefined)).toEqual({ commits: [], more: false });
    });

    it('take a removed device off every roster with its KeyPackages and mailbox; empty groups expire', async () => {
      const g = store.groups;
      await g.addKeyPackages(bob2, XW, [kp(1)], kp(2), lim(10));
      await g.createGroup({ id: gid(1), suite: 1, epoch: 0, createdAt: 5 }, alice1);
      await g.createGroup({ id: gid(2), suite: 1, epoch: 0, createdAt: 5 }, bob2);
      fanout(
        await g.commit(commit({ epoch: 0, committer: alice1, added: [bob2], welcome: bytes(9, 1) }), 100, 9),
      );
      expect((await g.groupsOf(bob2)).length).toBe(2);
      const update = { deviceList: new Uint8Array([3]), version: 2, devices: [dev(1)] };
      expect(await store.replaceDeviceList('bob', 1, update)).toBe(true);
      expect(await g.groupsOf(bob2)).toEqual([]);
      expect(await g.roster(gid(1))).toEqual([alice1]);
      expect(await g.countKeyPackages(bob2, XW)).toEqual({ count: 0, lastResort: false });
      // Its Welcome envelope went with its mailbox: the body is collected.
      await g.collect();
      expect((await g.bodyUsage()).bodies).toBe(0);
      // Group 2 has no device left: expiry deletes it; group 1 stays, and its log until it is old.
      expect(await g.expire(50)).toEqual({ commits: 0, groups: 1 });
      expect(await g.getGroup(gid(2))).toBeUndefined();
      expect(await g.getGroup(gid(1))).toBeDefined();
      expect(await g.expire(101)).toEqual({ commits: 1, groups: 0 });
      expect((await g.commits(gid(1), 0, 10, 1 << 20, undefined)).commits).toEqual([]);
    });

    it('expire group envelopes like any other, and then collect their bodies', async () => {
      const g = store.groups;
      await g.createGroup({ id: gid(1), suite: 1, epoch: 0, createdAt: 5 }, alice1);
      fanout(
        await g.commit(commit({ epoch: 0, committer: alice1, added: [bob1], welcome: bytes(9, 1) }), 100, 9),
      );
      fanout(await g.send(message({ sender: alice1, epoch: 1 }), 100));
      expect((await g.bodyUsage()).bodies).toBe(2);
      expect(await store.expireEnvelopes(1_000)).toBe(2);
      await g.collect();
      expect((await g.bodyUsage()).bodies).toBe(0);
    });
  });
}
