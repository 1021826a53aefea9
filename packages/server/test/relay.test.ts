import { type CborValue, encodeCbor, type ServerFrame } from '@sotto/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAccount } from './helpers/account.js';
import type { TestClient } from './helpers/client.js';
import { startTestServer, TestClock, type TestServer } from './helpers/server.js';
import { befriend, connect, registered } from './helpers/world.js';

const clock = new TestClock();
let t: TestServer;
let alice: TestAccount;
let bob: TestAccount;
let ca: TestClient;
let cb: TestClient;

beforeAll(async () => {
  t = await startTestServer({ clock });
  alice = await registered(t, 'alice', 2);
  bob = await registered(t, 'bob');
  ca = await connect(t, alice);
  cb = await connect(t, bob);
  await befriend(alice, ca, bob, cb);
});
afterAll(async () => {
  await t.stop();
});

const body = (s: string) => new Uint8Array(Buffer.from(s));
const text = (f: ServerFrame) => (f.t === 'envelope' ? Buffer.from(f.body).toString() : `<${f.t}>`);
/** A send from alice's device 1 to bob (and alice's device 2). */
const toBob = (s: string, extra: object = {}) => ({
  t: 'send' as const,
  to: 'bob',
  messages: [
    { account: 'bob', deviceId: 1, body: body(s) },
    { account: 'alice', deviceId: 2, body: body(`copy ${s}`) },
  ],
  ...extra,
});

