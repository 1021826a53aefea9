/**
 * Shared framing for the keys module's structures: every encoding opens with
 * `[PROTOCOL_VERSION u8][StructureTag u8]`, and every field is range-checked with a small named check
 * before it is written or after it is read.
 */

import type { ByteReader, ByteWriter } from '../binary.js';
import { utf8 } from '../bytes.js';
import { SottoError } from '../errors.js';
import { PROTOCOL_VERSION } from '../labels.js';

/**
 * One-byte tags of the keys module's encodings. They share no value with {@link KeyType} or
 * {@link SecretKeyType}, so no structure can be decoded as a key or as another structure.
 */
export const StructureTag = {
  deviceCertificate: 0x21,
  deviceList: 0x22,
  signedPrekey: 0x23,
  kemPrekey: 0x24,
  oneTimePrekey: 0x25,
  prekeyBundle: 0x26,
  /** Local storage of an identity key pair (secret). */
  identityKeyPair: 0x31,
  /** Local storage of a device's key pairs (secret). */
  deviceKeys: 0x32,
  /** The plaintext of an identity-key backup (secret), see backup/. */
  backupPayload: 0x33,
} as const;
/** A tag from {@link StructureTag}. */
export type StructureTag = (typeof StructureTag)[keyof typeof StructureTag];

/** Longest account name, in UTF-8 bytes, accepted in certificates, device lists, safety numbers and backups. */
export const MAX_ACCOUNT_NAME_BYTES = 256;

/** Writes the `[version][tag]` header. */
export function writeHeader(w: ByteWriter, tag: StructureTag): void {
  w.u8(PROTOCOL_VERSION).u8(tag);
}

/** Reads and checks the header: UNSUPPORTED_VERSION for another version, MALFORMED_ENCODING for another tag. */
export function readHeader(r: ByteReader, tag: StructureTag, what: string): void {
  if (r.u8() !== PROTOCOL_VERSION)
    throw new SottoError('UNSUPPORTED_VERSION', `${what}: unsupported version`);
  if (r.u8() !== tag) throw new SottoError('MALFORMED_ENCODING', `${what}: not a ${what}`);
}

/** Throws INVALID_ARGUMENT unless `v` is an integer in 0..2^32-1. */
export function checkU32(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new SottoError('INVALID_ARGUMENT', `${what}: expected an unsigned 32-bit integer`);
  }
  return v;
}

/** Throws INVALID_ARGUMENT unless `v` is a non-negative safe integer (a timestamp in ms since the epoch). */
export function checkTimestamp(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new SottoError('INVALID_ARGUMENT', `${what}: expected a non-negative integer timestamp`);
  }
  return v;
}

/** Throws INVALID_ARGUMENT unless `v` is a non-empty string of at most {@link MAX_ACCOUNT_NAME_BYTES} bytes. */
export function checkAccountName(v: unknown): string {
  if (typeof v !== 'string' || v.length === 0 || utf8(v).length > MAX_ACCOUNT_NAME_BYTES) {
    throw new SottoError(
      'INVALID_ARGUMENT',
      `account name: expected 1..${MAX_ACCOUNT_NAME_BYTES} UTF-8 bytes`,
    );
  }
  return v;
}

/** Reads an account name and rejects an empty one (MALFORMED_ENCODING). */
export function readAccountName(r: ByteReader): string {
  const name = r.string(MAX_ACCOUNT_NAME_BYTES);
  if (name.length === 0) throw new SottoError('MALFORMED_ENCODING', 'account name: empty');
  return name;
}

/** Reads a boolean byte, rejecting anything other than 0 or 1 so each value has one encoding. */
export function readBool(r: ByteReader, what: string): boolean {
  const b = r.u8();
  if (b > 1) throw new SottoError('MALFORMED_ENCODING', `${what}: invalid boolean`);
  return b === 1;
}
