/**
 * Shared builders for the keys, safety and backup tests: the providers to run against and a small account
 * (identity, one device, certificate, prekeys).
 */

import {
  type CryptoProvider,
  type DeviceCertificate,
  type DeviceKeys,
  generateDeviceKeys,
  generateIdentityKeyPair,
  generateKemPrekey,
  generateOneTimePrekeys,
  generateSignedPrekey,
  type IdentityKeyPair,
  issueDeviceCertificate,
  type KemPrekey,
  type OneTimePrekey,
  type PrekeyBundle,
  type PrekeyPair,
  type SignedPrekey,
  SottoError,
} from '@sotto/crypto';
import { expect } from 'vitest';
import { providerCases } from '../helpers/providers.js';

const cases = await providerCases();

/** Every provider backend the keys, safety and backup suites run against (from `providerCases()`). */
export function providers(): Array<{ label: string; provider: CryptoProvider }> {
  return cases;
}

/** A device of a test account with its published keys. */
export interface TestDevice {
  identity: IdentityKeyPair;
  device: DeviceKeys;
  cert: DeviceCertificate;
  signedPrekey: PrekeyPair<SignedPrekey>;
  kemPrekey: PrekeyPair<KemPrekey>;
  oneTime: PrekeyPair<OneTimePrekey>;
  bundle: PrekeyBundle;
}

export const T0 = 1_790_000_000_000;

/** Builds an account device with certificate, prekeys and a full bundle. */
export async function makeDevice(
  p: CryptoProvider,
  opts: { identity?: IdentityKeyPair; accountName?: string; deviceId?: number } = {},
): Promise<TestDevice> {
  const identity = opts.identity ?? (await generateIdentityKeyPair(p));
  const device = await generateDeviceKeys(p, opts.deviceId ?? 1);
  const cert = await issueDeviceCertificate(p, identity, {
    accountName: opts.accountName ?? 'alice',
    deviceId: device.deviceId,
    signingKey: device.signing.publicKey,
    dhKey: device.dh.publicKey,
    createdAt: T0,
  });
  const signedPrekey = await generateSignedPrekey(p, device, 7, T0 + 1);
  const kemPrekey = await generateKemPrekey(p, device, 9, { lastResort: false });
  const [oneTime] = await generateOneTimePrekeys(p, 100, 1);
  if (oneTime === undefined) throw new Error('no one-time prekey');
  const bundle = {
    deviceCertificate: cert,
    signedPrekey: signedPrekey.public,
    kemPrekey: kemPrekey.public,
    oneTimePrekey: oneTime.public,
  };
  return { identity, device, cert, signedPrekey, kemPrekey, oneTime, bundle };
}

/** Asserts that `fn` throws (or rejects with) a SottoError with one of `codes`. */
export async function expectCode(fn: () => unknown, ...codes: string[]): Promise<void> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a SottoError').toBeInstanceOf(SottoError);
  expect(codes).toContain((caught as SottoError).code);
}

/** A copy of `bytes` with bit `bit` flipped. */
export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  const i = bit >> 3;
  out[i] = (out[i] as number) ^ (1 << (bit & 7));
  return out;
}
