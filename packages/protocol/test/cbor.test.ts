import { decodeCbor, decodeFrame, encodeCbor, SottoError } from '@sotto/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const opts = { maxDepth: 8 };
const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

function rejects(bytes: Uint8Array): string {
  try {
    decodeCbor(bytes, opts);
  } catch (err) {
    if (SottoError.is(err)) return err.code;
    throw err;
  }
  return 'accepted';
}

describe('strict CBOR decoder', () => {
  const valid: [string, string, unknown][] = [
    ['zero', '00', 0],
    ['23', '17', 23],
    ['24 (one-byte argument)', '1818', 24],
    ['2^53 - 1', '1b001fffffffffffff', Number.MAX_SAFE_INTEGER],
    ['-1', '20', -1],
    ['-(2^53 - 1)', '3b001ffffffffffffe', -Number.MAX_SAFE_INTEGER],
    ['bytes', '43010203', new Uint8Array([1, 2, 3])],
    ['text', '6449455446', 'IETF'],
    ['utf-8 text', '62c3bc', 'ü'],
    ['false/true/null', '83f4f5f6', [false, true, null]],
    ['sorted map', 'a2616101626262f5', { a: 1, bb: true }],
  ];

  it.each(valid)('accepts %s', (_name, h, expected) => {
    const v = decodeCbor(hex(h), opts);
    expect(v).toEqual(expected);
    expect(Buffer.from(encodeCbor(v)).toString('hex')).toBe(h);
  });

  const hostile: [string, string][] = [
    ['empty input', ''],
    ['truncated uint', '19 01'],
    ['truncated bytes', '43 0102'],
    ['trailing bytes', '00 00'],
    ['indefinite byte string', '5f 41 01 ff'],
    ['indefinite text', '7f 61 61 ff'],
    ['indefinite array', '9f 01 ff'],
    ['indefinite map', 'bf 61 61 01 ff'],
    ['lone break', 'ff'],
    ['tag 0 (date)', 'c0 74 32303133 2d30332d32315432303a30343a30305a'],
    ['tag 2 (bignum)', 'c2 49 010000000000000000'],
    ['self-described CBOR tag', 'd9d9f7 00'],
    ['undefined', 'f7'],
    ['simple value 16', 'f0'],
    ['one-byte simple value', 'f8 20'],
    ['half float', 'f9 3c00'],
    ['single float', 'fa 47c35000'],
    ['double float', 'fb 3ff199999999999a'],
    ['reserved additional info 28', '1c'],
    ['non-shortest uint (1 byte for 23)', '18 17'],
    ['non-shortest uint (2 bytes for 255)', '19 00ff'],
    ['non-shortest uint (8 bytes for 1)', '1b 0000000000000001'],
    ['non-shortest length', '58 01 00'],
    ['integer above 2^53 - 1', '1b 0020000000000000'],
    ['integer at 2^64 - 1', '1b ffffffffffffffff'],
    ['negative below -(2^53 - 1)', '3b 001fffffffffffff'],
    ['huge declared byte length', '5b 0000000100000000'],
    ['huge declared text length', '7a ffffffff'],
    ['huge declared array length', '9b 001fffffffffffff'],
    ['huge declared map length', 'ba ffffffff'],
    ['invalid UTF-8', '62 c328'],
    ['UTF-8 surrogate half', '63 eda080'],
    ['integer map key', 'a1 01 02'],
    ['byte-string map key', 'a1 41 61 02'],
    ['duplicate map key', 'a2 61 61 01 61 61 02'],
    ['unsorted map keys', 'a2 62 62 62 01 61 61 02'],
    ['unsorted same-length keys', 'a2 61 62 01 61 61 02'],
  ];

  it.each(hostile)('rejects %s with BAD_FRAME', (_name, h) => {
    expect(rejects(hex(h))).toBe('BAD_FRAME');
    expect(() => decodeFrame(hex(h))).toThrow(SottoError);
  });

  it('bounds nesting depth (deep arrays and maps never overflow the stack)', () => {
    // maxDepth 8: eight nested arrays are fine, a ninth is refused.
    expect(decodeCbor(hex('818181818181818100'), opts)).toEqual([[[[[[[[0]]]]]]]]);
    expect(rejects(hex('81818181818181818100'))).toBe('BAD_FRAME');
    const deep = new Uint8Array(1_000_000).fill(0x81);
    const start = performance.now();
    expect(rejects(deep)).toBe('BAD_FRAME');
    const deepMaps = new Uint8Array(300_000);
    for (let i = 0; i < deepMaps.length; i += 3) deepMaps.set([0xa1, 0x61, 0x61], i);
    expect(rejects(deepMaps)).toBe('BAD_FRAME');
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('decodes maps as objects that inherit nothing, so "__proto__" and "constructor" are just keys', () => {
    const v = decodeCbor(encodeCbor({ ['__proto__']: 1, a: 2 } as never), opts) as Record<string, unknown>;
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect(Reflect.get(v, '__proto__')).toBe(1);
    expect(v.a).toBe(2);
    // The prototype is empty, frozen and ends the chain: nothing is inherited, nothing can be added.
    const proto = Object.getPrototypeOf(v) as object;
    expect(Object.getPrototypeOf(proto)).toBe(null);
    expect(Object.isFrozen(proto)).toBe(true);
    expect(Reflect.ownKeys(proto)).toEqual([]);
    expect('toString' in v || 'constructor' in v || 'hasOwnProperty' in v).toBe(false);
    const w = decodeCbor(encodeCbor({ constructor: 3 }), opts) as Record<string, unknown>;
    expect(w.constructor).toBe(3);
    expect(Object.getPrototypeOf(w)).toBe(proto);
    // A decoded map encodes again as it was.
    expect(
      Buffer.from(encodeCbor(v)).equals(Buffer.from(encodeCbor({ ['__proto__']: 1, a: 2 } as never))),
    ).toBe(true);
  });
});

describe('deterministic CBOR encoder', () => {
  it('sorts map keys by encoded bytes (shorter first) and omits undefined values', () => {
    expect(Buffer.from(encodeCbor({ bb: 1, a: 2, c: undefined })).toString('hex')).toBe(
      'a2616102626262' + '01',
    );
  });

  it('orders any keys (non-ASCII, surrogate pairs, more than 16) exactly by their encoded bytes', () => {
    const utf8 = (k: string) => Buffer.from(k, 'utf8');
    const byEncoding = (a: string, b: string) =>
      utf8(a).length - utf8(b).length || Buffer.compare(utf8(a), utf8(b));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 3 })), {
          maxLength: 40,
        }),
        (keys) => {
          const value: Record<string, number> = Object.create(null);
          keys.forEach((k, i) => {
            value[k] = i;
          });
          // The decoder refuses keys out of encoded order, so decoding at all proves the order.
          const decoded = decodeCbor(encodeCbor(value), opts) as Record<string, number>;
          expect(Object.keys(decoded).sort(byEncoding)).toEqual([...keys].sort(byEncoding));
          for (const k of keys) expect(decoded[k]).toBe(value[k]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('uses the shortest head for every integer size', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [24, '1818'],
      [255, '18ff'],
      [256, '190100'],
      [65535, '19ffff'],
      [65536, '1a00010000'],
      [2 ** 32 - 1, '1affffffff'],
      [2 ** 32, '1b0000000100000000'],
      [-24, '37'],
      [-25, '3818'],
    ];
    for (const [n, h] of cases) {
      expect(Buffer.from(encodeCbor(n)).toString('hex')).toBe(h);
      expect(decodeCbor(hex(h), opts)).toBe(n);
    }
  });

  const unencodable: [string, unknown][] = [
    ['a float', 1.5],
    ['NaN', Number.NaN],
    ['an unsafe integer', 2 ** 53],
    ['undefined', undefined],
    ['undefined in an array', [1, undefined]],
    ['a bigint', 1n],
    ['a Map', new Map()],
    ['a Date', new Date(0)],
    ['a function', () => 1],
    ['a lone surrogate', '\ud800'],
  ];

  it.each(unencodable)('refuses %s with BAD_FRAME', (_name, v) => {
    expect(() => encodeCbor(v)).toThrow(SottoError);
    try {
      encodeCbor(v);
    } catch (err) {
      expect(SottoError.is(err, 'BAD_FRAME')).toBe(true);
    }
  });

  it('refuses cyclic values instead of looping', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(() => encodeCbor(a)).toThrow(SottoError);
  });
});
