/**
 * Small named checks and helpers over `Uint8Array`, used at every boundary before a secret is touched.
 */
import { SottoError } from './errors.js';

/** Throws INVALID_ARGUMENT unless `value` is a Uint8Array (of exactly `length` bytes when given). */
export function abytes(value: unknown, length: number | undefined, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new SottoError('INVALID_ARGUMENT', `${what}: expected bytes`);
  if (length !== undefined && value.length !== length) {
    throw new SottoError('INVALID_ARGUMENT', `${what}: expected ${length} bytes, got ${value.length}`);
  }
  return value;
}

/** Concatenates byte arrays into a new array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Compares two arrays in time that depends only on their lengths (not on where they differ).
 * Use it for MACs, tags and key comparisons.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** True when every byte is zero, in time independent of the contents. */
export function isAllZero(a: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc |= a[i] as number;
  return acc === 0;
}

/** Overwrites a buffer with zeros (best effort: the JS runtime may hold copies). */
export function wipe(a: Uint8Array): void {
  a.fill(0);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 encodes a string. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Strictly decodes UTF-8; throws MALFORMED_ENCODING on invalid sequences. */
export function fromUtf8(b: Uint8Array): string {
  try {
    return decoder.decode(b);
  } catch (cause) {
    throw new SottoError('MALFORMED_ENCODING', 'invalid UTF-8', { cause });
  }
}

/** Lower-case hex of the bytes. For test output and fingerprints only, never for secrets in logs. */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Parses lower- or upper-case hex; throws MALFORMED_ENCODING on odd length or a non-hex digit. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new SottoError('MALFORMED_ENCODING', 'invalid hex');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
