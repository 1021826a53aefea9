import {
  decodePublicKey,
  decodeSecretKey,
  encodePublicKey,
  encodeSecretKey,
  KeyType,
  PROTOCOL_VERSION,
  SecretKeyType,
} from '@sotto/crypto';
import { describe, expect, it } from 'vitest';
import { expectCode } from './support.js';

const SIZE = { 1: 32, 2: 32, 3: 32, 4: 1184 } as const;
const SECRET_SIZE = { 129: 32, 130: 32, 131: 32, 132: 2400 } as const;
const publicTypes = Object.values(KeyType);
const secretTypes = Object.values(SecretKeyType);

function raw(n: number, fill = 0x5a): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

describe('public key encoding', () => {
  it.each(publicTypes)('round-trips type 0x%s as [version][type][raw]', (type) => {
    const key = raw(SIZE[type]);
    const enc = encodePublicKey(type, key);
    expect(enc[0]).toBe(PROTOCOL_VERSION);
    expect(enc[1]).toBe(type);
    expect(enc.length).toBe(2 + key.length);
    expect(decodePublicKey(type, enc)).toEqual(key);
  });

  it('rejects every cross-type read (a DH key as KEM key, a device key as identity key, …)', async () => {
    for (const from of publicTypes) {
      const enc = encodePublicKey(from, raw(SIZE[from]));
      for (const to of publicTypes) {
        if (to === from) continue;
        await expectCode(() => decodePublicKey(to, enc), 'WRONG_KEY_TYPE');
      }
    }
    // a tag rewritten to a type of the same length is still caught by the tag
    const dh = encodePublicKey(KeyType.x25519, raw(32));
    await expectCode(() => decodePublicKey(KeyType.identity, dh), 'WRONG_KEY_TYPE');
    const device = encodePublicKey(KeyType.deviceSigning, raw(32));
    await expectCode(() => decodePublicKey(KeyType.identity, device), 'WRONG_KEY_TYPE');
  });

  it('rejects a secret key where a public key is expected', async () => {
    const secret = encodeSecretKey(SecretKeyType.x25519, raw(32));
    await expectCode(() => decodePublicKey(KeyType.x25519, secret), 'WRONG_KEY_TYPE');
  });

  it.each(publicTypes)('rejects another version, truncation and trailing bytes (type %s)', async (type) => {
    const enc = encodePublicKey(type, raw(SIZE[type]));
    const otherVersion = enc.slice();
    otherVersion[0] = PROTOCOL_VERSION + 1;
    await expectCode(() => decodePublicKey(type, otherVersion), 'UNSUPPORTED_VERSION');
    for (const cut of [0, 1, 2, enc.length - 1]) {
      await expectCode(() => decodePublicKey(type, enc.subarray(0, cut)), 'MALFORMED_ENCODING');
    }
    const trailing = new Uint8Array(enc.length + 1);
    trailing.set(enc);
    await expectCode(() => decodePublicKey(type, trailing), 'MALFORMED_ENCODING');
  });

  it('refuses to encode a raw key of the wrong length', async () => {
    await expectCode(() => encodePublicKey(KeyType.mlkem768, raw(32)), 'INVALID_ARGUMENT');
    await expectCode(() => encodePublicKey(KeyType.x25519, raw(31)), 'INVALID_ARGUMENT');
    await expectCode(() => encodePublicKey(0x07 as KeyType, raw(32)), 'INVALID_ARGUMENT');
  });
});

describe('secret key encoding', () => {
  it.each(secretTypes)('round-trips type 0x%s and rejects every other type', async (type) => {
    const key = raw(SECRET_SIZE[type], 0x11);
    const enc = encodeSecretKey(type, key);
    expect(enc[1]).toBe(type);
    expect(decodeSecretKey(type, enc)).toEqual(key);
    for (const other of secretTypes) {
      if (other !== type) await expectCode(() => decodeSecretKey(other, enc), 'WRONG_KEY_TYPE');
    }
    await expectCode(() => decodeSecretKey(type, enc.subarray(0, enc.length - 1)), 'MALFORMED_ENCODING');
  });

  it('rejects a public key where a secret key is expected', async () => {
    const pub = encodePublicKey(KeyType.identity, raw(32));
    await expectCode(() => decodeSecretKey(SecretKeyType.identity, pub), 'WRONG_KEY_TYPE');
  });
});
