/**
 * fast-check generators of hostile WebSocket frames for hostile-frames.test.ts: random bytes, text
 * frames, hand-made CBOR the strict decoder must refuse, valid CBOR of the wrong shape, unknown types,
 * valid frames with a field replaced, dropped or added, valid frames with their bytes truncated, flipped,
 * extended or spliced, well-formed frames of every client type, huge arrays, maps and strings, and frames
 * over the size limit (up to 4x, which the server reads and refuses, and beyond, which closes the socket).
 */
import { type CborValue, DEFAULT_LIMITS, encodeCbor } from '@sotto/protocol';
import fc from 'fast-check';

const MAX = DEFAULT_LIMITS.maxFrameBytes;

/** One hostile frame: bytes (binary message), text (a text message), or an oversize binary of `size`. */
export type Hostile =
  | { kind: string; bytes: Uint8Array }
  | { kind: string; text: string }
  | { kind: string; size: number; fill: number };

const reqId = fc.integer({ min: 0, max: 0x7fff_ffff });
const name = fc.oneof(
  fc.constantFrom('alice', 'bob', 'mallory', 'nobody', 'ab', 'ALICE', 'a..b'),
  fc.stringMatching(/^[a-z0-9][a-z0-9._-]{1,30}[a-z0-9]$/),
);
const blob = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const devId = fc.oneof(fc.constantFrom(0, 1, 2, 0xffff_ffff), fc.nat());

/** Any value of the strict CBOR data model (the wrong shape for almost every field). */
const cborValue: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.maxSafeInteger(),
    fc.string({ maxLength: 20 }),
    fc.boolean(),
    fc.constant(null),
    blob(0, 40),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** Well-formed client frames of every type, with arbitrary (mostly meaningless) contents. */
const validFrame: fc.Arbitrary<Record<string, CborValue>> = fc.oneof(
  fc.record({ t: fc.constant('auth'), id: reqId, account: name, deviceId: devId, signature: blob(64, 64) }),
  fc.record({
    t: fc.constant('keys.upload'),
    id: reqId,
    kemPrekeys: fc.array(blob(1, 64), { maxLength: 3 }),
    oneTimePrekeys: fc.array(blob(1, 64), { maxLength: 3 }),
  }),
  fc.record({ t: fc.constant('keys.count'), id: reqId }),
  fc.record({ t: fc.constant('keys.bundles'), id: reqId, account: name }),
  fc.record({ t: fc.constant('devices.get'), id: reqId, account: name }),
  fc.record({ t: fc.constant('devices.publish'), id: reqId, deviceList: blob(1, 200) }),
  fc.record({ t: fc.constant('devices.revoke'), id: reqId, deviceId: devId, deviceList: blob(1, 200) }),
  fc.record({ t: fc.constant('backup.put'), id: reqId, blob: blob(1, 100) }),
  fc.record({
    t: fc.constantFrom(
      'contacts.request',
      'contacts.accept',
      'contacts.decline',
      'contacts.remove',
      'contacts.block',
      'contacts.unblock',
    ),
    id: reqId,
    account: name,
  }),
  fc.record({ t: fc.constant('contacts.list'), id: reqId }),
  fc.record({
    t: fc.constant('presence.set'),
    id: reqId,
    state: fc.constantFrom('online', 'away', 'busy', 'offline'),
  }),
  fc.record({
    t: fc.constant('send'),
    id: reqId,
    to: name,
    messages: fc.array(fc.record({ account: name, deviceId: devId, body: blob(1, 300) }), {
      minLength: 1,
      maxLength: 3,
    }),
  }),
  fc.record({ t: fc.constant('ack'), envelopeIds: fc.array(blob(16, 16), { minLength: 1, maxLength: 4 }) }),
  fc.record({ t: fc.constantFrom('ping', 'pong'), id: reqId }),
);

