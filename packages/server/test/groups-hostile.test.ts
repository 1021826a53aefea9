/**
 * Hostile and mistaken group frames over a real server (ADR 0018): malformed ids and sizes, unknown
 * groups, non-members, adding strangers or unknown devices, groups over the size limit, floods of claims.
 * Each gets its error code and the connection lives on.
 */
import { encodeCbor } from '@sotto/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAccount } from './helpers/account.js';
import type { TestClient } from './helpers/client.js';
import {
  commit,
  createGroup,
  dev,
  groupSend,
  keyPackagePayload,
  newGroupId,
  payload,
  settle,
} from './helpers/groups.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { befriend, connect, registered } from './helpers/world.js';

let t: TestServer;
let alice: TestAccount;
let bob: TestAccount;
let ca: TestClient;
let cb: TestClient;
let cm: TestClient;

beforeAll(async () => {
  t = await startTestServer({
    limits: { maxGroupDevices: 3, keyPackageClaimsPerRequesterPerMinute: 3, maxGroupFrameBytes: 512 * 1024 },
  });
  alice = await registered(t, 'alice', 2);
  bob = await registered(t, 'bob', 2);
  const mallory = await registered(t, 'mallory');
  ca = await connect(t, alice);
  cb = await connect(t, bob);
  cm = await connect(t, mallory);
  await befriend(alice, ca, bob, cb);
});
afterAll(async () => {
  for (const c of [ca, cb, cm]) await c.close();
  await t.stop();
});

