import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { befriend, connect, registered } from './helpers/world.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ limits: { loginAttemptsPerAccountPerMinute: 3 } });
});
afterAll(async () => {
  await t.stop();
});

describe('devices over the connection', () => {
  it('publishes a newer list, tells the account and its contacts, and revokes a device', async () => {
    const alice = await registered(t, 'alice');
    const bob = await registered(t, 'bob');
    const ca = await connect(t, alice);
    const cb = await connect(t, bob);
    await befriend(alice, ca, bob, cb);

    await alice.addDevice();
    const v2 = await alice.deviceList(2);
    expect(
      await ca.request({ t: 'devices.publish', deviceList: v2, certificate: await alice.certificate(2) }),
    ).toMatchObject({ t: 'ok' });
    expect(await cb.next((f) => f.t === 'devices.changed')).toEqual({
      t: 'devices.changed',
      account: 'alice',
    });
    expect(await ca.next((f) => f.t === 'devices.changed')).toEqual({
      t: 'devices.changed',
      account: 'alice',
    });
    expect(await cb.request({ t: 'devices.get', account: 'alice' })).toMatchObject({
      t: 'devices.get.result',
      deviceList: v2,
    });
    // The same version again is a replay.
    expect(await ca.request({ t: 'devices.publish', deviceList: await alice.deviceList(2) })).toMatchObject({
      code: 'DEVICE_LIST_REJECTED',
    });

    const a2 = await connect(t, alice, 2);
    const one = alice.devices.filter((d) => d.deviceId === 1);
    const v3 = await alice.deviceList(3, one);
    expect(await ca.request({ t: 'devices.revoke', deviceId: 2, deviceList: v3 })).toMatchObject({ t: 'ok' });
    expect(await a2.closed).toBe(4003);
    // The revoked device's key no longer opens a connection.
    await expect(connect(t, alice, 2)).rejects.toThrow(/auth failed/);
    for (const c of [ca, cb]) await c.close();
  });

  it('rate-limits login attempts per account', async () => {
    const carol = await registered(t, 'carol');
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await carol.login(t.url, 'wrong'));
    expect(results.at(-1)).toEqual({ ok: false, status: 429 });
  });
});
