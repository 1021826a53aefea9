/**
 * The strict Ed25519 pre-check works on bytes (no point decompression, so it costs microseconds). These
 * tests pin it against noble's strict decoder: for any encoding noble decodes strictly, the pre-check
 * accepts exactly the points that are not of small order; encodings noble refuses as non-canonical are
 * refused too. (Encodings off the curve may pass the pre-check; every backend then rejects them.)
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../../src/bytes.js';
import { ed25519PreCheck } from '../../src/provider/ed25519-strict.js';
import { providerCases } from '../helpers/providers.js';

const Point = ed25519.Point;
const seed = new Uint8Array(32).fill(9);
const message = new Uint8Array([1, 2, 3]);
const honestA = ed25519.getPublicKey(seed);
const honestSig = ed25519.sign(message, seed);
const cases = await providerCases();
/** A point of order 8; its multiples are E[8]. */
const ORDER_8 = fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');

/** What noble's decoders say about an encoding. */
function classify(enc: Uint8Array): 'large' | 'small' | 'non-canonical' | 'off-curve' {
  try {
    return Point.fromBytes(enc, false).isSmallOrder() ? 'small' : 'large';
  } catch {
    try {
      Point.fromBytes(enc, true);
      return 'non-canonical';
    } catch {
      return 'off-curve';
    }
  }
}

/** Encodings at the edges: y near p, y = ±1 and 0 with either sign bit, the torsion points, their p-shifts. */
function edgeEncodings(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const p = 2n ** 255n - 19n;
  const enc = (y: bigint, sign: boolean) => {
    const b = Uint8Array.from({ length: 32 }, (_, i) => Number((y >> BigInt(8 * i)) & 0xffn));
    if (sign) b[31] = (b[31] as number) | 0x80;
    return b;
  };
  for (const y of [0n, 1n, 2n, 3n, 4n, 18n, p - 2n, p - 1n, p, p + 1n, p + 3n, p + 18n, 2n ** 255n - 1n]) {
    out.push(enc(y, false), enc(y, true));
  }
  const T = Point.fromBytes(ORDER_8, false);
  let Q = Point.ZERO;
  for (let i = 0; i < 8; i++, Q = Q.add(T)) {
    const b = Q.toBytes();
    out.push(b, concatBytes(b.subarray(0, 31), Uint8Array.of((b[31] as number) ^ 0x80)));
  }
  return out;
}

function checkAgainstNoble(enc: Uint8Array): void {
  const kind = classify(enc);
  const asA = ed25519PreCheck(enc, honestSig);
  const asR = ed25519PreCheck(honestA, concatBytes(enc, honestSig.subarray(32)));
  if (kind === 'off-curve') return;
  const expected = kind === 'large';
  expect([asA, asR], `${toHex(enc)} (${kind})`).toEqual([expected, expected]);
}

describe('Ed25519 byte-level pre-check', () => {
  it('rejects all eight points of E[8] (rebuilt from noble arithmetic), as A and as R', () => {
    const T = Point.fromBytes(ORDER_8, false);
    const seen = new Set<string>();
    let Q = Point.ZERO;
    for (let i = 0; i < 8; i++, Q = Q.add(T)) {
      const enc = Q.toBytes();
      seen.add(toHex(enc));
      expect(ed25519PreCheck(enc, honestSig)).toBe(false);
      expect(ed25519PreCheck(honestA, concatBytes(enc, honestSig.subarray(32)))).toBe(false);
    }
    expect(seen.size).toBe(8);
    expect(ed25519PreCheck(honestA, honestSig)).toBe(true);
  });

  it('agrees with noble on edge encodings', () => {
    const edges = edgeEncodings();
    expect(edges.length).toBe(42);
    for (const enc of edges) checkAgainstNoble(enc);
  });

  it('agrees with noble on random encodings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (enc) => checkAgainstNoble(enc)),
      { numRuns: 500 },
    );
  });

  it('encodings that pass the pre-check but are off the curve are rejected by every backend', async () => {
    const offCurve = edgeEncodings().filter(
      (e) => classify(e) === 'off-curve' && ed25519PreCheck(e, honestSig),
    );
    expect(offCurve.length).toBeGreaterThan(0);
    for (const enc of offCurve) {
      for (const { label, provider } of cases) {
        expect(await provider.ed25519Verify(enc, message, honestSig), label).toBe(false);
        const withR = concatBytes(enc, honestSig.subarray(32));
        expect(await provider.ed25519Verify(honestA, message, withR), label).toBe(false);
      }
    }
  });
});
