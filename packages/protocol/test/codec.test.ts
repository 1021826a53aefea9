import {
  CLIENT_FRAMES,
  DEFAULT_LIMITS,
  decodeCbor,
  decodeFrame,
  encodeCbor,
  encodeFrame,
  FRAME_TYPES,
  type Frame,
  SERVER_FRAMES,
  SottoError,
  tryDecodeFrame,
  validate,
} from '@sotto/protocol';
import { describe, expect, it } from 'vitest';
import { ALL_SAMPLES, SAMPLE_FRAMES } from './samples.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (SottoError.is(err)) return err.code;
    throw err;
  }
  return 'no error';
}

describe('frame codec', () => {
  it('has a sample of every frame type, and every type is sent by some side', () => {
    for (const t of FRAME_TYPES) expect(SAMPLE_FRAMES[t].length).toBeGreaterThan(0);
    for (const t of FRAME_TYPES) expect(t in CLIENT_FRAMES || t in SERVER_FRAMES).toBe(true);
  });

  it.each(ALL_SAMPLES.map((f) => [f.t, f] as const))('round-trips %s', (_t, frame) => {
    const bytes = encodeFrame(frame);
    const back = decodeFrame(bytes, DEFAULT_LIMITS);
    expect(back).toEqual(frame);
    // Deterministic: encoding the decoded frame gives the same bytes.
    expect(encodeFrame(back)).toEqual(bytes);
  });

  it('accepts only the frame types the sending side may send', () => {
    const envelope = encodeFrame(SAMPLE_FRAMES.envelope[0] as Frame);
    expect(codeOf(() => decodeFrame(envelope, DEFAULT_LIMITS, 'client'))).toBe('UNKNOWN_FRAME_TYPE');
    expect(decodeFrame(envelope, DEFAULT_LIMITS, 'server').t).toBe('envelope');
    const send = encodeFrame(SAMPLE_FRAMES.send[0] as Frame);
    expect(codeOf(() => decodeFrame(send, DEFAULT_LIMITS, 'server'))).toBe('UNKNOWN_FRAME_TYPE');
    expect(decodeFrame(send, DEFAULT_LIMITS, 'client').t).toBe('send');
  });

  it('rejects an unknown type, a missing type and a non-map frame with stable codes', () => {
    expect(codeOf(() => decodeFrame(encodeCbor({ t: 'teleport', id: 1 })))).toBe('UNKNOWN_FRAME_TYPE');
    expect(codeOf(() => decodeFrame(encodeCbor({ t: 'toString', id: 1 })))).toBe('UNKNOWN_FRAME_TYPE');
    expect(codeOf(() => decodeFrame(encodeCbor({ t: '__proto__', id: 1 })))).toBe('UNKNOWN_FRAME_TYPE');
    expect(codeOf(() => decodeFrame(encodeCbor({ id: 1 })))).toBe('BAD_FRAME');
    expect(codeOf(() => decodeFrame(encodeCbor({ t: 7 })))).toBe('BAD_FRAME');
    expect(codeOf(() => decodeFrame(encodeCbor([1, 2])))).toBe('BAD_FRAME');
    expect(codeOf(() => decodeFrame(encodeCbor('ping')))).toBe('BAD_FRAME');
    expect(codeOf(() => decodeFrame(new Uint8Array()))).toBe('BAD_FRAME');
  });

  const invalid: [string, Record<string, unknown>][] = [
    ['unknown field', { t: 'ping', id: 1, extra: true }],
    ['missing id', { t: 'ping' }],
    ['negative id', { t: 'ping', id: -1 }],
    ['id beyond u32', { t: 'ping', id: 2 ** 32 }],
    ['uppercase account', { t: 'keys.bundles', id: 1, account: 'Bob' }],
    ['short account', { t: 'keys.bundles', id: 1, account: 'bo' }],
    ['account with a space', { t: 'keys.bundles', id: 1, account: 'bob smith' }],
    ['account ending in a dot', { t: 'keys.bundles', id: 1, account: 'bob.' }],
    ['short signature', { t: 'auth', id: 1, account: 'bob', deviceId: 1, signature: new Uint8Array(63) }],
    ['text instead of bytes', { t: 'backup.put', id: 1, blob: 'aGVsbG8' }],
    ['empty blob', { t: 'backup.put', id: 1, blob: new Uint8Array() }],
    [
      'oversize body',
      {
        t: 'send',
        id: 1,
        to: 'bob',
        messages: [{ account: 'bob', deviceId: 1, body: new Uint8Array(65 * 1024) }],
      },
    ],
    ['no messages', { t: 'send', id: 1, to: 'bob', messages: [] }],
    [
      'a clear-text ephemeral flag (typing is indistinguishable from messages)',
      {
        t: 'send',
        id: 1,
        to: 'bob',
        ephemeral: true,
        messages: [{ account: 'bob', deviceId: 1, body: new Uint8Array(256) }],
      },
    ],
    [
      'an address with a line break (header injection)',
      {
        t: 'notify.email.set',
        id: 1,
        address: 'bob@example.org\r\nBcc: eve@example.org',
      },
    ],
    ['an address without a domain', { t: 'notify.email.set', id: 1, address: 'bob@localhost' }],
    ['an address with a display name', { t: 'notify.email.set', id: 1, address: 'Bob <bob@example.org>' }],
    ['two addresses', { t: 'notify.email.set', id: 1, address: 'bob@example.org,eve@example.org' }],
    ['a five-digit code', { t: 'notify.email.verify', id: 1, code: '12345' }],
    ['a code with letters', { t: 'notify.email.verify', id: 1, code: '12345a' }],
    [
      'a busy flag that is not a boolean',
      {
        t: 'sent',
        id: 1,
        envelopeIds: [],
        serverTime: 1,
        recipientBusy: 1,
      },
    ],
    ['unknown presence state', { t: 'presence.set', id: 1, state: 'invisible' }],
    ['long status text', { t: 'presence.set', id: 1, state: 'online', text: 'x'.repeat(141) }],
    ['unknown error code', { t: 'error', code: 'NOPE', message: 'x' }],
    ['short envelope id', { t: 'ack', envelopeIds: [new Uint8Array(15)] }],
    ['empty ack', { t: 'ack', envelopeIds: [] }],
    [
      'too many prekeys',
      { t: 'keys.upload', id: 1, kemPrekeys: [], oneTimePrekeys: Array(101).fill(new Uint8Array(32)) },
    ],
    [
      'null for an optional field',
      { t: 'keys.upload', id: 1, signedPrekey: null, kemPrekeys: [], oneTimePrekeys: [] },
    ],
  ];

  it.each(invalid)('rejects a frame with %s as BAD_FRAME, naming no value', (_name, value) => {
    const bytes = encodeCbor(value);
    let caught: unknown;
    try {
      decodeFrame(bytes, DEFAULT_LIMITS);
    } catch (err) {
      caught = err;
    }
    expect(SottoError.is(caught, 'BAD_FRAME')).toBe(true);
    expect(String((caught as Error).message)).not.toMatch(/aGVsbG8|Bob|invisible|NOPE/);
    // The encoder refuses the same frame, so a peer can never emit it.
    expect(codeOf(() => encodeFrame(value as Frame))).toMatch(/BAD_FRAME|UNKNOWN_FRAME_TYPE/);
  });

  it('rejects oversize input before parsing it', () => {
    const limits = { maxFrameBytes: 1024 };
    // 0xff is an unexpected "break": a parser would say BAD_FRAME; the size check must come first.
    const junk = new Uint8Array(1025).fill(0xff);
    expect(codeOf(() => decodeFrame(junk, limits))).toBe('FRAME_TOO_LARGE');
    expect(codeOf(() => decodeFrame(new Uint8Array(DEFAULT_LIMITS.maxFrameBytes + 1)))).toBe(
      'FRAME_TOO_LARGE',
    );
    const backup = { t: 'backup.put', id: 1, blob: new Uint8Array(2000) } as const;
    expect(codeOf(() => encodeFrame(backup, limits))).toBe('FRAME_TOO_LARGE');
    expect(decodeFrame(encodeFrame(backup), { maxFrameBytes: 2100 }).t).toBe('backup.put');
  });

  it('returns fresh copies: mutating the input afterwards does not change the frame', () => {
    const bytes = encodeFrame({ t: 'backup.put', id: 1, blob: new Uint8Array([1, 2, 3]) });
    const frame = decodeFrame(bytes);
    bytes.fill(0);
    expect(frame).toEqual({ t: 'backup.put', id: 1, blob: new Uint8Array([1, 2, 3]) });
  });

  it('accepts a Node Buffer and returns plain, unshared Uint8Arrays', () => {
    const buf = Buffer.from(encodeFrame({ t: 'backup.put', id: 1, blob: new Uint8Array([1, 2, 3]) }));
    const frame = decodeFrame(buf);
    const raw = decodeCbor(buf, { maxDepth: 8 }) as { blob: Uint8Array };
    buf.fill(0);
    expect(frame.t === 'backup.put' && Object.getPrototypeOf(frame.blob)).toBe(Uint8Array.prototype);
    expect(Object.getPrototypeOf(raw.blob)).toBe(Uint8Array.prototype);
    expect([...raw.blob]).toEqual([1, 2, 3]);
  });

  it('names the failing field by its path, built only when a check fails', () => {
    const send = (body: unknown) => ({
      t: 'send',
      id: 1,
      to: 'bob',
      messages: [
        { account: 'bob', deviceId: 1, body: new Uint8Array(1) },
        { account: 'bob', deviceId: 2, body },
      ],
    });
    expect(() => decodeFrame(encodeCbor(send('x')))).toThrow('Invalid messages[1].body: expected bytes');
    expect(() => decodeFrame(encodeCbor({ t: 'ping' }))).toThrow('Invalid id: required');
    expect(() => decodeFrame(encodeCbor({ t: 'ping', id: 1, x: 1 }))).toThrow('Invalid value: unknown field');
  });

  it('copies byte strings that view a larger buffer, a Buffer, a subclass or a few bytes, and keeps a whole plain one', () => {
    const backing = new Uint8Array([9, 1, 2, 3, 9]);
    const view = backing.subarray(1, 4);
    const out = validate(CLIENT_FRAMES['backup.put'], { t: 'backup.put', id: 1, blob: view }) as {
      blob: Uint8Array;
    };
    backing.fill(0);
    expect([...out.blob]).toEqual([1, 2, 3]);
    const buf = Buffer.from([4, 5]);
    const fromBuf = validate(CLIENT_FRAMES['backup.put'], { t: 'backup.put', id: 1, blob: buf }) as {
      blob: Uint8Array;
    };
    expect(Object.getPrototypeOf(fromBuf.blob)).toBe(Uint8Array.prototype);
    expect(fromBuf.blob).not.toBe(buf);
    // A large whole array is kept as it is; a small one is copied (cheaper than asking V8 for its buffer).
    const whole = new Uint8Array(100).fill(7);
    const kept = validate(CLIENT_FRAMES['backup.put'], { t: 'backup.put', id: 1, blob: whole }) as {
      blob: Uint8Array;
    };
    expect(kept.blob).toBe(whole);
    const small = new Uint8Array([7]);
    const copied = validate(CLIENT_FRAMES['backup.put'], { t: 'backup.put', id: 1, blob: small }) as {
      blob: Uint8Array;
    };
    expect(copied.blob).not.toBe(small);
    expect([...copied.blob]).toEqual([7]);
  });

  it('encodes into the array an allocator hands out, byte for byte as into its own', () => {
    const frame = { t: 'backup.put', id: 7, blob: new Uint8Array(300).fill(5) } as const;
    const lengths: number[] = [];
    const pooled = encodeFrame(frame, DEFAULT_LIMITS, (n) => {
      lengths.push(n);
      return Buffer.alloc(n, 0xee);
    });
    expect(Buffer.isBuffer(pooled)).toBe(true);
    expect(lengths).toEqual([pooled.length]);
    expect(Buffer.from(pooled).equals(Buffer.from(encodeFrame(frame)))).toBe(true);
  });

  it('decodes byte strings into the arrays an allocator hands out, copied from the input, kept as they are', () => {
    const bytes = encodeFrame({ t: 'backup.put', id: 7, blob: new Uint8Array(300).fill(5) });
    const handed: Uint8Array[] = [];
    const result = tryDecodeFrame(bytes, DEFAULT_LIMITS, 'client', (n) => {
      const out = Buffer.allocUnsafe(n);
      handed.push(out);
      return out;
    });
    if (!result.ok || result.frame.t !== 'backup.put') throw new Error('not decoded');
    expect(handed).toHaveLength(1);
    expect(result.frame.blob).toBe(handed[0]);
    bytes.fill(0);
    expect([...result.frame.blob].every((b) => b === 5)).toBe(true);
  });

  it('rejects input that is not a Uint8Array', () => {
    expect(codeOf(() => decodeFrame('frame' as unknown as Uint8Array))).toBe('BAD_FRAME');
    expect(codeOf(() => decodeFrame(null as unknown as Uint8Array))).toBe('BAD_FRAME');
  });
});
