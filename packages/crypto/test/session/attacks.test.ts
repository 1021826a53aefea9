/**
 * Named attacks on the 1:1 session, one `it` each. Every test asserts the typed error code and that the
 * victim's state is unchanged (same encoding, and the next genuine message still decrypts).
 */

import {
  acceptPrekeyMessage,
  CIPHERTEXT_KIND,
  type CryptoProvider,
  decodeKemPrekey,
  decodeSessionState,
  decryptMessage,
  encodeSessionState,
  encryptMessage,
  fromUtf8,
  generateKemPrekey,
  generateSignedPrekey,
  initiateSession,
  issueDeviceCertificate,
  type KeyPair,
  PROTOCOL_VERSION,
  type SessionState,
} from '@sotto/crypto';
import { describe, expect, it } from 'vitest';
import { providerCases } from '../helpers/providers.js';
import {
  establish,
  expectCode,
  fingerprint,
  flipBit,
  makeDevice,
  T0,
  type TestDevice,
  text,
} from './support.js';

const cases = await providerCases();

/** RFC 7748 low-order u-coordinates (0, 1, a point of order 8) and a non-canonical one (p + 1). */
const LOW_ORDER = [
  new Uint8Array(32),
  Uint8Array.of(1, ...new Uint8Array(31)),
  Uint8Array.from(Buffer.from('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', 'hex')),
];
const NON_CANONICAL = Uint8Array.from(Buffer.from(`ee${'ff'.repeat(30)}7f`, 'hex'));

/** A provider that lets the test choose what a key generation "produces", so the device signs it. */
function rigged(p: CryptoProvider, overrides: Partial<CryptoProvider>): CryptoProvider {
  const descriptors: PropertyDescriptorMap = {};
  for (const [name, value] of Object.entries(overrides)) descriptors[name] = { value };
  return Object.create(p, descriptors) as CryptoProvider;
}

/** A first message from a fresh Alice to a fresh Bob, not yet accepted. */
async function firstMessage(p: CryptoProvider): Promise<{ bob: TestDevice; first: Uint8Array }> {
  const alice = await makeDevice(p, 'alice');
  const bob = await makeDevice(p, 'bob');
  const init = await initiateSession(p, {
    self: alice.self,
    bundle: bob.bundle(),
    remoteIdentityKey: bob.identity.publicKey,
  });
  return { bob, first: (await encryptMessage(p, init.state, text('first'))).ciphertext };
}

/** Asserts `state` still works: the next genuine message from `sender` decrypts to its text. */
async function stillWorks(p: CryptoProvider, sender: SessionState, receiver: SessionState): Promise<void> {
  const sent = await encryptMessage(p, sender, text('still here'));
  const got = await decryptMessage(p, receiver, sent.ciphertext);
  expect(fromUtf8(got.plaintext)).toBe('still here');
}

/** Nothing was consumed or changed by a refused handshake: a genuine one still completes. */
async function genuineStillWorks(p: CryptoProvider, alice: TestDevice, bob: TestDevice): Promise<void> {
  const init = await initiateSession(p, {
    self: alice.self,
    bundle: bob.bundle(),
    remoteIdentityKey: bob.identity.publicKey,
  });
  const { ciphertext } = await encryptMessage(p, init.state, text('genuine'));
  const accepted = await acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, ciphertext);
  expect(fromUtf8(accepted.plaintext)).toBe('genuine');
}

/** Offsets within a plain message: [kind][version][ratchet key 32][pn u32][n u32][body][tag 16]. */
const AT = { ratchetKey: 2, previousChainLength: 34, counter: 38, body: 42 };

