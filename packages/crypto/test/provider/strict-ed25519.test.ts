/**
 * Named strictness cases for Ed25519 (RFC 8032 §5.1.7 plus Sotto's policy, see src/provider/ed25519-strict.ts).
 * Each forged signature is first shown to pass a lax verifier (noble with ZIP-215 rules, or noble's
 * cofactored "strict" mode), so the test proves that our rule is what rejects it.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, utf8 } from '../../src/bytes.js';
import { craftMixedOrderSignature, ED25519_L, ed25519PreCheck } from '../../src/provider/ed25519-strict.js';
import { providerCases } from '../helpers/providers.js';

const cases = await providerCases();
const Point = ed25519.Point;

const IDENTITY = fromHex('0100000000000000000000000000000000000000000000000000000000000000');
/** The identity encoded with y = p + 1 (non-canonical). */
const IDENTITY_NON_CANONICAL = fromHex('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
/** A point of order 8. */
const ORDER_8 = fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');
/** The point with y = 3 (not of small order): canonical, and encoded as y = p + 3. */
const Y3_CANONICAL = fromHex('0300000000000000000000000000000000000000000000000000000000000000');
const Y3_NON_CANONICAL = fromHex('f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');

const le = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const leNum = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
const zeros32 = new Uint8Array(32);
const message = utf8('sotto strictness');

/** R = a point of order 8, S = k·a: the cofactored equation holds, the cofactorless one does not. */
function smallOrderR(): { publicKey: Uint8Array; signature: Uint8Array } {
  const a = 0xdecafbadn;
  const publicKey = Point.BASE.multiply(a).toBytes();
  const k = leNum(sha512(concatBytes(ORDER_8, publicKey, message))) % ED25519_L;
  return { publicKey, signature: concatBytes(ORDER_8, le((k * a) % ED25519_L)) };
}

describe('Ed25519 strict verification', () => {
  it('small-order public key (identity, S = 0 signs every message under lax rules)', async () => {
    const sig = concatBytes(IDENTITY, zeros32);
    expect(ed25519.verify(sig, message, IDENTITY, { zip215: true })).toBe(true);
    for (const { label, provider } of cases) {
      expect(await provider.ed25519Verify(IDENTITY, message, sig), label).toBe(false);
    }
  });

  it('small-order R (order 8) with S = k·a', async () => {
    const { publicKey, signature } = smallOrderR();
    expect(ed25519.verify(signature, message, publicKey, { zip215: false })).toBe(true);
    for (const { label, provider } of cases) {
      expect(await provider.ed25519Verify(publicKey, message, signature), label).toBe(false);
    }
  });

  it('mixed-order public key (A + T8): cofactored-valid, cofactorless-invalid', async () => {
    const { publicKey, message: msg, signature } = craftMixedOrderSignature();
    expect(ed25519.verify(signature, msg, publicKey, { zip215: false })).toBe(true);
    for (const { label, provider } of cases) {
      expect(await provider.ed25519Verify(publicKey, msg, signature), label).toBe(false);
    }
  });

  it('S + L (signature malleability)', async () => {
    const seed = new Uint8Array(32).fill(7);
    for (const { label, provider } of cases) {
      const pk = await provider.ed25519PublicKey(seed);
      const sig = await provider.ed25519Sign(seed, message);
      const malleated = concatBytes(sig.subarray(0, 32), le(leNum(sig.subarray(32)) + ED25519_L));
      expect(await provider.ed25519Verify(pk, message, sig), label).toBe(true);
      expect(await provider.ed25519Verify(pk, message, malleated), label).toBe(false);
    }
  });

  it('non-canonical A: the identity as y = p + 1, with a forgery lax rules accept', async () => {
    const sig = concatBytes(IDENTITY, zeros32);
    expect(ed25519.verify(sig, message, IDENTITY_NON_CANONICAL, { zip215: true })).toBe(true);
    for (const { label, provider } of cases) {
      expect(await provider.ed25519Verify(IDENTITY_NON_CANONICAL, message, sig), label).toBe(false);
    }
  });

  it('non-canonical A and R of a large-order point (y = p + 3) fail the pre-check; canonical passes', () => {
    const honest = ed25519.sign(message, new Uint8Array(32).fill(1));
    const honestA = ed25519.getPublicKey(new Uint8Array(32).fill(1));
    expect(Point.fromBytes(Y3_NON_CANONICAL, true).equals(Point.fromBytes(Y3_CANONICAL))).toBe(true);
    expect(ed25519PreCheck(Y3_CANONICAL, honest)).toBe(true);
    expect(ed25519PreCheck(Y3_NON_CANONICAL, honest)).toBe(false);
    const withR = (r: Uint8Array) => concatBytes(r, honest.subarray(32));
    expect(ed25519PreCheck(honestA, withR(Y3_CANONICAL))).toBe(true);
    expect(ed25519PreCheck(honestA, withR(Y3_NON_CANONICAL))).toBe(false);
  });

  it('returns false, never throws, for wrong lengths and non-bytes', async () => {
    const seed = new Uint8Array(32).fill(3);
    for (const { label, provider } of cases) {
      const pk = await provider.ed25519PublicKey(seed);
      const sig = await provider.ed25519Sign(seed, message);
      const bad: Array<[unknown, unknown, unknown]> = [
        [pk.subarray(1), message, sig],
        [concatBytes(pk, new Uint8Array(1)), message, sig],
        [pk, message, sig.subarray(1)],
        [pk, message, concatBytes(sig, new Uint8Array(1))],
        [pk, 'not bytes', sig],
        [null, message, sig],
        [pk, message, undefined],
      ];
      for (const [k, m, s] of bad) {
        const verify = provider.ed25519Verify as (k: unknown, m: unknown, s: unknown) => Promise<boolean>;
        await expect(verify(k, m, s), label).resolves.toBe(false);
      }
    }
  });
});
