/** Contacts, blocking and devices through the SDK, against a real server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, type SottoClient } from '../src/index.js';
import { client, next, STRONG, startTestServer, type TestServer, until } from './helpers/world.js';

let t: TestServer;
const clients: SottoClient[] = [];
const make = async (name: string) => {
  const c = client(t.url, new MemoryStore());
  clients.push(c);
  await c.register({ name, password: STRONG });
  return c;
};

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await t.stop();
});

describe('contacts', () => {
  it('decline, block with a clear rejection, unblock and remove', async () => {
    const ivy = await make('ivy');
    const jon = await make('jon');
    const declined = next(ivy, 'contact-event', (e) => e.kind === 'decline');
    const req = next(jon, 'contact-request');
    await ivy.requestContact('jon');
    await req;
    await jon.declineContact('ivy');
    expect(await declined).toMatchObject({ account: 'jon', state: 'none' });
    await expect(ivy.send('jon', 'hi?')).rejects.toMatchObject({ code: 'NOT_A_CONTACT' });
    // A refused message is kept, marked failed with the reason, never as if it went.
    expect(await ivy.history('jon')).toEqual([
      expect.objectContaining({ text: 'hi?', status: 'failed', error: 'NOT_A_CONTACT' }),
    ]);

    await jon.blockContact('ivy');
    await expect(ivy.requestContact('jon')).rejects.toMatchObject({ code: 'BLOCKED' });
    expect(await jon.listContacts()).toEqual([expect.objectContaining({ account: 'ivy', state: 'blocked' })]);
    await jon.unblockContact('ivy');

    const accepted = next(ivy, 'contact-event', (e) => e.kind === 'accept');
    const again = next(jon, 'contact-request');
    await ivy.requestContact('jon');
    await again;
    await jon.acceptContact('ivy');
    await accepted;
    const removed = next(jon, 'contact-event', (e) => e.kind === 'remove');
    await ivy.removeContact('jon');
    expect(await removed).toMatchObject({ account: 'ivy', state: 'none' });
    expect(await jon.listContacts()).toEqual([]);
  });

  it('an unknown account is reported, and names are normalized', async () => {
    const kim = await make('Kim');
    expect((await kim.whoami()).account).toBe('kim');
    await expect(kim.requestContact('nobody-here')).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    await expect(kim.requestContact('not a name!')).rejects.toMatchObject({ code: 'INVALID_ACCOUNT_NAME' });
  });
});

describe('devices', () => {
  it('revoking a device removes it from the signed list; contacts are told and stop encrypting to it', async () => {
    const lea = await make('lea');
    const max = await make('max');
    const accepted = next(lea, 'contact-event', (e) => e.kind === 'accept');
    const req = next(max, 'contact-request');
    await lea.requestContact('max');
    await req;
    await max.acceptContact('lea');
    await accepted;
    const lea2 = client(t.url, new MemoryStore());
    clients.push(lea2);
    const added = next(max, 'devices-changed', (e) => e.added.includes(2));
    await lea2.login({ name: 'lea', password: STRONG });
    await added;

    const removed = next(max, 'devices-changed', (e) => e.removed.includes(2));
    const kicked = next(lea2, 'error', (e) => e.code === 'DEVICE_NOT_FOUND');
    await expect(lea.revokeDevice(1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await lea.revokeDevice(2);
    await removed;
    await kicked;
    expect((await lea.listDevices()).map((d) => d.deviceId)).toEqual([1]);
    await until(() => !lea2.online);
    const got = next(lea, 'message');
    await max.send('lea', 'only to device 1');
    expect((await got).text).toBe('only to device 1');
  });
});
