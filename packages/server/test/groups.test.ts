/**
 * Groups over a real server, real WebSockets and a real SQLite file (ADR 0018): creation, commits in epoch
 * order (one per epoch, also when two race), fan-out to every roster device exactly once, offline delivery
 * in acceptance order, the commit log, leaving, revocation, and bodies stored once.
 */
import { join } from 'node:path';
import { DATABASE_FILE } from '@sotto/server';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAccount } from './helpers/account.js';
import type { TestClient } from './helpers/client.js';
import {
  commit,
  createGroup,
  dev,
  groupEnvelope,
  groupSend,
  labelOf,
  newGroupId,
  nextGroup,
  payload,
  settle,
} from './helpers/groups.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { befriend, connect, registered } from './helpers/world.js';

let t: TestServer;
let alice: TestAccount;
let bob: TestAccount;
let carol: TestAccount;
let ca: TestClient;
let cb: TestClient;
let cc: TestClient;
const clients: TestClient[] = [];

beforeAll(async () => {
  t = await startTestServer();
  alice = await registered(t, 'alice', 2);
  bob = await registered(t, 'bob', 2);
  carol = await registered(t, 'carol');
  ca = await connect(t, alice);
  cb = await connect(t, bob);
  cc = await connect(t, carol);
  clients.push(ca, cb, cc);
  await befriend(alice, ca, bob, cb);
  await befriend(alice, ca, carol, cc);
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await t.stop();
});

/** Connects a device for this test (closed at the end). */
const on = async (a: TestAccount, deviceId: number) => {
  const c = await connect(t, a, deviceId);
  clients.push(c);
  return c;
};

/** Reads the server's SQLite file (WAL: a reader beside the running server). */
function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(t.dataDir, DATABASE_FILE), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** A group of alice/1 with alice/2, bob/1, bob/2 and carol/1 added at epoch 0 (now at epoch 1). */
async function bigGroup(): Promise<Uint8Array> {
  const id = newGroupId();
  await createGroup(ca, id);
  const added = [dev('alice', 2), dev('bob', 1), dev('bob', 2), dev('carol', 1)];
  expect(await commit(ca, { groupId: id, epoch: 0, welcome: payload('welcome-0'), added })).toMatchObject({
    t: 'groups.commit.result',
    epoch: 1,
  });
  return id;
}

