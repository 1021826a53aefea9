/**
 * MLS KeyPackages over a real server and real WebSockets (ADR 0018): upload, count, claim (one-time, then
 * last-resort), the contact policy, the low-water push, and large uploads after authentication.
 */

import { WIRE_BOUNDS } from '@sotto/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAccount } from './helpers/account.js';
import { TestClient } from './helpers/client.js';
import { dev, keyPackageLabel, keyPackagePayload, payload, settle } from './helpers/groups.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { befriend, connect, registered } from './helpers/world.js';

let t: TestServer;
let alice: TestAccount;
let bob: TestAccount;
let eve: TestAccount;
let ca: TestClient;
let cb: TestClient;
let ce: TestClient;

beforeAll(async () => {
  t = await startTestServer({ limits: { keyPackageMaxStored: 102, keyPackageLowWaterMark: 3 } });
  alice = await registered(t, 'alice', 3);
  bob = await registered(t, 'bob', 2);
  eve = await registered(t, 'eve');
  ca = await connect(t, alice);
  cb = await connect(t, bob);
  ce = await connect(t, eve);
  await befriend(alice, ca, bob, cb);
  expect(await cb.request({ t: 'contacts.block', account: 'eve' })).toMatchObject({ t: 'ok' });
});
afterAll(async () => {
  for (const c of [ca, cb, ce]) await c.close();
  await t.stop();
});

const kp = (label: string, size = 300, suite = 83) => keyPackagePayload(label, size, suite);
const labels = (f: unknown) =>
  (f as { keyPackages: { account: string; deviceId: number; keyPackage: Uint8Array }[] }).keyPackages.map(
    (k) => `${k.account}/${k.deviceId}:${keyPackageLabel(k.keyPackage)}`,
  );

