/**
 * Plaintext padding to size buckets (DESIGN §2: the server learns sizes, so hide them to a bucket).
 * ISO/IEC 7816-4 style: the plaintext, one 0x80 byte, then zeros up to the bucket. Buckets are multiples
 * of 256 bytes up to 4 KiB, then powers of two up to {@link SESSION_LIMITS.maxPaddedSize}.
 */

import { abytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import { SESSION_LIMITS } from './limits.js';

const STEP = 256;
const LINEAR_LIMIT = 4096;

/** The bucket a plaintext of `length` bytes is padded to. Throws INVALID_ARGUMENT when it is too long. */
export function paddedSize(length: number): number {
  const needed = length + 1;
  if (needed > SESSION_LIMITS.maxPaddedSize) {
    throw new SottoError('INVALID_ARGUMENT', 'plaintext: too long to encrypt');
  }
  if (needed <= LINEAR_LIMIT) return Math.ceil(needed / STEP) * STEP;
  let size = LINEAR_LIMIT * 2;
  while (size < needed) size *= 2;
  return size;
}

/** True when `size` is one of the buckets {@link paddedSize} produces. */
export function isPaddedSize(size: number): boolean {
  if (!Number.isInteger(size) || size < STEP || size > SESSION_LIMITS.maxPaddedSize) return false;
  if (size <= LINEAR_LIMIT) return size % STEP === 0;
  return (size & (size - 1)) === 0;
}

/** Pads `plaintext` to its bucket (a new array). */
export function padPlaintext(plaintext: Uint8Array): Uint8Array {
  abytes(plaintext, undefined, 'plaintext');
  const out = new Uint8Array(paddedSize(plaintext.length));
  out.set(plaintext);
  out[plaintext.length] = 0x80;
  return out;
}

/**
 * Strictly removes the padding: the size must be a bucket, and the tail must be exactly 0x80 then zeros,
 * no longer than one bucket step requires. Throws MALFORMED_ENCODING otherwise. Runs after the AEAD has
 * verified, so its timing reveals nothing an attacker did not already write.
 */
export function unpadPlaintext(padded: Uint8Array): Uint8Array {
  if (!isPaddedSize(padded.length)) throw new SottoError('MALFORMED_ENCODING', 'padding: not a bucket size');
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (end < 0 || padded[end] !== 0x80) throw new SottoError('MALFORMED_ENCODING', 'padding: no 0x80 marker');
  // Exactly one encoding per plaintext: the bucket must be the one paddedSize picks for this length.
  if (paddedSize(end) !== padded.length) throw new SottoError('MALFORMED_ENCODING', 'padding: wrong bucket');
  return padded.subarray(0, end);
}
