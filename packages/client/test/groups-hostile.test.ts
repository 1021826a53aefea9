/**
 * A lying server and groups (ADR 0018 "Detection of a lying server"), with a real server behind the
 * malicious proxy: a commit that no member made is refused with the state unchanged; a withheld commit is
 * detected (GROUP_COMMIT_MISSING) and the group recovers when it comes; replayed commits and messages and
 * malformed MLS bytes change nothing; a KeyPackage that does not match its device's list, or a claim
 * answer of another suite than the group's, is never used.
 */
import {
  commitMlsChanges,
  createMlsGroup,
  fromHex,
  generateMemberKeyPackage,
  type MlsState,
  verifyMemberKeyPackage,
} from '@sotto/crypto';
import type { ServerFrame } from '@sotto/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SottoClient } from '../src/index.js';
import { GroupWorld } from './helpers/groups.js';
import { collect, next, provider } from './helpers/world.js';

let w: GroupWorld;
let id: string;

beforeAll(async () => {
  w = await GroupWorld.start(['alice', 'bob', 'carol', 'dave']);
  const g = await w.c('alice').createGroup({ name: 'Watched', members: ['bob', 'carol'] });
  id = g.id;
  await w.epoch(id, g.epoch, [w.c('bob'), w.c('carol')]);
}, 150_000);

afterAll(async () => {
  await w?.stop();
});

const messageOn = (c: SottoClient, text: string) => next(c, 'message', (m) => m.text === text, 20_000);
const errorOn = (c: SottoClient, code: string) => next(c, 'error', (e) => e.code === code, 20_000);
const view = async (c: SottoClient) => {
  const g = await c.getGroup(id);
  return { epoch: g.epoch, name: g.name, members: g.members.map((m) => m.account) };
};
const envelope = (body: Uint8Array, kind: 'commit' | 'message', epoch: number): ServerFrame => ({
  t: 'envelope',
  envelopeId: provider.randomBytes(16),
  from: { account: 'alice', deviceId: 1 },
  serverTime: Date.now(),
  body,
  group: { id: fromHex(id.slice(1)), kind, epoch },
});
const inject = (device: string, f: ServerFrame) => {
  const conn = w.conns.get(device);
  if (conn === undefined) throw new Error(`no connection of ${device}`);
  conn.toClient(f);
};

