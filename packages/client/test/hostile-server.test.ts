/**
 * What the client must hold when the server lies (the hardening issue's security items): the server is a
 * real one whose database is edited behind its back, behind a proxy that forges, drops or injects frames.
 * - a forged DEVICE_MISMATCH never deletes a message from history;
 * - a message queued for a verified contact is never encrypted to a changed identity key, not even after
 *   the user acknowledged the change: it fails and needs an explicit resend;
 * - messages from an account blocked here are dropped, whatever the server delivers or claims;
 * - a message from a device that is not on the sender's signed device list (revoked) is refused;
 * - typing indicators look exactly like messages on the wire; a late one is not shown.
 */

import type { ClientFrame } from '@sotto/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore, type Message, type SottoClient } from '../src/index.js';
import { Hostile } from './helpers/hostile.js';
import { startMaliciousProxy } from './helpers/malicious-proxy.js';
import { client, collect, next, STRONG, startTestServer, until } from './helpers/world.js';

let h: Hostile;
afterEach(async () => {
  await h.stop();
});

const texts = async (c: SottoClient, with_: string) => (await c.history(with_)).map((m) => m.text);
const envelopesFrom = (sender: string, recipient: string) =>
  h.query<{ n: number }>(
    'SELECT count(*) AS n FROM envelopes WHERE sender_account = ? AND recipient_account = ?',
    sender,
    recipient,
  ).n;

