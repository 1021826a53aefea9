import {
  decodeDeviceCertificate,
  encodeDeviceCertificate,
  encodePublicKey,
  generateIdentityKeyPair,
  issueDeviceCertificate,
  KeyType,
  verifyDeviceCertificate,
} from '@sotto/crypto';
import { describe, expect, it } from 'vitest';
import { expectCode, flipBit, makeDevice, providers, T0 } from './support.js';

describe.each(providers())('device certificate ($label)', ({ provider: p }) => {
  it('round-trips and verifies against the issuing identity key', async () => {
    const { identity, device, cert } = await makeDevice(p);
    const back = decodeDeviceCertificate(encodeDeviceCertificate(cert));
    expect(back).toEqual(cert);
    expect(back.signingKey).toEqual(device.signing.publicKey);
    expect(back.dhKey).toEqual(device.dh.publicKey);
    await verifyDeviceCertificate(p, back, identity.publicKey);
    await verifyDeviceCertificate(p, back);
  });

  it('rejects a certificate issued by another identity (UNTRUSTED_IDENTITY)', async () => {
    const { cert } = await makeDevice(p);
    const other = await generateIdentityKeyPair(p);
    await expectCode(() => verifyDeviceCertificate(p, cert, other.publicKey), 'UNTRUSTED_IDENTITY');
  });

  it('rejects a certificate re-labelled with another identity key or a flipped signature bit', async () => {
    const { cert } = await makeDevice(p);
    const other = await generateIdentityKeyPair(p);
    const relabelled = { ...cert, identityKey: other.publicKey };
    await expectCode(() => verifyDeviceCertificate(p, relabelled, other.publicKey), 'INVALID_SIGNATURE');
    for (const bit of [0, 100, 511]) {
      await expectCode(
        () => verifyDeviceCertificate(p, { ...cert, signature: flipBit(cert.signature, bit) }),
        'INVALID_SIGNATURE',
      );
    }
  });

  it('rejects any changed field', async () => {
    const { cert, device } = await makeDevice(p);
    const other = await makeDevice(p);
    const variants = [
      { ...cert, accountName: 'mallory' },
      { ...cert, deviceId: cert.deviceId + 1 },
      { ...cert, createdAt: cert.createdAt + 1 },
      { ...cert, dhKey: other.device.dh.publicKey },
      { ...cert, signingKey: other.device.signing.publicKey },
      // the device's DH key in the signing slot (same length, other role)
      { ...cert, signingKey: device.dh.publicKey },
    ];
    for (const v of variants) await expectCode(() => verifyDeviceCertificate(p, v), 'INVALID_SIGNATURE');
  });

  it('decoder rejects truncation, trailing bytes, another version, and key-type confusion', async () => {
    const { cert } = await makeDevice(p);
    const enc = encodeDeviceCertificate(cert);
    for (let cut = 0; cut < enc.length; cut += 7) {
      await expectCode(() => decodeDeviceCertificate(enc.subarray(0, cut)), 'MALFORMED_ENCODING');
    }
    await expectCode(() => decodeDeviceCertificate(new Uint8Array([...enc, 0])), 'MALFORMED_ENCODING');
    const v2 = enc.slice();
    v2[0] = 2;
    await expectCode(() => decodeDeviceCertificate(v2), 'UNSUPPORTED_VERSION');
    // the identity key's tag (offset 3) swapped to "device signing key"
    const confused = enc.slice();
    confused[3] = KeyType.deviceSigning;
    await expectCode(() => decodeDeviceCertificate(confused), 'WRONG_KEY_TYPE');
    // a bare identity key is not a certificate
    await expectCode(
      () => decodeDeviceCertificate(encodePublicKey(KeyType.identity, cert.identityKey)),
      'MALFORMED_ENCODING',
    );
  });

  it('refuses to issue with fields out of range', async () => {
    const { identity, device } = await makeDevice(p);
    const base = {
      accountName: 'alice',
      deviceId: 1,
      signingKey: device.signing.publicKey,
      dhKey: device.dh.publicKey,
      createdAt: T0,
    };
    const bad = [
      { ...base, accountName: '' },
      { ...base, accountName: 'x'.repeat(257) },
      { ...base, deviceId: -1 },
      { ...base, createdAt: -5 },
      { ...base, dhKey: new Uint8Array(31) },
    ];
    for (const f of bad) await expectCode(() => issueDeviceCertificate(p, identity, f), 'INVALID_ARGUMENT');
  });
});
