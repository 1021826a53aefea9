import {
  decodeKemPrekey,
  decodeOneTimePrekey,
  decodeSignedPrekey,
  encodeKemPrekey,
  encodeOneTimePrekey,
  encodeSignedPrekey,
  generateKemPrekey,
  generateOneTimePrekeys,
  KeyType,
  verifyKemPrekey,
  verifySignedPrekey,
} from '@sotto/crypto';
import { describe, expect, it } from 'vitest';
import { expectCode, flipBit, makeDevice, providers } from './support.js';

describe.each(providers())('prekeys ($label)', ({ provider: p }) => {
  it('signed prekey: round-trips, verifies, and its secret key matches', async () => {
    const { cert, signedPrekey } = await makeDevice(p);
    const back = decodeSignedPrekey(encodeSignedPrekey(signedPrekey.public));
    expect(back).toEqual(signedPrekey.public);
    await verifySignedPrekey(p, back, cert);
    expect(await p.x25519PublicKey(signedPrekey.secretKey)).toEqual(back.publicKey);
    expect(String(signedPrekey)).toBe('[redacted]');
  });

  it('KEM prekey: round-trips, verifies, keeps lastResort, and decapsulates', async () => {
    const { cert, device, kemPrekey } = await makeDevice(p);
    const back = decodeKemPrekey(encodeKemPrekey(kemPrekey.public));
    expect(back).toEqual(kemPrekey.public);
    await verifyKemPrekey(p, back, cert);
    const enc = await p.mlkem768Encapsulate(back.publicKey);
    expect(await p.mlkem768Decapsulate(enc.ciphertext, kemPrekey.secretKey)).toEqual(enc.sharedSecret);
    const last = await generateKemPrekey(p, device, 10, { lastResort: true });
    expect(decodeKemPrekey(encodeKemPrekey(last.public)).lastResort).toBe(true);
    await verifyKemPrekey(p, last.public, cert);
    // flipping the lastResort flag breaks the signature
    await expectCode(
      () => verifyKemPrekey(p, { ...last.public, lastResort: false }, cert),
      'INVALID_SIGNATURE',
    );
  });

  it('one-time prekeys: consecutive ids, distinct keys, round-trip', async () => {
    const keys = await generateOneTimePrekeys(p, 0xfffffffe, 2);
    expect(keys.map((k) => k.public.id)).toEqual([0xfffffffe, 0xffffffff]);
    const [a, b] = keys;
    if (a === undefined || b === undefined) throw new Error('unreachable');
    expect(a.public.publicKey).not.toEqual(b.public.publicKey);
    expect(decodeOneTimePrekey(encodeOneTimePrekey(a.public))).toEqual(a.public);
    expect(await p.x25519PublicKey(a.secretKey)).toEqual(a.public.publicKey);
    expect(await generateOneTimePrekeys(p, 5, 0)).toEqual([]);
    await expectCode(() => generateOneTimePrekeys(p, 0xffffffff, 2), 'INVALID_ARGUMENT');
    await expectCode(() => generateOneTimePrekeys(p, 0, 1001), 'INVALID_ARGUMENT');
  });

  it('a prekey cannot be moved to another device, even of the same account', async () => {
    const alice1 = await makeDevice(p);
    const alice2 = await makeDevice(p, { identity: alice1.identity, deviceId: 2 });
    await expectCode(
      () => verifySignedPrekey(p, alice1.signedPrekey.public, alice2.cert),
      'INVALID_SIGNATURE',
    );
    await expectCode(() => verifyKemPrekey(p, alice1.kemPrekey.public, alice2.cert), 'INVALID_SIGNATURE');
    // same signing key claimed under another device id
    const renumbered = { deviceId: 99, signingKey: alice1.cert.signingKey };
    await expectCode(
      () => verifySignedPrekey(p, alice1.signedPrekey.public, renumbered),
      'INVALID_SIGNATURE',
    );
  });

  it('rejects a flipped signature bit, a changed id or timestamp', async () => {
    const { cert, signedPrekey, kemPrekey } = await makeDevice(p);
    const s = signedPrekey.public;
    const k = kemPrekey.public;
    await expectCode(
      () => verifySignedPrekey(p, { ...s, signature: flipBit(s.signature, 3) }, cert),
      'INVALID_SIGNATURE',
    );
    await expectCode(() => verifySignedPrekey(p, { ...s, id: s.id + 1 }, cert), 'INVALID_SIGNATURE');
    await expectCode(
      () => verifySignedPrekey(p, { ...s, createdAt: s.createdAt + 1 }, cert),
      'INVALID_SIGNATURE',
    );
    await expectCode(
      () => verifyKemPrekey(p, { ...k, signature: flipBit(k.signature, 500) }, cert),
      'INVALID_SIGNATURE',
    );
    await expectCode(() => verifyKemPrekey(p, { ...k, id: k.id + 1 }, cert), 'INVALID_SIGNATURE');
  });

  it('a signed-prekey signature does not verify as a KEM-prekey signature (domain separation)', async () => {
    const { cert, signedPrekey, kemPrekey } = await makeDevice(p);
    const s = signedPrekey.public;
    const asKem = {
      id: s.id,
      publicKey: kemPrekey.public.publicKey,
      lastResort: false,
      signature: s.signature,
    };
    await expectCode(() => verifyKemPrekey(p, asKem, cert), 'INVALID_SIGNATURE');
  });

  it('decoders reject type confusion, truncation, trailing bytes and another version', async () => {
    const { signedPrekey, kemPrekey, oneTime } = await makeDevice(p);
    const s = encodeSignedPrekey(signedPrekey.public);
    const k = encodeKemPrekey(kemPrekey.public);
    const o = encodeOneTimePrekey(oneTime.public);
    await expectCode(() => decodeKemPrekey(s), 'MALFORMED_ENCODING');
    await expectCode(() => decodeSignedPrekey(k), 'MALFORMED_ENCODING');
    await expectCode(() => decodeSignedPrekey(o), 'MALFORMED_ENCODING');
    // an X25519 key tagged into a KEM prekey slot, and the reverse: caught by the key tag
    const dhAsKem = k.slice();
    dhAsKem[2 + 4 + 1] = KeyType.x25519;
    await expectCode(() => decodeKemPrekey(dhAsKem), 'WRONG_KEY_TYPE');
    const kemAsDh = s.slice();
    kemAsDh[2 + 4 + 1] = KeyType.mlkem768;
    await expectCode(() => decodeSignedPrekey(kemAsDh), 'WRONG_KEY_TYPE');
    const badFlag = k.slice();
    badFlag[2 + 4 + 2 + 1184] = 2;
    await expectCode(() => decodeKemPrekey(badFlag), 'MALFORMED_ENCODING');
    for (const [enc, decode] of [
      [s, decodeSignedPrekey],
      [k, decodeKemPrekey],
      [o, decodeOneTimePrekey],
    ] as const) {
      await expectCode(() => decode(enc.subarray(0, enc.length - 1)), 'MALFORMED_ENCODING');
      await expectCode(() => decode(new Uint8Array([...enc, 0])), 'MALFORMED_ENCODING');
      const v2 = enc.slice();
      v2[0] = 2;
      await expectCode(() => decode(v2), 'UNSUPPORTED_VERSION');
    }
  });
});
