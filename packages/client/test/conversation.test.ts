/**
 * The whole story of issue 4 on the SDK side, against a real server, real WebSockets and a real SQLite
 * profile: alice (two devices) and bob register, become contacts, see presence, exchange messages online
 * and offline with receipts and typing, both of alice's devices show the whole conversation, safety
 * numbers agree, restarts of a client and of the server lose nothing, and the server's files never hold
 * a message text.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClientStore,
  MemoryStore,
  type Message,
  openSqliteStore,
  type SottoClient,
} from '../src/index.js';
import {
  client,
  collect,
  next,
  provider,
  STRONG,
  startTestServer,
  type TestServer,
  until,
} from './helpers/world.js';

let t: TestServer;
let port: number;
const profiles = mkdtempSync(join(tmpdir(), 'sotto-client-profiles-'));
const alicePath = join(profiles, 'alice1.db');
let aliceStore: ClientStore;
let alice1: SottoClient;
let alice2: SottoClient;
let bob: SottoClient;
const texts: string[] = [];
const errors: Array<{ who: string; code: string }> = [];
const watch = (who: string, c: SottoClient) => {
  c.on('error', (e) => errors.push({ who, code: e.code }));
  return c;
};

const say = async (from: SottoClient, to: string, text: string) => {
  texts.push(text);
  return from.send(to, text);
};
const textsOf = (ms: readonly Message[]) => ms.map((m) => m.text);

beforeAll(async () => {
  t = await startTestServer();
  port = t.server.port;
  aliceStore = await openSqliteStore({ path: alicePath, password: 'alice profile pw', provider });
  alice1 = watch('alice1', client(t.url, aliceStore));
  bob = watch('bob', client(t.url, new MemoryStore()));
});

afterAll(async () => {
  for (const c of [alice1, alice2, bob]) await c?.close();
  await aliceStore?.close();
  await t.stop();
  rmSync(profiles, { recursive: true, force: true });
});

describe('a conversation between alice (two devices) and bob', () => {
  it('registers with progress and strength, and refuses to register twice', async () => {
    const progress = collect(alice1, 'progress');
    const r = await alice1.register({ name: 'Alice', password: STRONG });
    expect(r).toMatchObject({ account: 'alice', deviceId: 1 });
    expect(r.strength.score).toBeGreaterThanOrEqual(3);
    expect(progress.map((p) => p.step)).toEqual([
      'password',
      'identity',
      'device',
      'opaque',
      'backup',
      'upload',
      'prekeys',
      'done',
    ]);
    await bob.register({ name: 'bob', password: `${STRONG} bob` });
    expect(await alice1.whoami()).toMatchObject({ account: 'alice', deviceId: 1 });
    await expect(alice1.register({ name: 'alice', password: STRONG })).rejects.toMatchObject({
      code: 'ALREADY_REGISTERED',
    });
  });

  it('become contacts and see each other’s presence', async () => {
    const request = next(bob, 'contact-request');
    await alice1.requestContact('bob');
    expect(await request).toEqual({ account: 'alice' });
    const bobOnline = next(alice1, 'presence', (p) => p.account === 'bob' && p.state === 'online');
    const accepted = next(alice1, 'contact-event', (e) => e.kind === 'accept' && e.state === 'accepted');
    await bob.acceptContact('alice');
    await accepted;
    await bobOnline;
    const away = next(alice1, 'presence', (p) => p.account === 'bob' && p.state === 'away');
    await bob.setPresence('away', 'lunch');
    expect(await away).toMatchObject({ text: 'lunch' });
    expect(await bob.listContacts()).toEqual([
      expect.objectContaining({
        account: 'alice',
        state: 'accepted',
        verified: false,
        identityChanged: false,
      }),
    ]);
  });

  it('alice logs in on a second device with her password alone; bob is told', async () => {
    const told = next(bob, 'devices-changed', (e) => e.account === 'alice' && e.added.includes(2));
    alice2 = watch('alice2', client(t.url, new MemoryStore()));
    await expect(alice2.login({ name: 'alice', password: 'wrong password here' })).rejects.toMatchObject({
      code: 'LOGIN_FAILED',
    });
    expect(await alice2.login({ name: 'alice', password: STRONG, deviceName: 'laptop' })).toEqual({
      account: 'alice',
      deviceId: 2,
    });
    await told;
    expect((await alice2.whoami()).identityKey).toEqual((await alice1.whoami()).identityKey);
    expect((await alice1.listDevices()).map((d) => [d.deviceId, d.current, d.certified])).toEqual([
      [1, true, true],
      [2, false, true],
    ]);
  });

  it('exchange messages online; both of alice’s devices see both directions; receipts and typing arrive', async () => {
    const atBob = next(bob, 'message');
    const atAlice2 = next(alice2, 'message');
    const delivered = next(alice1, 'receipt', (r) => r.kind === 'delivered');
    const m1 = await say(alice1, 'bob', 'hello bob, it is alice');
    expect(await atBob).toMatchObject({
      id: m1.messageId,
      direction: 'in',
      from: { account: 'alice', deviceId: 1 },
    });
    expect(await atAlice2).toMatchObject({ id: m1.messageId, direction: 'out', conversation: 'bob' });
    expect((await delivered).messageIds).toEqual([m1.messageId]);

    const r1a = next(alice1, 'message');
    const r1b = next(alice2, 'message');
    const r1 = await say(bob, 'alice', 'hi alice, bob here');
    expect((await r1a).id).toBe(r1.messageId);
    expect((await r1b).id).toBe(r1.messageId);

    const read = next(alice1, 'receipt', (r) => r.kind === 'read');
    const readOn2 = next(alice2, 'receipt', (r) => r.kind === 'read');
    await bob.markRead('alice', [m1.messageId]);
    expect((await read).messageIds).toEqual([m1.messageId]);
    await readOn2;
    await until(
      async () => (await alice1.history('bob')).find((m) => m.id === m1.messageId)?.status === 'read',
    );
    await until(
      async () => (await alice2.history('bob')).find((m) => m.id === m1.messageId)?.status === 'read',
    );

    const typing = next(alice1, 'typing', (e) => e.account === 'bob');
    await bob.sendTyping('alice', true);
    expect(await typing).toMatchObject({ account: 'bob', typing: true });
  });

  it('messages sent while the recipient is offline arrive when it reconnects', async () => {
    await bob.close();
    const offline = next(alice1, 'presence', (p) => p.account === 'bob' && p.state === 'offline');
    await offline;
    await say(alice1, 'bob', 'are you there? (sent while bob was offline)');
    await say(alice2, 'bob', 'second note from my laptop');
    const got: string[] = [];
    const off = bob.on('message', (m) => got.push(m.text));
    await bob.connect();
    await until(() => got.length === 2);
    off();
    expect(got).toEqual(['are you there? (sent while bob was offline)', 'second note from my laptop']);
  });

  it('every device shows the whole conversation, in the same order', async () => {
    await until(
      async () => (await alice1.history('bob')).length === 4 && (await alice2.history('bob')).length === 4,
    );
    const h1 = textsOf(await alice1.history('bob'));
    expect(h1).toEqual(texts);
    expect(textsOf(await alice2.history('bob'))).toEqual(h1);
    expect(textsOf(await bob.history('alice'))).toEqual(h1);
    expect(textsOf(await alice1.history('bob', { limit: 2 }))).toEqual(texts.slice(2));
  });

  it('safety numbers are equal on both sides and verify by QR', async () => {
    const a = await alice1.safetyNumber('bob');
    const b = await bob.safetyNumber('alice');
    expect(a.digits).toMatch(/^\d{60}$/);
    expect(b.digits).toBe(a.digits);
    expect((await alice2.safetyNumber('bob')).digits).toBe(a.digits);
    expect(await bob.verifySafetyQr('alice', a.qrPayload)).toBe(true);
    await bob.markVerified('alice');
    expect((await bob.listContacts())[0]).toMatchObject({ verified: true });
  });

  it('a client restarted from its SQLite profile keeps history and sessions; nothing is lost meanwhile', async () => {
    const before = textsOf(await alice1.history('bob'));
    await alice1.close();
    await aliceStore.close();
    await say(bob, 'alice', 'sent while alice’s first device was down');
    aliceStore = await openSqliteStore({ path: alicePath, password: 'alice profile pw', provider });
    alice1 = watch('alice1', client(t.url, aliceStore));
    expect(textsOf(await alice1.history('bob'))).toEqual(before);
    const arrived = next(alice1, 'message');
    await alice1.connect();
    expect((await arrived).text).toBe('sent while alice’s first device was down');
    const atBob = next(bob, 'message');
    await say(alice1, 'bob', 'back after a restart');
    expect((await atBob).text).toBe('back after a restart');
  });

  it('a server restart loses nothing: clients reconnect and undelivered mail arrives', async () => {
    await alice2.close();
    await say(bob, 'alice', 'waiting in the mailbox across a server restart');
    const down = next(bob, 'connection', (e) => e.state === 'offline');
    await t.stop(true);
    await down;
    t = await startTestServer({ dataDir: t.dataDir, port });
    await until(() => bob.online && alice1.online, 15_000);
    const got = next(alice2, 'message', (m) => m.text.startsWith('waiting in the mailbox'));
    await alice2.connect();
    await got;
    const atAlice = next(alice1, 'message');
    await say(bob, 'alice', 'after the server restart');
    expect((await atAlice).text).toBe('after the server restart');
  });

  it('no message text appears anywhere in the server’s data directory', async () => {
    const bytes = t.dataBytes();
    expect(bytes.length).toBeGreaterThan(0);
    for (const text of texts) expect(bytes.includes(Buffer.from(text, 'utf8'))).toBe(false);
  });

  it('nothing went wrong in the background (no dropped envelope, no failed receipt)', () => {
    expect(errors).toEqual([]);
  });
});
