/** The session KDFs pinned to independent computations (RFC 5869, HMAC-SHA-256), on every backend. */

import { createHmac } from 'node:crypto';
import { LABELS, utf8 } from '@sotto/crypto';
import { describe, expect, it } from 'vitest';
import { expandMessageKey, kdfChain, kdfRoot } from '../../src/session/kdf.js';
import { providerCases } from '../helpers/providers.js';

const cases = await providerCases();
const hmac = (key: Uint8Array, data: Uint8Array) =>
  new Uint8Array(createHmac('sha256', key).update(data).digest());

/** RFC 5869 §2.3 HKDF-Expand, written independently of the code under test. */
function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let previous = new Uint8Array(0);
  for (let i = 1, offset = 0; offset < length; i++, offset += 32) {
    previous = hmac(prk, Uint8Array.from([...previous, ...info, i]));
    out.set(previous.subarray(0, Math.min(32, length - offset)), offset);
  }
  return out;
}

describe.each(cases)('session KDFs ($label)', ({ provider: p }) => {
  it('expands a message key with HKDF-Expand into the AES-256-GCM key and nonce', async () => {
    const mk = p.randomBytes(32);
    const okm = hkdfExpand(mk, utf8(LABELS.sessionMessageKeys), 44);
    const keys = await expandMessageKey(p, mk);
    expect(keys.key).toEqual(okm.subarray(0, 32));
    expect(keys.nonce).toEqual(okm.subarray(32, 44));
  });

  it('steps a chain with two distinct HMAC inputs (Double Ratchet §5.2 KDF_CK)', async () => {
    const ck = p.randomBytes(32);
    const step = await kdfChain(p, ck);
    expect(step.messageKey).toEqual(hmac(ck, utf8(LABELS.sessionChainMessageKey)));
    expect(step.chainKey).toEqual(hmac(ck, utf8(LABELS.sessionChainNextKey)));
    expect(step.messageKey).not.toEqual(step.chainKey);
  });

  it('steps the root with HKDF(salt = root key, ikm = DH output) (KDF_RK)', async () => {
    const rk = p.randomBytes(32);
    const dh = p.randomBytes(32);
    const okm = await p.hkdfSha256(dh, rk, utf8(LABELS.sessionRootRatchet), 64);
    const step = await kdfRoot(p, rk, dh);
    expect(step.rootKey).toEqual(okm.subarray(0, 32));
    expect(step.chainKey).toEqual(okm.subarray(32));
  });
});
