import {
  addDeviceRequest,
  DEFAULT_LIMITS,
  decodeBody,
  decodeFrame,
  encodeCbor,
  encodeFrame,
  type Frame,
  loginFinishResponse,
  type Schema,
  SottoError,
} from '@sotto/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_SAMPLES } from './samples.js';

const CODEC_CODES = new Set(['BAD_FRAME', 'UNKNOWN_FRAME_TYPE', 'FRAME_TOO_LARGE']);
const limits = { maxFrameBytes: 4096, maxBodyBytes: 4096 };

/** Decoding either succeeds with a frame that re-encodes, or throws a SottoError with a codec code. */
function decodesSafely(bytes: Uint8Array): void {
  let frame: Frame | undefined;
  try {
    frame = decodeFrame(bytes, limits);
  } catch (err) {
    if (!SottoError.is(err) || !CODEC_CODES.has(err.code)) throw err;
    // Never echo input: the message has no run of the input bytes rendered as hex.
    if (bytes.length >= 8)
      expect(err.message).not.toContain(Buffer.from(bytes.subarray(0, 8)).toString('hex'));
    return;
  }
  // Anything accepted is canonical: it re-encodes to exactly the same bytes.
  expect(encodeFrame(frame)).toEqual(bytes);
}

const encodedSamples = ALL_SAMPLES.filter((f) => encodeFrame(f).length <= limits.maxFrameBytes).map((f) =>
  encodeFrame(f),
);

/** A valid frame encoding with one mutation: bit flip, byte set, truncation, insertion or deletion. */
const mutated = fc
  .tuple(
    fc.constantFrom(...encodedSamples),
    fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }),
      }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 9 }) }),
    ),
  )
  .map(([orig, m]) => {
    const at = m.at % orig.length;
    switch (m.kind) {
      case 'flip': {
        const out = orig.slice();
        out[at] = (out[at] ?? 0) ^ (1 << m.bit);
        return out;
      }
      case 'set': {
        const out = orig.slice();
        out[at] = m.byte;
        return out;
      }
      case 'truncate':
        return orig.slice(0, at);
      case 'insert':
        return Uint8Array.from([...orig.subarray(0, at), ...m.bytes, ...orig.subarray(at)]);
      default:
        return Uint8Array.from([...orig.subarray(0, at), ...orig.subarray(at + m.n)]);
    }
  });

/** Arbitrary values of the CBOR data model, with frame-like keys mixed in. */
const cborish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
    fc.constantFrom(0, 1, 2 ** 32, Number.MAX_SAFE_INTEGER),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('ping', 'send', 'error', 'bob', 'DEVICE_MISMATCH', 'online'),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 70 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        fc.constantFrom('t', 'id', 'account', 'deviceId', 'messages', 'body', 'to', 'code'),
        fc.string({ maxLength: 8 }),
      ),
      tie('value'),
      { maxKeys: 6 },
    ),
  ),
})).value;

describe('decoding hostile input (property tests)', () => {
  it('random bytes: always a frame or a SottoError with a codec code', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), decodesSafely), { numRuns: 3000 });
  });

  it('random bytes after a map head: always a frame or a SottoError with a codec code', () => {
    const withHead = fc
      .tuple(fc.integer({ min: 0xa0, max: 0xbf }), fc.uint8Array({ maxLength: 200 }))
      .map(([h, rest]) => Uint8Array.from([h, ...rest]));
    fc.assert(fc.property(withHead, decodesSafely), { numRuns: 3000 });
  });

  it('mutated valid frames: always a frame or a SottoError with a codec code', () => {
    fc.assert(fc.property(mutated, decodesSafely), { numRuns: 5000 });
  });

  it('well-formed CBOR of the wrong shape: always a frame or a SottoError with a codec code', () => {
    const framey = fc.oneof(
      cborish,
      fc.record({ t: fc.constantFrom(...ALL_SAMPLES.map((f) => f.t)), id: cborish, account: cborish }),
      fc
        .constantFrom(...ALL_SAMPLES)
        .chain((f) =>
          fc.tuple(fc.constantFrom(...Object.keys(f)), cborish).map(([k, v]) => ({ ...f, [k]: v })),
        ),
    );
    fc.assert(
      fc.property(framey, (v) => {
        let bytes: Uint8Array;
        try {
          bytes = encodeCbor(v);
        } catch (err) {
          expect(SottoError.is(err, 'BAD_FRAME')).toBe(true);
          return;
        }
        decodesSafely(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  it('HTTP bodies: random and mutated bytes yield a body or a SottoError with a codec code', () => {
    const good = encodeCbor({
      ticket: new Uint8Array(32),
      certificate: new Uint8Array(100),
      deviceList: new Uint8Array(90),
    });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.nat().map((i) => good.slice(0, i % good.length)),
        ),
        (bytes) => {
          for (const schema of [addDeviceRequest, loginFinishResponse] as Schema<unknown>[]) {
            try {
              decodeBody(schema, bytes, limits);
            } catch (err) {
              if (!SottoError.is(err) || !CODEC_CODES.has(err.code)) throw err;
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never hangs: a maximal frame of hostile bytes is handled in linear time', () => {
    const start = performance.now();
    for (const fill of [0x00, 0x81, 0x9f, 0xbf, 0x5b, 0xc0, 0xff]) {
      const bytes = new Uint8Array(DEFAULT_LIMITS.maxFrameBytes).fill(fill);
      expect(() => decodeFrame(bytes)).toThrow(SottoError);
    }
    // Just under the frame limit: 14,000 envelope ids, far more than the schema allows.
    const many = encodeCbor({
      t: 'ack',
      envelopeIds: Array.from({ length: 14_000 }, () => new Uint8Array(16)),
    });
    expect(many.length).toBeLessThan(DEFAULT_LIMITS.maxFrameBytes);
    expect(() => decodeFrame(many)).toThrow(/item count/);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
