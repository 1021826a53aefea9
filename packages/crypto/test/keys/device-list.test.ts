import {
  type CryptoProvider,
  type DeviceListEntry,
  decodeDeviceList,
  encodeDeviceList,
  generateDeviceKeys,
  generateIdentityKeyPair,
  type IdentityKeyPair,
  isNewerDeviceList,
  KeyType,
  MAX_DEVICES,
  signDeviceList,
  verifyDeviceList,
} from '@sotto/crypto';
import { describe, expect, it } from 'vitest';
import { expectCode, flipBit, providers, T0 } from './support.js';

async function entries(p: CryptoProvider, n: number): Promise<DeviceListEntry[]> {
  const out: DeviceListEntry[] = [];
  for (let i = 0; i < n; i++) {
    const d = await generateDeviceKeys(p, i + 1);
    out.push({ deviceId: d.deviceId, signingKey: d.signing.publicKey });
  }
  return out;
}

async function list(p: CryptoProvider, identity: IdentityKeyPair, version: number, n = 2) {
  return signDeviceList(p, identity, {
    accountName: 'alice',
    version,
    devices: await entries(p, n),
    issuedAt: T0,
  });
}

// Offsets in the encoding of a list for "alice": header 2, identity key 34, name 2+5, version 4, issuedAt 8.
const COUNT_OFFSET = 2 + 34 + 7 + 4 + 8;
const ENTRY = 4 + 34;

describe.each(providers())('device list ($label)', ({ provider: p }) => {
  it('round-trips and verifies against the identity key', async () => {
    const identity = await generateIdentityKeyPair(p);
    const l = await list(p, identity, 3);
    const back = decodeDeviceList(encodeDeviceList(l));
    expect(back).toEqual(l);
    await verifyDeviceList(p, back, identity.publicKey);
    const empty = await list(p, identity, 4, 0);
    await verifyDeviceList(p, decodeDeviceList(encodeDeviceList(empty)), identity.publicKey);
  });

  it('accepts 64 devices and refuses 65, or a duplicate id or signing key', async () => {
    const identity = await generateIdentityKeyPair(p);
    const many = await entries(p, MAX_DEVICES + 1);
    const full = await signDeviceList(p, identity, {
      accountName: 'alice',
      version: 1,
      devices: many.slice(0, 64),
      issuedAt: T0,
    });
    await verifyDeviceList(p, decodeDeviceList(encodeDeviceList(full)));
    await expectCode(
      () => signDeviceList(p, identity, { accountName: 'alice', version: 1, devices: many, issuedAt: T0 }),
      'INVALID_ARGUMENT',
    );
    const [a, b] = many;
    if (a === undefined || b === undefined) throw new Error('unreachable');
    const dupId = [a, { ...b, deviceId: a.deviceId }];
    const dupKey = [a, { ...b, signingKey: a.signingKey }];
    for (const devices of [dupId, dupKey]) {
      await expectCode(
        () => signDeviceList(p, identity, { accountName: 'alice', version: 1, devices, issuedAt: T0 }),
        'INVALID_ARGUMENT',
      );
    }
  });

  it('decoder rejects a duplicate device id, a count above 64, truncation, trailing bytes and type confusion', async () => {
    const identity = await generateIdentityKeyPair(p);
    const enc = encodeDeviceList(await list(p, identity, 1, 2));
    const dup = enc.slice();
    dup.copyWithin(COUNT_OFFSET + 1 + ENTRY, COUNT_OFFSET + 1, COUNT_OFFSET + 1 + 4);
    await expectCode(() => decodeDeviceList(dup), 'MALFORMED_ENCODING');
    const tooMany = enc.slice();
    tooMany[COUNT_OFFSET] = MAX_DEVICES + 1;
    await expectCode(() => decodeDeviceList(tooMany), 'MALFORMED_ENCODING');
    for (let cut = 0; cut < enc.length; cut += 5) {
      await expectCode(() => decodeDeviceList(enc.subarray(0, cut)), 'MALFORMED_ENCODING');
    }
    await expectCode(() => decodeDeviceList(new Uint8Array([...enc, 0])), 'MALFORMED_ENCODING');
    const v2 = enc.slice();
    v2[0] = 2;
    await expectCode(() => decodeDeviceList(v2), 'UNSUPPORTED_VERSION');
    const confused = enc.slice();
    confused[COUNT_OFFSET + 1 + 4 + 1] = KeyType.identity; // first device key tagged as an identity key
    await expectCode(() => decodeDeviceList(confused), 'WRONG_KEY_TYPE');
  });

  it('rejects a list signed by another identity, a flipped signature bit, and an edited list', async () => {
    const identity = await generateIdentityKeyPair(p);
    const other = await generateIdentityKeyPair(p);
    const l = await list(p, identity, 5);
    await expectCode(() => verifyDeviceList(p, l, other.publicKey), 'UNTRUSTED_IDENTITY');
    const forged = await list(p, other, 5);
    await expectCode(() => verifyDeviceList(p, forged, identity.publicKey), 'UNTRUSTED_IDENTITY');
    await expectCode(
      () => verifyDeviceList(p, { ...l, signature: flipBit(l.signature, 7) }),
      'INVALID_SIGNATURE',
    );
    await expectCode(() => verifyDeviceList(p, { ...l, version: 6 }), 'INVALID_SIGNATURE');
    await expectCode(() => verifyDeviceList(p, { ...l, devices: l.devices.slice(1) }), 'INVALID_SIGNATURE');
    await expectCode(() => verifyDeviceList(p, { ...l, identityKey: other.publicKey }), 'INVALID_SIGNATURE');
  });

  it('isNewerDeviceList accepts only a strictly higher version of the same account', async () => {
    const identity = await generateIdentityKeyPair(p);
    const other = await generateIdentityKeyPair(p);
    const v1 = await list(p, identity, 1);
    const v2 = await list(p, identity, 2);
    expect(isNewerDeviceList(undefined, v1)).toBe(true);
    expect(isNewerDeviceList(v1, v2)).toBe(true);
    expect(isNewerDeviceList(v2, v1)).toBe(false); // rollback to an older version
    expect(isNewerDeviceList(v2, v2)).toBe(false); // replay
    expect(isNewerDeviceList(v1, await list(p, other, 9))).toBe(false);
    expect(isNewerDeviceList(v1, { ...v2, accountName: 'bob' })).toBe(false);
  });
});
