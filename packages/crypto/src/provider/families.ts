/**
 * The primitive families the portable backend assembles, each served either by WebCrypto or by noble.
 * Inputs reaching a family have already been checked by the provider (lengths, ranges).
 */

/** One implementation of every family; the portable provider picks per family. */
export interface PrimitiveFamilies {
  readonly sha2: {
    sha256(data: Uint8Array): Promise<Uint8Array>;
    sha512(data: Uint8Array): Promise<Uint8Array>;
  };
  readonly hmac: { hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> };
  readonly hkdf: {
    hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array>;
  };
  readonly aesGcm: {
    seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
    /** Throws AUTH_FAILED on any mismatch. */
    open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  };
  readonly x25519: {
    publicKey(secretKey: Uint8Array): Promise<Uint8Array>;
    /** Throws ZERO_SHARED_SECRET for a low-order public key. */
    sharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array>;
  };
  readonly ed25519: {
    publicKey(seed: Uint8Array): Promise<Uint8Array>;
    sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array>;
    /** Called only after the shared strict pre-check passed; never throws. */
    verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  };
}

/** The family names, in the order they are probed and listed in `detail`. */
export const FAMILY_NAMES = ['sha2', 'hmac', 'hkdf', 'aesGcm', 'x25519', 'ed25519'] as const;

/** One family name. */
export type FamilyName = (typeof FAMILY_NAMES)[number];
