/**
 * A deterministic conversation (all randomness derived from a counter) pinned to one digest: every backend
 * must produce exactly these bytes, and any change to a label, a KDF, the AD or the wire format changes
 * the digest. Update the pin only together with PROTOCOL_VERSION or the state version.
 */

import {
  acceptPrekeyMessage,
  type CryptoProvider,
  concatBytes,
  decryptMessage,
  encodeSessionState,
  encryptMessage,
  initiateSession,
  type KeyPair,
  toHex,
} from '@sotto/crypto';
import { describe, expect, it } from 'vitest';
import { providerCases } from '../helpers/providers.js';
import { makeDevice, text } from './support.js';

const cases = await providerCases();

/** A provider whose key generation and encapsulation are deterministic (for this test only). */
function deterministic(p: CryptoProvider): CryptoProvider {
  let counter = 0;
  const next = async (length: number): Promise<Uint8Array> => {
    counter++;
    const seed = await p.sha256(Uint8Array.of(counter >>> 8, counter & 0xff));
    return length <= 32 ? seed.slice(0, length) : concatBytes(seed, await p.sha256(seed)).slice(0, length);
  };
  const overrides = {
    randomBytes: () => {
      throw new Error('randomBytes is not used by sessions');
    },
    x25519Generate: async (): Promise<KeyPair> => {
      const secretKey = await next(32);
      return { publicKey: await p.x25519PublicKey(secretKey), secretKey };
    },
    ed25519Generate: async (): Promise<KeyPair> => {
      const secretKey = await next(32);
      return { publicKey: await p.ed25519PublicKey(secretKey), secretKey };
    },
    mlkem768Generate: async () => p.mlkem768Generate(await next(64)),
    mlkem768Encapsulate: async (publicKey: Uint8Array) => p.mlkem768Encapsulate(publicKey, await next(32)),
  };
  const descriptors: PropertyDescriptorMap = {};
  for (const [name, value] of Object.entries(overrides)) descriptors[name] = { value };
  return Object.create(p, descriptors) as CryptoProvider;
}

async function conversation(base: CryptoProvider): Promise<string> {
  const p = deterministic(base);
  const alice = await makeDevice(p, 'alice', { prekeys: 1 });
  const bob = await makeDevice(p, 'bob', { prekeys: 1 });
  const init = await initiateSession(p, {
    self: alice.self,
    bundle: bob.bundle(),
    remoteIdentityKey: bob.identity.publicKey,
  });
  const m1 = await encryptMessage(p, init.state, text('hello bob'));
  const accepted = await acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, m1.ciphertext);
  const r1 = await encryptMessage(p, accepted.state, text('hello alice'));
  const a = await decryptMessage(p, m1.state, r1.ciphertext);
  const m2 = await encryptMessage(p, a.state, text('x'.repeat(300)));
  const b = await decryptMessage(p, r1.state, m2.ciphertext);
  const all = concatBytes(
    m1.ciphertext,
    r1.ciphertext,
    m2.ciphertext,
    encodeSessionState(m2.state),
    encodeSessionState(b.state),
  );
  return toHex(await base.sha256(all));
}

describe('deterministic session vector', () => {
  it('is the same on every backend and matches the pinned digest', async () => {
    const digests = await Promise.all(cases.map(({ provider }) => conversation(provider)));
    expect(new Set(digests).size).toBe(1);
    expect(digests[0]).toBe('40b361e6d948e3695701a473290a5beefc92e4b09e8f2d1cbb49646a8868c096');
  });
});
