import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { befriend, connect, registered } from './helpers/world.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

const body = new Uint8Array([1, 2, 3]);

describe('contacts and presence', () => {
  it('request, accept, list; presence flows only between accepted contacts and is pushed on change', async () => {
    const alice = await registered(t, 'alice');
    const bob = await registered(t, 'bob');
    const carol = await registered(t, 'carol');
    const ca = await connect(t, alice);
    const cb = await connect(t, bob);
    const cc = await connect(t, carol);

    expect(await ca.request({ t: 'contacts.request', account: 'bob' })).toMatchObject({ t: 'ok' });
    expect(await cb.next((f) => f.t === 'contacts.event')).toEqual({
      t: 'contacts.event',
      kind: 'request',
      account: 'alice',
      state: 'incoming',
    });
    expect(await ca.request({ t: 'contacts.list' })).toMatchObject({
      contacts: [{ account: 'bob', state: 'outgoing' }],
    });
    // Carol asks too but is never accepted.
    expect(await cc.request({ t: 'contacts.request', account: 'alice' })).toMatchObject({ t: 'ok' });

    expect(await cb.request({ t: 'contacts.accept', account: 'alice' })).toMatchObject({ t: 'ok' });
    expect(await ca.next((f) => f.t === 'presence' && f.account === 'bob')).toMatchObject({
      state: 'online',
    });
    expect(await cb.next((f) => f.t === 'presence' && f.account === 'alice')).toMatchObject({
      state: 'online',
    });

    expect(await cb.request({ t: 'presence.set', state: 'busy', text: 'in a meeting' })).toMatchObject({
      t: 'ok',
    });
    expect(
      await ca.next((f) => f.t === 'presence' && f.account === 'bob' && f.state === 'busy'),
    ).toMatchObject({
      text: 'in a meeting',
    });
    await cb.close();
    const off = await ca.next((f) => f.t === 'presence' && f.account === 'bob' && f.state === 'offline');
    expect(off).toMatchObject({ lastSeen: expect.any(Number) });

    // Carol, not accepted, saw none of it.
    expect((await cc.request({ t: 'ping' })).t).toBe('pong');
    expect(cc.pending().some((f) => f.t === 'presence')).toBe(false);

    // A reconnecting device gets its contacts' presence at once.
    const cb2 = await connect(t, bob);
    expect(await cb2.next((f) => f.t === 'presence' && f.account === 'alice')).toMatchObject({
      state: 'online',
    });
    for (const c of [ca, cb2, cc]) await c.close();
  });

  it('decline and remove end the relation on both sides', async () => {
    const dan = await registered(t, 'dan');
    const erin = await registered(t, 'erin');
    const cd = await connect(t, dan);
    const ce = await connect(t, erin);
    await cd.request({ t: 'contacts.request', account: 'erin' });
    expect(await ce.request({ t: 'contacts.decline', account: 'dan' })).toMatchObject({ t: 'ok' });
    expect(await cd.next((f) => f.t === 'contacts.event' && f.kind === 'decline')).toMatchObject({
      state: 'none',
    });
    expect(await cd.request({ t: 'contacts.list' })).toMatchObject({ contacts: [] });
    await befriend(dan, cd, erin, ce);
    expect(await cd.request({ t: 'contacts.remove', account: 'erin' })).toMatchObject({ t: 'ok' });
    expect(await ce.next((f) => f.t === 'contacts.event' && f.kind === 'remove')).toMatchObject({
      account: 'dan',
    });
    expect(
      await cd.request({ t: 'send', to: 'erin', messages: [{ account: 'erin', deviceId: 1, body }] }),
    ).toMatchObject({ code: 'NOT_A_CONTACT' });
    await cd.close();
    await ce.close();
  });

  it('a blocked account gets a clear BLOCKED refusal for requests and messages', async () => {
    const frank = await registered(t, 'frank');
    const grace = await registered(t, 'grace');
    const cf = await connect(t, frank);
    const cg = await connect(t, grace);
    await befriend(frank, cf, grace, cg);
    expect(await cg.request({ t: 'contacts.block', account: 'frank' })).toMatchObject({ t: 'ok' });
    expect(
      await cf.request({ t: 'send', to: 'grace', messages: [{ account: 'grace', deviceId: 1, body }] }),
    ).toMatchObject({ t: 'error', code: 'BLOCKED' });
    expect(await cf.request({ t: 'contacts.request', account: 'grace' })).toMatchObject({ code: 'BLOCKED' });
    expect(await cg.request({ t: 'contacts.list' })).toMatchObject({
      contacts: [{ account: 'frank', state: 'blocked' }],
    });
    expect(await cg.request({ t: 'contacts.unblock', account: 'frank' })).toMatchObject({ t: 'ok' });
    expect(await cf.request({ t: 'contacts.request', account: 'grace' })).toMatchObject({ t: 'ok' });
    await cf.close();
    await cg.close();
  });
});
