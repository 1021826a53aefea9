/**
 * A bounds-checked binary writer and reader for Sotto's versioned encodings (keys, certificates, session
 * state, ciphertext headers). Every read checks the remaining length and throws MALFORMED_ENCODING rather
 * than returning short data; `finish()` rejects trailing bytes. Integers are big-endian.
 */

import { fromUtf8, utf8 } from './bytes.js';
import { SottoError } from './errors.js';

/** Appends fields to a growing buffer. */
export class ByteWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff)
      throw new SottoError('INVALID_ARGUMENT', 'u8 out of range');
    this.ensure(1);
    this.buf[this.len++] = v;
    return this;
  }

  u16(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff)
      throw new SottoError('INVALID_ARGUMENT', 'u16 out of range');
    this.ensure(2);
    this.buf[this.len++] = v >>> 8;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new SottoError('INVALID_ARGUMENT', 'u32 out of range');
    }
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset).setUint32(this.len, v);
    this.len += 4;
    return this;
  }

  /** Writes an unsigned integer up to Number.MAX_SAFE_INTEGER as 8 bytes. */
  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new SottoError('INVALID_ARGUMENT', 'u64 out of range');
    this.ensure(8);
    new DataView(this.buf.buffer, this.buf.byteOffset).setBigUint64(this.len, BigInt(v));
    this.len += 8;
    return this;
  }

  /** Raw bytes with no length prefix (for fixed-size fields). */
  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** Bytes with a u32 length prefix. */
  bytes(b: Uint8Array): this {
    return this.u32(b.length).raw(b);
  }

  /** UTF-8 string with a u16 length prefix. */
  string(s: string): this {
    const b = utf8(s);
    return this.u16(b.length).raw(b);
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Reads fields from untrusted bytes; every read is bounds-checked. */
export class ByteReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(
    private readonly data: Uint8Array,
    private readonly what = 'input',
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get remaining(): number {
    return this.data.length - this.pos;
  }

  private need(n: number): void {
    if (n > this.remaining) throw new SottoError('MALFORMED_ENCODING', `${this.what}: truncated`);
  }

  u8(): number {
    this.need(1);
    return this.data[this.pos++] as number;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new SottoError('MALFORMED_ENCODING', `${this.what}: u64 too large`);
    return Number(v);
  }

  /** Exactly `n` bytes (a copy). */
  raw(n: number): Uint8Array {
    this.need(n);
    const out = this.data.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** u32-length-prefixed bytes, rejected when longer than `max`. */
  bytes(max: number): Uint8Array {
    const n = this.u32();
    if (n > max) throw new SottoError('MALFORMED_ENCODING', `${this.what}: field longer than ${max} bytes`);
    return this.raw(n);
  }

  /** u16-length-prefixed UTF-8, rejected when longer than `maxBytes`. */
  string(maxBytes: number): string {
    const n = this.u16();
    if (n > maxBytes) throw new SottoError('MALFORMED_ENCODING', `${this.what}: string too long`);
    return fromUtf8(this.raw(n));
  }

  /** Throws MALFORMED_ENCODING when bytes remain. */
  finish(): void {
    if (this.remaining !== 0) throw new SottoError('MALFORMED_ENCODING', `${this.what}: trailing bytes`);
  }
}
