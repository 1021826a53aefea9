/**
 * The providers' incremental SHA-256: the same digest as the one-shot hash for any way of cutting the
 * input, independent clones, and a finished hasher refuses more data. On every backend.
 */

import { createHash } from 'node:crypto';
import { SottoError } from '@sotto/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { providerCases } from '../helpers/providers.js';

describe.each(await providerCases())('incremental SHA-256 ($label)', ({ provider: p }) => {
  it('equals the one-shot digest however the input is cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 5000 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (data, cuts) => {
          const h = p.createSha256();
          let from = 0;
          for (const to of [...cuts.map((c) => c % (data.length + 1))].sort((a, b) => a - b)) {
            h.update(data.subarray(from, to));
            from = to;
          }
          h.update(data.subarray(from));
          const digest = h.digest();
          expect(digest).toEqual(await p.sha256(data));
          expect(Buffer.from(digest).equals(createHash('sha256').update(data).digest())).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('clones independently, and refuses data after the digest', () => {
    const h = p.createSha256();
    h.update(new Uint8Array([1, 2, 3]));
    const copy = h.clone();
    h.update(new Uint8Array([4]));
    const expected = (d: number[]) =>
      new Uint8Array(createHash('sha256').update(Uint8Array.from(d)).digest());
    expect(copy.digest()).toEqual(expected([1, 2, 3]));
    expect(h.digest()).toEqual(expected([1, 2, 3, 4]));
    expect(() => h.update(new Uint8Array(1))).toThrow(SottoError);
    expect(() => h.digest()).toThrow(SottoError);
    expect(() => p.createSha256().update('x' as unknown as Uint8Array)).toThrow(SottoError);
    expect(p.detail.sha256Incremental).toBe(p.name === 'node' ? 'node' : 'noble');
  });
});
