/**
 * The node backend imports raw keys through Node's JWK fast path (about 7× faster than the PKCS#8 DER
 * decoder). These tests pin that both paths build the same keys, so the fast path is a pure optimisation.
 */
import { diffieHellman, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import { privateKey, publicKey, rawPublic } from '../../src/provider/node-keys.js';

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('node key import', () => {
  it('JWK and PKCS#8 imports give the same X25519 keys and shared secrets', () => {
    fc.assert(
      fc.property(key32, key32, (a, b) => {
        const fast = privateKey('X25519', a);
        const slow = privateKey('X25519', a, false);
        expect(toHex(rawPublic(fast))).toBe(toHex(rawPublic(slow)));
        const peer = publicKey('X25519', rawPublic(privateKey('X25519', b)));
        const viaFast = diffieHellman({ privateKey: fast, publicKey: peer });
        const viaSlow = diffieHellman({ privateKey: slow, publicKey: peer });
        expect(viaFast.toString('hex')).toBe(viaSlow.toString('hex'));
      }),
      { numRuns: 50 },
    );
  });

  it('JWK and PKCS#8 imports give the same Ed25519 public keys and signatures', () => {
    fc.assert(
      fc.property(key32, fc.uint8Array({ maxLength: 64 }), (seed, msg) => {
        const fast = privateKey('Ed25519', seed);
        const slow = privateKey('Ed25519', seed, false);
        expect(toHex(rawPublic(fast))).toBe(toHex(rawPublic(slow)));
        expect(sign(null, msg, fast).toString('hex')).toBe(sign(null, msg, slow).toString('hex'));
      }),
      { numRuns: 50 },
    );
  });

  it('public keys round-trip byte for byte, including non-canonical X25519 u-coordinates', () => {
    const high = new Uint8Array(32).fill(0xff); // u ≥ p, high bit set: RFC 7748 §5 masks and reduces it later
    const { x } = publicKey('X25519', high).export({ format: 'jwk' });
    expect(x).toBe(Buffer.from(high).toString('base64url'));
  });
});
