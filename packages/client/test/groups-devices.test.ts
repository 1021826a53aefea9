/**
 * Groups and devices (ADR 0018 "Multi-device"), against a real server: a device that logs in later joins
 * its account's groups by itself (a sibling adds it); a revoked device is removed from them; a client
 * restarted on its SQLite profile in the middle of a conversation goes on where it was (its MLS state is
 * stored per message, not re-encoded whole); a group message written offline goes out on the next
 * connect.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientStore, openSqliteStore, type SottoClient } from '../src/index.js';
import { GroupWorld } from './helpers/groups.js';
import { next, provider, until } from './helpers/world.js';

let w: GroupWorld;
let id: string;
let aliceStore: ClientStore;
const dir = mkdtempSync(join(tmpdir(), 'sotto-groups-devices-'));
const errors: Array<{ who: string; code: string }> = [];

beforeAll(async () => {
  aliceStore = await openSqliteStore({ path: join(dir, 'alice.db'), password: 'alice profile pw', provider });
  w = await GroupWorld.start(['alice', 'bob'], 1, (a) => (a === 'alice' ? { store: aliceStore } : {}));
  for (const [who, c] of w.clients) c.on('error', (e) => errors.push({ who, code: e.code }));
  const g = await w.c('alice').createGroup({ name: 'Devices', members: ['bob'] });
  id = g.id;
  await w.epoch(id, g.epoch, [w.c('bob')]);
}, 120_000);

afterAll(async () => {
  await w?.stop();
  await aliceStore?.close();
  rmSync(dir, { recursive: true, force: true });
});

const messageOn = (c: SottoClient, text: string) => next(c, 'message', (m) => m.text === text, 20_000);
const devicesOf = async (c: SottoClient, account: string) =>
  (await c.getGroup(id)).members.find((m) => m.account === account)?.devices ?? [];

describe('group membership follows the devices of an account', () => {
  it('a device that logs in later joins the account’s groups by itself', async () => {
    const bob2 = w.add('bob', 2);
    const joined = next(bob2, 'group', (e) => e.kind === 'joined' && e.id === id, 30_000);
    await bob2.login({ name: 'bob', password: 'correct horse battery staple 42!' });
    expect(await joined).toMatchObject({ by: 'bob' });
    await until(async () => (await devicesOf(w.c('alice'), 'bob')).join() === '1,2', 20_000);
    const got = messageOn(bob2, 'to both of bob’s devices');
    await w.c('alice').send(id, 'to both of bob’s devices');
    await got;
  }, 90_000);

  it('a revoked device is removed from the group, and gets nothing more', async () => {
    const alice = w.c('alice');
    const changed = next(alice, 'group', (e) => e.kind === 'members' && e.id === id, 30_000);
    await w.c('bob').revokeDevice(2);
    await changed;
    expect(await devicesOf(alice, 'bob')).toEqual([1]);
    const got = messageOn(w.c('bob'), 'bob2 is gone');
    await alice.send(id, 'bob2 is gone');
    await got;
    expect((await w.c('bob', 2).history(id)).map((m) => m.text)).not.toContain('bob2 is gone');
  }, 90_000);

  it('a client restarted on its profile in mid-conversation carries on: nothing lost, nothing twice', async () => {
    const bob = w.c('bob');
    const texts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const got = messageOn(bob, `before restart ${i}`);
      await w.c('alice').send(id, `before restart ${i}`);
      await got;
      texts.push(`before restart ${i}`);
    }
    // Bob writes while alice is away; alice comes back as a new process on the same SQLite profile.
    await w.c('alice').close();
    await aliceStore.close();
    await bob.send(id, 'while alice was away');
    aliceStore = await openSqliteStore({
      path: join(dir, 'alice.db'),
      password: 'alice profile pw',
      provider,
    });
    const alice = w.add('alice', 1, { store: aliceStore });
    const away = messageOn(alice, 'while alice was away');
    await alice.connect();
    await away;
    for (let i = 0; i < 3; i++) {
      const got = messageOn(bob, `after restart ${i}`);
      await alice.send(id, `after restart ${i}`);
      await got;
      const back = messageOn(alice, `reply ${i}`);
      await bob.send(id, `reply ${i}`);
      await back;
    }
    const history = (await alice.history(id)).map((m) => m.text);
    for (const t of [...texts, 'while alice was away', 'after restart 2', 'reply 2']) {
      expect(history.filter((h) => h === t)).toEqual([t]);
    }
    const onBob = (await bob.history(id)).map((m) => m.text);
    expect(onBob.filter((t) => t.startsWith('after restart'))).toEqual([
      'after restart 0',
      'after restart 1',
      'after restart 2',
    ]);
  }, 120_000);

  it('a message written offline waits, then goes out once after the next connect', async () => {
    const alice = w.c('alice');
    await alice.close();
    const r = await alice.send(id, 'written offline');
    expect(r.queued).toBe(true);
    expect((await alice.history(id)).find((m) => m.id === r.messageId)?.status).toBe('pending');
    const got = messageOn(w.c('bob'), 'written offline');
    await alice.connect();
    await got;
    await until(
      async () => (await alice.history(id)).find((m) => m.id === r.messageId)?.status !== 'pending',
    );
  }, 60_000);

  it('reported no refusal along the way', () => {
    expect(errors.filter((e) => e.who !== 'bob/2')).toEqual([]);
  });
});
