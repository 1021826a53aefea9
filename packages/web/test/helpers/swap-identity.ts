/**
 * Plays a malicious server: replaces an account's identity key, signed device list and device 1 with a
 * forger's by editing the server's SQLite database (the server must be stopped). As in the CLI's
 * identity test.
 */
import { join } from 'node:path';
import {
  createNodeProvider,
  encodeDeviceCertificate,
  encodeDeviceList,
  generateDeviceKeys,
  generateIdentityKeyPair,
  issueDeviceCertificate,
  signDeviceList,
} from '@sotto/crypto';
import { DATABASE_FILE } from '@sotto/server';
import Database from 'better-sqlite3';

/** Swaps `account`'s identity in the database under `dataDir`. */
export async function swapIdentity(dataDir: string, account: string): Promise<void> {
  const provider = createNodeProvider();
  const identity = await generateIdentityKeyPair(provider);
  const device = await generateDeviceKeys(provider, 1);
  const cert = await issueDeviceCertificate(provider, identity, {
    accountName: account,
    deviceId: 1,
    signingKey: device.signing.publicKey,
    dhKey: device.dh.publicKey,
    createdAt: Date.now(),
  });
  const list = await signDeviceList(provider, identity, {
    accountName: account,
    version: 1000,
    issuedAt: Date.now(),
    devices: [{ deviceId: 1, signingKey: device.signing.publicKey }],
  });
  const db = new Database(join(dataDir, DATABASE_FILE));
  try {
    db.prepare(
      'UPDATE accounts SET identity_key = ?, device_list = ?, device_list_version = 1000 WHERE name = ?',
    ).run(Buffer.from(identity.publicKey), Buffer.from(encodeDeviceList(list)), account);
    db.prepare('UPDATE devices SET signing_key = ?, certificate = ? WHERE account = ? AND device_id = 1').run(
      Buffer.from(device.signing.publicKey),
      Buffer.from(encodeDeviceCertificate(cert)),
      account,
    );
  } finally {
    db.close();
  }
}
