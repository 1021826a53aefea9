/** Session state and wire decoders against hostile input: bounded, strict, and never a crash. */

import {
  decodeSessionState,
  decryptMessage,
  encodeSessionState,
  encryptMessage,
  type SessionState,
  SottoError,
} from '@sotto/crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { providerCases } from '../helpers/providers.js';
import { establish, expectCode, fingerprint, text } from './support.js';

const cases = await providerCases();
const node = cases[0];
if (node === undefined) throw new Error('no provider');
const p = node.provider;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!(err instanceof SottoError)) throw err;
    return err.code;
  }
}

describe('session state encoding', () => {
  let a: SessionState;
  let b: SessionState;
  let encoded: Uint8Array;
  beforeAll(async () => {
    ({ a, b } = await establish(p));
    // Some skipped keys and a pending-free initiator make the encoding exercise every list.
    let sender = a;
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await encryptMessage(p, sender, text(`${i}`));
      sender = m.state;
      sent.push(m.ciphertext);
    }
    b = (await decryptMessage(p, b, sent[2] as Uint8Array)).state;
    a = sender;
    encoded = encodeSessionState(b);
  });

  it('round-trips to the same bytes and an equivalent session', async () => {
    const decoded = decodeSessionState(encoded);
    expect(encodeSessionState(decoded)).toEqual(encoded);
    expect(decoded.skipped.length).toBe(2);
    expect(decoded.sendAd).toEqual(b.sendAd);
    expect(decoded.receiveAd).toEqual(b.receiveAd);
    const m = await encryptMessage(p, a, text('after restart'));
    expect((await decryptMessage(p, decoded, m.ciphertext)).plaintext).toEqual(text('after restart'));
  });

  it('binds each direction to its own AD, shared by sender and receiver', () => {
    expect(a.sendAd).toEqual(b.receiveAd);
    expect(a.receiveAd).toEqual(b.sendAd);
    expect(a.sendAd).not.toEqual(a.receiveAd);
  });

  it('rejects every truncation and any trailing byte', () => {
    for (let n = 0; n < encoded.length; n++) {
      expect(
        codeOf(() => decodeSessionState(encoded.subarray(0, n))),
        `prefix ${n}`,
      ).toBe('MALFORMED_ENCODING');
    }
    expect(codeOf(() => decodeSessionState(Uint8Array.from([...encoded, 0])))).toBe('MALFORMED_ENCODING');
  });

  it('rejects another version, another tag and oversized lists', () => {
    const version = encoded.slice();
    version[0] = 2;
    expect(codeOf(() => decodeSessionState(version))).toBe('UNSUPPORTED_VERSION');
    const tag = encoded.slice();
    tag[1] = 0x21;
    expect(codeOf(() => decodeSessionState(tag))).toBe('MALFORMED_ENCODING');
    // The skipped-key count follows the receiving chain; find it by re-encoding with a known count.
    const at = encoded.length - (2 * 68 + 1 + b.retiredRemoteRatchetKeys.length * 32 + 32 + 1 + 1) - 2;
    expect(new DataView(encoded.buffer, encoded.byteOffset).getUint16(at)).toBe(2);
    const huge = encoded.slice();
    new DataView(huge.buffer).setUint16(at, 2001);
    expect(codeOf(() => decodeSessionState(huge))).toBe('MALFORMED_ENCODING');
  });

  it('never crashes on random or mutated bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        codeOf(() => decodeSessionState(bytes));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), (i, v) => {
        const mutated = encoded.slice();
        mutated[i % mutated.length] = v;
        codeOf(() => decodeSessionState(mutated));
      }),
      { numRuns: 300 },
    );
  });
});

describe('ciphertext decoding', () => {
  it('rejects truncated, extended and random ciphertexts with a typed error, state unchanged', async () => {
    const { a, b } = await establish(p);
    const { ciphertext } = await encryptMessage(p, a, text('bounded'));
    const before = fingerprint(b);
    await expectCode(() => decryptMessage(p, b, new Uint8Array(0)), 'MALFORMED_ENCODING');
    for (const n of [1, 2, 20, 41, 42, 100, ciphertext.length - 1]) {
      await expectCode(() => decryptMessage(p, b, ciphertext.subarray(0, n)), 'MALFORMED_ENCODING');
    }
    await expectCode(() => decryptMessage(p, b, Uint8Array.from([...ciphertext, 0])), 'MALFORMED_ENCODING');
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 1500 }), async (bytes) => {
        await expect(decryptMessage(p, b, bytes)).rejects.toBeInstanceOf(SottoError);
      }),
      { numRuns: 200 },
    );
    expect(fingerprint(b)).toBe(before);
    expect((await decryptMessage(p, b, ciphertext)).plaintext).toEqual(text('bounded'));
  });
});
