import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestAccount } from './helpers/account.js';
import { admin } from './helpers/admin.js';
import { TestClient } from './helpers/client.js';
import { startNextNode, startTestServer, type TestServer } from './helpers/server.js';
import { describeWith, dropSchema, postgresUrlWithSchema, testSchemaName } from './helpers/services.js';
import { connect, registered } from './helpers/world.js';

const FAST = { operatorPollMs: 100 };

/**
 * Opens a socket and answers the challenge as `a`'s device 1: the `auth` answer, and the close code when
 * the server closes the socket after it (else the socket is closed here, and `closed` is undefined).
 */
async function tryConnect(t: TestServer, a: TestAccount): Promise<{ answer: string; closed?: number }> {
  const { client, nonce } = await TestClient.open(t.wsUrl);
  const answer = await client.request(await client.authFrame(a, 1, nonce));
  const code = answer.t === 'error' ? answer.code : answer.t;
  if (code === 'ACCOUNT_DISABLED') return { answer: code, closed: await client.closed };
  await client.close();
  return { answer: code };
}

describe('disabled and deleted accounts (SQLite)', () => {
  let t: TestServer;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    t = await startTestServer({ limits: FAST });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });
  afterAll(async () => {
    await t.stop();
  });
  const run = (...args: string[]) => admin(['--data', t.dataDir, ...args]);

  it('a disabled account is closed, cannot connect, log in or add a device; enabled, it can again', async () => {
    const alice = await registered(t, 'alice', 2);
    const bob = await registered(t, 'bob');
    const a1 = await connect(t, alice, 1);
    const a2 = await connect(t, alice, 2);
    const b1 = await connect(t, bob);
    clients.push(a1, a2, b1);
    const before = await alice.login(t.url);
    expect(before.ok).toBe(true);

    const r = await run('users', 'disable', 'alice');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('Disabled alice');
    // Both of alice's connections close with 4004; bob's stays.
    expect(await a1.closed).toBe(4004);
    expect(await a2.closed).toBe(4004);
    expect(await b1.request({ t: 'ping' })).toMatchObject({ t: 'pong' });

    expect(await tryConnect(t, alice)).toEqual({ answer: 'ACCOUNT_DISABLED', closed: 4004 });
    expect(await alice.login(t.url)).toEqual({ ok: false, status: 403 });
    // A wrong password still gets LOGIN_FAILED: being disabled is told only to who knows the password.
    expect(await alice.login(t.url, 'not the password')).toEqual({ ok: false, status: 401 });
    if (!before.ok) throw new Error('unreachable');
    await alice.addDevice();
    const added = await alice.postDevice(t.url, before.ticket, await alice.deviceList(2), 3);
    expect(added).toMatchObject({ status: 403, body: { code: 'ACCOUNT_DISABLED' } });
    const listed = JSON.parse((await run('users', 'list', '--json')).stdout) as {
      name: string;
      disabledAt?: number;
    }[];
    expect(listed.find((u) => u.name === 'alice')?.disabledAt).toBeGreaterThan(0);

    expect((await run('users', 'enable', 'alice')).code).toBe(0);
    expect((await alice.login(t.url)).ok).toBe(true);
    clients.push(await connect(t, alice, 1));
  });

  it('a deleted account is closed with 4003, cannot log in, and its name can be registered anew', async () => {
    const carol = await registered(t, 'carol');
    const c1 = await connect(t, carol);
    expect((await run('users', 'delete', 'carol')).code).toBe(2);
    expect(await c1.request({ t: 'ping' })).toMatchObject({ t: 'pong' });
    const r = await run('users', 'delete', 'carol', '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Deleted carol: 1 devices');
    expect(await c1.closed).toBe(4003);
    expect(await carol.login(t.url)).toEqual({ ok: false, status: 401 });
    expect(await tryConnect(t, carol)).toEqual({ answer: 'AUTH_CHALLENGE_FAILED' });
    const again = await TestAccount.create('carol');
    expect(await again.register(t.url)).toBe(201);
    clients.push(await connect(t, again));
  });

  it('says so when there is no such account, and changes nothing', async () => {
    for (const verb of ['disable', 'enable']) {
      expect(await run('users', verb, 'nobody')).toMatchObject({
        code: 1,
        stderr: /there is no account nobody/,
      });
    }
    expect(await run('users', 'delete', 'nobody', '--yes')).toMatchObject({ code: 1 });
    expect(await run('users', 'disable', 'Not A Name')).toMatchObject({ code: 2 });
  });
});

await describeWith(['postgres'], 'disabling closes connections on every node (PostgreSQL, two nodes)', () => {
  const schema = testSchemaName();
  const store = postgresUrlWithSchema(schema);
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer({ store, limits: FAST });
    b = await startNextNode(a, { store, limits: FAST });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await dropSchema(schema);
  });

  it('closes the account on both nodes, refuses it on both, and lets it back on both', async () => {
    const dana = await registered(a, 'dana', 2);
    const onA = await connect(a, dana, 1);
    const onB = await connect(b, dana, 2);
    expect((await admin(['--store', store, 'users', 'disable', 'dana'])).code).toBe(0);
    expect(await onA.closed).toBe(4004);
    expect(await onB.closed).toBe(4004);
    expect(await tryConnect(b, dana)).toEqual({ answer: 'ACCOUNT_DISABLED', closed: 4004 });
    expect(await dana.login(a.url)).toEqual({ ok: false, status: 403 });
    expect((await admin(['--store', store, 'users', 'enable', 'dana'])).code).toBe(0);
    const back = await connect(b, dana, 2);
    await back.close();
  });
});
