import { inspect } from 'node:util';
import {
  decodeDeviceKeys,
  decodeIdentityKeyPair,
  encodeDeviceKeys,
  encodeIdentityKeyPair,
  generateDeviceKeys,
  generateIdentityKeyPair,
  REDACTED_TEXT,
} from '@sotto/crypto';
import { describe, expect, it } from 'vitest';
import { expectCode, providers } from './support.js';

describe.each(providers())('identity and device keys ($label)', ({ provider: p }) => {
  it('generates an Ed25519 identity key pair whose public key matches its seed', async () => {
    const id = await generateIdentityKeyPair(p);
    expect(id.publicKey.length).toBe(32);
    expect(id.secretKey.length).toBe(32);
    expect(await p.ed25519PublicKey(id.secretKey)).toEqual(id.publicKey);
  });

  it('renders identity and device keys as [redacted] everywhere', async () => {
    const identity = await generateIdentityKeyPair(p);
    const device = await generateDeviceKeys(p, 3);
    for (const secret of [identity, device, device.signing, device.dh]) {
      expect(String(secret)).toBe(REDACTED_TEXT);
      expect(`${secret}`).toBe('[redacted]');
      expect(JSON.stringify(secret)).toBe('"[redacted]"');
      expect(inspect(secret)).toBe('[redacted]');
      expect(inspect({ nested: secret }, { depth: 5 })).not.toMatch(/\d+, \d+/);
    }
    expect(JSON.stringify({ identity })).toBe('{"identity":"[redacted]"}');
  });

  it('generates device keys with a u32 id, and rejects other ids', async () => {
    const device = await generateDeviceKeys(p, 0xffffffff);
    expect(device.deviceId).toBe(0xffffffff);
    expect(await p.ed25519PublicKey(device.signing.secretKey)).toEqual(device.signing.publicKey);
    expect(await p.x25519PublicKey(device.dh.secretKey)).toEqual(device.dh.publicKey);
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) {
      await expectCode(() => generateDeviceKeys(p, bad), 'INVALID_ARGUMENT');
    }
  });

  it('round-trips identity and device keys through their storage encodings', async () => {
    const identity = await generateIdentityKeyPair(p);
    const back = await decodeIdentityKeyPair(p, encodeIdentityKeyPair(identity));
    expect(back.publicKey).toEqual(identity.publicKey);
    expect(back.secretKey).toEqual(identity.secretKey);
    expect(String(back)).toBe('[redacted]');
    const device = await generateDeviceKeys(p, 42);
    const dev2 = await decodeDeviceKeys(p, encodeDeviceKeys(device));
    expect(dev2.deviceId).toBe(42);
    expect(dev2.signing.secretKey).toEqual(device.signing.secretKey);
    expect(dev2.dh.secretKey).toEqual(device.dh.secretKey);
    expect(String(dev2.dh)).toBe('[redacted]');
  });

  it('rejects a stored pair whose public key does not belong to its secret key', async () => {
    const a = await generateIdentityKeyPair(p);
    const b = await generateIdentityKeyPair(p);
    const spliced = encodeIdentityKeyPair({ publicKey: b.publicKey, secretKey: a.secretKey });
    await expectCode(() => decodeIdentityKeyPair(p, spliced), 'MALFORMED_ENCODING');
    const d = await generateDeviceKeys(p, 1);
    const e = await generateDeviceKeys(p, 1);
    const mixed = encodeDeviceKeys({
      deviceId: 1,
      signing: d.signing,
      dh: { ...e.dh, secretKey: d.dh.secretKey },
    });
    await expectCode(() => decodeDeviceKeys(p, mixed), 'MALFORMED_ENCODING');
  });

  it('rejects truncated, trailing and cross-structure storage encodings', async () => {
    const identity = encodeIdentityKeyPair(await generateIdentityKeyPair(p));
    const device = encodeDeviceKeys(await generateDeviceKeys(p, 1));
    await expectCode(
      () => decodeIdentityKeyPair(p, identity.subarray(0, identity.length - 1)),
      'MALFORMED_ENCODING',
    );
    await expectCode(() => decodeIdentityKeyPair(p, new Uint8Array([...identity, 0])), 'MALFORMED_ENCODING');
    await expectCode(() => decodeIdentityKeyPair(p, device), 'MALFORMED_ENCODING');
    await expectCode(() => decodeDeviceKeys(p, identity), 'MALFORMED_ENCODING');
    const v2 = identity.slice();
    v2[0] = 2;
    await expectCode(() => decodeIdentityKeyPair(p, v2), 'UNSUPPORTED_VERSION');
  });
});
