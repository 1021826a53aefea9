/**
 * Randomness for every backend: `crypto.getRandomValues` only, never a home-made generator.
 */
import { SottoError } from '../errors.js';

/** WebCrypto refuses requests over 65,536 bytes per call (QuotaExceededError), so larger ones are chunked. */
const MAX_CHUNK = 65_536;

/**
 * Returns `length` cryptographically secure random bytes from `globalThis.crypto.getRandomValues`.
 * Throws INVALID_ARGUMENT for a negative or non-integer length, CRYPTO_UNAVAILABLE without WebCrypto.
 */
export function randomBytes(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new SottoError('INVALID_ARGUMENT', 'randomBytes: length must be a non-negative integer');
  }
  const rng = globalThis.crypto;
  if (rng === undefined || typeof rng.getRandomValues !== 'function') {
    throw new SottoError('CRYPTO_UNAVAILABLE', 'crypto.getRandomValues is not available');
  }
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += MAX_CHUNK) {
    rng.getRandomValues(out.subarray(offset, Math.min(offset + MAX_CHUNK, length)));
  }
  return out;
}
