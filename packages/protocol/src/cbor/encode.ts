/**
 * Deterministic CBOR encoder (RFC 8949 §4.2.1 core deterministic encoding): shortest-form heads,
 * definite lengths, map keys sorted by their encoded bytes. Only the strict data model of
 * {@link CborValue} is accepted; anything else throws BAD_FRAME.
 */

import { SottoError } from '@sotto/crypto';
import { DECODED_MAP_PROTOTYPE, MAJOR } from './value.js';

const MAX_ENCODE_DEPTH = 64;
const encoder = new TextEncoder();
/** Lone UTF-16 surrogates would be silently replaced by U+FFFD; refuse them instead. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Keys longer than this are encoded each time rather than cached. */
const MAX_CACHED_KEY = 64;
/** Distinct keys cached before the cache is emptied (frame field names are a small, fixed set). */
const MAX_CACHED_KEYS = 1024;
/** A scratch buffer grown beyond this is not kept for the next call. */
const MAX_KEPT_BUFFER = 1 << 16;

class Writer {
  private buf: Uint8Array;
  private len = 0;

  constructor(buf: Uint8Array = new Uint8Array(256)) {
    this.buf = buf;
  }

  /** The buffer to keep for the next call, if it is not too large. */
  get reusable(): Uint8Array | undefined {
    return this.buf.length <= MAX_KEPT_BUFFER ? this.buf : undefined;
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  head(major: number, n: number): void {
    const m = major << 5;
    if (n < 24) {
      this.ensure(1);
      this.buf[this.len++] = m | n;
    } else if (n <= 0xff) {
      this.ensure(2);
      this.buf[this.len++] = m | 24;
      this.buf[this.len++] = n;
    } else if (n <= 0xffff) {
      this.ensure(3);
      this.buf[this.len++] = m | 25;
      this.buf[this.len++] = n >>> 8;
      this.buf[this.len++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      this.ensure(5);
      this.buf[this.len++] = m | 26;
      this.uint32(n);
    } else {
      // n is a safe integer here (callers check), so n / 2^32 is exact in its integer part.
      this.ensure(9);
      this.buf[this.len++] = m | 27;
      this.uint32(Math.floor(n / 0x1_0000_0000));
      this.uint32(n >>> 0);
    }
  }

  private uint32(n: number): void {
    this.buf[this.len++] = (n >>> 24) & 0xff;
    this.buf[this.len++] = (n >>> 16) & 0xff;
    this.buf[this.len++] = (n >>> 8) & 0xff;
    this.buf[this.len++] = n & 0xff;
  }

  /** Writes a text string whose UTF-16 units are all ASCII; false (nothing written) otherwise. */
  ascii(s: string): boolean {
    const n = s.length;
    for (let i = 0; i < n; i++) if (s.charCodeAt(i) > 0x7f) return false;
    this.head(MAJOR.text, n);
    this.ensure(n);
    for (let i = 0; i < n; i++) this.buf[this.len++] = s.charCodeAt(i);
    return true;
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** The bytes written, copied into `allocate(length)` (`slice` takes V8's slow species path). */
  finish(allocate: (length: number) => Uint8Array): Uint8Array {
    const out = allocate(this.len);
    out.set(this.buf.subarray(0, this.len));
    return out;
  }
}

function fail(what: string): never {
  throw new SottoError('BAD_FRAME', `CBOR encode: ${what}`);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

const keyCache = new Map<string, Uint8Array>();

/** The encoding of a map key (cached: the same few field names recur in every frame). */
function encodeKey(key: string): Uint8Array {
  const hit = keyCache.get(key);
  if (hit !== undefined) return hit;
  const w = new Writer(new Uint8Array(key.length * 3 + 9));
  writeText(w, key);
  const bytes = w.finish(fresh);
  if (key.length <= MAX_CACHED_KEY) {
    if (keyCache.size >= MAX_CACHED_KEYS) keyCache.clear();
    keyCache.set(key, bytes);
  }
  return bytes;
}

function writeText(w: Writer, s: string): void {
  // ASCII has no surrogates and encodes as itself.
  if (s.length <= 256 && w.ascii(s)) return;
  if (LONE_SURROGATE.test(s)) fail('text with a lone surrogate');
  const b = encoder.encode(s);
  w.head(MAJOR.text, b.length);
  w.raw(b);
}

function writeValue(w: Writer, v: unknown, depth: number): void {
  if (depth > MAX_ENCODE_DEPTH) fail('nesting too deep');
  if (v === null) {
    w.head(MAJOR.simple, 22);
  } else if (v === false || v === true) {
    w.head(MAJOR.simple, v ? 21 : 20);
  } else if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) fail('only safe integers are allowed');
    if (v >= 0) w.head(MAJOR.uint, v);
    else w.head(MAJOR.negint, -1 - v);
  } else if (typeof v === 'string') {
    writeText(w, v);
  } else if (v instanceof Uint8Array) {
    w.head(MAJOR.bytes, v.length);
    w.raw(v);
  } else if (Array.isArray(v)) {
    w.head(MAJOR.array, v.length);
    for (const item of v) {
      if (item === undefined) fail('undefined in an array');
      writeValue(w, item, depth + 1);
    }
  } else if (typeof v === 'object' && isPlainObject(v)) {
    writeMap(w, v as Record<string, unknown>, depth);
  } else {
    fail(`unsupported value of type ${typeof v}`);
  }
}

/**
 * Writes an object as a map: keys in deterministic order, entries whose value is `undefined` left out.
 * Objects whose keys already come in that order (validated frames, decoded maps) are written as they
 * are; others are sorted first.
 */
function writeMap(w: Writer, v: Record<string, unknown>, depth: number): void {
  const keys = Object.keys(v);
  let n = 0;
  let sorted = true;
  let prev: Uint8Array | undefined;
  for (const k of keys) {
    if (v[k] === undefined) continue;
    const encoded = encodeKey(k);
    if (sorted && prev !== undefined && compareBytes(prev, encoded) >= 0) sorted = false;
    prev = encoded;
    keys[n++] = k;
  }
  if (n < keys.length) keys.length = n;
  if (!sorted) sortKeys(keys);
  w.head(MAJOR.map, n);
  for (const k of keys) {
    w.raw(encodeKey(k));
    writeValue(w, v[k], depth + 1);
  }
}

/** Maps with at most this many keys are sorted in place by insertion (frames have a handful). */
const INSERTION_SORT_MAX = 16;

/**
 * Sorts `keys` by their encoded bytes (RFC 8949 §4.2.1). For ASCII keys that order is shorter first,
 * then by code unit, so nothing is encoded to compare them.
 */
function sortKeys(keys: string[]): void {
  const before = keys.every(isAscii) ? asciiKeyBefore : encodedKeyBefore;
  if (keys.length > INSERTION_SORT_MAX) {
    keys.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && before(k, keys[j] as string)) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = k;
  }
}

/** Encoded order of two ASCII keys: the shorter first, then by code unit. */
function asciiKeyBefore(a: string, b: string): boolean {
  return a.length < b.length || (a.length === b.length && a < b);
}

/** Encoded order of any two keys. */
function encodedKeyBefore(a: string, b: string): boolean {
  return compareBytes(encodeKey(a), encodeKey(b)) < 0;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null || proto === DECODED_MAP_PROTOTYPE;
}

/** A new array of its own (the default output of {@link encodeCbor}). */
const fresh = (length: number): Uint8Array => new Uint8Array(length);

/**
 * Encodes `value` as deterministic CBOR. Object keys whose value is `undefined` are omitted. The result
 * is a new array of its own, or whatever `allocate(length)` returns, filled (a server may pass Node's
 * pooled `Buffer.allocUnsafe`, which is cheaper for small frames than a buffer per frame).
 * @throws SottoError BAD_FRAME for floats, unsafe integers, `undefined` outside an object, lone
 *   surrogates, cycles/over-deep nesting, or any type outside the strict data model.
 */
export function encodeCbor(value: unknown, allocate: (length: number) => Uint8Array = fresh): Uint8Array {
  if (value === undefined) fail('undefined');
  // One scratch buffer serves every call; a nested call (a getter that encodes) gets its own.
  const buf = scratch;
  scratch = undefined;
  const w = new Writer(buf);
  try {
    writeValue(w, value, 1);
    return w.finish(allocate);
  } finally {
    if (buf !== undefined) scratch = w.reusable;
  }
}

let scratch: Uint8Array | undefined = new Uint8Array(1024);
