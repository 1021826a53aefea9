/**
 * The SDK features the web and terminal clients build on: messages written offline are kept and go out in
 * order on reconnect; a message can be deleted; the inbox reports every received message once, whichever
 * call received it; device names travel end to end between one's own devices; logout revokes the device;
 * history pages back exactly, even through messages with equal timestamps.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore, type SottoClient } from '../src/index.js';
import { client, collect, next, STRONG, startTestServer, type TestServer, until } from './helpers/world.js';

let t: TestServer;
const clients: SottoClient[] = [];
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await t.stop();
});

function make(options: Parameters<typeof client>[2] = {}, store = new MemoryStore()): SottoClient {
  const c = client(t.url, store, options);
  clients.push(c);
  return c;
}

async function contacts(a: SottoClient, b: SottoClient, bName: string, aName: string): Promise<void> {
  const accepted = next(a, 'contact-event', (e) => e.state === 'accepted');
  const requested = next(b, 'contact-request');
  await a.requestContact(bName);
  await requested;
  await b.acceptContact(aName);
  await accepted;
}

/** alice and bob, registered and contacts. */
async function aliceAndBob(): Promise<{ alice: SottoClient; bob: SottoClient }> {
  const alice = make();
  const bob = make();
  await alice.register({ name: 'alice', password: STRONG });
  await bob.register({ name: 'bob', password: STRONG });
  await contacts(alice, bob, 'bob', 'alice');
  return { alice, bob };
}

describe('the offline outbox', () => {
  it('keeps messages written offline (pending) and sends them in order after reconnecting', async () => {
    const { alice, bob } = await aliceAndBob();
    await alice.close();
    const written = [];
    for (const text of ['one', 'two', 'three']) written.push(await alice.send('bob', text));
    expect(written.every((r) => r.queued)).toBe(true);
    expect((await alice.history('bob')).map((m) => [m.text, m.status])).toEqual([
      ['one', 'pending'],
      ['two', 'pending'],
      ['three', 'pending'],
    ]);
    const received = collect(bob, 'message');
    const sent = collect(alice, 'message-updated');
    await alice.connect();
    await until(() => received.length === 3);
    expect(received.map((m) => m.text)).toEqual(['one', 'two', 'three']);
    await until(async () => (await alice.history('bob')).every((m) => m.status !== 'pending'));
    expect(sent.filter((m) => m.status === 'sent').map((m) => m.text)).toEqual(['one', 'two', 'three']);
    // Sent once each: a second reconnect sends nothing again.
    await alice.close();
    await alice.connect();
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toHaveLength(3);
  });

  it('deletes a message from local history only', async () => {
    const { alice, bob } = await aliceAndBob();
    await alice.close();
    const r = await alice.send('bob', 'never mind');
    await alice.deleteMessage(r.messageId);
    expect(await alice.history('bob')).toEqual([]);
    await expect(alice.deleteMessage(r.messageId)).rejects.toMatchObject({ code: 'MESSAGE_NOT_FOUND' });
    const got = collect(bob, 'message');
    await alice.connect();
    await new Promise((r2) => setTimeout(r2, 300));
    expect(got).toEqual([]); // a deleted pending message does not go out
    await expect(alice.resend(r.messageId)).rejects.toMatchObject({ code: 'MESSAGE_NOT_FOUND' });
  });
});

describe('the inbox', () => {
  it('reports every received message once, in arrival order, whatever received it', async () => {
    const alice = make();
    const bobStore = new MemoryStore();
    const bob = make({ inbox: true }, bobStore);
    await alice.register({ name: 'alice', password: STRONG });
    await bob.register({ name: 'bob', password: STRONG });
    await contacts(alice, bob, 'bob', 'alice');
    await bob.close();
    for (const text of ['a', 'b', 'c']) await alice.send('bob', text);
    // Another session on bob's profile receives them while doing something else.
    const other = make({ inbox: true }, bobStore);
    await other.connect();
    await other.listContacts();
    await until(async () => (await other.inbox()).length === 3);
    await other.close();
    const reader = make({ inbox: true }, bobStore);
    const first = await reader.inbox({ limit: 2 });
    expect(first.map((m) => m.text)).toEqual(['a', 'b']);
    await reader.clearInbox(first.map((m) => m.id));
    expect((await reader.inbox()).map((m) => m.text)).toEqual(['c']);
    await reader.clearInbox(['c'.repeat(32)]); // unknown ids are ignored
    expect((await reader.inbox()).map((m) => m.text)).toEqual(['c']);
    // Without the option nothing is kept.
    const plain = make();
    await plain.register({ name: 'carol', password: STRONG });
    expect(await plain.inbox()).toEqual([]);
  });
});

describe('own devices', () => {
  it('learn each other’s names end to end; logout revokes the device, except the only one', async () => {
    const laptop = make();
    await laptop.register({ name: 'dana', password: STRONG, deviceName: 'Laptop' });
    const phone = make();
    await phone.login({ name: 'dana', password: STRONG, deviceName: 'Phone' });
    await until(async () => (await laptop.listDevices()).some((d) => d.name === 'Phone'));
    await until(async () => (await phone.listDevices()).some((d) => d.name === 'Laptop'));
    const named = next(laptop, 'device-named');
    await phone.setDeviceName('Phone \u001b[31m (work)\n');
    expect(await named).toEqual({ deviceId: 2, name: 'Phone [31m (work)' });
    await until(async () => (await laptop.listDevices()).some((d) => d.name === 'Phone [31m (work)'));
    // The server never sees a name.
    expect(t.dataBytes().includes(Buffer.from('Laptop'))).toBe(false);
    expect(t.dataBytes().includes(Buffer.from('Phone'))).toBe(false);

    const removed = next(laptop, 'devices-changed', (e) => e.removed.length > 0);
    expect(await phone.logout()).toEqual({ revoked: true });
    expect(phone.online).toBe(false);
    expect((await removed).removed).toEqual([2]);
    expect((await laptop.listDevices()).map((d) => d.deviceId)).toEqual([1]);
    // The last device cannot sign itself out of the account: it stays listed.
    expect(await laptop.logout()).toEqual({ revoked: false });
  });
});

describe('history paging', () => {
  it('pages back by message id without losing messages that share a timestamp', async () => {
    const frozen = { now: () => 1_800_000_000_000 };
    const alice = make({ clock: frozen });
    const bob = make();
    await alice.register({ name: 'alice', password: STRONG });
    await bob.register({ name: 'bob', password: STRONG });
    await contacts(alice, bob, 'bob', 'alice');
    for (let i = 0; i < 7; i++) await alice.send('bob', `m${i}`);
    const pages: string[][] = [];
    let page = await alice.history('bob', { limit: 3 });
    while (page.length > 0) {
      pages.unshift(page.map((m) => m.text));
      page = await alice.history('bob', { limit: 3, beforeId: page[0]?.id ?? '' });
    }
    expect(pages).toEqual([['m0'], ['m1', 'm2', 'm3'], ['m4', 'm5', 'm6']]);
    expect(await alice.history('bob', { beforeId: 'f'.repeat(32) })).toEqual([]);
  });
});
