import {
  type CryptoProvider,
  decodeDeviceCertificate,
  decodeDeviceList,
  decodePrekeyBundle,
  encodeDeviceCertificate,
  encodeDeviceList,
  encodePrekeyBundle,
  generateIdentityKeyPair,
  SottoError,
  signDeviceList,
  verifyDeviceCertificate,
  verifyDeviceList,
  verifyPrekeyBundle,
} from '@sotto/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectCode, flipBit, makeDevice, providers, T0 } from './support.js';

/** True when `check` fails with a typed SottoError; any other exception (a crash) fails the test. */
async function rejected(p: CryptoProvider, check: (p: CryptoProvider) => Promise<void>): Promise<boolean> {
  try {
    await check(p);
    return false;
  } catch (err) {
    if (!SottoError.is(err)) throw err;
    return true;
  }
}

describe.each(providers())('prekey bundle ($label)', ({ provider: p }) => {
  it('round-trips with and without a one-time prekey, and verifies', async () => {
    const { identity, bundle } = await makeDevice(p);
    const back = decodePrekeyBundle(encodePrekeyBundle(bundle));
    expect(back).toEqual(bundle);
    await verifyPrekeyBundle(p, back, identity.publicKey);
    const { oneTimePrekey: _, ...without } = bundle;
    const back2 = decodePrekeyBundle(encodePrekeyBundle(without));
    expect(back2.oneTimePrekey).toBeUndefined();
    expect('oneTimePrekey' in back2).toBe(false);
    await verifyPrekeyBundle(p, back2, identity.publicKey);
  });

  it('rejects a bundle for another identity, or prekeys from another device', async () => {
    const alice = await makeDevice(p);
    const alice2 = await makeDevice(p, { identity: alice.identity, deviceId: 2 });
    const mallory = await makeDevice(p, { accountName: 'alice' });
    await expectCode(
      () => verifyPrekeyBundle(p, mallory.bundle, alice.identity.publicKey),
      'UNTRUSTED_IDENTITY',
    );
    const swappedSpk = { ...alice.bundle, signedPrekey: alice2.signedPrekey.public };
    await expectCode(() => verifyPrekeyBundle(p, swappedSpk, alice.identity.publicKey), 'INVALID_SIGNATURE');
    const swappedKem = { ...alice.bundle, kemPrekey: mallory.kemPrekey.public };
    await expectCode(() => verifyPrekeyBundle(p, swappedKem, alice.identity.publicKey), 'INVALID_SIGNATURE');
    // mallory's own certified device with alice's prekeys
    const mixed = { ...alice.bundle, deviceCertificate: mallory.cert };
    await expectCode(() => verifyPrekeyBundle(p, mixed, mallory.identity.publicKey), 'INVALID_SIGNATURE');
  });

  it('decoder rejects truncation, trailing bytes, a bad flag and another version', async () => {
    const { bundle } = await makeDevice(p);
    const enc = encodePrekeyBundle(bundle);
    for (let cut = 0; cut < enc.length; cut += 37) {
      await expectCode(() => decodePrekeyBundle(enc.subarray(0, cut)), 'MALFORMED_ENCODING');
    }
    await expectCode(() => decodePrekeyBundle(new Uint8Array([...enc, 0])), 'MALFORMED_ENCODING');
    const { oneTimePrekey: _, ...without } = bundle;
    const noOtk = encodePrekeyBundle(without);
    const badFlag = noOtk.slice();
    badFlag[badFlag.length - 1] = 2;
    await expectCode(() => decodePrekeyBundle(badFlag), 'MALFORMED_ENCODING');
    const v2 = enc.slice();
    v2[0] = 2;
    await expectCode(() => decodePrekeyBundle(v2), 'UNSUPPORTED_VERSION');
    await expectCode(
      () => decodePrekeyBundle(encodeDeviceCertificate(bundle.deviceCertificate)),
      'MALFORMED_ENCODING',
    );
  });

  it('property: any single-bit flip of an encoded certificate is rejected (exhaustive)', async () => {
    const { identity, cert } = await makeDevice(p);
    const enc = encodeDeviceCertificate(cert);
    for (let bit = 0; bit < enc.length * 8; bit++) {
      const flipped = flipBit(enc, bit);
      const ok = await rejected(p, (q) =>
        verifyDeviceCertificate(q, decodeDeviceCertificate(flipped), identity.publicKey),
      );
      expect(ok, `bit ${bit}`).toBe(true);
    }
  });

  it('property: any single-bit flip of an encoded device list is rejected', async () => {
    const identity = await generateIdentityKeyPair(p);
    const a = await makeDevice(p, { identity });
    const b = await makeDevice(p, { identity, deviceId: 2 });
    const list = await signDeviceList(p, identity, {
      accountName: 'alice',
      version: 7,
      devices: [a.cert, b.cert].map((c) => ({ deviceId: c.deviceId, signingKey: c.signingKey })),
      issuedAt: T0,
    });
    const enc = encodeDeviceList(list);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: enc.length * 8 - 1 }), async (bit) => {
        const flipped = flipBit(enc, bit);
        return rejected(p, (q) => verifyDeviceList(q, decodeDeviceList(flipped), identity.publicKey));
      }),
      { numRuns: 400 },
    );
  });

  it('property: any single-bit flip of an encoded bundle is rejected, except in the unsigned one-time prekey', async () => {
    const { identity, bundle } = await makeDevice(p);
    const enc = encodePrekeyBundle(bundle);
    // One-time X25519 prekeys are unsigned (X3DH §3.2): a substituted one fails at handshake time (the
    // device has no matching secret), not here. Only its id and key bytes are exempt; its header is not.
    const otkFieldsStart = enc.length - (4 + 34);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: otkFieldsStart * 8 - 1 }), async (bit) => {
        const flipped = flipBit(enc, bit);
        return rejected(p, (q) => verifyPrekeyBundle(q, decodePrekeyBundle(flipped), identity.publicKey));
      }),
      { numRuns: 500 },
    );
  });
});
