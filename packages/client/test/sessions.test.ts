/**
 * Session edge cases over a real server: both sides starting a session at the same moment converge, a
 * burst of messages arrives complete and in order, two clients in one process stay independent, and a
 * client fails over between several server URLs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageOps } from '../src/history.js';
import { MemoryStore, type SottoClient } from '../src/index.js';
import { put } from '../src/store/store.js';
import { client, collect, next, STRONG, startTestServer, type TestServer, until } from './helpers/world.js';

let t: TestServer;
const clients: SottoClient[] = [];

async function friends(a: string, b: string, urls?: string[]): Promise<[SottoClient, SottoClient]> {
  const ca = client(urls ?? t.url);
  const cb = client(urls ?? t.url);
  clients.push(ca, cb);
  await ca.register({ name: a, password: STRONG });
  await cb.register({ name: b, password: STRONG });
  const accepted = next(ca, 'contact-event', (e) => e.state === 'accepted');
  const requested = next(cb, 'contact-request');
  await ca.requestContact(b);
  await requested;
  await cb.acceptContact(a);
  await accepted;
  return [ca, cb];
}

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await t.stop();
});

describe('sessions', () => {
  it('converge when both sides send their first message at the same time', async () => {
    const [carol, dave] = await friends('carol', 'dave');
    const atCarol = collect(carol, 'message');
    const atDave = collect(dave, 'message');
    const errs = [collect(carol, 'error'), collect(dave, 'error')];
    await Promise.all([carol.send('dave', 'c1'), dave.send('carol', 'd1')]);
    await Promise.all([carol.send('dave', 'c2'), dave.send('carol', 'd2')]);
    await carol.send('dave', 'c3');
    await dave.send('carol', 'd3');
    await until(() => atCarol.length === 3 && atDave.length === 3);
    expect(atDave.map((m) => m.text)).toEqual(['c1', 'c2', 'c3']);
    expect(atCarol.map((m) => m.text)).toEqual(['d1', 'd2', 'd3']);
    // Receipts crossed too; nothing was dropped on either side.
    await until(async () =>
      (await carol.history('dave')).every((m) => m.direction === 'in' || m.status !== 'sent'),
    );
    expect(errs.flat()).toEqual([]);
  });

  it('deliver a burst of messages complete and in order', async () => {
    const [erin, frank] = await friends('erin', 'frank');
    const got = collect(frank, 'message');
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) {
      sent.push(`burst ${i}`);
      await erin.send('frank', `burst ${i}`);
    }
    await until(() => got.length === 30);
    expect(got.map((m) => m.text)).toEqual(sent);
    expect((await frank.history('erin')).map((m) => m.text)).toEqual(sent);
  });

  it('a client that closes right after a message arrived still sends the delivery receipt', async () => {
    const [nina, otto] = await friends('nina', 'otto');
    const got = next(otto, 'message');
    const delivered = next(nina, 'receipt', (r) => r.kind === 'delivered');
    const { messageId } = await nina.send('otto', 'quick one');
    await got;
    await otto.close();
    expect((await delivered).messageIds).toEqual([messageId]);
  });

  it('a message whose send was cut off is sent again after reconnecting, and arrives once', async () => {
    const store = new MemoryStore();
    const pia = client(t.url, store);
    clients.push(pia);
    await pia.register({ name: 'pia', password: STRONG });
    const ron = client(t.url);
    clients.push(ron);
    await ron.register({ name: 'ron', password: STRONG });
    const accepted = next(pia, 'contact-event', (e) => e.state === 'accepted');
    const asked = next(ron, 'contact-request');
    await pia.requestContact('ron');
    await asked;
    await ron.acceptContact('pia');
    await accepted;
    const first = next(ron, 'message');
    const { messageId } = await pia.send('ron', 'went through');
    await first;
    // As if the connection had dropped before `sent` came back: the message is pending again.
    await pia.close();
    const [m] = await pia.history('ron');
    if (m === undefined) throw new Error('no message');
    const again = { ...m, status: 'pending' as const };
    await store.write([
      ...messageOps(again),
      put('outbox', `send\u0001ron\u0001${messageId}`, new Uint8Array(0)),
    ]);
    const got = collect(ron, 'message');
    const errors = collect(ron, 'error');
    await pia.connect();
    await until(async () => (await pia.history('ron'))[0]?.status !== 'pending');
    // Envelopes arrive in order: once `later` is in, the resent copy was processed before it.
    const later = next(ron, 'message', (x) => x.text === 'later');
    await pia.send('ron', 'later');
    await later;
    expect(got.map((x) => x.text)).toEqual(['later']); // the copy was dropped by message id
    expect(errors).toEqual([]);
    expect((await ron.history('pia')).map((x) => x.text)).toEqual(['went through', 'later']);
  });

  it('fail over to the next server URL when one is unreachable', async () => {
    const dead = 'http://127.0.0.1:9';
    const [gina, hank] = await friends('gina', 'hank', [dead, t.url]);
    const got = next(hank, 'message');
    await gina.send('hank', 'through the second URL');
    expect((await got).text).toBe('through the second URL');
  });
});
