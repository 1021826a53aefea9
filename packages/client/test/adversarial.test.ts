/**
 * A malicious server, simulated by editing its database behind its back: it swaps bob's identity key, adds
 * a device bob never certified, replays an envelope and re-routes one. The client must report the change,
 * refuse to send to a verified bob until acknowledged, never encrypt to the uncertified device, and never
 * show a replayed or re-routed envelope as a message.
 */
import { join } from 'node:path';
import {
  encodeDeviceCertificate,
  encodeDeviceList,
  generateDeviceKeys,
  generateIdentityKeyPair,
  issueDeviceCertificate,
  signDeviceList,
} from '@sotto/crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { SottoClient } from '../src/index.js';
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
const clients: SottoClient[] = [];

/**
 * Edits the server's database while it is stopped (so no cache of the server hides the edit), then starts
 * it again on the same port; the clients reconnect by themselves.
 */
async function tamper(edit: (db: Database.Database) => void, online: SottoClient[]): Promise<void> {
  const port = t.server.port;
  await t.stop(true);
  const db = new Database(join(t.dataDir, 'sotto.db'));
  try {
    edit(db);
  } finally {
    db.close();
  }
  t = await startTestServer({ dataDir: t.dataDir, port });
  await until(() => online.every((c) => c.online), 15_000);
}

/** Reads the server's database (a read-only connection next to the running server). */
function query<T>(sql: string): T {
  const db = new Database(join(t.dataDir, 'sotto.db'), { readonly: true });
  try {
    return db.prepare(sql).get() as T;
  } finally {
    db.close();
  }
}

async function pair(): Promise<{ alice: SottoClient; bob: SottoClient }> {
  t = await startTestServer();
  const alice = client(t.url);
  const bob = client(t.url);
  clients.push(alice, bob);
  await alice.register({ name: 'alice', password: STRONG });
  await bob.register({ name: 'bob', password: STRONG });
  const accepted = next(alice, 'contact-event', (e) => e.state === 'accepted');
  await alice.requestContact('bob');
  await next(bob, 'contact-request');
  await bob.acceptContact('alice');
  await accepted;
  const got = next(bob, 'message');
  await alice.send('bob', 'first');
  await got;
  return { alice, bob };
}

beforeEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await t?.stop();
});
afterAll(async () => {
  for (const c of clients.splice(0)) await c.close();
  await t?.stop();
});

const mallorys = async (deviceId: number) => {
  const identity = await generateIdentityKeyPair(provider);
  const device = await generateDeviceKeys(provider, deviceId);
  const cert = await issueDeviceCertificate(provider, identity, {
    accountName: 'bob',
    deviceId,
    signingKey: device.signing.publicKey,
    dhKey: device.dh.publicKey,
    createdAt: Date.now(),
  });
  return { identity, device, cert: encodeDeviceCertificate(cert) };
};

/**
 * The server replaces bob's identity key, signed device list and device 1 with mallory's, then comes back
 * up. bob's own device key was swapped too, so only `alice` reconnects.
 */
async function swapBobsIdentity(alice: SottoClient): Promise<void> {
  const m = await mallorys(1);
  const list = await signDeviceList(provider, m.identity, {
    accountName: 'bob',
    version: 7,
    issuedAt: Date.now(),
    devices: [{ deviceId: 1, signingKey: m.device.signing.publicKey }],
  });
  await tamper(
    (db) => {
      db.prepare(
        'UPDATE accounts SET identity_key = ?, device_list = ?, device_list_version = 7 WHERE name = ?',
      ).run(Buffer.from(m.identity.publicKey), Buffer.from(encodeDeviceList(list)), 'bob');
      db.prepare(
        'UPDATE devices SET signing_key = ?, certificate = ? WHERE account = ? AND device_id = 1',
      ).run(Buffer.from(m.device.signing.publicKey), Buffer.from(m.cert), 'bob');
    },
    [alice],
  );
}

describe('a malicious server', () => {
  it('swapping bob’s identity key is reported, and a verified bob cannot be sent to until acknowledged', async () => {
    const { alice } = await pair();
    await alice.markVerified('bob');
    const before = (await alice.safetyNumber('bob')).digits;
    const changed = next(alice, 'identity-changed', () => true, 20_000);
    await swapBobsIdentity(alice);
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
    await swapBobsIdentity(alice);
    expect(await changed).toEqual({ account: 'bob', verified: false });
    expect((await alice.listContacts())[0]).toMatchObject({ verified: false, identityChanged: false });
    expect((await alice.safetyNumber('bob')).digits).not.toBe(before);
  });

  it('a device bob never certified is never encrypted to', async () => {
    const { alice, bob } = await pair();
    const m = await mallorys(9);
    await tamper(
      (db) =>
        db
          .prepare('INSERT INTO devices (account, device_id, signing_key, certificate) VALUES (?, 9, ?, ?)')
          .run('bob', Buffer.from(m.device.signing.publicKey), Buffer.from(m.cert)),
      [alice, bob],
    );
    // The server insists on device 9; the client will not encrypt to it, so the send fails.
    await expect(alice.send('bob', 'not for device 9')).rejects.toMatchObject({ code: 'DEVICE_MISMATCH' });
    expect(query<{ n: number }>('SELECT count(*) AS n FROM envelopes WHERE recipient_device = 9').n).toBe(0);
  });

  it('a replayed or re-routed envelope never shows up as a message', async () => {
    const { alice, bob } = await pair();
    await bob.close();
    await alice.send('bob', 'only once');
    await tamper(
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
        query<{ n: number }>("SELECT count(*) AS n FROM envelopes WHERE recipient_account = 'bob'").n === 0,
    );
    expect(messages.map((x) => x.text)).toEqual(['only once']);
    expect((await bob.history('alice')).map((x) => x.text)).toEqual(['first', 'only once']);
  });
});