describe.each(cases)('attacks ($label)', ({ provider: p }) => {
  it('bad prekey signature: the initiator refuses the bundle', async () => {
    const alice = await makeDevice(p, 'alice');
    const bob = await makeDevice(p, 'bob');
    const good = bob.bundle();
    const badSigned = {
      ...good,
      signedPrekey: { ...good.signedPrekey, signature: flipBit(good.signedPrekey.signature, 9) },
    };
    const badKem = {
      ...good,
      kemPrekey: { ...good.kemPrekey, signature: flipBit(good.kemPrekey.signature, 3) },
    };
    const swappedKey = {
      ...good,
      signedPrekey: { ...good.signedPrekey, publicKey: (await p.x25519Generate()).publicKey },
    };
    for (const bundle of [badSigned, badKem, swappedKey]) {
      await expectCode(
        () => initiateSession(p, { self: alice.self, bundle, remoteIdentityKey: bob.identity.publicKey }),
        'INVALID_SIGNATURE',
      );
    }
    // A certificate from another identity than the trusted one.
    const mallory = await makeDevice(p, 'mallory');
    await expectCode(
      () =>
        initiateSession(p, {
          self: alice.self,
          bundle: mallory.bundle(),
          remoteIdentityKey: bob.identity.publicKey,
        }),
      'UNTRUSTED_IDENTITY',
    );
    // Nothing was consumed: the genuine bundle still works.
    await initiateSession(p, { self: alice.self, bundle: good, remoteIdentityKey: bob.identity.publicKey });
  });

  it('low-order or malformed X25519 key in a bundle is rejected before use', async () => {
    const alice = await makeDevice(p, 'alice');
    const bob = await makeDevice(p, 'bob');
    for (const bad of [...LOW_ORDER, NON_CANONICAL]) {
      const secretKey = p.randomBytes(32);
      const riggedP = rigged(p, {
        x25519Generate: async (): Promise<KeyPair> => ({ publicKey: bad, secretKey }),
      });
      // Bob's own device signs the bad key, so only the key check can stop it.
      const spk = await generateSignedPrekey(riggedP, bob.keys, 9, T0);
      const bundle = { ...bob.bundle(), signedPrekey: spk.public };
      await expectCode(
        () => initiateSession(p, { self: alice.self, bundle, remoteIdentityKey: bob.identity.publicKey }),
        'INVALID_PUBLIC_KEY',
      );
      const withBadOneTime = { ...bob.bundle(), oneTimePrekey: { id: 777, publicKey: bad } };
      await expectCode(
        () =>
          initiateSession(p, {
            self: alice.self,
            bundle: withBadOneTime,
            remoteIdentityKey: bob.identity.publicKey,
          }),
        'INVALID_PUBLIC_KEY',
      );
    }
    await genuineStillWorks(p, alice, bob);
  });

  it('low-order or malformed ratchet key or base key in a message is rejected, state unchanged', async () => {
    const { a, b } = await establish(p);
    const { bob, first } = await firstMessage(p);
    const before = fingerprint(b);
    const sent = await encryptMessage(p, a, text('m'));
    for (const bad of [...LOW_ORDER, NON_CANONICAL]) {
      const forged = sent.ciphertext.slice();
      forged.set(bad, AT.ratchetKey);
      await expectCode(() => decryptMessage(p, b, forged), 'INVALID_PUBLIC_KEY');
      // The same in a first message: the base key (EK_A) sits 32 bytes before the KEM ciphertext length.
      const baseKeyAt = first.length - (32 + 2 + 1088 + 40 + (first.length - firstBodyStart(first)));
      const forgedFirst = first.slice();
      forgedFirst.set(bad, baseKeyAt);
      await expectCode(
        () => acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, forgedFirst),
        'INVALID_PUBLIC_KEY',
      );
    }
    expect(fingerprint(b)).toBe(before);
    const got = await decryptMessage(p, b, sent.ciphertext);
    expect(fromUtf8(got.plaintext)).toBe('m');
  });

  it('malformed ML-KEM key (coefficients >= q), properly signed, is rejected', async () => {
    const alice = await makeDevice(p, 'alice');
    const bob = await makeDevice(p, 'bob');
    const real = await p.mlkem768Generate();
    const bad = real.publicKey.slice();
    bad.fill(0xff, 0, 3); // the first two 12-bit coefficients become 4095 >= 3329 (FIPS 203 §7.2 check)
    const riggedP = rigged(p, {
      mlkem768Generate: async () => ({ publicKey: bad, secretKey: real.secretKey }),
    });
    const kem = await generateKemPrekey(riggedP, bob.keys, 55, { lastResort: true });
    const bundle = { ...bob.bundle(), kemPrekey: kem.public };
    await expectCode(
      () => initiateSession(p, { self: alice.self, bundle, remoteIdentityKey: bob.identity.publicKey }),
      'INVALID_PUBLIC_KEY',
    );
    await genuineStillWorks(p, alice, bob);
  });

  it('a DH key offered as a KEM key is refused by type', async () => {
    const alice = await makeDevice(p, 'alice');
    const bob = await makeDevice(p, 'bob');
    const good = bob.bundle();
    const bundle = { ...good, kemPrekey: { ...good.kemPrekey, publicKey: good.signedPrekey.publicKey } };
    await expectCode(
      () => initiateSession(p, { self: alice.self, bundle, remoteIdentityKey: bob.identity.publicKey }),
      'WRONG_KEY_TYPE',
    );
    // On the wire, the tagged encoding refuses an X25519 key in the KEM slot.
    const wire = Uint8Array.of(
      PROTOCOL_VERSION,
      0x24,
      0,
      0,
      0,
      1,
      PROTOCOL_VERSION,
      0x03,
      ...good.signedPrekey.publicKey,
      1,
      ...new Uint8Array(64),
    );
    expect(() => decodeKemPrekey(wire)).toThrowError(expect.objectContaining({ code: 'WRONG_KEY_TYPE' }));
    await genuineStillWorks(p, alice, bob);
  });

  it('first message re-routed to a third party fails (no unknown key share)', async () => {
    const alice = await makeDevice(p, 'alice');
    const bob = await makeDevice(p, 'bob');
    const carol = await makeDevice(p, 'carol'); // same prekey ids as Bob's
    const init = await initiateSession(p, {
      self: alice.self,
      bundle: bob.bundle(),
      remoteIdentityKey: bob.identity.publicKey,
    });
    const { ciphertext } = await encryptMessage(p, init.state, text('for bob only'));
    await expectCode(
      () => acceptPrekeyMessage(p, { self: carol.self, prekeys: carol.secrets }, ciphertext),
      'AUTH_FAILED',
    );
    expect(carol.oneTime.size).toBe(2);
    const got = await acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, ciphertext);
    expect(fromUtf8(got.plaintext)).toBe('for bob only');
  });

  it("unknown key share: Bob's device keys certified under Mallory's identity do not fool Bob", async () => {
    const alice = await makeDevice(p, 'alice');
    const bob = await makeDevice(p, 'bob');
    const mallory = await makeDevice(p, 'mallory');
    // Mallory claims Bob's device (public keys only) as hers; Bob's prekey signatures still verify.
    const claimed = await issueDeviceCertificate(p, mallory.identity, {
      accountName: 'mallory',
      deviceId: bob.keys.deviceId,
      signingKey: bob.keys.signing.publicKey,
      dhKey: bob.keys.dh.publicKey,
      createdAt: T0,
    });
    const bundle = { ...bob.bundle(), deviceCertificate: claimed };
    const init = await initiateSession(p, {
      self: alice.self,
      bundle,
      remoteIdentityKey: mallory.identity.publicKey,
    });
    const { ciphertext } = await encryptMessage(p, init.state, text('hi mallory'));
    // Mallory forwards it to Bob, who would otherwise think Alice wrote to him.
    await expectCode(
      () => acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, ciphertext),
      'AUTH_FAILED',
    );
    expect(bob.oneTime.size).toBe(2);
  });

  it('exact replay is a duplicate, also after restart from serialized state', async () => {
    const { a, b } = await establish(p);
    const m1 = await encryptMessage(p, a, text('one'));
    const m2 = await encryptMessage(p, m1.state, text('two'));
    const m3 = await encryptMessage(p, m2.state, text('three'));
    let bob = (await decryptMessage(p, b, m2.ciphertext)).state; // out of order: m1 kept as skipped
    bob = (await decryptMessage(p, bob, m1.ciphertext)).state;
    for (const state of [bob, decodeSessionState(encodeSessionState(bob))]) {
      const before = fingerprint(state);
      await expectCode(() => decryptMessage(p, state, m1.ciphertext), 'DUPLICATE_MESSAGE');
      await expectCode(() => decryptMessage(p, state, m2.ciphertext), 'DUPLICATE_MESSAGE');
      expect(fingerprint(state)).toBe(before);
      expect(fromUtf8((await decryptMessage(p, state, m3.ciphertext)).plaintext)).toBe('three');
    }
    // A replay from a chain closed by a later DH ratchet step is a duplicate too.
    const reply = await encryptMessage(p, bob, text('reply'));
    const alice = (await decryptMessage(p, m3.state, reply.ciphertext)).state;
    const next = await encryptMessage(p, alice, text('new chain'));
    const bob2 = (
      await decryptMessage(p, (await decryptMessage(p, reply.state, m3.ciphertext)).state, next.ciphertext)
    ).state;
    const restarted = decodeSessionState(encodeSessionState(bob2));
    await expectCode(() => decryptMessage(p, restarted, m3.ciphertext), 'DUPLICATE_MESSAGE');
    await stillWorks(p, next.state, restarted);
  });

  it('replay of the first (prekey) message after the session exists is a duplicate', async () => {
    const { a, b, first, bob } = await establish(p);
    const restarted = decodeSessionState(encodeSessionState(b));
    for (const session of [b, restarted]) {
      const before = fingerprint(session);
      await expectCode(
        () => acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets, session }, first),
        'DUPLICATE_MESSAGE',
      );
      await expectCode(() => decryptMessage(p, session, first), 'DUPLICATE_MESSAGE');
      expect(fingerprint(session)).toBe(before);
    }
    // Alice2 opens a session on the last-resort KEM key with no one-time prekeys (nothing to consume), then
    // starts over; Bob's new session remembers the first handshake, so its replay stays a duplicate even
    // though every prekey it names is still there.
    const alice = await makeDevice(p, 'alice2');
    const init = await initiateSession(p, {
      self: alice.self,
      bundle: bob.bundle({ oneTime: false, kemOneTime: false }),
      remoteIdentityKey: bob.identity.publicKey,
    });
    const firstA = await encryptMessage(p, init.state, text('hello'));
    const accepted = await acceptPrekeyMessage(
      p,
      { self: bob.self, prekeys: bob.secrets },
      firstA.ciphertext,
    );
    const secondInit = await initiateSession(p, {
      self: alice.self,
      bundle: bob.bundle({ oneTime: false, kemOneTime: false }),
      remoteIdentityKey: bob.identity.publicKey,
    });
    const firstB = await encryptMessage(p, secondInit.state, text('hello again'));
    const replaced = await acceptPrekeyMessage(
      p,
      { self: bob.self, prekeys: bob.secrets, session: accepted.state },
      firstB.ciphertext,
    );
    expect(replaced.newSession).toBe(true);
    const state = decodeSessionState(encodeSessionState(replaced.state));
    await expectCode(
      () =>
        acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets, session: state }, firstA.ciphertext),
      'DUPLICATE_MESSAGE',
    );
    await stillWorks(p, firstB.state, state);
    await stillWorks(p, a, b);
  });

  it('counter jump past the limit is TOO_MANY_SKIPPED, state unchanged', async () => {
    const { a, b } = await establish(p);
    let sender = a;
    const sent: Uint8Array[] = [];
    for (let i = 0; i <= 1001; i++) {
      const m = await encryptMessage(p, sender, text(`#${i}`));
      sender = m.state;
      sent.push(m.ciphertext);
    }
    const before = fingerprint(b);
    const tooFar = sent[1001] as Uint8Array;
    await expectCode(() => decryptMessage(p, b, tooFar), 'TOO_MANY_SKIPPED');
    expect(fingerprint(b)).toBe(before);
    // A forged header with a huge counter is refused before any work.
    const forged = (sent[0] as Uint8Array).slice();
    new DataView(forged.buffer).setUint32(AT.counter, 0xffffffff);
    await expectCode(() => decryptMessage(p, b, forged), 'TOO_MANY_SKIPPED');
    // Exactly at the limit is fine, and the skipped keys are kept.
    const atLimit = await decryptMessage(p, b, sent[1000] as Uint8Array);
    expect(fromUtf8(atLimit.plaintext)).toBe('#1000');
    expect(atLimit.state.skipped.length).toBe(1000);
    expect(fromUtf8((await decryptMessage(p, atLimit.state, sent[0] as Uint8Array)).plaintext)).toBe('#0');
  });

  it('bit flips in header, body and tag fail authentication, state unchanged', async () => {
    const { a, b } = await establish(p);
    const { bob, first } = await firstMessage(p);
    const sent = await encryptMessage(p, a, text('integrity'));
    const c = sent.ciphertext;
    const before = fingerprint(b);
    const bits = [
      AT.ratchetKey * 8, // ratchet key: a different key, a DH step that cannot authenticate
      AT.previousChainLength * 8 + 31, // PN (authenticated as AD)
      AT.counter * 8 + 31, // N: another message key
      AT.body * 8 + 5, // body
      (c.length - 1) * 8, // tag
      (c.length - 16) * 8 + 7, // tag, first byte
    ];
    for (const bit of bits) await expectCode(() => decryptMessage(p, b, flipBit(c, bit)), 'AUTH_FAILED');
    expect(fingerprint(b)).toBe(before);
    expect(fromUtf8((await decryptMessage(p, b, c)).plaintext)).toBe('integrity');
    // The first message: KEM ciphertext, header counter and tag.
    const kemAt = firstBodyStart(first) - 40 - 1088 + 100;
    for (const bit of [kemAt * 8, (firstBodyStart(first) - 1) * 8, (first.length - 1) * 8]) {
      await expectCode(
        () => acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, flipBit(first, bit)),
        'AUTH_FAILED',
      );
    }
  });

  it("a party's own ciphertext reflected back fails", async () => {
    const { a, b, alice } = await establish(p);
    const beforeA = fingerprint(a);
    const own = await encryptMessage(p, a, text('to bob'));
    await expectCode(() => decryptMessage(p, a, own.ciphertext), 'AUTH_FAILED');
    await expectCode(() => decryptMessage(p, own.state, own.ciphertext), 'AUTH_FAILED');
    const ownB = await encryptMessage(p, b, text('to alice'));
    await expectCode(() => decryptMessage(p, ownB.state, ownB.ciphertext), 'AUTH_FAILED');
    expect(fingerprint(a)).toBe(beforeA);
    // A first message reflected to its sender, as a message and as a handshake.
    const carol = await makeDevice(p, 'carol');
    const init = await initiateSession(p, {
      self: alice.self,
      bundle: carol.bundle(),
      remoteIdentityKey: carol.identity.publicKey,
    });
    const firstToCarol = await encryptMessage(p, init.state, text('hi carol'));
    await expectCode(() => decryptMessage(p, firstToCarol.state, firstToCarol.ciphertext), 'AUTH_FAILED');
    await expectCode(
      () => acceptPrekeyMessage(p, { self: alice.self, prekeys: alice.secrets }, firstToCarol.ciphertext),
      'AUTH_FAILED',
    );
    await stillWorks(p, own.state, b);
  });

  it('a backup- or group-kind ciphertext fed in as 1:1 is WRONG_MESSAGE_KIND', async () => {
    const { a, b, bob, first } = await establish(p);
    const sent = await encryptMessage(p, a, text('m'));
    const before = fingerprint(b);
    for (const kind of [CIPHERTEXT_KIND.backup, CIPHERTEXT_KIND.group]) {
      const other = sent.ciphertext.slice();
      other[0] = kind;
      await expectCode(() => decryptMessage(p, b, other), 'WRONG_MESSAGE_KIND');
      await expectCode(
        () => acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, other),
        'WRONG_MESSAGE_KIND',
      );
      const otherFirst = first.slice();
      otherFirst[0] = kind;
      await expectCode(
        () => acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, otherFirst),
        'WRONG_MESSAGE_KIND',
      );
    }
    // A plain message is not a handshake either.
    await expectCode(
      () => acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, sent.ciphertext),
      'WRONG_MESSAGE_KIND',
    );
    expect(fingerprint(b)).toBe(before);
    expect(fromUtf8((await decryptMessage(p, b, sent.ciphertext)).plaintext)).toBe('m');
  });

  it('version downgrade: a first message without its ML-KEM part, or of an older version, is rejected', async () => {
    const alice = await makeDevice(p, 'alice');
    const bob = await makeDevice(p, 'bob');
    const init = await initiateSession(p, {
      self: alice.self,
      bundle: bob.bundle(),
      remoteIdentityKey: bob.identity.publicKey,
    });
    const { ciphertext: first } = await encryptMessage(p, init.state, text('pq'));
    const kemLengthAt = firstBodyStart(first) - 40 - 1088 - 2;
    const stripped = new Uint8Array(first.length - 1088);
    stripped.set(first.subarray(0, kemLengthAt));
    stripped.set(first.subarray(kemLengthAt + 2 + 1088), kemLengthAt + 2); // length 0, no ciphertext
    await expectCode(
      () => acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, stripped),
      'UNSUPPORTED_VERSION',
    );
    const older = first.slice();
    older[1] = 0;
    await expectCode(
      () => acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, older),
      'UNSUPPORTED_VERSION',
    );
    const accepted = await acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, first);
    expect(fromUtf8(accepted.plaintext)).toBe('pq');
  });
});

/**
 * Where the header of a first message starts minus nothing: [.. KEM ct][header 40][sealed]. The sealed
 * part is a padding bucket plus tag; for these short test texts it is 256 + 16 bytes.
 */
function firstBodyStart(first: Uint8Array): number {
  return first.length - (256 + 16);
}