describe('relay', () => {
  it('delivers to a connected device, with the sender address, and to the sender’s other device', async () => {
    const sent = await ca.request(toBob('hello'));
    expect(sent).toMatchObject({ t: 'sent' });
    const env = await cb.next((f) => f.t === 'envelope');
    expect(env).toMatchObject({ from: { account: 'alice', deviceId: 1 } });
    expect(env).not.toHaveProperty('ephemeral');
    expect(text(env)).toBe('hello');
    if (env.t === 'envelope' && sent.t === 'sent') {
      expect(sent.envelopeIds[0]).toEqual(env.envelopeId);
      cb.sendFrame({ t: 'ack', envelopeIds: [env.envelopeId] });
    }
    const a2 = await connect(t, alice, 2);
    expect(text(await a2.next((f) => f.t === 'envelope'))).toBe('copy hello');
    await a2.close();
  });

  it('answers a device-set mismatch with the missing and extra devices, storing nothing', async () => {
    const res = await ca.request({
      t: 'send',
      to: 'bob',
      messages: [
        { account: 'bob', deviceId: 9, body: body('x') },
        { account: 'alice', deviceId: 2, body: body('x') },
      ],
    });
    expect(res).toMatchObject({
      t: 'error',
      code: 'DEVICE_MISMATCH',
      devices: {
        missing: [{ account: 'bob', deviceId: 1 }],
        extra: [{ account: 'bob', deviceId: 9 }],
        stale: [],
      },
    });
    const onlyBob = await ca.request({
      t: 'send',
      to: 'bob',
      messages: [{ account: 'bob', deviceId: 1, body: body('x') }],
    });
    expect(onlyBob).toMatchObject({
      code: 'DEVICE_MISMATCH',
      devices: { missing: [{ account: 'alice', deviceId: 2 }] },
    });
    const self = await ca.request({
      t: 'send',
      to: 'bob',
      messages: [
        { account: 'bob', deviceId: 1, body: body('x') },
        { account: 'alice', deviceId: 2, body: body('x') },
        { account: 'alice', deviceId: 1, body: body('x') },
      ],
    });
    expect(self).toMatchObject({
      code: 'DEVICE_MISMATCH',
      devices: { extra: [{ account: 'alice', deviceId: 1 }] },
    });
  });

  it('keeps envelopes for an offline device and delivers them on connect, in order, until acknowledged', async () => {
    await cb.close();
    for (let i = 0; i < 20; i++) expect(await ca.request(toBob(`m${i}`))).toMatchObject({ t: 'sent' });
    cb = await connect(t, bob);
    const got: string[] = [];
    const ids: Uint8Array[] = [];
    for (let i = 0; i < 20; i++) {
      const e = await cb.next((f) => f.t === 'envelope');
      got.push(text(e));
      if (e.t === 'envelope') ids.push(e.envelopeId);
    }
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    // Not acknowledged: a reconnect gets them again.
    await cb.close();
    cb = await connect(t, bob);
    expect(text(await cb.next((f) => f.t === 'envelope'))).toBe('m0');
    cb.sendFrame({ t: 'ack', envelopeIds: ids });
    expect(await cb.request({ t: 'ping' })).toMatchObject({ t: 'pong' });
    await cb.close();
    cb = await connect(t, bob);
    const after = await cb.request({ t: 'ping' });
    expect(after).toMatchObject({ t: 'pong' });
    expect(cb.pending().filter((f) => f.t === 'envelope')).toEqual([]);
  });

  it('hands live mail on in order while a backlog longer than one mailbox read is delivered', async () => {
    // 300 large envelopes wait: more than one read of 256, and enough bytes that the server waits for
    // bob's socket to drain between reads. 300 more are sent meanwhile. Live envelopes may be handed on
    // without a read only once the backlog is out: none may overtake it, none may be lost or come twice.
    await cb.close();
    const backlog = Array.from({ length: 300 }, (_, i) => ca.request(toBob(`b${i}`.padEnd(60_000))));
    for (const sent of await Promise.all(backlog)) expect(sent).toMatchObject({ t: 'sent' });
    const connecting = connect(t, bob);
    const live = Array.from({ length: 300 }, (_, i) => ca.request(toBob(`l${i}`)));
    cb = await connecting;
    for (const sent of await Promise.all(live)) expect(sent).toMatchObject({ t: 'sent' });
    const got: string[] = [];
    const ids: Uint8Array[] = [];
    for (let i = 0; i < 600; i++) {
      const e = await cb.next((f) => f.t === 'envelope');
      got.push(text(e).trimEnd());
      if (e.t === 'envelope') ids.push(e.envelopeId);
    }
    expect(got).toEqual([
      ...Array.from({ length: 300 }, (_, i) => `b${i}`),
      ...Array.from({ length: 300 }, (_, i) => `l${i}`),
    ]);
    for (let k = 0; k < ids.length; k += 256) cb.sendFrame({ t: 'ack', envelopeIds: ids.slice(k, k + 256) });
    expect(await cb.request({ t: 'ping' })).toMatchObject({ t: 'pong' });
    expect(cb.pending().filter((f) => f.t === 'envelope')).toEqual([]);
    // alice's device 2 got its copies too; they wait for it.
    const a2 = await connect(t, alice, 2);
    const copies: Uint8Array[] = [];
    for (let i = 0; i < 600; i++) {
      const e = await a2.next((f) => f.t === 'envelope');
      if (e.t === 'envelope') copies.push(e.envelopeId);
    }
    for (let k = 0; k < copies.length; k += 256)
      a2.sendFrame({ t: 'ack', envelopeIds: copies.slice(k, k + 256) });
    expect(await a2.request({ t: 'ping' })).toMatchObject({ t: 'pong' });
    await a2.close();
  });

  it('has no clear-text ephemeral flag: such a send is a bad frame, and every send is stored alike', async () => {
    // Written as raw CBOR: the codec itself refuses to encode the field.
    ca.sendRaw(encodeCbor({ ...toBob('typing'), id: 4242, ephemeral: true } as unknown as CborValue));
    expect(await ca.next((f) => f.t === 'error' && f.id === 4242)).toMatchObject({ code: 'BAD_FRAME' });
    await cb.close();
    expect(await ca.request(toBob('typing2'))).toMatchObject({ t: 'sent' });
    cb = await connect(t, bob);
    const e = await cb.next((f) => f.t === 'envelope');
    expect(text(e)).toBe('typing2');
    if (e.t === 'envelope') cb.sendFrame({ t: 'ack', envelopeIds: [e.envelopeId] });
  });

  it('refuses a send to a non-contact and to an unknown account', async () => {
    const carol = await registered(t, 'carol');
    const cc = await connect(t, carol);
    expect(
      await cc.request({
        t: 'send',
        to: 'bob',
        messages: [{ account: 'bob', deviceId: 1, body: body('x') }],
      }),
    ).toMatchObject({ code: 'NOT_A_CONTACT' });
    expect(
      await cc.request({
        t: 'send',
        to: 'nobody',
        messages: [{ account: 'nobody', deviceId: 1, body: body('x') }],
      }),
    ).toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    await cc.close();
  });

  it('expires envelopes past the mailbox age', async () => {
    await cb.close();
    expect(await ca.request(toBob('old'))).toMatchObject({ t: 'sent' });
    clock.advance(31 * 24 * 60 * 60 * 1000);
    expect(await ca.request(toBob('new'))).toMatchObject({ t: 'sent' });
    expect(await t.server.expireNow()).toBeGreaterThanOrEqual(1);
    cb = await connect(t, bob);
    expect(text(await cb.next((f) => f.t === 'envelope'))).toBe('new');
    expect((await cb.request({ t: 'ping' })).t).toBe('pong');
    expect(cb.pending().some((f) => f.t === 'envelope')).toBe(false);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/sotto_envelopes_expired_total [1-9]/);
  });

  it('logs no ciphertext bodies', async () => {
    const secret = 'ciphertext-bytes-that-must-not-be-logged';
    expect(await ca.request(toBob(secret))).toMatchObject({ t: 'sent' });
    await cb.next((f) => f.t === 'envelope' && text(f) === secret);
    const logs = t.logs.join('');
    expect(logs.includes(secret)).toBe(false);
    expect(logs.includes(Buffer.from(secret).toString('base64'))).toBe(false);
    expect(logs.includes(Buffer.from(secret).toString('hex'))).toBe(false);
  });

  it('refuses a send beyond the mailbox cap with MAILBOX_FULL', async () => {
    const small = await startTestServer({ limits: { mailboxMaxEnvelopes: 3 } });
    try {
      const x = await registered(small, 'xavier');
      const y = await registered(small, 'yvonne');
      const cx = await connect(small, x);
      const cy = await connect(small, y);
      await befriend(x, cx, y, cy);
      await cy.close();
      const send = (s: string) =>
        cx.request({
          t: 'send',
          to: 'yvonne',
          messages: [{ account: 'yvonne', deviceId: 1, body: body(s) }],
        });
      for (let i = 0; i < 3; i++) expect(await send(`m${i}`)).toMatchObject({ t: 'sent' });
      expect(await send('m3')).toMatchObject({ code: 'MAILBOX_FULL' });
      await cx.close();
    } finally {
      await small.stop();
    }
  });
});
