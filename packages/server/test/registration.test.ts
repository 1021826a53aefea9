/**
 * Who may register, through the real HTTP API of a real server (SQLite file): `open` lets anyone,
 * `closed` nobody (REGISTRATION_CLOSED, whatever the name), `token` only holders of an invite made by
 * `sotto-server admin tokens create` on the server's database — each use counted once, refused when
 * unknown, expired, revoked or used up, and a refused registration costs no use.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TestAccount } from './helpers/account.js';
import { admin, adminJson } from './helpers/admin.js';
import { startTestServer, TestClock, type TestServer } from './helpers/server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function serve(registration: 'open' | 'token' | 'closed', clock?: TestClock): Promise<TestServer> {
  const t = await startTestServer({ config: { registration }, ...(clock === undefined ? {} : { clock }) });
  servers.push(t);
  return t;
}

/** An invite made by the admin command on `t`'s database. */
async function invite(t: TestServer, ...options: string[]): Promise<{ id: string; token: string }> {
  return adminJson(['--data', t.dataDir, 'tokens', 'create', ...options]);
}

const uses = async (t: TestServer, id: string) =>
  (
    await adminJson<{ id: string; uses: number; state: string }[]>(['--data', t.dataDir, 'tokens', 'list'])
  ).find((i) => i.id === id);

describe('registration policy', () => {
  it('open: anyone registers, and an invite is ignored', async () => {
    const t = await serve('open');
    expect(await (await TestAccount.create('alice')).tryRegister(t.url)).toMatchObject({ status: 201 });
    const bob = await TestAccount.create('bob');
    expect(await bob.tryRegister(t.url, { invite: 'x'.repeat(24) })).toMatchObject({ status: 201 });
  });

  it('closed: every registration is refused with REGISTRATION_CLOSED, before the name is even looked at', async () => {
    const open = await serve('open');
    const t = await startTestServer({ dataDir: open.dataDir, config: { registration: 'closed' } });
    servers.push(t);
    await (await TestAccount.create('taken')).register(open.url);
    for (const name of ['newcomer', 'taken']) {
      const r = await (await TestAccount.create(name)).tryRegister(t.url);
      expect(r, name).toEqual({ step: 'start', status: 403, code: 'REGISTRATION_CLOSED' });
    }
    // An invite does not open a closed server.
    const { token } = await invite(t);
    const r = await (await TestAccount.create('carol')).tryRegister(t.url, { invite: token });
    expect(r).toEqual({ step: 'start', status: 403, code: 'REGISTRATION_CLOSED' });
  });

  it('token: needs an invite, counts each use once, and refuses it used up', async () => {
    const t = await serve('token');
    const none = await (await TestAccount.create('alice')).tryRegister(t.url);
    expect(none).toEqual({ step: 'start', status: 403, code: 'INVITE_INVALID' });
    const unknown = await (await TestAccount.create('alice')).tryRegister(t.url, { invite: 'A'.repeat(24) });
    expect(unknown).toEqual({ step: 'start', status: 403, code: 'INVITE_INVALID' });

    const { id, token } = await invite(t, '--uses', '2', '--note', 'the Smiths');
    expect(await (await TestAccount.create('alice')).tryRegister(t.url, { invite: token })).toMatchObject({
      status: 201,
    });
    expect(await uses(t, id)).toMatchObject({ uses: 1, state: 'usable' });
    expect(await (await TestAccount.create('bob')).tryRegister(t.url, { invite: token })).toMatchObject({
      status: 201,
    });
    expect(await uses(t, id)).toMatchObject({ uses: 2, state: 'used up' });
    const third = await (await TestAccount.create('carol')).tryRegister(t.url, { invite: ` ${token}` });
    expect(third.status).toBe(400); // not even an invite's shape
    const again = await (await TestAccount.create('carol')).tryRegister(t.url, { invite: token });
    expect(again).toEqual({ step: 'start', status: 403, code: 'INVITE_INVALID' });
  });

  it('token: a registration refused at finish costs no use of the invite', async () => {
    const t = await serve('token');
    const { id, token } = await invite(t, '--uses', '2');
    // A device list not signed by the account's identity key: refused after the invite was checked.
    const forged = await (await TestAccount.create('mallory')).tryRegister(t.url, {
      invite: token,
      foreignList: true,
    });
    expect(forged).toEqual({ step: 'finish', status: 409, code: 'DEVICE_LIST_REJECTED' });
    expect(await uses(t, id)).toMatchObject({ uses: 0 });
    // Two registrations of one name racing: one wins, the other's use is given back.
    const [first, second] = await Promise.all([
      (await TestAccount.create('dave')).tryRegister(t.url, { invite: token }),
      (await TestAccount.create('dave')).tryRegister(t.url, { invite: token }),
    ]);
    expect([first?.status, second?.status].sort()).toEqual([201, 409]);
    expect(await uses(t, id)).toMatchObject({ uses: 1, state: 'usable' });
  });

  it('token: refuses an expired or a revoked invite', async () => {
    const clock = new TestClock();
    const t = await serve('token', clock);
    const day = await invite(t, '--expires', '1d');
    const revoked = await invite(t, '--uses', '5');
    expect((await admin(['--data', t.dataDir, 'tokens', 'revoke', revoked.id])).code).toBe(0);
    const r1 = await (await TestAccount.create('erin')).tryRegister(t.url, { invite: revoked.token });
    expect(r1).toEqual({ step: 'start', status: 403, code: 'INVITE_INVALID' });
    clock.advance(24 * 60 * 60_000 + 1_000);
    const r2 = await (await TestAccount.create('erin')).tryRegister(t.url, { invite: day.token });
    expect(r2).toEqual({ step: 'start', status: 403, code: 'INVITE_INVALID' });
    const states = await adminJson<{ id: string; state: string }[]>(['--data', t.dataDir, 'tokens', 'list']);
    expect(states.find((i) => i.id === revoked.id)?.state).toBe('revoked');
  });

  it('never logs an invite', async () => {
    const t = await serve('token');
    const { token } = await invite(t);
    await (await TestAccount.create('frank')).tryRegister(t.url, { invite: token });
    await (await TestAccount.create('grace')).tryRegister(t.url, { invite: token });
    expect(t.logs.join('\n')).not.toContain(token);
  });
});