const encode = (v: CborValue): Uint8Array | undefined => {
  try {
    return encodeCbor(v);
  } catch {
    return undefined; // e.g. a lone surrogate in a generated string; the caller sends raw bytes instead
  }
};
const bin = (kind: string, v: CborValue, fallback: Uint8Array = new Uint8Array([0xff])): Hostile => ({
  kind,
  bytes: encode(v) ?? fallback,
});

/** A field of a valid frame replaced, dropped, or added; or an array element replaced. */
const fieldMutated = fc
  .tuple(validFrame, fc.constantFrom('replace', 'drop', 'add', 'element'), fc.nat(), cborValue)
  .map(([f, how, n, v]) => {
    const m: Record<string, CborValue> = { ...f };
    const keys = Object.keys(m);
    const key = keys[n % keys.length] ?? 't';
    if (how === 'replace') m[key] = v;
    else if (how === 'drop') delete m[key];
    else if (how === 'add') m[`x${n % 7}`] = v;
    else {
      const arr = Object.values(m).find((x): x is CborValue[] => Array.isArray(x));
      if (arr && arr.length > 0) arr[n % arr.length] = v;
      else m[key] = v;
    }
    return bin(`field-${how}`, m);
  });

/** A valid frame's bytes, truncated, bit-flipped, extended or spliced. */
const byteMutated = fc
  .tuple(
    validFrame,
    fc.constantFrom('truncate', 'flip', 'trailing', 'splice'),
    fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
  )
  .map(([f, how, ns]) => {
    const src = encode(f) ?? new Uint8Array([0xa0]);
    const n = ns[0] ?? 0;
    let out: Uint8Array;
    if (how === 'truncate') out = src.slice(0, n % src.length);
    else if (how === 'trailing') out = new Uint8Array([...src, n & 0xff]);
    else if (how === 'splice')
      out = new Uint8Array([...src.slice(0, n % src.length), ...ns.map((x) => x & 0xff)]);
    else {
      out = src.slice();
      for (const x of ns) {
        const i = x % out.length;
        out[i] = (out[i] ?? 0) ^ (1 << (x % 8));
      }
    }
    return { kind: `bytes-${how}`, bytes: out };
  });

const hexBytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/ /g, ''), 'hex'));
const deep = (n: number) => new Uint8Array([...Array(n).fill(0x81), 0x00]);
/** Hand-made CBOR the strict decoder must refuse: floats, tags, indefinite lengths, lies about lengths. */
const badCbor = fc
  .constantFrom(
    ['float16', hexBytes('a2 61 74 64 70 69 6e 67 62 69 64 f9 3c 00')],
    ['float64', hexBytes('fb 3f f0 00 00 00 00 00 00')],
    ['tag', hexBytes('c1 1a 00 00 00 00')],
    ['tag-bignum', hexBytes('c2 49 01 00 00 00 00 00 00 00 00')],
    ['undefined', hexBytes('f7')],
    ['simple', hexBytes('f0')],
    ['break', hexBytes('ff')],
    ['indefinite-array', hexBytes('9f 01 02 ff')],
    ['indefinite-map', hexBytes('bf 61 74 64 70 69 6e 67 ff')],
    ['indefinite-bytes', hexBytes('5f 41 00 ff')],
    ['non-shortest-int', hexBytes('a2 62 69 64 18 01 61 74 64 70 69 6e 67')],
    ['int-key', hexBytes('a1 01 02')],
    ['unsorted-keys', hexBytes('a2 61 74 64 70 69 6e 67 62 69 64 01')],
    ['duplicate-keys', hexBytes('a3 61 74 64 70 69 6e 67 61 74 64 70 69 6e 67 62 69 64 01')],
    ['huge-bytes-length', hexBytes('5b ff ff ff ff ff ff ff ff 00')],
    ['huge-array-length', hexBytes('9b 00 00 00 00 ff ff ff ff 00')],
    ['huge-map-length', hexBytes('bb 00 00 00 01 00 00 00 00')],
    ['huge-text-length', hexBytes('7a ff ff ff ff 61')],
    ['int-beyond-2^53', hexBytes('a2 61 74 64 70 69 6e 67 62 69 64 1b 00 20 00 00 00 00 00 00')],
    ['negative-beyond-2^53', hexBytes('3b 00 20 00 00 00 00 00 00')],
    ['invalid-utf8', hexBytes('a1 61 74 62 ff fe')],
    ['cesu-surrogate', hexBytes('a1 61 74 63 ed a0 80')],
    ['nested-9', deep(9)],
    ['nested-1000', deep(1000)],
    ['empty', new Uint8Array(0)],
    ['empty-map', hexBytes('a0')],
  )
  .map(([kind, bytes]) => ({ kind: `cbor-${kind as string}`, bytes: bytes as Uint8Array }));

