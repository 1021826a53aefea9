/**
 * Input checks shared by both backends, so that the node and portable providers accept and reject
 * exactly the same inputs with the same error codes.
 */
import { abytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import { SIZES } from '../provider.js';

/** RFC 5869 §2.3: L <= 255 * HashLen. */
export const HKDF_SHA256_MAX_LENGTH = 255 * 32;

/** Checks the arguments of HKDF-SHA-256 (RFC 5869); `length` must be 1..8160 bytes. */
export function checkHkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): void {
  abytes(ikm, undefined, 'hkdf ikm');
  abytes(salt, undefined, 'hkdf salt');
  abytes(info, undefined, 'hkdf info');
  if (!Number.isSafeInteger(length) || length < 1 || length > HKDF_SHA256_MAX_LENGTH) {
    throw new SottoError('INVALID_ARGUMENT', `hkdf: length must be 1..${HKDF_SHA256_MAX_LENGTH} bytes`);
  }
}

/** Checks AES-256-GCM key and nonce lengths and that data and AAD are bytes. */
export function checkAesGcm(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad: Uint8Array): void {
  abytes(key, SIZES.aesKey, 'aes-gcm key');
  abytes(nonce, SIZES.aesNonce, 'aes-gcm nonce');
  abytes(data, undefined, 'aes-gcm data');
  abytes(aad, undefined, 'aes-gcm aad');
}

/** Throws AUTH_FAILED when `sealed` is too short to hold the tag (callers then never touch the key). */
export function checkSealedLength(sealed: Uint8Array): void {
  if (sealed.length < SIZES.aesTag) throw new SottoError('AUTH_FAILED');
}

/** Checks X25519 argument lengths (RFC 7748 §5: 32-byte scalars and u-coordinates). */
export function checkX25519(secretKey: Uint8Array, publicKey?: Uint8Array): void {
  abytes(secretKey, SIZES.x25519SecretKey, 'x25519 secret key');
  if (publicKey !== undefined) abytes(publicKey, SIZES.x25519PublicKey, 'x25519 public key');
}

/** Copies a Buffer or view into a fresh, exactly sized Uint8Array (no shared pool memory escapes). */
export function own(view: Uint8Array): Uint8Array {
  return new Uint8Array(view);
}
