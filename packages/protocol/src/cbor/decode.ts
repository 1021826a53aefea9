/**
 * Strict CBOR decoder for untrusted input. It accepts exactly what {@link encodeCbor} produces:
 * shortest-form heads, definite lengths, text map keys in deterministic order (so no duplicates),
 * integers within ±(2^53 − 1), `false`/`true`/`null` and nothing else of major type 7. Tags,
 * floats, `undefined`, indefinite lengths, invalid UTF-8 and trailing bytes are rejected.
 * Declared lengths are checked against the bytes that remain before anything is allocated, and
 * nesting is bounded, so hostile input costs at most linear time and memory.
 */

import { SottoError } from '@sotto/crypto';
import {
  type CborDecodeOptions,
  type CborMap,
  type CborValue,
  DECODED_MAP_PROTOTYPE,
  MAJOR,
} from './value.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** The largest 8-byte head we accept: its high 32 bits are at most 0x1fffff (Number.MAX_SAFE_INTEGER). */
const MAX_SAFE_HIGH = 0x1fffff;

/** Text up to this many bytes is checked for plain ASCII first. */
const MAX_ASCII_FAST = 64;

/** The string of `bytes` when every byte is ASCII (valid UTF-8 as it stands); undefined otherwise. */
function asciiText(bytes: Uint8Array): string | undefined {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] ?? 0x80) > 0x7f) return undefined;
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

function fail(what: string, offset: number): never {
  throw new SottoError('BAD_FRAME', `CBOR: ${what} at offset ${offset}`);
}

class Reader {
  pos = 0;
  constructor(
    private readonly b: Uint8Array,
    private readonly maxDepth: number,
    private readonly allocate: (length: number) => Uint8Array,
  ) {}

  get remaining(): number {
    return this.b.length - this.pos;
  }

  private byte(): number {
    const v = this.b[this.pos];
    if (v === undefined) fail('unexpected end of input', this.pos);
    this.pos++;
    return v;
  }

  /** The major type, argument and offset of the last {@link head} (fields, not a fresh object each). */
  major = 0;
  arg = 0;
  at = 0;

  /** Reads an initial byte and its argument into `major`/`arg`/`at`; enforces shortest form (RFC 8949 §4.2.1). */
  head(): void {
    const at = this.pos;
    const ib = this.byte();
    const major = ib >> 5;
    const ai = ib & 0x1f;
    this.major = major;
    this.at = at;
    if (major === MAJOR.simple || ai < 24) {
      this.arg = ai;
      return;
    }
    if (ai === 31) fail('indefinite length', at);
    if (ai > 27) fail('reserved additional information', at);
    const size = 1 << (ai - 24);
    if (this.remaining < size) fail('unexpected end of input', this.pos);
    let arg = 0;
    for (let i = 0; i < size; i++) {
      arg = arg * 256 + (this.b[this.pos + i] ?? 0);
      if (size === 8 && i === 3 && arg > MAX_SAFE_HIGH) fail('integer beyond 2^53 - 1', at);
    }
    this.pos += size;
    const min = size === 1 ? 24 : size === 2 ? 0x100 : size === 4 ? 0x1_0000 : 0x1_0000_0000;
    if (arg < min) fail('non-shortest integer encoding', at);
    this.arg = arg;
  }

  take(n: number, at: number): Uint8Array {
    if (n > this.remaining) fail('declared length exceeds input', at);
    // An explicit copy: a Node Buffer's slice() would be a view that keeps the whole input alive.
    const out = this.allocate(n);
    out.set(this.b.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  value(depth: number): CborValue {
    this.head();
    const { major, arg, at } = this;
    switch (major) {
      case MAJOR.uint:
        return arg;
      case MAJOR.negint:
        if (arg >= Number.MAX_SAFE_INTEGER) fail('integer beyond -(2^53 - 1)', at);
        return -1 - arg;
      case MAJOR.bytes:
        return this.take(arg, at);
      case MAJOR.text:
        return this.text(arg, at);
      case MAJOR.array: {
        this.enter(depth, at);
        if (arg > this.remaining) fail('declared length exceeds input', at);
        const out: CborValue[] = [];
        for (let i = 0; i < arg; i++) out.push(this.value(depth + 1));
        return out;
      }
      case MAJOR.map:
        this.enter(depth, at);
        return this.map(arg, depth, at);
      case MAJOR.tag:
        return fail('tags are not allowed', at);
      default:
        return this.simple(arg, at);
    }
  }

  private enter(depth: number, at: number): void {
    if (depth >= this.maxDepth) fail('nesting too deep', at);
  }

  private text(n: number, at: number): string {
    if (n > this.remaining) fail('declared length exceeds input', at);
    const start = this.pos;
    const bytes = this.b.subarray(start, start + n);
    let s: string | undefined;
    // Short ASCII (field names, account names) is its own UTF-8: no decoder call, no copy.
    if (n <= MAX_ASCII_FAST) s = asciiText(bytes);
    if (s === undefined) {
      try {
        s = utf8.decode(bytes);
      } catch {
        fail('invalid UTF-8', at);
      }
    }
    this.pos += n;
    return s;
  }

  private map(n: number, depth: number, at: number): CborMap {
    if (n * 2 > this.remaining) fail('declared length exceeds input', at);
    const out: CborMap = Object.create(DECODED_MAP_PROTOTYPE);
    let prevStart = -1;
    let prevEnd = -1;
    for (let i = 0; i < n; i++) {
      const keyStart = this.pos;
      this.head();
      if (this.major !== MAJOR.text) fail('map keys must be text', this.at);
      const name = this.text(this.arg, this.at);
      if (prevStart >= 0 && this.compare(prevStart, prevEnd, keyStart, this.pos) >= 0) {
        fail('map keys out of order or duplicated', keyStart);
      }
      prevStart = keyStart;
      prevEnd = this.pos;
      out[name] = this.value(depth + 1);
    }
    return out;
  }

  /** Bytewise comparison of two encoded keys (RFC 8949 §4.2.1 ordering). */
  private compare(a0: number, a1: number, b0: number, b1: number): number {
    const n = Math.min(a1 - a0, b1 - b0);
    for (let i = 0; i < n; i++) {
      const d = (this.b[a0 + i] ?? 0) - (this.b[b0 + i] ?? 0);
      if (d !== 0) return d;
    }
    return a1 - a0 - (b1 - b0);
  }

  private simple(ai: number, at: number): CborValue {
    if (ai === 20) return false;
    if (ai === 21) return true;
    if (ai === 22) return null;
    if (ai === 23) fail('undefined is not allowed', at);
    if (ai >= 25 && ai <= 27) fail('floats are not allowed', at);
    if (ai === 31) fail('unexpected break', at);
    fail('simple values other than false/true/null are not allowed', at);
  }
}

const fresh = (length: number): Uint8Array => new Uint8Array(length);

/**
 * Decodes one strict CBOR value that must span all of `bytes`.
 * @throws SottoError BAD_FRAME on any deviation (never another exception); the message names the
 *   problem and its offset, never the input bytes.
 */
export function decodeCbor(bytes: Uint8Array, options: CborDecodeOptions): CborValue {
  if (!(bytes instanceof Uint8Array)) throw new SottoError('BAD_FRAME', 'CBOR: input is not bytes');
  const r = new Reader(bytes, options.maxDepth, options.allocate ?? fresh);
  const v = r.value(0);
  if (r.remaining !== 0) fail('trailing bytes', r.pos);
  return v;
}
