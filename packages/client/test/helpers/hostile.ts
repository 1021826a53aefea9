/**
 * A hostile deployment for SDK tests: a real server whose database the test edits behind its back (while
 * it is stopped, so no cache hides the edit), behind a {@link MaliciousProxy} that can rewrite, drop or
 * inject frames. Clients talk to the proxy's URL; the server's public origin is the proxy's, so
 * connection auth works through it.
 */
import { join } from 'node:path';
import {
  encodeDeviceCertificate,
  encodeDeviceList,
  encodeKemPrekey,
  encodeSignedPrekey,
  generateDeviceKeys,
  generateIdentityKeyPair,
  generateKemPrekey,
  generateSignedPrekey,
  issueDeviceCertificate,
  signDeviceList,
} from '@sotto/crypto';
import Database from 'better-sqlite3';
import type { ClientOptions, SottoClient } from '../../src/index.js';
import { type MaliciousProxy, startMaliciousProxy } from './malicious-proxy.js';
import { client, next, provider, STRONG, startTestServer, type TestServer, until } from './world.js';

/** A server with a malicious proxy in front of it. */
export class Hostile {
  private readonly clients: SottoClient[] = [];

  private constructor(
    readonly proxy: MaliciousProxy,
    public server: TestServer,
  ) {}

  /** Starts the proxy, then the server behind it. */
  static async start(): Promise<Hostile> {
    const proxy = await startMaliciousProxy();
    const server = await startTestServer({ publicOrigin: proxy.url });
    proxy.target(server.url);
    return new Hostile(proxy, server);
  }

  /** The URL clients use. */
  get url(): string {
    return this.proxy.url;
  }

  /** A client of this deployment (closed by {@link stop}). */
  client(options: Partial<ClientOptions> = {}): SottoClient {
    const c = client(this.url, options.store, options);
    this.clients.push(c);
    return c;
  }

  /** Edits the database while the server is stopped, restarts it, and waits for `online` to reconnect. */
  async tamper(edit: (db: Database.Database) => void, online: SottoClient[]): Promise<void> {
    const port = this.server.server.port;
    await this.server.stop(true);
    // Through the proxy a client learns of the stop a moment later: wait, so "online" below is the new one.
    await until(() => online.every((c) => !c.online), 15_000);
    const db = new Database(join(this.server.dataDir, 'sotto.db'));
    try {
      edit(db);
    } finally {
      db.close();
    }
    this.server = await startTestServer({ dataDir: this.server.dataDir, port, publicOrigin: this.proxy.url });
    await until(() => online.every((c) => c.online), 15_000);
  }

  /** Reads the database (read-only, next to the running server). */
  query<T>(sql: string, ...params: unknown[]): T {
    const db = new Database(join(this.server.dataDir, 'sotto.db'), { readonly: true });
    try {
      return db.prepare(sql).get(...params) as T;
    } finally {
      db.close();
    }
  }

  /** Registers alice and bob, makes them contacts and has alice send bob a first message. */
  async pair(bobOptions: Partial<ClientOptions> = {}): Promise<{ alice: SottoClient; bob: SottoClient }> {
    const alice = this.client();
    const bob = this.client(bobOptions);
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

  /**
   * The server replaces `account`'s identity key, signed device list and device 1 with mallory's, then
   * comes back up; `online` are the clients that must reconnect (not the victim account's own).
   */
  async swapIdentity(account: string, online: SottoClient[]): Promise<void> {
    const m = await mallory(account, 1);
    // Mallory's own prekeys, signed by her device key, so a session with "the new key" can start.
    const spk = await generateSignedPrekey(provider, m.device, 1, Date.now());
    const kem = await generateKemPrekey(provider, m.device, 1, { lastResort: true });
    const list = await signDeviceList(provider, m.identity, {
      accountName: account,
      version: 7,
      issuedAt: Date.now(),
      devices: [{ deviceId: 1, signingKey: m.device.signing.publicKey }],
    });
    await this.tamper((db) => {
      db.prepare(
        'UPDATE accounts SET identity_key = ?, device_list = ?, device_list_version = 7 WHERE name = ?',
      ).run(Buffer.from(m.identity.publicKey), Buffer.from(encodeDeviceList(list)), account);
      db.prepare(
        'UPDATE devices SET signing_key = ?, certificate = ? WHERE account = ? AND device_id = 1',
      ).run(Buffer.from(m.device.signing.publicKey), Buffer.from(m.cert), account);
      db.prepare('DELETE FROM one_time_prekeys WHERE account = ? AND device_id = 1').run(account);
      const prekey = db.prepare(
        'UPDATE signed_prekeys SET key_id = 1, encoded = ? WHERE account = ? AND device_id = 1 AND kind = ?',
      );
      prekey.run(Buffer.from(encodeSignedPrekey(spk.public)), account, 'x25519');
      prekey.run(Buffer.from(encodeKemPrekey(kem.public)), account, 'mlkem-last-resort');
    }, online);
  }

  /** Closes every client, the server and the proxy. */
  async stop(): Promise<void> {
    for (const c of this.clients.splice(0)) await c.close();
    await this.server.stop();
    await this.proxy.close();
  }
}

/** A key set mallory made for `account`'s device `deviceId`: her own identity, device keys and certificate. */
export async function mallory(account: string, deviceId: number) {
  const identity = await generateIdentityKeyPair(provider);
  const device = await generateDeviceKeys(provider, deviceId);
  const cert = await issueDeviceCertificate(provider, identity, {
    accountName: account,
    deviceId,
    signingKey: device.signing.publicKey,
    dhKey: device.dh.publicKey,
    createdAt: Date.now(),
  });
  return { identity, device, cert: encodeDeviceCertificate(cert) };
}
