import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, TestAccount } from './helpers/account.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

describe('health', () => {
  it('answers /healthz, /readyz and /metrics', async () => {
    expect((await http(`${t.url}/healthz`, 'GET')).status).toBe(200);
    expect((await http(`${t.url}/readyz`, 'GET')).body).toEqual({ status: 'ready' });
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain('# TYPE sotto_connections gauge');
    expect(metrics).toContain('sotto_http_request_duration_seconds_bucket');
  });

  it('warns at start that it serves plain HTTP', () => {
    expect(t.logs.some((l) => l.includes('"level":40') && l.includes('plain HTTP'))).toBe(true);
  });

  it('keeps the OPAQUE server setup in a 0600 file, not in the database', () => {
    expect(statSync(join(t.dataDir, 'opaque-server-setup')).mode & 0o777).toBe(0o600);
  });
});

describe('registration and login (OPAQUE)', () => {
  it('registers, logs in and returns the backup; a wrong password fails', async () => {
    const alice = await TestAccount.create('alice', 'Tr0ub4dor&3-alice-secret');
    expect(await alice.register(t.url, new Uint8Array([9, 9, 9]))).toBe(201);
    const ok = await alice.login(t.url);
    expect(ok.ok).toBe(true);
    if (ok.ok) expect([...ok.backup]).toEqual([9, 9, 9]);
    const bad = await alice.login(t.url, 'wrong password');
    expect(bad).toEqual({ ok: false, status: 401 });
  });

  it('never sees the password: not in the database files, not in the logs', async () => {
    const password = 'unique-PASSWORD-bytes-7f3a91';
    const carol = await TestAccount.create('carol', password);
    expect(await carol.register(t.url)).toBe(201);
    expect((await carol.login(t.url)).ok).toBe(true);
    await carol.login(t.url, `${password}x`);
    const needle = Buffer.from(password);
    expect(t.dataFiles().includes(needle)).toBe(false);
    expect(t.logs.join('').includes(password)).toBe(false);
  });

  it('refuses a taken name and an unknown account alike', async () => {
    const a = await TestAccount.create('dave');
    expect(await a.register(t.url)).toBe(201);
    const again = await TestAccount.create('dave');
    expect(await again.register(t.url)).toBe(409);
    const ghost = await TestAccount.create('ghost');
    expect(await ghost.login(t.url)).toEqual({ ok: false, status: 401 });
  });

  it('refuses a device list not signed by the identity key at registration', async () => {
    const eve = await TestAccount.create('eve');
    const other = await TestAccount.create('eve');
    // Register with eve's identity key but a list signed by another identity.
    const orig = eve.deviceList.bind(eve);
    eve.deviceList = () => orig(1, eve.devices, other.identity);
    expect(await eve.register(t.url)).toBe(409);
  });

  it('logs no tickets', async () => {
    const f = await TestAccount.create('frank');
    await f.register(t.url);
    const r = await f.login(t.url);
    expect(r.ok).toBe(true);
    if (r.ok) {
      const logs = t.logs.join('');
      for (const form of ['hex', 'base64', 'base64url'] as const) {
        expect(logs.includes(Buffer.from(r.ticket).toString(form))).toBe(false);
      }
    }
  });
});

describe('device-list rules', () => {
  it('adds a device with a newer list signed by the identity key; refuses equal, older or foreign lists', async () => {
    const g = await TestAccount.create('grace');
    expect(await g.register(t.url)).toBe(201);
    const login = await g.login(t.url);
    if (!login.ok) throw new Error('login failed');
    await g.addDevice();
    const v2 = await g.deviceList(2);
    const added = await g.postDevice(t.url, login.ticket, v2, 2);
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ account: 'grace', deviceId: 2 });

    const same = await g.postDevice(t.url, login.ticket, await g.deviceList(2), 2);
    expect(same.status).toBe(409);
    expect(same.body.code).toBe('DEVICE_LIST_REJECTED');
    expect((await g.postDevice(t.url, login.ticket, await g.deviceList(1), 2)).body.code).toBe(
      'DEVICE_LIST_REJECTED',
    );
    const mallory = await TestAccount.create('grace');
    const forged = await g.postDevice(
      t.url,
      login.ticket,
      await g.deviceList(3, g.devices, mallory.identity),
      2,
    );
    expect(forged.body.code).toBe('DEVICE_LIST_REJECTED');
    const noTicket = await g.postDevice(t.url, new Uint8Array(32), await g.deviceList(3), 2);
    expect(noTicket).toEqual({ status: 401, body: expect.objectContaining({ code: 'UNAUTHENTICATED' }) });

    const served = await http(`${t.url}/v1/accounts/grace/devices`, 'GET');
    expect(served.status).toBe(200);
    expect(served.body.deviceList).toEqual(v2);
    expect((served.body.certificates as unknown[]).length).toBe(2);
  });

  it('refuses a device certificate issued by another identity key', async () => {
    const h = await TestAccount.create('heidi');
    expect(await h.register(t.url)).toBe(201);
    const login = await h.login(t.url);
    if (!login.ok) throw new Error('login failed');
    await h.addDevice();
    const other = await TestAccount.create('heidi');
    const res = await http(`${t.url}/v1/devices`, 'POST', {
      ticket: login.ticket,
      certificate: await h.certificate(2, other.identity),
      deviceList: await h.deviceList(2),
    });
    expect(res.body.code).toBe('DEVICE_LIST_REJECTED');
  });

  it('answers a malformed body with BAD_FRAME', async () => {
    const res = await fetch(`${t.url}/v1/login/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/cbor' },
      body: Buffer.from([0xff, 0x00, 0x13]),
    });
    expect(res.status).toBe(400);
  });
});
