/**
 * A server that swaps bob's identity key (simulated by editing its database while it is stopped, as a
 * malicious operator could): alice's `sotto send` to her verified bob is refused with exit 5
 * (UNTRUSTED_IDENTITY) until `sotto verify bob --acknowledge`, after which bob shows as unverified with a
 * new safety number.
 */
import { rmSync } from 'node:fs';
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
import { DATABASE_FILE, type RunningServer } from '@sotto/server';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './helpers/server.js';
import { jsonLines, type RunResult, runSotto, tempRoot } from './helpers/sotto.js';

const temp = tempRoot('identity');
const root = temp.path;
const dataDir = join(root, 'server');
const ALICE = join(root, 'alice');
const BOB = join(root, 'bob');
const provider = createNodeProvider();
let server: RunningServer;

const start = (port: number) => startTestServer(dataDir, port);

/** Runs `sotto` on an unattended profile (no password needed). */
const run = (profile: string, args: readonly string[]): Promise<RunResult> =>
  runSotto([...args, '--profile', profile]);

async function ok(profile: string, args: readonly string[]): Promise<Record<string, unknown>> {
  const r = await run(profile, [...args, '--json']);
  if (r.code !== 0) throw new Error(`sotto ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return jsonLines(r.stdout)[0] ?? {};
}

/** Replaces bob's identity key, device list and device 1 by a forger's, with the server stopped. */
async function swapBobsIdentity(): Promise<void> {
  const identity = await generateIdentityKeyPair(provider);
  const device = await generateDeviceKeys(provider, 1);
  const cert = await issueDeviceCertificate(provider, identity, {
    accountName: 'bob',
    deviceId: 1,
    signingKey: device.signing.publicKey,
    dhKey: device.dh.publicKey,
    createdAt: Date.now(),
  });
  const list = await signDeviceList(provider, identity, {
    accountName: 'bob',
    version: 7,
    issuedAt: Date.now(),
    devices: [{ deviceId: 1, signingKey: device.signing.publicKey }],
  });
  const port = server.port;
  await server.close(500);
  const db = new Database(join(dataDir, DATABASE_FILE));
  try {
    db.prepare(
      'UPDATE accounts SET identity_key = ?, device_list = ?, device_list_version = 7 WHERE name = ?',
    ).run(Buffer.from(identity.publicKey), Buffer.from(encodeDeviceList(list)), 'bob');
    db.prepare('UPDATE devices SET signing_key = ?, certificate = ? WHERE account = ? AND device_id = 1').run(
      Buffer.from(device.signing.publicKey),
      Buffer.from(encodeDeviceCertificate(cert)),
      'bob',
    );
  } finally {
    db.close();
  }
  server = await start(port);
}

beforeAll(async () => {
  temp.create();
  server = await start(0);
});

afterAll(async () => {
  await server?.close(500);
  rmSync(root, { recursive: true, force: true });
});

describe('a server that swaps a verified contact’s identity key', () => {
  it('is refused with exit 5 until acknowledged', { timeout: 120_000 }, async () => {
    const env = { env: { SOTTO_PASSWORD: 'amber walrus quarry 88 tundra' } };
    const reg = (name: string, profile: string) =>
      runSotto(
        ['register', '--name', name, '--server', server.url, '--profile', profile, '--unattended'],
        env,
      );
    const registered = await Promise.all([reg('alice', ALICE), reg('bob', BOB)]);
    expect(registered.map((r) => r.code)).toEqual([0, 0]);
    await ok(ALICE, ['contacts', 'add', 'bob']);
    await ok(BOB, ['contacts', 'accept', 'alice']);
    await ok(ALICE, ['send', 'bob', 'first']);
    await ok(ALICE, ['verify', 'bob']);
    const before = (await ok(ALICE, ['safety-number', 'bob'])).digits;

    await swapBobsIdentity();

    const refused = await run(ALICE, ['send', 'bob', 'to the impostor?']);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/^sotto: .*\[UNTRUSTED_IDENTITY\]\n$/);
    const listed = await ok(ALICE, ['contacts', 'list']);
    expect(listed.contacts).toEqual([
      expect.objectContaining({ name: 'bob', verified: true, identityChanged: true }),
    ]);

    expect(await ok(ALICE, ['verify', 'bob', '--acknowledge'])).toEqual({
      type: 'acknowledged',
      name: 'bob',
    });
    const after = await ok(ALICE, ['contacts', 'list']);
    expect(after.contacts).toEqual([
      expect.objectContaining({ name: 'bob', verified: false, identityChanged: false }),
    ]);
    expect((await ok(ALICE, ['safety-number', 'bob'])).digits).not.toBe(before);
  });
});
