import { isPaddedSize, paddedSize, padPlaintext, type SottoError, unpadPlaintext } from '@sotto/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('padding to size buckets', () => {
  it('picks multiples of 256 up to 4 KiB, then powers of two', () => {
    const table: Array<[number, number]> = [
      [0, 256],
      [255, 256],
      [256, 512],
      [1000, 1024],
      [4095, 4096],
      [4096, 8192],
      [10_000, 16_384],
      [(1 << 20) - 1, 1 << 20],
    ];
    for (const [length, size] of table) expect(paddedSize(length), `length ${length}`).toBe(size);
    expect(() => paddedSize(1 << 20)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(isPaddedSize(768)).toBe(true);
    expect(isPaddedSize(8192)).toBe(true);
    expect(isPaddedSize(4352)).toBe(false);
    expect(isPaddedSize(0)).toBe(false);
    expect(isPaddedSize(2 << 20)).toBe(false);
  });

  it('round-trips any plaintext and hides its length within the bucket', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 9000 }), (plaintext) => {
        const padded = padPlaintext(plaintext);
        expect(padded.length).toBe(paddedSize(plaintext.length));
        expect(unpadPlaintext(padded)).toEqual(plaintext);
      }),
      { numRuns: 200 },
    );
  });

  it('unpads strictly: one valid encoding per plaintext', () => {
    const reject = (padded: Uint8Array) =>
      expect(() => unpadPlaintext(padded)).toThrowError(
        expect.objectContaining({ code: 'MALFORMED_ENCODING' }) as SottoError,
      );
    reject(new Uint8Array(300)); // not a bucket
    reject(new Uint8Array(256)); // no marker
    const trailing = padPlaintext(Uint8Array.of(1, 2, 3));
    trailing[255] = 1; // garbage after the marker
    reject(trailing);
    const tooBig = new Uint8Array(512);
    tooBig[3] = 0x80; // 3 bytes padded to 512: the bucket for 3 bytes is 256
    reject(tooBig);
    const noMarker = padPlaintext(Uint8Array.of(1, 2, 3));
    noMarker[3] = 0x81;
    reject(noMarker);
  });
});
