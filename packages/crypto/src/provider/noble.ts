/**
 * The noble implementations of the portable backend's families (`@noble/hashes`, `@noble/ciphers`,
 * `@noble/curves`). Pure JS: the fallback wherever the runtime's WebCrypto lacks an algorithm, and the
 * whole portable backend when `subtle: null`.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { isAllZero } from '../bytes.js';
import { SottoError } from '../errors.js';
import { ed25519VerifyNoble } from './ed25519-strict.js';
import type { PrimitiveFamilies } from './families.js';

/** RFC 7748 X25519; noble rejects the low-order u-coordinates before the ladder (same set as zero output). */
function x25519Shared(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secretKey, publicKey);
  } catch (cause) {
    throw new SottoError('ZERO_SHARED_SECRET', undefined, { cause });
  }
  if (isAllZero(shared)) throw new SottoError('ZERO_SHARED_SECRET');
  return shared;
}

/** The all-noble families. */
export const nobleFamilies: PrimitiveFamilies = {
  sha2: {
    sha256: async (data) => sha256(data),
    sha512: async (data) => sha512(data),
  },
  hmac: { hmacSha256: async (key, data) => hmac(sha256, key, data) },
  hkdf: { hkdfSha256: async (ikm, salt, info, length) => hkdf(sha256, ikm, salt, info, length) },
  aesGcm: {
    seal: async (key, nonce, plaintext, aad) => gcm(key, nonce, aad).encrypt(plaintext),
    open: async (key, nonce, sealed, aad) => {
      try {
        return gcm(key, nonce, aad).decrypt(sealed);
      } catch (cause) {
        throw new SottoError('AUTH_FAILED', undefined, { cause });
      }
    },
  },
  x25519: {
    publicKey: async (secretKey) => x25519.getPublicKey(secretKey),
    sharedSecret: async (secretKey, publicKey) => x25519Shared(secretKey, publicKey),
  },
  ed25519: {
    publicKey: async (seed) => ed25519.getPublicKey(seed),
    sign: async (seed, message) => ed25519.sign(message, seed),
    verify: async (publicKey, message, signature) => ed25519VerifyNoble(publicKey, message, signature),
  },
};
