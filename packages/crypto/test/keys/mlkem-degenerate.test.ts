/**
 * Degenerate ML-KEM-768 keys are refused like low-order X25519 keys (ADR 0003): FIPS 203 accepts an
 * encapsulation key with t̂ = 0 (Wycheproof even lists it as valid), but encapsulating to it exposes the
 * shared secret, so neither a KEM prekey nor a session start may use one — even when the device signed it.
 */
import {
  type CryptoProvider,
  checkMlKemPublicKey,
  generateKemPrekey,
  initiateSession,
  verifyKemPrekey,
} from '@sotto/crypto';
import { describe, expect, it } from 'vitest';
import { makeDevice as makeSessionDevice } from '../session/support.js';
import { expectCode, providers } from './support.js';

const EK = 1184;
const T_BYTES = 1152;

/** ByteEncode12 of 768 coefficients, followed by ρ. */
function encodeKey(coefficients: (i: number) => number, rho: Uint8Array): Uint8Array {
  const ek = new Uint8Array(EK);
  for (let i = 0, j = 0; i < 768; i += 2, j += 3) {
    const a = coefficients(i);
    const b = coefficients(i + 1);
    ek[j] = a & 0xff;
    ek[j + 1] = (a >> 8) | ((b & 0x0f) << 4);
    ek[j + 2] = b >> 4;
  }
  ek.set(rho, T_BYTES);
  return ek;
}

const randomRho = () => crypto.getRandomValues(new Uint8Array(32));
const uniform = () => {
  const t = new Uint16Array(768);
  for (let i = 0; i < 768; i++) t[i] = Math.floor(Math.random() * 3329);
  return (i: number) => t[i] as number;
};

/** A provider whose ML-KEM key generation returns `publicKey`: a device signing a key it did not generate. */
function withKemKey(p: CryptoProvider, publicKey: Uint8Array): CryptoProvider {
  // Providers are frozen plain objects: a copy with one function replaced.
  return { ...p, mlkem768Generate: async () => ({ publicKey, secretKey: new Uint8Array(2400) }) };
}

const degenerate: Array<[string, Uint8Array]> = [
  ['all-zero key', new Uint8Array(EK)],
  ['t̂ = 0 with a random ρ (the Wycheproof "zero secret and error" shape)', encodeKey(() => 0, randomRho())],
  ['every coefficient the same', encodeKey(() => 1234, randomRho())],
  ['only 16 distinct coefficients', encodeKey((i) => (i % 16) * 200, randomRho())],
  [
    '40 zero coefficients in an otherwise random t̂',
    encodeKey((i) => (i < 40 ? 0 : uniform()(i) || 1), randomRho()),
  ],
  ['a random t̂ with an all-zero ρ', encodeKey(uniform(), new Uint8Array(32))],
];

describe('degenerate ML-KEM-768 keys', () => {
  it.each(degenerate)('refuses the %s', (_, key) => {
    expect(() => checkMlKemPublicKey(key, 'test key')).toThrow(
      expect.objectContaining({ code: 'INVALID_PUBLIC_KEY' }),
    );
  });

  it('accepts every honestly generated key, and a random key (so the thresholds cost nothing)', async () => {
    const p = providers()[0]?.provider;
    if (p === undefined) throw new Error('no provider');
    for (let i = 0; i < 64; i++) {
      const { publicKey } = await p.mlkem768Generate();
      expect(checkMlKemPublicKey(publicKey, 'generated')).toBe(publicKey);
    }
    expect(() => checkMlKemPublicKey(encodeKey(uniform(), randomRho()), 'random')).not.toThrow();
  });

  it('still refuses a coefficient ≥ q and a wrong length', () => {
    expect(() =>
      checkMlKemPublicKey(
        encodeKey((i) => (i === 5 ? 3329 : 7 + (i % 700)), randomRho()),
        'k',
      ),
    ).toThrow(expect.objectContaining({ code: 'INVALID_PUBLIC_KEY' }));
    expect(() => checkMlKemPublicKey(new Uint8Array(EK - 1), 'k')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe.each(providers())('a signed but degenerate KEM prekey ($label)', ({ provider: p }) => {
  it('does not verify as a KEM prekey, and a session will not start with it', async () => {
    const bob = await makeSessionDevice(p, 'bob');
    const alice = await makeSessionDevice(p, 'alice');
    const zero = encodeKey(() => 0, randomRho());
    const forged = await generateKemPrekey(withKemKey(p, zero), bob.keys, 77, { lastResort: true });
    const cert = bob.certificate;
    await expectCode(() => verifyKemPrekey(p, forged.public, cert), 'INVALID_PUBLIC_KEY');
    await expectCode(
      () =>
        initiateSession(p, {
          self: alice.self,
          bundle: { ...bob.bundle(), kemPrekey: forged.public },
          remoteIdentityKey: bob.identity.publicKey,
        }),
      'INVALID_PUBLIC_KEY',
    );
    // The same device's honest key still verifies.
    await verifyKemPrekey(p, bob.lastResort.public, cert);
  });
});
