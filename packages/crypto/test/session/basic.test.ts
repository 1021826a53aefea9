import { inspect } from 'node:util';
import {
  acceptPrekeyMessage,
  CIPHERTEXT_KIND,
  decodeSessionState,
  decryptMessage,
  encodeSessionState,
  encryptMessage,
  fromUtf8,
  initiateSession,
  messageKind,
  REDACTED_TEXT,
} from '@sotto/crypto';
import { describe, expect, it } from 'vitest';
import { providerCases } from '../helpers/providers.js';
import { expectCode, makeDevice, text } from './support.js';

const cases = await providerCases();

describe.each(cases)('session basics ($label)', ({ provider: p }) => {
  it('runs a handshake and a conversation in both directions, across restarts', async () => {
    const alice = await makeDevice(p, 'alice');
    const bob = await makeDevice(p, 'bob');
    const init = await initiateSession(p, {
      self: alice.self,
      bundle: bob.bundle(),
      remoteIdentityKey: bob.identity.publicKey,
    });
    expect(init.usedOneTimePrekeyId).toBe(500);
    let a = init.state;
    const m1 = await encryptMessage(p, a, text('hello bob'));
    a = m1.state;
    expect(messageKind(m1.ciphertext)).toBe('prekey');
    expect(m1.ciphertext[0]).toBe(CIPHERTEXT_KIND.prekeyMessage);

    const acc = await acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, m1.ciphertext);
    expect(fromUtf8(acc.plaintext)).toBe('hello bob');
    expect(acc.newSession).toBe(true);
    expect(acc.usedOneTimePrekeyId).toBe(500);
    expect(acc.usedKemPrekeyId).toBe(100);
    expect(acc.remote.accountName).toBe('alice');
    let b = acc.state;

    const r1 = await encryptMessage(p, b, text('hi alice'));
    b = r1.state;
    expect(messageKind(r1.ciphertext)).toBe('message');
    const d1 = await decryptMessage(p, a, r1.ciphertext);
    a = decodeSessionState(encodeSessionState(d1.state));
    expect(fromUtf8(d1.plaintext)).toBe('hi alice');

    const m2 = await encryptMessage(p, a, text('x'.repeat(5000)));
    expect(m2.ciphertext[0]).toBe(CIPHERTEXT_KIND.message);
    b = decodeSessionState(encodeSessionState(b));
    const d2 = await decryptMessage(p, b, m2.ciphertext);
    expect(d2.plaintext.length).toBe(5000);
    expect(d2.state.remote.accountName).toBe('alice');
  });

  it('renders states as [redacted]', async () => {
    const alice = await makeDevice(p, 'alice');
    const bob = await makeDevice(p, 'bob');
    const { state } = await initiateSession(p, {
      self: alice.self,
      bundle: bob.bundle(),
      remoteIdentityKey: bob.identity.publicKey,
    });
    expect(inspect(state)).toBe(REDACTED_TEXT);
    expect(JSON.stringify({ state })).toBe(`{"state":"${REDACTED_TEXT}"}`);
    expect(`${state}`).toBe(REDACTED_TEXT);
    expect(inspect(decodeSessionState(encodeSessionState(state)))).toBe(REDACTED_TEXT);
    expect(inspect(state.sendingRatchetKey)).toBe(REDACTED_TEXT);
  });

  it('repeats the handshake until the first reply; the responder reads every copy in one session', async () => {
    const alice = await makeDevice(p, 'alice');
    const bob = await makeDevice(p, 'bob');
    const init = await initiateSession(p, {
      self: alice.self,
      bundle: bob.bundle(),
      remoteIdentityKey: bob.identity.publicKey,
    });
    const m1 = await encryptMessage(p, init.state, text('one'));
    const m2 = await encryptMessage(p, m1.state, text('two'));
    const m3 = await encryptMessage(p, m2.state, text('three'));
    for (const m of [m1, m2, m3]) expect(messageKind(m.ciphertext)).toBe('prekey');
    // The first copy to arrive is m2: it creates the session; the others go into it.
    const accepted = await acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, m2.ciphertext);
    bob.consume(accepted);
    expect(fromUtf8(accepted.plaintext)).toBe('two');
    const again = await acceptPrekeyMessage(
      p,
      { self: bob.self, prekeys: bob.secrets, session: accepted.state },
      m1.ciphertext,
    );
    expect(again.newSession).toBe(false);
    expect(again.usedOneTimePrekeyId).toBeUndefined();
    expect(fromUtf8(again.plaintext)).toBe('one');
    const third = await decryptMessage(p, again.state, m3.ciphertext);
    expect(fromUtf8(third.plaintext)).toBe('three');
    // The reply ends the handshake: Alice's next message is a plain one.
    const reply = await encryptMessage(p, third.state, text('ok'));
    const read = await decryptMessage(p, m3.state, reply.ciphertext);
    expect(read.state.pendingHandshake).toBeUndefined();
    expect(messageKind((await encryptMessage(p, read.state, text('plain'))).ciphertext)).toBe('message');
  });

  it('works without one-time prekeys, on the last-resort KEM prekey', async () => {
    const alice = await makeDevice(p, 'alice');
    const bob = await makeDevice(p, 'bob');
    const bundle = bob.bundle({ oneTime: false, kemOneTime: false });
    const init = await initiateSession(p, {
      self: alice.self,
      bundle,
      remoteIdentityKey: bob.identity.publicKey,
    });
    expect(init.usedOneTimePrekeyId).toBeUndefined();
    const m = await encryptMessage(p, init.state, new Uint8Array(0));
    const accepted = await acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, m.ciphertext);
    expect(accepted.plaintext.length).toBe(0);
    expect(accepted.usedOneTimePrekeyId).toBeUndefined();
    expect(accepted.usedKemPrekeyId).toBe(bob.lastResort.public.id);
    expect(accepted.usedKemPrekeyLastResort).toBe(true);
  });

  it('reports unknown prekeys, untrusted senders and new handshakes with their codes', async () => {
    const alice = await makeDevice(p, 'alice');
    const bob = await makeDevice(p, 'bob');
    const init = await initiateSession(p, {
      self: alice.self,
      bundle: bob.bundle(),
      remoteIdentityKey: bob.identity.publicKey,
    });
    const m = await encryptMessage(p, init.state, text('hi'));
    const stranger = await makeDevice(p, 'stranger');
    await expectCode(
      () =>
        acceptPrekeyMessage(
          p,
          { self: bob.self, prekeys: bob.secrets, remoteIdentityKey: stranger.identity.publicKey },
          m.ciphertext,
        ),
      'UNTRUSTED_IDENTITY',
    );
    const accepted = await acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, m.ciphertext);
    bob.consume(accepted);
    // Without the session, the same first message names a consumed one-time prekey.
    await expectCode(
      () => acceptPrekeyMessage(p, { self: bob.self, prekeys: bob.secrets }, m.ciphertext),
      'SESSION_NOT_FOUND',
    );
    // A new handshake is not for decryptMessage.
    const other = await initiateSession(p, {
      self: alice.self,
      bundle: bob.bundle(),
      remoteIdentityKey: bob.identity.publicKey,
    });
    const fresh = await encryptMessage(p, other.state, text('new'));
    await expectCode(() => decryptMessage(p, accepted.state, fresh.ciphertext), 'SESSION_NOT_FOUND');
  });

  it('refuses a session with itself and a certificate that does not match the device keys', async () => {
    const alice = await makeDevice(p, 'alice');
    const other = await makeDevice(p, 'other');
    await expectCode(
      () =>
        initiateSession(p, {
          self: alice.self,
          bundle: alice.bundle(),
          remoteIdentityKey: alice.identity.publicKey,
        }),
      'INVALID_ARGUMENT',
    );
    const mismatched = { certificate: alice.certificate, keys: other.keys };
    await expectCode(
      () =>
        initiateSession(p, {
          self: mismatched,
          bundle: other.bundle(),
          remoteIdentityKey: other.identity.publicKey,
        }),
      'INVALID_ARGUMENT',
    );
  });

  it('pads every plaintext to a bucket and refuses one of 1 MiB', async () => {
    const alice = await makeDevice(p, 'alice');
    const bob = await makeDevice(p, 'bob');
    const { state } = await initiateSession(p, {
      self: alice.self,
      bundle: bob.bundle(),
      remoteIdentityKey: bob.identity.publicKey,
    });
    const sizes = await Promise.all(
      [0, 1, 255, 256, 3000].map(
        async (n) => (await encryptMessage(p, state, new Uint8Array(n))).ciphertext.length,
      ),
    );
    const overhead = (sizes[0] ?? 0) - 256 - 16;
    expect(sizes.map((n) => n - overhead - 16)).toEqual([256, 256, 256, 512, 3072]);
    await expectCode(() => encryptMessage(p, state, new Uint8Array(1 << 20)), 'INVALID_ARGUMENT');
  });
});