describe('hostile group frames', () => {
  it('refuse malformed group ids and sizes with BAD_FRAME or FRAME_TOO_LARGE, keeping the connection', async () => {
    const frame = (fields: Record<string, unknown>) =>
      encodeCbor({
        t: 'groups.send',
        id: 77,
        groupId: newGroupId(),
        epoch: 0,
        body: payload('x'),
        ...fields,
      });
    ca.sendRaw(frame({ groupId: new Uint8Array(15) }));
    expect(await ca.next((f) => f.t === 'error' && f.id === 77)).toMatchObject({ code: 'BAD_FRAME' });
    ca.sendRaw(frame({ body: new Uint8Array(70 * 1024) }));
    expect(await ca.next((f) => f.t === 'error' && f.id === 77)).toMatchObject({ code: 'BAD_FRAME' });
    ca.sendRaw(frame({ epoch: -1 }));
    expect(await ca.next((f) => f.t === 'error' && f.id === 77)).toMatchObject({ code: 'BAD_FRAME' });
    // A commit over maxGroupFrameBytes (512 KiB here).
    const id = newGroupId();
    await createGroup(ca, id);
    // Its size is checked before parsing: the error cannot name the request.
    const huge = { t: 'groups.commit' as const, id: 78, groupId: id, epoch: 0, added: [], removed: [] };
    ca.sendFrame({ ...huge, commit: new Uint8Array(600 * 1024) });
    expect(await ca.next((f) => f.t === 'error' && f.id === undefined)).toMatchObject({
      code: 'FRAME_TOO_LARGE',
    });
    // Within the limit (over maxFrameBytes) it is taken.
    expect(await commit(ca, { groupId: id, epoch: 0, commit: new Uint8Array(400 * 1024) })).toMatchObject({
      epoch: 1,
    });
    await settle(ca);
  });

  it('refuse inconsistent commits with INVALID_ARGUMENT, changing nothing', async () => {
    const id = newGroupId();
    await createGroup(ca, id);
    const bad = [
      { welcome: payload('w') },
      { added: [dev('bob')] },
      { welcome: payload('w'), added: [dev('bob'), dev('bob')] },
      { removed: [dev('bob'), dev('bob')] },
      { welcome: payload('w'), added: [dev('bob')], removed: [dev('bob')] },
      { welcome: payload('w'), added: [dev('alice')] },
    ];
    for (const fields of bad) {
      expect(await commit(ca, { groupId: id, epoch: 0, ...fields })).toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    }
    expect(await commit(ca, { groupId: id, epoch: 0 })).toMatchObject({
      t: 'groups.commit.result',
      epoch: 1,
    });
  });

  it('answer GROUP_NOT_FOUND for an unknown group and NOT_A_GROUP_MEMBER for an outsider', async () => {
    const unknown = newGroupId();
    expect(await groupSend(cm, unknown, 0, 'x')).toMatchObject({ code: 'GROUP_NOT_FOUND' });
    expect(await commit(cm, { groupId: unknown, epoch: 0 })).toMatchObject({ code: 'GROUP_NOT_FOUND' });
    expect(await cm.request({ t: 'groups.commits', groupId: unknown, since: 0 })).toMatchObject({
      code: 'GROUP_NOT_FOUND',
    });
    expect(await cm.request({ t: 'groups.leave', groupId: unknown })).toMatchObject({
      code: 'GROUP_NOT_FOUND',
    });
    const id = newGroupId();
    await createGroup(ca, id);
    expect(await groupSend(cm, id, 0, 'x')).toMatchObject({ code: 'NOT_A_GROUP_MEMBER' });
    // An outsider cannot add itself, nor commit anything.
    const self = { groupId: id, epoch: 0, welcome: payload('w'), added: [dev('mallory')] };
    expect(await commit(cm, self)).toMatchObject({ code: 'NOT_A_GROUP_MEMBER' });
    expect(await cm.request({ t: 'groups.commits', groupId: id, since: 0 })).toMatchObject({
      code: 'NOT_A_GROUP_MEMBER',
    });
    expect(await cm.request({ t: 'groups.leave', groupId: id })).toMatchObject({
      code: 'NOT_A_GROUP_MEMBER',
    });
    expect(await cm.request({ t: 'groups.create', groupId: id, suite: 1 })).toMatchObject({
      code: 'GROUP_EXISTS',
    });
  });

  it('let a member add only its contacts’ and its own current devices', async () => {
    const id = newGroupId();
    await createGroup(ca, id);
    const add = (d: { account: string; deviceId: number }) =>
      commit(ca, { groupId: id, epoch: 0, welcome: payload('w'), added: [d] });
    expect(await add(dev('mallory'))).toMatchObject({ code: 'NOT_A_CONTACT' });
    expect(await add(dev('nobody'))).toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    expect(await add(dev('bob', 9))).toMatchObject({ code: 'DEVICE_NOT_FOUND' });
    expect(await add(dev('alice', 2))).toMatchObject({ epoch: 1 });
  });

  it('refuse a commit that would pass maxGroupDevices with GROUP_TOO_LARGE', async () => {
    const id = newGroupId();
    await createGroup(ca, id);
    const four = [dev('alice', 2), dev('bob', 1), dev('bob', 2)];
    expect(await commit(ca, { groupId: id, epoch: 0, welcome: payload('w'), added: four })).toMatchObject({
      code: 'GROUP_TOO_LARGE',
    });
    const three = [dev('bob', 1), dev('bob', 2)];
    expect(await commit(ca, { groupId: id, epoch: 0, welcome: payload('w'), added: three })).toMatchObject({
      epoch: 1,
    });
    // Removing one makes room for another in the same commit.
    const swap = {
      groupId: id,
      epoch: 1,
      welcome: payload('w'),
      added: [dev('alice', 2)],
      removed: [dev('bob', 2)],
    };
    expect(await commit(ca, swap)).toMatchObject({ epoch: 2 });
  });

  it('rate-limit KeyPackage claims per requesting device', async () => {
    expect(
      await cb.request({ t: 'mls.keys.upload', keyPackages: [], lastResort: keyPackagePayload('last') }),
    ).toMatchObject({
      t: 'ok',
    });
    const answers = [];
    for (let i = 0; i < 4; i++)
      answers.push((await ca.request({ t: 'mls.keys.claim', devices: [dev('bob')] })).t);
    expect(answers).toEqual([
      'mls.keys.claim.result',
      'mls.keys.claim.result',
      'mls.keys.claim.result',
      'error',
    ]);
    await settle(ca);
  });
});
