/**
 * Builders for the session tests: devices with a local prekey store (a stand-in for the client's), and
 * helpers asserting typed errors and that a state is unchanged.
 */

import {
  acceptPrekeyMessage,
  type CryptoProvider,
  type DeviceCertificate,
  type DeviceKeys,
  decryptMessage,
  encodeSessionState,
  encryptMessage,
  generateDeviceKeys,
  generateIdentityKeyPair,
  generateKemPrekey,
  generateOneTimePrekeys,
  generateSignedPrekey,
  type IdentityKeyPair,
  initiateSession,
  issueDeviceCertificate,
  type KemPrekey,
  type LocalDevice,
  type OneTimePrekey,
  type PrekeyBundle,
  type PrekeyPair,
  type PrekeySecrets,
  type SessionState,
  type SignedPrekey,
  SottoError,
  toHex,
  utf8,
} from '@sotto/crypto';
import { expect } from 'vitest';

export const T0 = 1_790_000_000_000;

/** A device with its certificate and a prekey store that hands out and consumes prekeys like a client. */
export interface TestDevice {
  readonly name: string;
  readonly identity: IdentityKeyPair;
  readonly keys: DeviceKeys;
  readonly certificate: DeviceCertificate;
  readonly self: LocalDevice;
  readonly signedPrekey: PrekeyPair<SignedPrekey>;
  readonly lastResort: PrekeyPair<KemPrekey>;
  readonly kemOneTime: Map<number, PrekeyPair<KemPrekey>>;
  readonly oneTime: Map<number, PrekeyPair<OneTimePrekey>>;
  readonly secrets: PrekeySecrets;
  /** A bundle as the server would serve it (one-time prekeys while they last). */
  bundle(options?: { oneTime?: boolean; kemOneTime?: boolean }): PrekeyBundle;
  /** Deletes the one-time prekeys an accepted handshake used. */
  consume(used: { usedOneTimePrekeyId: number | undefined; usedKemPrekeyId: number | undefined }): void;
}

/** Makes a device; pass `identity` to make another device of the same account. */
export async function makeDevice(
  p: CryptoProvider,
  name: string,
  opts: { identity?: IdentityKeyPair; deviceId?: number; accountName?: string; prekeys?: number } = {},
): Promise<TestDevice> {
  const identity = opts.identity ?? (await generateIdentityKeyPair(p));
  const keys = await generateDeviceKeys(p, opts.deviceId ?? 1);
  const certificate = await issueDeviceCertificate(p, identity, {
    accountName: opts.accountName ?? name,
    deviceId: keys.deviceId,
    signingKey: keys.signing.publicKey,
    dhKey: keys.dh.publicKey,
    createdAt: T0,
  });
  const count = opts.prekeys ?? 2;
  const signedPrekey = await generateSignedPrekey(p, keys, 1, T0);
  const lastResort = await generateKemPrekey(p, keys, 1, { lastResort: true });
  const kemOneTime = new Map<number, PrekeyPair<KemPrekey>>();
  for (let id = 100; id < 100 + count; id++)
    kemOneTime.set(id, await generateKemPrekey(p, keys, id, { lastResort: false }));
  const oneTime = new Map<number, PrekeyPair<OneTimePrekey>>();
  for (const k of await generateOneTimePrekeys(p, 500, count)) oneTime.set(k.public.id, k);

  const secrets: PrekeySecrets = {
    signedPrekey: (id) => (id === signedPrekey.public.id ? signedPrekey : undefined),
    kemPrekey: (id) => (id === lastResort.public.id ? lastResort : kemOneTime.get(id)),
    oneTimePrekey: (id) => oneTime.get(id),
  };
  return {
    name,
    identity,
    keys,
    certificate,
    self: { certificate, keys },
    signedPrekey,
    lastResort,
    kemOneTime,
    oneTime,
    secrets,
    bundle(options = {}) {
      const opk = options.oneTime === false ? undefined : oneTime.values().next().value;
      const kem = (options.kemOneTime === false ? undefined : kemOneTime.values().next().value) ?? lastResort;
      const base = {
        deviceCertificate: certificate,
        signedPrekey: signedPrekey.public,
        kemPrekey: kem.public,
      };
      return opk === undefined ? base : { ...base, oneTimePrekey: opk.public };
    },
    consume(used) {
      if (used.usedOneTimePrekeyId !== undefined) oneTime.delete(used.usedOneTimePrekeyId);
      if (used.usedKemPrekeyId !== undefined && used.usedKemPrekeyId !== lastResort.public.id) {
        kemOneTime.delete(used.usedKemPrekeyId);
      }
    },
  };
}

/** Asserts that `fn` rejects with a SottoError of exactly `code`. */
export async function expectCode(fn: () => Promise<unknown>, code: string): Promise<void> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected SottoError ${code}`).toBeInstanceOf(SottoError);
  expect((caught as SottoError).code).toBe(code);
}

/** A fingerprint of a state (its full encoding) to assert that a failed call left it unchanged. */
export function fingerprint(state: SessionState): string {
  return toHex(encodeSessionState(state));
}

/** A copy of `bytes` with bit `bit` flipped. */
export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  const i = bit >> 3;
  out[i] = (out[i] as number) ^ (1 << (bit & 7));
  return out;
}

/** UTF-8 text. */
export const text = (s: string): Uint8Array => utf8(s);

/** Two devices with a session in both directions: Alice initiated, Bob accepted and replied. */
export interface Pair {
  readonly alice: TestDevice;
  readonly bob: TestDevice;
  /** Alice's state after Bob's reply (she now sends plain messages). */
  readonly a: SessionState;
  /** Bob's state after his reply. */
  readonly b: SessionState;
  /** Alice's first (prekey) message. */
  readonly first: Uint8Array;
}

/** Builds a {@link Pair}. */
export async function establish(p: CryptoProvider): Promise<Pair> {
  const alice = await makeDevice(p, 'alice');
  const bob = await makeDevice(p, 'bob');
  const init = await initiateSession(p, {
    self: alice.self,
    bundle: bob.bundle(),
    remoteIdentityKey: bob.identity.publicKey,
  });
  const sent = await encryptMessage(p, init.state, text('first'));
  const accepted = await acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, sent.ciphertext);
  bob.consume(accepted);
  const reply = await encryptMessage(p, accepted.state, text('reply'));
  const received = await decryptMessage(p, sent.state, reply.ciphertext);
  return { alice, bob, a: received.state, b: reply.state, first: sent.ciphertext };
}