describe('groups with a lying server', () => {
  it('refuses an Add commit no member made (a forked group under the same id), state unchanged', async () => {
    const before = await view(w.c('bob'));
    // Mallory builds her own group with the real id, calls her leaf alice/1, and adds her own device.
    const mallory = await provider.ed25519Generate();
    const extra = await provider.ed25519Generate();
    const deps = {
      p: provider,
      suite: 'xwing' as const,
      lookup: async (d: { deviceId: number }) => (d.deviceId === 9 ? extra.publicKey : mallory.publicKey),
    };
    let s: MlsState = await createMlsGroup(deps, {
      groupId: fromHex(id.slice(1)),
      self: { device: { account: 'alice', deviceId: 1 }, signing: mallory },
      metadata: { name: 'Watched', admins: ['alice'] },
      now: Date.now(),
    });
    for (let e = 0; e < before.epoch; e++) s = (await commitMlsChanges(deps, s, {})).state;
    const device = { account: 'dave', deviceId: 9 };
    const own = await generateMemberKeyPackage(provider, {
      device,
      signing: extra,
      suite: 'xwing',
      now: Date.now(),
    });
    const kp = await verifyMemberKeyPackage(provider, own.bytes, {
      suite: 'xwing',
      device,
      signingKey: extra.publicKey,
    });
    const forged = await commitMlsChanges(deps, s, { add: [kp] });
    const refused = errorOn(w.c('bob'), 'MLS_INVALID');
    const events = collect(w.c('bob'), 'group');
    inject('bob/1', envelope(forged.commit, 'commit', before.epoch));
    // The refusal names the group (its commit says which), so an app can warn in that conversation.
    expect((await refused).conversation).toBe(id);
    expect(await view(w.c('bob'))).toEqual(before);
    expect(events).toEqual([]);
    const got = [
      messageOn(w.c('bob'), 'still the real group'),
      messageOn(w.c('carol'), 'still the real group'),
    ];
    await w.c('alice').send(id, 'still the real group');
    await Promise.all(got);
  }, 90_000);

  it('detects a withheld commit (GROUP_COMMIT_MISSING), holds the messages, and recovers when it comes', async () => {
    const held: ServerFrame[] = [];
    w.fromServer = (who, f) => {
      if (who !== 'carol/1') return f;
      if (f.t === 'envelope' && f.group?.kind === 'commit') {
        held.push(f);
        return undefined;
      }
      if (f.t === 'groups.commits.result') return { ...f, commits: [], more: false };
      return f;
    };
    const missing = errorOn(w.c('carol'), 'GROUP_COMMIT_MISSING');
    const carolMessages = collect(w.c('carol'), 'message');
    await w.c('alice').renameGroup(id, 'Renamed quietly');
    await w.c('alice').send(id, 'after the rename');
    expect((await missing).conversation).toBe(id);
    expect(carolMessages.filter((m) => m.text === 'after the rename')).toEqual([]);
    expect((await view(w.c('carol'))).name).toBe('Watched');
    // The server stops lying: the commit arrives, and the held message with it.
    w.fromServer = undefined;
    const got = messageOn(w.c('carol'), 'after the rename');
    const [commit] = held;
    if (commit === undefined) throw new Error('no commit held');
    inject('carol/1', commit);
    await got;
    expect((await view(w.c('carol'))).name).toBe('Renamed quietly');
  }, 90_000);

  it('ignores a replayed commit and refuses replayed messages, state unchanged', async () => {
    const seen: ServerFrame[] = [];
    w.fromServer = (who, f) => {
      if (who === 'bob/1' && f.t === 'envelope' && f.group !== undefined) seen.push(f);
      return f;
    };
    const renamed = w.group(w.c('bob'), (e) => e.kind === 'renamed');
    await w.c('alice').renameGroup(id, 'Once more');
    await renamed;
    const got = messageOn(w.c('bob'), 'say it once');
    await w.c('alice').send(id, 'say it once');
    await got;
    w.fromServer = undefined;
    const before = await view(w.c('bob'));
    const events = collect(w.c('bob'), 'group');
    const messages = collect(w.c('bob'), 'message');
    const refused = errorOn(w.c('bob'), 'MLS_INVALID');
    for (const f of seen)
      if (f.t === 'envelope') inject('bob/1', { ...f, envelopeId: provider.randomBytes(16) });
    await refused;
    await new Promise((r) => setTimeout(r, 1000));
    expect(await view(w.c('bob'))).toEqual(before);
    expect(events).toEqual([]);
    expect(messages).toEqual([]);
    expect((await w.c('bob').history(id)).filter((m) => m.text === 'say it once')).toHaveLength(1);
  }, 90_000);

  it('refuses malformed MLS bytes (MLS_INVALID) and carries on', async () => {
    const before = await view(w.c('bob'));
    for (const body of [provider.randomBytes(300), new Uint8Array([0, 1, 0, 2, 9, 9])]) {
      const refused = errorOn(w.c('bob'), 'MLS_INVALID');
      inject('bob/1', envelope(body, 'message', before.epoch));
      // Not an MLS message of any group: the error names none.
      expect((await refused).conversation).toBeUndefined();
    }
    expect(await view(w.c('bob'))).toEqual(before);
    const got = messageOn(w.c('bob'), 'after the garbage');
    await w.c('alice').send(id, 'after the garbage');
    await got;
  }, 60_000);

  it('refuses a claim answer of another suite than the group’s (MLS_INVALID), committing nothing', async () => {
    const claims: Array<number | undefined> = [];
    w.fromClient = (who, f) => {
      if (who === 'alice/1' && f.t === 'mls.keys.claim') claims.push(f.suite);
      return f;
    };
    w.fromServer = (who, f) =>
      who === 'alice/1' && f.t === 'mls.keys.claim.result' ? { ...f, suite: 1 } : f;
    const commits = w.h.proxy.seenFromClients.filter((f) => f.t === 'groups.commit').length;
    const before = await view(w.c('alice'));
    await expect(w.c('alice').addGroupMembers(id, ['dave'])).rejects.toMatchObject({ code: 'MLS_INVALID' });
    w.fromServer = undefined;
    w.fromClient = undefined;
    // The claim of an X-Wing group names no suite (X-Wing), as before suites.
    expect(claims).toEqual([undefined]);
    expect(w.h.proxy.seenFromClients.filter((f) => f.t === 'groups.commit').length).toBe(commits);
    expect(await view(w.c('alice'))).toEqual(before);
  }, 60_000);

  it('never adds a KeyPackage whose key is not the one the device list names (GROUP_CREDENTIAL_INVALID)', async () => {
    const mallory = await provider.ed25519Generate();
    const device = { account: 'dave', deviceId: 1 };
    const fake = await generateMemberKeyPackage(provider, {
      device,
      signing: mallory,
      suite: 'xwing',
      now: Date.now(),
    });
    w.fromServer = (who, f) => {
      if (who !== 'alice/1' || f.t !== 'mls.keys.claim.result') return f;
      return {
        ...f,
        keyPackages: f.keyPackages.map((k) => (k.account === 'dave' ? { ...k, keyPackage: fake.bytes } : k)),
      };
    };
    const commits = w.h.proxy.seenFromClients.filter((f) => f.t === 'groups.commit').length;
    const before = await view(w.c('alice'));
    await expect(w.c('alice').addGroupMembers(id, ['dave'])).rejects.toMatchObject({
      code: 'GROUP_CREDENTIAL_INVALID',
    });
    w.fromServer = undefined;
    expect(w.h.proxy.seenFromClients.filter((f) => f.t === 'groups.commit').length).toBe(commits);
    expect(await view(w.c('alice'))).toEqual(before);
    // With the real KeyPackage, dave joins.
    const joined = w.group(w.c('dave'), (e) => e.kind === 'joined');
    await w.c('alice').addGroupMembers(id, ['dave']);
    await joined;
  }, 90_000);
});
