/**
 * A malicious server, simulated by editing its database behind its back: it swaps bob's identity key, adds
 * a device bob never certified, replays an envelope and re-routes one. The client must report the change,
 * refuse to send to a verified bob until acknowledged, never encrypt to the uncertified device, and never
 * show a replayed or re-routed envelope as a message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Hostile, mallory } from './helpers/hostile.js';
import { collect, next, until } from './helpers/world.js';

let h: Hostile | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function pair() {
  h = await Hostile.start();
  return h.pair();
}

const world = () => {
  if (h === undefined) throw new Error('no deployment');
  return h;
};

describe('a malicious server', () => {
  it('swapping bob’s identity key is reported, and a verified bob cannot be sent to until acknowledged', async () => {
    const { alice } = await pair();
    await alice.markVerified('bob');
    const before = (await alice.safetyNumber('bob')).digits;
    const changed = next(alice, 'identity-changed', () => true, 20_000);
    await world().swapIdentity('bob', [alice]);
    expect(await changed).toEqual({ account: 'bob', verified: true });
    await expect(alice.send('bob', 'to the impostor?')).rejects.toMatchObject({ code: 'UNTRUSTED_IDENTITY' });
    expect((await alice.listContacts())[0]).toMatchObject({
      account: 'bob',
      verified: true,
      identityChanged: true,
    });
    // The safety number still shows the key alice verified until she acknowledges the change.
    expect((await alice.safetyNumber('bob')).digits).toBe(before);
    await alice.acknowledgeIdentityChange('bob');
    expect((await alice.listContacts())[0]).toMatchObject({ verified: false, identityChanged: false });
    expect((await alice.safetyNumber('bob')).digits).not.toBe(before);
  });

  it('an unverified contact’s changed key is recorded and reported (trust on first use)', async () => {
    const { alice } = await pair();
    const before = (await alice.safetyNumber('bob')).digits;
    const changed = next(alice, 'identity-changed', () => true, 20_000);
    await world().swapIdentity('bob', [alice]);
    expect(await changed).toEqual({ account: 'bob', verified: false });
    expect((await alice.listContacts())[0]).toMatchObject({ verified: false, identityChanged: false });
    expect((await alice.safetyNumber('bob')).digits).not.toBe(before);
  });

  it('a device bob never certified is never encrypted to', async () => {
    const { alice, bob } = await pair();
    const m = await mallory('bob', 9);
    await world().tamper(
      (db) =>
        db
          .prepare('INSERT INTO devices (account, device_id, signing_key, certificate) VALUES (?, 9, ?, ?)')
          .run('bob', Buffer.from(m.device.signing.publicKey), Buffer.from(m.cert)),
      [alice, bob],
    );
    // The server insists on device 9; the client will not encrypt to it, so the send fails.
    await expect(alice.send('bob', 'not for device 9')).rejects.toMatchObject({ code: 'DEVICE_MISMATCH' });
    expect(
      world().query<{ n: number }>('SELECT count(*) AS n FROM envelopes WHERE recipient_device = 9').n,
    ).toBe(0);
  });

  it('a replayed or re-routed envelope never shows up as a message', async () => {
    const { alice, bob } = await pair();
    await bob.close();
    await alice.send('bob', 'only once');
    await world().tamper(
      (db) => {
        const row = db
          .prepare("SELECT * FROM envelopes WHERE recipient_account = 'bob' ORDER BY seq DESC LIMIT 1")
          .get() as Record<string, unknown>;
        const insert = db.prepare(
          'INSERT INTO envelopes (recipient_account, recipient_device, id, sender_account, sender_device, body, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        );
        // A replay under a fresh envelope id, and the same ciphertext claiming to come from another device.
        insert.run('bob', 1, Buffer.alloc(16, 1), 'alice', 1, row.body, Date.now());
        insert.run('bob', 1, Buffer.alloc(16, 2), 'alice', 2, row.body, Date.now());
      },
      [alice],
    );
    const messages = collect(bob, 'message');
    const errors = collect(bob, 'error');
    await bob.connect();
    await until(() => errors.length >= 2 && messages.length >= 1);
    await until(
      () =>
        world().query<{ n: number }>("SELECT count(*) AS n FROM envelopes WHERE recipient_account = 'bob'")
          .n === 0,
    );
    expect(messages.map((x) => x.text)).toEqual(['only once']);
    expect((await bob.history('alice')).map((x) => x.text)).toEqual(['first', 'only once']);
  });
});
