/**
 * Versioned, type-tagged key encodings: `[PROTOCOL_VERSION u8][KeyType u8][raw]`.
 *
 * The tag makes every key self-describing, so an X25519 key can never be read where an ML-KEM-768 key is
 * expected, nor a device signing key where the account identity key is (the confusions behind several
 * cross-protocol attacks). Secret keys have their own tags (high bit set) for local storage only; they
 * never cross the wire.
 */

import { ByteReader, ByteWriter } from '../binary.js';
import { abytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import { PROTOCOL_VERSION } from '../labels.js';
import { SIZES } from '../provider.js';

/** Tags of public keys. */
export const KeyType = {
  /** The account identity key (Ed25519). */
  identity: 0x01,
  /** A device's signing key (Ed25519), certified by the identity key. */
  deviceSigning: 0x02,
  /** An X25519 Diffie-Hellman public key (device DH key, signed or one-time prekey). */
  x25519: 0x03,
  /** An ML-KEM-768 encapsulation key (FIPS 203). */
  mlkem768: 0x04,
} as const;
/** A public key tag from {@link KeyType}. */
export type KeyType = (typeof KeyType)[keyof typeof KeyType];

/** Tags of secret keys, for local storage serialization only. */
export const SecretKeyType = {
  /** The identity key's Ed25519 seed (RFC 8032). */
  identity: 0x81,
  /** A device signing key's Ed25519 seed. */
  deviceSigning: 0x82,
  /** An X25519 scalar (RFC 7748). */
  x25519: 0x83,
  /** An ML-KEM-768 decapsulation key (FIPS 203). */
  mlkem768: 0x84,
} as const;
/** A secret key tag from {@link SecretKeyType}. */
export type SecretKeyType = (typeof SecretKeyType)[keyof typeof SecretKeyType];

const PUBLIC_SIZE: Record<KeyType, number> = {
  [KeyType.identity]: SIZES.ed25519PublicKey,
  [KeyType.deviceSigning]: SIZES.ed25519PublicKey,
  [KeyType.x25519]: SIZES.x25519PublicKey,
  [KeyType.mlkem768]: SIZES.mlkem768PublicKey,
};

const SECRET_SIZE: Record<SecretKeyType, number> = {
  [SecretKeyType.identity]: SIZES.ed25519Seed,
  [SecretKeyType.deviceSigning]: SIZES.ed25519Seed,
  [SecretKeyType.x25519]: SIZES.x25519SecretKey,
  [SecretKeyType.mlkem768]: SIZES.mlkem768SecretKey,
};

/** Raw length of a public key of this type (32, or 1,184 for ML-KEM-768). */
export function publicKeySize(type: KeyType): number {
  const size = PUBLIC_SIZE[type];
  if (size === undefined) throw new SottoError('INVALID_ARGUMENT', 'unknown key type');
  return size;
}

/** Length of the tagged encoding of a public key of this type. */
export function encodedPublicKeySize(type: KeyType): number {
  return 2 + publicKeySize(type);
}

function readTagged(r: ByteReader, expectedTag: number, size: number, what: string): Uint8Array {
  const version = r.u8();
  if (version !== PROTOCOL_VERSION)
    throw new SottoError('UNSUPPORTED_VERSION', `${what}: unsupported version`);
  const tag = r.u8();
  if (tag !== expectedTag) throw new SottoError('WRONG_KEY_TYPE', `${what}: wrong key type`);
  return r.raw(size);
}

/** Appends the tagged encoding of a public key; throws INVALID_ARGUMENT on a wrong raw length. */
export function writePublicKey(w: ByteWriter, type: KeyType, raw: Uint8Array): void {
  abytes(raw, publicKeySize(type), 'public key');
  w.u8(PROTOCOL_VERSION).u8(type).raw(raw);
}

/**
 * Reads a tagged public key of `expectedType` from inside a larger structure.
 * Throws UNSUPPORTED_VERSION, WRONG_KEY_TYPE, or MALFORMED_ENCODING (truncated).
 */
export function readPublicKey(r: ByteReader, expectedType: KeyType, what = 'public key'): Uint8Array {
  return readTagged(r, expectedType, publicKeySize(expectedType), what);
}

/** Encodes a public key as `[version][type][raw]`. Throws INVALID_ARGUMENT on a wrong raw length. */
export function encodePublicKey(type: KeyType, raw: Uint8Array): Uint8Array {
  const w = new ByteWriter(encodedPublicKeySize(type));
  writePublicKey(w, type, raw);
  return w.finish();
}

/**
 * Decodes a public key that must be of `expectedType`; returns the raw key.
 * Throws UNSUPPORTED_VERSION (other version), WRONG_KEY_TYPE (other tag, including secret-key tags) or
 * MALFORMED_ENCODING (wrong length).
 */
export function decodePublicKey(expectedType: KeyType, bytes: Uint8Array): Uint8Array {
  abytes(bytes, undefined, 'public key');
  const r = new ByteReader(bytes, 'public key');
  const raw = readPublicKey(r, expectedType);
  r.finish();
  return raw;
}

/** Appends the tagged encoding of a secret key (local storage only). */
export function writeSecretKey(w: ByteWriter, type: SecretKeyType, raw: Uint8Array): void {
  const size = SECRET_SIZE[type];
  if (size === undefined) throw new SottoError('INVALID_ARGUMENT', 'unknown secret key type');
  abytes(raw, size, 'secret key');
  w.u8(PROTOCOL_VERSION).u8(type).raw(raw);
}

/** Reads a tagged secret key of `expectedType` from inside a larger structure. */
export function readSecretKey(r: ByteReader, expectedType: SecretKeyType, what = 'secret key'): Uint8Array {
  const size = SECRET_SIZE[expectedType];
  if (size === undefined) throw new SottoError('INVALID_ARGUMENT', 'unknown secret key type');
  return readTagged(r, expectedType, size, what);
}

/**
 * Encodes a secret key as `[version][secret type][raw]` for local storage. The result is secret: store it
 * encrypted at rest and never log it.
 */
export function encodeSecretKey(type: SecretKeyType, raw: Uint8Array): Uint8Array {
  const w = new ByteWriter(2 + raw.length);
  writeSecretKey(w, type, raw);
  return w.finish();
}

/** Decodes a secret key of `expectedType`; same errors as {@link decodePublicKey}. */
export function decodeSecretKey(expectedType: SecretKeyType, bytes: Uint8Array): Uint8Array {
  abytes(bytes, undefined, 'secret key');
  const r = new ByteReader(bytes, 'secret key');
  const raw = readSecretKey(r, expectedType);
  r.finish();
  return raw;
}
