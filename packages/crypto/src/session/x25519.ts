/**
 * X25519 as the session uses it: every public key that arrives from outside (bundle keys, base keys,
 * ratchet keys) is checked for shape before any secret touches it, and a low-order point is rejected.
 */

import { abytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import type { CryptoProvider } from '../provider.js';
import { SIZES } from '../provider.js';

/**
 * Throws INVALID_PUBLIC_KEY unless `key` is a 32-byte canonical u-coordinate: the high bit clear (RFC 7748
 * §5 says to mask it, so a set bit means a second encoding of the same point) and u < 2^255 - 19.
 */
export function checkX25519PublicKey(key: Uint8Array, what: string): Uint8Array {
  abytes(key, SIZES.x25519PublicKey, what);
  const top = key[31] as number;
  if (top & 0x80) throw new SottoError('INVALID_PUBLIC_KEY', `${what}: non-canonical X25519 key`);
  if (top === 0x7f && (key[0] as number) >= 0xed) {
    let allOnes = true;
    for (let i = 1; i < 31; i++) if (key[i] !== 0xff) allOnes = false;
    if (allOnes) throw new SottoError('INVALID_PUBLIC_KEY', `${what}: non-canonical X25519 key`);
  }
  return key;
}

/**
 * X25519 with a checked public key. A low-order point (all-zero output, RFC 7748 §6.1) is reported as
 * INVALID_PUBLIC_KEY, which is what it is from the session's point of view.
 */
export async function dh(
  p: CryptoProvider,
  secretKey: Uint8Array,
  publicKey: Uint8Array,
  what: string,
): Promise<Uint8Array> {
  checkX25519PublicKey(publicKey, what);
  try {
    return await p.x25519(secretKey, publicKey);
  } catch (err) {
    if (SottoError.is(err, 'ZERO_SHARED_SECRET')) {
      throw new SottoError('INVALID_PUBLIC_KEY', `${what}: low-order X25519 key`, { cause: err });
    }
    throw err;
  }
}