describe('groups', () => {
  it('are created once, and welcome added devices, online at once and offline on reconnect', async () => {
    const id = newGroupId();
    await createGroup(ca, id, 0xf031);
    expect(await ca.request({ t: 'groups.create', groupId: id, suite: 1 })).toMatchObject({
      code: 'GROUP_EXISTS',
    });
    const added = [dev('alice', 2), dev('bob', 1)];
    const res = await commit(ca, { groupId: id, epoch: 0, welcome: payload('welcome', 3000), added });
    expect(res).toMatchObject({ t: 'groups.commit.result', epoch: 1, serverTime: expect.any(Number) });
    const w = await cb.next(groupEnvelope(id));
    expect(w).toMatchObject({ t: 'envelope', from: dev('alice'), group: { id, kind: 'welcome', epoch: 1 } });
    expect(w.t === 'envelope' && labelOf(w.body)).toBe('welcome');
    // alice/2 was offline: its Welcome waits in its mailbox.
    const a2 = await on(alice, 2);
    expect(await nextGroup(a2, id)).toBe('welcome:1:welcome');
    // The committer gets nothing of its own commit.
    await settle(ca);
    expect(ca.has(groupEnvelope(id))).toBe(false);
  });

  it('fan a message out to every other roster device exactly once, storing its body once', async () => {
    const id = await bigGroup();
    const [a2, b2] = [await on(alice, 2), await on(bob, 2)];
    for (const c of [a2, cb, b2, cc]) expect(await nextGroup(c, id)).toBe('welcome:1:welcome-0');
    const sent = await groupSend(ca, id, 1, 'hello group', 4000);
    expect(sent).toMatchObject({ t: 'groups.sent', envelopeId: expect.any(Uint8Array) });
    for (const c of [a2, cb, b2, cc]) {
      const e = await c.next(groupEnvelope(id, 'message'));
      expect(e).toMatchObject({ from: dev('alice'), group: { kind: 'message', epoch: 1 } });
      if (e.t === 'envelope' && sent.t === 'groups.sent') expect(e.envelopeId).toEqual(sent.envelopeId);
    }
    for (const c of [ca, a2, cb, b2, cc]) await settle(c);
    for (const c of [ca, a2, cb, b2, cc]) expect(c.has(groupEnvelope(id, 'message'))).toBe(false);
    // One body of 4,000 bytes; four envelopes that point at it and carry no bytes of their own.
    const bodies = query<{ id: number; n: number }>(
      `SELECT id, LENGTH(body) AS n FROM group_bodies WHERE kind = 'message' AND group_id = ?`,
      Buffer.from(id),
    );
    expect(bodies.map((b) => b.n)).toEqual([4000]);
    const refs = query<{ n: number }>(
      'SELECT LENGTH(body) AS n FROM envelopes WHERE group_body = ?',
      bodies[0]?.id,
    );
    expect(refs.map((r) => r.n)).toEqual([0, 0, 0, 0]);
  });

  it('deliver commits and messages to an offline device in acceptance order', async () => {
    const id = await bigGroup();
    // bob/2 is offline throughout; carol sends at epoch 1, alice commits (1 → 2), bob sends at epoch 2.
    expect(await groupSend(cc, id, 1, 'm1')).toMatchObject({ t: 'groups.sent' });
    expect(await commit(ca, { groupId: id, epoch: 1 })).toMatchObject({ epoch: 2 });
    expect(await groupSend(cb, id, 2, 'm2')).toMatchObject({ t: 'groups.sent' });
    // A message at the old epoch is refused with the current one.
    expect(await groupSend(cc, id, 1, 'late')).toMatchObject({ t: 'error', code: 'STALE_EPOCH', epoch: 2 });
    const b2 = await on(bob, 2);
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await nextGroup(b2, id));
    expect(seen).toEqual(['welcome:1:welcome-0', 'message:1:m1', 'commit:1:commit-1', 'message:2:m2']);
  });

  it('accept exactly one of two commits racing for the same epoch; the other gets STALE_EPOCH and the epoch', async () => {
    const id = await bigGroup();
    const [x, y] = await Promise.all([
      commit(ca, { groupId: id, epoch: 1, commit: payload('from-alice') }),
      commit(cb, { groupId: id, epoch: 1, commit: payload('from-bob') }),
    ]);
    const answers = [x, y].map((f) =>
      f.t === 'error' ? `${f.code}:${f.epoch}` : `${f.t}:${'epoch' in f ? f.epoch : ''}`,
    );
    expect(answers.sort()).toEqual(['STALE_EPOCH:2', 'groups.commit.result:2']);
    // carol gets exactly the winning commit.
    await nextGroup(cc, id);
    const winner = x.t === 'groups.commit.result' ? 'from-alice' : 'from-bob';
    expect(await nextGroup(cc, id)).toBe(`commit:1:${winner}`);
    await settle(cc);
    expect(cc.has(groupEnvelope(id))).toBe(false);
    // The loser fetches what it missed.
    const log = await cb.request({ t: 'groups.commits', groupId: id, since: 1 });
    expect(log).toMatchObject({ t: 'groups.commits.result', more: false });
    expect(
      log.t === 'groups.commits.result' && log.commits.map((c) => `${c.epoch}:${labelOf(c.commit)}`),
    ).toEqual([`1:${winner}`]);
  });

  it('hand a device the log from the commit that added it, with its Welcome, in pages', async () => {
    const id = newGroupId();
    await createGroup(ca, id);
    expect(await commit(ca, { groupId: id, epoch: 0 })).toMatchObject({ epoch: 1 });
    const addBob = { groupId: id, epoch: 1, welcome: payload('welcome-bob'), added: [dev('bob')] };
    expect(await commit(ca, addBob)).toMatchObject({ epoch: 2 });
    for (let e = 2; e < 5; e++)
      expect(await commit(ca, { groupId: id, epoch: e })).toMatchObject({ epoch: e + 1 });
    const all = await cb.request({ t: 'groups.commits', groupId: id, since: 0 });
    if (all.t !== 'groups.commits.result') throw new Error(all.t);
    expect(all.commits.map((c) => [c.epoch, labelOf(c.commit), c.welcome && labelOf(c.welcome)])).toEqual([
      [1, 'commit-1', 'welcome-bob'],
      [2, 'commit-2', undefined],
      [3, 'commit-3', undefined],
      [4, 'commit-4', undefined],
    ]);
    const page = await cb.request({ t: 'groups.commits', groupId: id, since: 2, limit: 2 });
    expect(page.t === 'groups.commits.result' && [page.commits.map((c) => c.epoch), page.more]).toEqual([
      [2, 3],
      true,
    ]);
    // The creator sees the whole log, without Welcomes.
    const creator = await ca.request({ t: 'groups.commits', groupId: id, since: 0 });
    expect(creator.t === 'groups.commits.result' && creator.commits.map((c) => c.welcome)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(await cc.request({ t: 'groups.commits', groupId: id, since: 0 })).toMatchObject({
      code: 'NOT_A_GROUP_MEMBER',
    });
  });

  it('stop delivering to a device that left; the last device leaving deletes the group', async () => {
    const id = newGroupId();
    await createGroup(ca, id);
    await commit(ca, { groupId: id, epoch: 0, welcome: payload('w'), added: [dev('carol')] });
    expect(await nextGroup(cc, id)).toBe('welcome:1:w');
    expect(await cc.request({ t: 'groups.leave', groupId: id })).toMatchObject({ t: 'ok' });
    expect(await groupSend(ca, id, 1, 'after-leave')).toMatchObject({ t: 'groups.sent' });
    await settle(cc);
    expect(cc.has(groupEnvelope(id))).toBe(false);
    expect(await groupSend(cc, id, 1, 'x')).toMatchObject({ code: 'NOT_A_GROUP_MEMBER' });
    expect(await cc.request({ t: 'groups.leave', groupId: id })).toMatchObject({
      code: 'NOT_A_GROUP_MEMBER',
    });
    // The members commit carol's MLS removal; she is off the roster already, so it is not sent to her.
    expect(await commit(ca, { groupId: id, epoch: 1, removed: [dev('carol')] })).toMatchObject({ epoch: 2 });
    expect(await ca.request({ t: 'groups.leave', groupId: id })).toMatchObject({ t: 'ok' });
    expect(await groupSend(ca, id, 2, 'x')).toMatchObject({ code: 'GROUP_NOT_FOUND' });
    expect(query('SELECT 1 FROM mls_groups WHERE id = ?', Buffer.from(id))).toEqual([]);
  });

  it('send the commit that removes a device to that device too', async () => {
    const id = await bigGroup();
    expect(await nextGroup(cc, id)).toBe('welcome:1:welcome-0');
    expect(await commit(cb, { groupId: id, epoch: 1, removed: [dev('carol')] })).toMatchObject({ epoch: 2 });
    expect(await nextGroup(cc, id)).toBe('commit:1:commit-1');
    expect(await groupSend(ca, id, 2, 'without carol')).toMatchObject({ t: 'groups.sent' });
    await settle(cc);
    expect(cc.has(groupEnvelope(id))).toBe(false);
  });

  it('take a revoked device off every roster', async () => {
    const id = await bigGroup();
    const other = newGroupId();
    const b2 = await on(bob, 2);
    await createGroup(b2, other);
    const one = bob.devices.filter((d) => d.deviceId === 1);
    bob.version++;
    const list = await bob.deviceList(bob.version, one);
    expect(await cb.request({ t: 'devices.revoke', deviceId: 2, deviceList: list })).toMatchObject({
      t: 'ok',
    });
    expect(await b2.closed).toBe(4003);
    expect(query("SELECT 1 FROM group_members WHERE account = 'bob' AND device_id = 2")).toEqual([]);
    const roster = query<{ account: string; device_id: number }>(
      'SELECT account, device_id FROM group_members WHERE group_id = ? ORDER BY account, device_id',
      Buffer.from(id),
    );
    expect(roster.map((r) => `${r.account}/${r.device_id}`)).toEqual([
      'alice/1',
      'alice/2',
      'bob/1',
      'carol/1',
    ]);
    // A commit may still name it as removed (the members' MLS removal): ignored on the roster.
    expect(await commit(ca, { groupId: id, epoch: 1, removed: [dev('bob', 2)] })).toMatchObject({ epoch: 2 });
    // Its own group has no device left: the sweep deletes it.
    await t.server.expireNow();
    expect(query('SELECT 1 FROM mls_groups WHERE id = ?', Buffer.from(other))).toEqual([]);
  });

  it('count groups, commits and messages in the metrics', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    for (const name of [
      'sotto_groups_created_total',
      'sotto_group_commits_total',
      'sotto_group_messages_total',
    ]) {
      expect(Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1])).toBeGreaterThan(0);
    }
    expect(text).toMatch(/^sotto_groups \d+$/m);
  });
});