describe('a hostile server', () => {
  it('cannot make a message vanish with a forged DEVICE_MISMATCH: it stays, failed, until resent', async () => {
    h = await Hostile.start();
    const { alice, bob } = await h.pair();
    let forging = true;
    // Every send from alice is answered with a DEVICE_MISMATCH naming no device, and never forwarded.
    h.proxy.hooks = {
      fromClient: (f, conn) => {
        if (!forging || f.t !== 'send' || f.to !== 'bob') return f;
        conn.toClient({
          t: 'error',
          id: f.id,
          code: 'DEVICE_MISMATCH',
          message: 'The messages do not address exactly the current devices.',
          devices: { missing: [], extra: [], stale: [] },
        });
        return undefined;
      },
    };
    const updates = collect(alice, 'message-updated');
    await expect(alice.send('bob', 'keep me')).rejects.toMatchObject({ code: 'DEVICE_MISMATCH' });
    const [kept] = (await alice.history('bob')).filter((m) => m.text === 'keep me');
    expect(kept).toMatchObject({ status: 'failed', error: 'DEVICE_MISMATCH' });
    expect(updates.map((m) => [m.text, m.status])).toEqual([['keep me', 'failed']]);

    // A reconnect does not send it behind the user's back …
    forging = false;
    await alice.close();
    await alice.connect();
    expect((await alice.history('bob')).find((m) => m.text === 'keep me')?.status).toBe('failed');
    // … an explicit resend does, with the same id, and it arrives once.
    const got = next(bob, 'message', (m) => m.text === 'keep me');
    const r = await alice.resend(kept?.id ?? '');
    expect(r).toMatchObject({ messageId: kept?.id, queued: false });
    expect((await got).id).toBe(kept?.id);
    await until(
      async () => (await alice.history('bob')).find((m) => m.text === 'keep me')?.status === 'delivered',
    );
    expect(await texts(bob, 'alice')).toEqual(['first', 'keep me']);
  });

  it('never encrypts a queued message to a changed identity key, even after the change is acknowledged', async () => {
    h = await Hostile.start();
    const { alice, bob } = await h.pair();
    await alice.markVerified('bob');
    await bob.close();
    await alice.close();
    const queued = await alice.send('bob', 'written for the bob I verified');
    expect(queued).toMatchObject({ queued: true });
    expect((await alice.history('bob')).at(-1)).toMatchObject({ status: 'pending' });

    const before = envelopesFrom('alice', 'bob');
    const changed = next(alice, 'identity-changed', () => true, 20_000);
    await h.swapIdentity('bob', []);
    await alice.connect();
    expect(await changed).toEqual({ account: 'bob', verified: true });
    const failed = (m: Message | undefined) => m?.status === 'failed' && m.error === 'UNTRUSTED_IDENTITY';
    await until(async () => failed((await alice.history('bob')).at(-1)));

    await alice.acknowledgeIdentityChange('bob');
    await alice.close();
    await alice.connect(); // the moment a queued message would go out again
    await new Promise((r) => setTimeout(r, 300));
    expect(failed((await alice.history('bob')).at(-1))).toBe(true);
    expect(envelopesFrom('alice', 'bob')).toBe(before);

    // Only the user's explicit resend encrypts it to the new key.
    await alice.resend(queued.messageId);
    expect(envelopesFrom('alice', 'bob')).toBe(before + 1);
    expect((await alice.history('bob')).at(-1)).toMatchObject({ status: 'sent' });
  });

  it('holds a message queued for an unverified contact whose key then changed until it is resent', async () => {
    h = await Hostile.start();
    const { alice, bob } = await h.pair();
    await bob.close();
    await alice.close();
    const queued = await alice.send('bob', 'written for the bob I knew');
    const before = envelopesFrom('alice', 'bob');
    await h.swapIdentity('bob', []);
    const changed = next(alice, 'identity-changed', () => true, 20_000);
    await alice.connect();
    // Trust on first use records the new key (an unverified contact) …
    expect(await changed).toEqual({ account: 'bob', verified: false });
    // … but the message written for the old one does not go to it by itself.
    await until(async () => (await alice.history('bob')).at(-1)?.status === 'failed');
    expect((await alice.history('bob')).at(-1)).toMatchObject({ error: 'UNTRUSTED_IDENTITY' });
    expect(envelopesFrom('alice', 'bob')).toBe(before);
    await alice.resend(queued.messageId);
    expect(envelopesFrom('alice', 'bob')).toBe(before + 1);
  });

  it('cannot deliver messages from an account blocked here, even after lifting the block on its side', async () => {
    h = await Hostile.start();
    const { alice, bob } = await h.pair();
    await bob.blockContact('alice');
    // The server forgets the block and restores the contact, on its side only.
    await h.tamper(
      (db) => {
        db.prepare('DELETE FROM blocks').run();
        const put = db.prepare(
          "INSERT INTO contacts (owner, peer, state) VALUES (?, ?, 'accepted') ON CONFLICT (owner, peer) DO UPDATE SET state = 'accepted'",
        );
        put.run('alice', 'bob');
        put.run('bob', 'alice');
      },
      [alice, bob],
    );
    const messages = collect(bob, 'message');
    const typing = collect(bob, 'typing');
    await alice.send('bob', 'you blocked me, but the server let me through');
    await until(() => envelopesFrom('alice', 'bob') === 0); // delivered and acknowledged by bob …
    expect(messages).toEqual([]); // … and never shown
    expect(typing).toEqual([]);
    expect(await texts(bob, 'alice')).toEqual(['first']);
    // The server says they are contacts again; bob's own record says blocked.
    expect(await bob.listContacts()).toEqual([
      expect.objectContaining({ account: 'alice', state: 'blocked' }),
    ]);
  });

  it('a block made on one device holds on the account’s other device (synced end to end)', async () => {
    h = await Hostile.start();
    const { alice, bob } = await h.pair();
    const bob2 = h.client();
    await bob2.login({ name: 'bob', password: STRONG });
    await alice.send('bob', 'hello both');
    await until(async () => (await texts(bob2, 'alice')).includes('hello both'));
    const synced = next(bob2, 'contact-event', (e) => e.kind === 'block');
    await bob.blockContact('alice');
    await synced;
    await h.tamper((db) => db.prepare('DELETE FROM blocks').run(), [alice, bob, bob2]);
    await h.tamper(
      (db) => {
        const put = db.prepare("INSERT INTO contacts (owner, peer, state) VALUES (?, ?, 'accepted')");
        put.run('alice', 'bob');
        put.run('bob', 'alice');
      },
      [alice, bob, bob2],
    );
    const shown = collect(bob, 'message');
    const shown2 = collect(bob2, 'message');
    await alice.send('bob', 'not for either device');
    await until(() => envelopesFrom('alice', 'bob') === 0);
    expect(shown).toEqual([]);
    expect(shown2).toEqual([]);
    expect(await texts(bob2, 'alice')).toEqual(['hello both']);
  });

  it('refuses a message from a device that is no longer on the sender’s signed device list', async () => {
    h = await Hostile.start();
    const { alice, bob } = await h.pair();
    const store2 = new MemoryStore();
    const alice2 = h.client({ store: store2 });
    await alice2.login({ name: 'alice', password: STRONG });
    await until(async () => (await bob.listContacts()).length === 1);
    const row = h.query<{ signing_key: Buffer; certificate: Buffer }>(
      "SELECT signing_key, certificate FROM devices WHERE account = 'alice' AND device_id = 2",
    );
    const told = next(bob, 'devices-changed', (e) => e.account === 'alice' && e.removed.includes(2));
    await alice.revokeDevice(2);
    await told;
    await alice2.close();
    // The server lets the revoked device back in (its row restored) and relays what it sends. Its
    // certificate is still validly signed by alice's identity key; only the signed list says it is gone.
    await h.tamper(
      (db) =>
        db
          .prepare(
            "INSERT INTO devices (account, device_id, signing_key, certificate) VALUES ('alice', 2, ?, ?)",
          )
          .run(row.signing_key, row.certificate),
      [alice, bob],
    );
    const revived = h.client({ store: store2 });
    await revived.connect();
    const errors = collect(bob, 'error');
    const messages = collect(bob, 'message');
    await revived.send('bob', 'from a revoked device');
    await until(() => errors.some((e) => e.code === 'UNKNOWN_SENDER_DEVICE'));
    await until(() => envelopesFrom('alice', 'bob') === 0);
    expect(messages).toEqual([]);
    expect(await texts(bob, 'alice')).toEqual(['first']);
  });

  it('sees typing indicators as ordinary messages: same frame shape and size, stored; a late one is not shown', async () => {
    h = await Hostile.start();
    let skew = 0;
    const { alice, bob } = await h.pair({ clock: { now: () => Date.now() + skew } });
    await until(async () => (await alice.listContacts())[0]?.presence?.state === 'online');
    // Once bob has answered, alice's session sends plain messages (no more handshake in front of them).
    const answered = next(alice, 'message');
    // alice's delivery receipt for it is a send to bob too: let it pass before counting.
    const receipted = next(bob, 'receipt', (r) => r.kind === 'delivered');
    await bob.send('alice', 'hello');
    await answered;
    await receipted;
    h.proxy.seenFromClients.length = 0;
    const typing = next(bob, 'typing');
    await alice.sendTyping('bob', true);
    expect(await typing).toMatchObject({ account: 'alice', typing: true });
    const text = next(bob, 'message');
    await alice.send('bob', 'hi');
    await text;
    const sends = h.proxy.seenFromClients.filter(
      (f): f is Extract<ClientFrame, { t: 'send' }> => f.t === 'send' && f.to === 'bob',
    );
    expect(sends).toHaveLength(2);
    const [t, m] = sends as [Extract<ClientFrame, { t: 'send' }>, Extract<ClientFrame, { t: 'send' }>];
    expect(Object.keys(t).sort()).toEqual(Object.keys(m).sort());
    expect(t).not.toHaveProperty('ephemeral');
    expect(t.messages.map((x) => [x.account, x.deviceId, x.body.length])).toEqual(
      m.messages.map((x) => [x.account, x.deviceId, x.body.length]),
    );

    // bob's clock says the next indicator arrived a minute after the server took it: not shown.
    skew = 60_000;
    const late = collect(bob, 'typing');
    const after = next(bob, 'message', (x) => x.text === 'after');
    await alice.sendTyping('bob', true);
    await alice.send('bob', 'after');
    await after;
    expect(late).toEqual([]);
  });

  it('cannot relay connection auth: through a server that is not the real one, connect fails at once', async () => {
    h = await Hostile.start(); // for cleanup only
    const real = await startTestServer();
    const relay = await startMaliciousProxy();
    relay.target(real.url);
    const victim = client(relay.url);
    try {
      const started = Date.now();
      // The signature binds the relay's origin, which the real server does not accept.
      await expect(victim.register({ name: 'victim', password: STRONG })).rejects.toMatchObject({
        code: 'AUTH_ORIGIN_MISMATCH',
      });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(victim.online).toBe(false);
    } finally {
      await victim.close();
      await relay.close();
      await real.stop();
    }
  });
});