/** Real big arrays and strings, inside the frame size limit but beyond the wire bounds. */
const huge = fc.oneof(
  fc
    .integer({ min: 257, max: 5_000 })
    .map((n) =>
      bin('huge-ack', { t: 'ack', envelopeIds: Array.from({ length: n }, () => new Uint8Array(16)) }),
    ),
  fc.integer({ min: 65, max: 800 }).map((n) =>
    bin('huge-send', {
      t: 'send',
      id: 1,
      to: 'bob',
      messages: Array.from({ length: n }, () => ({ account: 'bob', deviceId: 1, body: new Uint8Array(8) })),
    }),
  ),
  fc.integer({ min: 101, max: 1_000 }).map((n) =>
    bin('huge-prekeys', {
      t: 'keys.upload',
      id: 2,
      kemPrekeys: [],
      oneTimePrekeys: Array.from({ length: n }, () => new Uint8Array(40)),
    }),
  ),
  fc
    .integer({ min: 1_000, max: 60_000 })
    .map((n) => bin('huge-int-array', { t: 'ping', id: 3, x: Array(n).fill(0) })),
  fc
    .integer({ min: 33, max: 200_000 })
    .map((n) => bin('huge-name', { t: 'keys.bundles', id: 4, account: 'a'.repeat(n) })),
  fc.integer({ min: 64 * 1024 + 1, max: 200_000 }).map((n) =>
    bin('huge-body', {
      t: 'send',
      id: 5,
      to: 'bob',
      messages: [{ account: 'bob', deviceId: 1, body: new Uint8Array(n) }],
    }),
  ),
  fc.integer({ min: 2_000, max: 8_000 }).map((n) => {
    const m: Record<string, CborValue> = { t: 'ping', id: 6 };
    for (let i = 0; i < n; i++) m[`k${i}`] = i;
    return bin('huge-map', m);
  }),
);

/** Every kind of hostile frame above, weighted; oversize frames are rare (they cost the most to send). */
export const hostile: fc.Arbitrary<Hostile> = fc.oneof(
  { weight: 60, arbitrary: blob(0, 600).map((bytes) => ({ kind: 'random-bytes', bytes })) },
  {
    weight: 12,
    arbitrary: fc.string({ maxLength: 100, unit: 'binary' }).map((text) => ({ kind: 'text-frame', text })),
  },
  { weight: 28, arbitrary: badCbor },
  { weight: 60, arbitrary: cborValue.map((v) => bin('wrong-shape', v)) },
  {
    weight: 20,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 20 }), reqId)
      .map(([type, id]) => bin('unknown-type', { t: type, id })),
  },
  { weight: 80, arbitrary: fieldMutated },
  { weight: 60, arbitrary: byteMutated },
  { weight: 48, arbitrary: validFrame.map((f) => bin('valid-frame', f)) },
  { weight: 20, arbitrary: huge },
  {
    weight: 4,
    arbitrary: fc
      .integer({ min: MAX + 1, max: 4 * MAX })
      .map((size) => ({ kind: 'oversize', size, fill: 0xa1 })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 4 * MAX + 1, max: 4 * MAX + 4096 })
      .map((size) => ({ kind: 'oversize-beyond-4x', size, fill: 0x00 })),
  },
);
