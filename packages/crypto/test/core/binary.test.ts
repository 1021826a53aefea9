import { ByteReader, ByteWriter, SottoError } from '@sotto/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('ByteWriter / ByteReader', () => {
  it('round-trips every field type', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xff }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ maxLength: 300 }),
        fc.string({ maxLength: 40 }),
        (a, b, c, d, bytes, s) => {
          const enc = new ByteWriter(4).u8(a).u16(b).u32(c).u64(d).bytes(bytes).string(s).finish();
          const r = new ByteReader(enc);
          expect([r.u8(), r.u16(), r.u32(), r.u64(), r.bytes(300), r.string(200)]).toEqual([
            a,
            b,
            c,
            d,
            bytes,
            s,
          ]);
          r.finish();
        },
      ),
    );
  });

  it('rejects truncation at every position with MALFORMED_ENCODING', () => {
    const enc = new ByteWriter().u32(7).bytes(new Uint8Array(10)).string('hi').finish();
    for (let cut = 0; cut < enc.length; cut++) {
      const r = new ByteReader(enc.subarray(0, cut));
      expect(() => {
        r.u32();
        r.bytes(100);
        r.string(10);
      }).toThrowError(expect.objectContaining({ code: 'MALFORMED_ENCODING' }));
    }
  });

  it('rejects trailing bytes, over-long fields and invalid UTF-8', () => {
    const r = new ByteReader(new Uint8Array([1, 2]));
    r.u8();
    expect(() => r.finish()).toThrow(SottoError);
    const long = new ByteWriter().bytes(new Uint8Array(50)).finish();
    expect(() => new ByteReader(long).bytes(49)).toThrowError(/longer than 49/);
    const badUtf8 = new ByteWriter()
      .u16(2)
      .raw(new Uint8Array([0xc3, 0x28]))
      .finish();
    expect(() => new ByteReader(badUtf8).string(10)).toThrowError(
      expect.objectContaining({ code: 'MALFORMED_ENCODING' }),
    );
  });

  it('refuses out-of-range integers on write', () => {
    expect(() => new ByteWriter().u8(256)).toThrow(SottoError);
    expect(() => new ByteWriter().u16(-1)).toThrow(SottoError);
    expect(() => new ByteWriter().u64(2 ** 60)).toThrow(SottoError);
  });
});
