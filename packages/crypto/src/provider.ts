/**
 * The primitives Sotto uses, behind one interface with two backends:
 * - `node`: node:crypto (X25519, Ed25519, AES-256-GCM, HKDF, HMAC, SHA-2);
 * - `portable`: WebCrypto where the runtime supports the algorithm, `@noble/*` where it does not.
 * ML-KEM-768 and Argon2id come from `@noble/post-quantum` / `@noble/hashes` in both.
 *
 * All operations are async because WebCrypto is. Inputs are checked for length before use; failures
 * throw {@link SottoError} with a stable code. Secret keys are raw bytes: X25519 and Ed25519 secret keys
 * are the 32-byte RFC 7748 scalar / RFC 8032 seed; the ML-KEM-768 secret key is the FIPS 203 decapsulation
 * key (2,400 bytes).
 */

/** A raw key pair. */
export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** The output of ML-KEM encapsulation. */
export interface KemEncapsulation {
  readonly ciphertext: Uint8Array;
  readonly sharedSecret: Uint8Array;
}

/** Argon2id cost parameters (RFC 9106). */
export interface Argon2idParams {
  /** Memory in KiB. */
  readonly memoryKiB: number;
  /** Passes. */
  readonly iterations: number;
  /** Lanes. */
  readonly parallelism: number;
  /** Output length in bytes. */
  readonly length: number;
}

/** Sizes fixed by the primitives. */
export const SIZES = {
  x25519PublicKey: 32,
  x25519SecretKey: 32,
  ed25519PublicKey: 32,
  ed25519Seed: 32,
  ed25519Signature: 64,
  aesKey: 32,
  aesNonce: 12,
  aesTag: 16,
  mlkem768PublicKey: 1184,
  mlkem768SecretKey: 2400,
  mlkem768Ciphertext: 1088,
  mlkem768SharedSecret: 32,
  mlkem768Seed: 64,
} as const;

/**
 * An incremental SHA-256 (FIPS 180-4) for data too large to hold at once, e.g. a file's ciphertext streamed
 * in chunks. Synchronous: both backends hash incrementally in-process (node:crypto, or noble where the
 * runtime's WebCrypto, which only digests whole buffers, is all there is).
 */
export interface Sha256Hasher {
  /** Absorbs `data`. Throws INVALID_ARGUMENT after {@link digest}. */
  update(data: Uint8Array): void;
  /** An independent copy of the current state (both can go on separately). */
  clone(): Sha256Hasher;
  /** Finishes and returns the 32-byte digest; the hasher cannot be used afterwards. */
  digest(): Uint8Array;
}

/** The primitives, one backend each. Every method validates its inputs. */
export interface CryptoProvider {
  /** `node` or `portable` (with the WebCrypto/noble split visible in `detail`). */
  readonly name: 'node' | 'portable';
  /** Which implementation serves each primitive, for tests and benchmarks (e.g. `x25519: 'webcrypto'`). */
  readonly detail: Readonly<Record<string, string>>;

  /** Cryptographically secure random bytes (crypto.getRandomValues underneath). */
  randomBytes(length: number): Uint8Array;

  sha256(data: Uint8Array): Promise<Uint8Array>;
  sha512(data: Uint8Array): Promise<Uint8Array>;
  /** A fresh incremental SHA-256 (see {@link Sha256Hasher}). */
  createSha256(): Sha256Hasher;
  hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
  /** RFC 5869 HKDF-SHA-256. `salt` may be empty (then a zero salt of hash length is used, §2.2). */
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array>;

  /** AES-256-GCM with a 12-byte nonce; returns ciphertext || 16-byte tag. */
  aes256GcmSeal(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
  ): Promise<Uint8Array>;
  /** Opens ciphertext || tag; throws AUTH_FAILED on any mismatch. */
  aes256GcmOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;

  x25519Generate(): Promise<KeyPair>;
  x25519PublicKey(secretKey: Uint8Array): Promise<Uint8Array>;
  /** RFC 7748 X25519; throws ZERO_SHARED_SECRET when the result is all zero (a low-order public key). */
  x25519(secretKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array>;

  ed25519Generate(): Promise<KeyPair>;
  ed25519PublicKey(seed: Uint8Array): Promise<Uint8Array>;
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array>;
  /**
   * Strict RFC 8032 verification: rejects non-canonical encodings of A and R, S >= L, and small-order A
   * or R. Returns false (never throws) for any invalid input.
   */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;

  /** FIPS 203 ML-KEM-768 key generation, deterministic when a 64-byte seed (d || z) is given. */
  mlkem768Generate(seed?: Uint8Array): Promise<KeyPair>;
  /**
   * Encapsulates to an encapsulation key after the FIPS 203 §7.2 input checks (throws INVALID_PUBLIC_KEY).
   * Deterministic when 32 bytes of `randomness` are given (for tests).
   */
  mlkem768Encapsulate(publicKey: Uint8Array, randomness?: Uint8Array): Promise<KemEncapsulation>;
  mlkem768Decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Promise<Uint8Array>;

  /** RFC 9106 Argon2id. Parameters are bounded (throws INVALID_ARGUMENT) so hostile headers cannot exhaust memory. */
  argon2id(password: Uint8Array, salt: Uint8Array, params: Argon2idParams): Promise<Uint8Array>;
}