describe('MLS KeyPackages', () => {
  it('are uploaded and counted per device, up to the stored maximum', async () => {
    expect(await cb.request({ t: 'mls.keys.count' })).toEqual({
      t: 'mls.keys.count.result',
      id: expect.any(Number),
      count: 0,
      lastResort: false,
    });
    const upload = { t: 'mls.keys.upload' as const, keyPackages: [kp('b1'), kp('b2'), kp('b3'), kp('b4')] };
    expect(await cb.request({ ...upload, lastResort: kp('b-last') })).toMatchObject({ t: 'ok' });
    expect(await cb.request({ t: 'mls.keys.count' })).toMatchObject({ count: 4, lastResort: true });
    const tooMany = Array.from({ length: 100 }, (_, i) => kp(`x${i}`, 50));
    expect(await cb.request({ t: 'mls.keys.upload', keyPackages: tooMany })).toMatchObject({
      t: 'error',
      code: 'INVALID_ARGUMENT',
    });
    expect(await cb.request({ t: 'mls.keys.count' })).toMatchObject({ count: 4 });
  });

  it('are claimed one per device by a contact, oldest first, leaving out devices with none', async () => {
    const res = await ca.request({ t: 'mls.keys.claim', devices: [dev('bob', 2), dev('bob', 1)] });
    expect(res.t).toBe('mls.keys.claim.result');
    expect(labels(res)).toEqual(['bob/1:b1']);
    expect(await cb.request({ t: 'mls.keys.count' })).toMatchObject({ count: 3 });
    // A device with none at all (bob/2) alone: NO_KEY_PACKAGES.
    expect(await ca.request({ t: 'mls.keys.claim', devices: [dev('bob', 2)] })).toMatchObject({
      t: 'error',
      code: 'NO_KEY_PACKAGES',
    });
  });

  it('push mls.keys.low to the owner when a claim leaves fewer than the low-water mark', async () => {
    expect(labels(await ca.request({ t: 'mls.keys.claim', devices: [dev('bob')] }))).toEqual(['bob/1:b2']);
    expect(await cb.next((f) => f.t === 'mls.keys.low')).toEqual({ t: 'mls.keys.low', count: 2 });
  });

  it('hand out the last-resort KeyPackage, again and again, once the pool is empty', async () => {
    const claim = async () => labels(await ca.request({ t: 'mls.keys.claim', devices: [dev('bob')] }));
    expect(await claim()).toEqual(['bob/1:b3']);
    expect(await claim()).toEqual(['bob/1:b4']);
    expect(await claim()).toEqual(['bob/1:b-last']);
    expect(await claim()).toEqual(['bob/1:b-last']);
    expect(await cb.request({ t: 'mls.keys.count' })).toMatchObject({ count: 0, lastResort: true });
  });

  it('refuse claims by strangers and by blocked accounts, consuming nothing', async () => {
    expect(await cb.request({ t: 'mls.keys.upload', keyPackages: [kp('b5')] })).toMatchObject({ t: 'ok' });
    expect(await ce.request({ t: 'mls.keys.claim', devices: [dev('bob')] })).toMatchObject({
      code: 'BLOCKED',
    });
    expect(await ce.request({ t: 'mls.keys.claim', devices: [dev('alice')] })).toMatchObject({
      code: 'NOT_A_CONTACT',
    });
    expect(await ce.request({ t: 'mls.keys.claim', devices: [dev('nobody')] })).toMatchObject({
      code: 'ACCOUNT_NOT_FOUND',
    });
    // One refused account refuses the whole claim: bob/1's KeyPackage is still there.
    expect(await ca.request({ t: 'mls.keys.claim', devices: [dev('bob'), dev('eve')] })).toMatchObject({
      code: 'NOT_A_CONTACT',
    });
    expect(await cb.request({ t: 'mls.keys.count' })).toMatchObject({ count: 1 });
    expect(await ca.request({ t: 'mls.keys.claim', devices: [dev('bob'), dev('bob')] })).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('may be claimed for one’s own other devices', async () => {
    const a2 = await connect(t, alice, 2);
    expect(await a2.request({ t: 'mls.keys.upload', keyPackages: [kp('a2-1')] })).toMatchObject({ t: 'ok' });
    expect(labels(await ca.request({ t: 'mls.keys.claim', devices: [dev('alice', 2)] }))).toEqual([
      'alice/2:a2-1',
    ]);
    await a2.close();
  });

  it('keep one pool and one last-resort KeyPackage per suite; a claim takes from the suite asked for', async () => {
    const c2 = await connect(t, bob, 2);
    const up = (suite: number | undefined, keyPackages: Uint8Array[], lastResort?: Uint8Array) =>
      c2.request({
        t: 'mls.keys.upload',
        ...(suite === undefined ? {} : { suite }),
        keyPackages,
        ...(lastResort === undefined ? {} : { lastResort }),
      });
    expect(await up(1, [kp('c1', 300, 1), kp('c2', 300, 1)], kp('c-last', 300, 1))).toMatchObject({
      t: 'ok',
    });
    // No suite: X-Wing (83), and the answers leave `suite` out for X-Wing (clients from before suites).
    expect(await up(undefined, [kp('x1')], kp('x-last'))).toMatchObject({ t: 'ok' });
    expect(await c2.request({ t: 'mls.keys.count', suite: 1 })).toEqual({
      t: 'mls.keys.count.result',
      id: expect.any(Number),
      suite: 1,
      count: 2,
      lastResort: true,
    });
    expect(await c2.request({ t: 'mls.keys.count' })).toEqual({
      t: 'mls.keys.count.result',
      id: expect.any(Number),
      count: 1,
      lastResort: true,
    });
    expect(await c2.request({ t: 'mls.keys.count', suite: 83 })).toMatchObject({ count: 1 });
    const claim = (suite?: number) =>
      ca.request({
        t: 'mls.keys.claim',
        ...(suite === undefined ? {} : { suite }),
        devices: [dev('bob', 2)],
      });
    const classic = await claim(1);
    expect(classic).toMatchObject({ t: 'mls.keys.claim.result', suite: 1 });
    expect(labels(classic)).toEqual(['bob/2:c1']);
    expect(labels(await claim())).toEqual(['bob/2:x1']);
    expect(labels(await claim())).toEqual(['bob/2:x-last']);
    expect(labels(await claim(1))).toEqual(['bob/2:c2']);
    expect(labels(await claim(1))).toEqual(['bob/2:c-last']);
    // The low-water push names the suite (and leaves it out for X-Wing).
    expect(await c2.next((f) => f.t === 'mls.keys.low' && f.suite === 1)).toEqual({
      t: 'mls.keys.low',
      suite: 1,
      count: 1,
    });
    expect(await c2.next((f) => f.t === 'mls.keys.low' && f.suite === undefined)).toEqual({
      t: 'mls.keys.low',
      count: 0,
    });
    // A suite nobody uploaded: nothing to claim, and the other pools are untouched.
    expect(await claim(2)).toMatchObject({ t: 'error', code: 'NO_KEY_PACKAGES' });
    expect(await c2.request({ t: 'mls.keys.count', suite: 1 })).toMatchObject({ count: 0, lastResort: true });
    await c2.close();
  });

  it('refuse a KeyPackage whose encoded suite is not the declared one, or that is no KeyPackage', async () => {
    const c2 = await connect(t, bob, 2);
    const before = await c2.request({ t: 'mls.keys.count', suite: 1 });
    const refused = async (f: Record<string, unknown>) =>
      expect(await c2.request({ t: 'mls.keys.upload', keyPackages: [], ...f } as never)).toMatchObject({
        t: 'error',
        code: 'MLS_INVALID',
      });
    // An X-Wing KeyPackage declared classic, one of each in one upload, a classic last-resort one as X-Wing.
    await refused({ suite: 1, keyPackages: [kp('x', 300, 83)] });
    await refused({ suite: 1, keyPackages: [kp('c', 300, 1), kp('x', 300, 83)] });
    await refused({ lastResort: kp('c', 300, 1) });
    // Not an MLSMessage of a KeyPackage: a bare label, a truncated header, a Welcome's wire format.
    await refused({ suite: 1, keyPackages: [payload('junk', 300)] });
    await refused({ suite: 1, keyPackages: [kp('c', 300, 1).subarray(0, 8)] });
    const welcome = kp('w', 300, 1);
    welcome[3] = 3;
    await refused({ suite: 1, keyPackages: [welcome] });
    // Nothing of a refused upload was stored.
    expect(await c2.request({ t: 'mls.keys.count', suite: 1 })).toEqual({
      ...before,
      id: expect.any(Number),
    });
    await c2.close();
  });

  it(`keep KeyPackages of at most ${WIRE_BOUNDS.keyPackageSuites} suites per device`, async () => {
    const a3 = await connect(t, alice, 3);
    for (let suite = 1; suite <= WIRE_BOUNDS.keyPackageSuites; suite++) {
      expect(
        await a3.request({ t: 'mls.keys.upload', suite, keyPackages: [], lastResort: kp('l', 100, suite) }),
      ).toMatchObject({ t: 'ok' });
    }
    const next = WIRE_BOUNDS.keyPackageSuites + 1;
    expect(
      await a3.request({ t: 'mls.keys.upload', suite: next, keyPackages: [kp('n', 100, next)] }),
    ).toMatchObject({ t: 'error', code: 'INVALID_ARGUMENT' });
    // A suite it already has still takes more.
    expect(
      await a3.request({ t: 'mls.keys.upload', suite: 2, keyPackages: [kp('m', 100, 2)] }),
    ).toMatchObject({ t: 'ok' });
    await a3.close();
  });

  it('take an upload of 100 X-Wing-sized KeyPackages in one large frame, only once authenticated', async () => {
    // 100 × 2,700 bytes ≈ 270 KB: over maxFrameBytes (256 KiB), within maxGroupFrameBytes.
    const big = {
      keyPackages: Array.from({ length: 100 }, (_, i) => kp(`xw${i}`, 2_700)),
      lastResort: kp('xl', 2_700),
    };
    const a2 = await connect(t, alice, 2);
    expect(await a2.request({ t: 'mls.keys.upload', ...big })).toMatchObject({ t: 'ok' });
    expect(await a2.request({ t: 'mls.keys.count' })).toMatchObject({ count: 100, lastResort: true });
    await a2.close();
    // Before authentication the size is refused before parsing, so the error cannot name the request.
    const { client } = await TestClient.open(t.wsUrl);
    client.sendFrame({ t: 'mls.keys.upload', id: 1, ...big });
    expect(await client.next((f) => f.t === 'error')).toMatchObject({ code: 'FRAME_TOO_LARGE' });
    await client.close();
    // Other frames stay within maxFrameBytes after authentication too (a 1:1 send of 4 × 64 KiB + 1 byte).
    const body = new Uint8Array(64 * 1024).fill(1);
    const send = {
      t: 'send' as const,
      to: 'bob',
      messages: [1, 2, 3, 4].map((i) => ({ account: i % 2 ? 'bob' : 'alice', deviceId: i, body })),
    };
    expect(await ca.request(send)).toMatchObject({ t: 'error', code: 'FRAME_TOO_LARGE' });
    await settle(ca);
  });
});
