/**
 * Property tests of the streaming file encryption, on every provider backend: any size round-trips
 * (0, chunk boundaries, random), streamed in pieces of any size; and every manipulation a server could
 * make to the stored ciphertext fails with FILE_INTEGRITY: a flipped bit anywhere, truncation anywhere
 * (including exactly at a chunk boundary), chunks reordered, dropped or repeated, a chunk moved in from
 * another file, trailing bytes, a wrong key, a wrong stated size.
 */

import { createFileOpener, encryptFile, FILE_CHUNK_BYTES, type FileOpener } from '@sotto/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { providerCases } from '../helpers/providers.js';
import { chunksOf, join, openCode, pattern } from './support.js';

const C = FILE_CHUNK_BYTES;
const cases = await providerCases();
/** noble's pure-JS AES-GCM is slow: fewer runs there, same properties. */
const runs = (label: string, n: number) => ({ numRuns: label === 'portable-noble' ? Math.ceil(n / 3) : n });

const sizes = fc.oneof(
  fc.constantFrom(0, 1, 15, 16, 17, C - 1, C, C + 1, 2 * C - 1, 2 * C, 2 * C + 1, 3 * C),
  fc.integer({ min: 0, max: 4 * C + 99 }),
);

/** Feeds `c` to `opener` in pieces cut at the (sorted, deduplicated) `cuts`; returns all plaintext. */
async function stream(opener: FileOpener, c: Uint8Array, cuts: number[]): Promise<Uint8Array> {
  const points = [...new Set(cuts.map((x) => x % (c.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const to of [...points, c.length]) {
    if (to < from) continue;
    parts.push(...(await opener.push(c.subarray(from, to))));
    from = to;
  }
  parts.push(await opener.finish());
  return join(new Uint8Array(0), parts);
}

describe.each(cases)('file stream ($label)', ({ label, provider: p }) => {
  it('round-trips any size, streamed in pieces of any size, with and without the stated size', async () => {
    await fc.assert(
      fc.asyncProperty(
        sizes,
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.boolean(),
        async (size, cuts, told) => {
          const key = p.randomBytes(32);
          const plaintext = pattern(size, cuts.length);
          const c = await encryptFile(p, key, plaintext);
          expect(c.length).toBe(35 + size + 16 * (Math.floor(size / C) + 1));
          const opener = await createFileOpener(p, key, told ? { plainSize: size } : {});
          const out = await stream(opener, c, cuts);
          expect(Buffer.from(out).equals(plaintext)).toBe(true);
          expect(opener.plainBytes).toBe(size);
          expect(opener.cipherBytes).toBe(c.length);
        },
      ),
      runs(label, 40),
    );
  });

  it('fails on any single flipped bit (header, tag, body, final chunk)', async () => {
    const key = p.randomBytes(32);
    const size = 2 * C + 300;
    const c = await encryptFile(p, key, pattern(size));
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: c.length * 8 - 1 }), fc.boolean(), async (bit, told) => {
        const t = c.slice();
        t[bit >> 3] = (t[bit >> 3] as number) ^ (1 << (bit & 7));
        expect(await openCode(p, key, t, told ? size : undefined)).toBe('FILE_INTEGRITY');
      }),
      runs(label, 60),
    );
    // Every bit of the header, and the first and last byte of every chunk.
    for (let bit = 0; bit < 35 * 8; bit++) {
      const t = c.slice();
      t[bit >> 3] = (t[bit >> 3] as number) ^ (1 << (bit & 7));
      expect(await openCode(p, key, t), `header bit ${bit}`).toBe('FILE_INTEGRITY');
    }
  });

  it('fails on truncation anywhere, including exactly at each chunk boundary, with or without the size', async () => {
    const key = p.randomBytes(32);
    const size = 3 * C; // the final chunk is empty: cutting it off leaves whole chunks only
    const c = await encryptFile(p, key, pattern(size));
    const boundaries = [0, 1, 34, 35, 35 + (C + 16), 35 + 2 * (C + 16), 35 + 3 * (C + 16), c.length - 1];
    for (const cut of boundaries) {
      expect(await openCode(p, key, c.subarray(0, cut)), `cut ${cut}`).toBe('FILE_INTEGRITY');
      expect(await openCode(p, key, c.subarray(0, cut), size), `cut ${cut}, size`).toBe('FILE_INTEGRITY');
    }
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: c.length - 1 }), async (cut) => {
        expect(await openCode(p, key, c.subarray(0, cut))).toBe('FILE_INTEGRITY');
      }),
      runs(label, 30),
    );
  });

  it('fails on trailing bytes after the final chunk', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 100, C - 16, C),
        fc.uint8Array({ minLength: 1, maxLength: C + 40 }),
        async (size, extra) => {
          const key = p.randomBytes(32);
          const c = await encryptFile(p, key, pattern(size));
          const longer = join(c, [extra]);
          expect(await openCode(p, key, longer)).toBe('FILE_INTEGRITY');
          expect(await openCode(p, key, longer, size)).toBe('FILE_INTEGRITY');
        },
      ),
      runs(label, 20),
    );
  });

  it('fails when chunks are reordered, dropped or repeated', async () => {
    const key = p.randomBytes(32);
    const c = await encryptFile(p, key, pattern(4 * C + 7));
    const header = c.subarray(0, 35);
    const chunks = chunksOf(c);
    expect(chunks).toHaveLength(5);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: 4 }), { minLength: 1, maxLength: 7 }), async (order) => {
        fc.pre(order.join() !== '0,1,2,3,4');
        const t = join(
          header,
          order.map((i) => chunks[i] as Uint8Array),
        );
        expect(await openCode(p, key, t)).toBe('FILE_INTEGRITY');
      }),
      runs(label, 40),
    );
    expect(await openCode(p, key, join(header, chunks))).toBeUndefined();
  });

  it('fails when a chunk is moved in from another file (same size, same position)', async () => {
    const keyA = p.randomBytes(32);
    const keyB = p.randomBytes(32);
    const a = await encryptFile(p, keyA, pattern(2 * C + 9, 1));
    const b = await encryptFile(p, keyB, pattern(2 * C + 9, 2));
    const ca = chunksOf(a);
    const cb = chunksOf(b);
    for (let i = 0; i < ca.length; i++) {
      const mixed = ca.map((x, j) => (j === i ? (cb[j] as Uint8Array) : x));
      expect(await openCode(p, keyA, join(a.subarray(0, 35), mixed)), `chunk ${i}`).toBe('FILE_INTEGRITY');
    }
    // The other file's header (its key commitment) does not open under this key either.
    expect(await openCode(p, keyA, join(b.subarray(0, 35), ca))).toBe('FILE_INTEGRITY');
    // Nor does the whole other file, nor this file under a wrong stated size.
    expect(await openCode(p, keyA, b)).toBe('FILE_INTEGRITY');
    expect(await openCode(p, keyA, a, 2 * C + 8)).toBe('FILE_INTEGRITY');
    expect(await openCode(p, keyA, a, 2 * C + 10)).toBe('FILE_INTEGRITY');
  });
});
