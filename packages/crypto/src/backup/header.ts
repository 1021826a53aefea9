/**
 * The cleartext header of an identity-key backup, parsed as hostile input: it comes back from the server,
 * which must not be able to make a client allocate gigabytes or spin for minutes, so every Argon2id
 * parameter is bounded here, before any key derivation starts.
 *
 * `[CIPHERTEXT_KIND.backup u8][PROTOCOL_VERSION u8][kdf u8][kdf params][salt 32][nonce 12]`, then the
 * AES-256-GCM ciphertext and tag. KDF `0x01` (raw key) has no parameters; KDF `0x02` (passphrase) has
 * `memoryKiB u32, iterations u8, parallelism u8`.
 */

import { ByteReader, ByteWriter } from '../binary.js';
import { SottoError } from '../errors.js';
import { CIPHERTEXT_KIND, PROTOCOL_VERSION } from '../labels.js';
import type { Argon2idParams } from '../provider.js';
import { SIZES } from '../provider.js';

/** KDF identifiers in the header. */
export const BackupKdf = {
  /** HKDF-SHA-256 from a raw 32-byte key (the OPAQUE export key). */
  raw: 0x01,
  /** Argon2id (RFC 9106) from a passphrase, then HKDF-SHA-256. */
  argon2id: 0x02,
} as const;
/** A KDF identifier from {@link BackupKdf}. */
export type BackupKdf = (typeof BackupKdf)[keyof typeof BackupKdf];

/** Argon2id costs of a passphrase backup (the output length is always 32 bytes). */
export interface BackupArgon2idParams {
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
  /** Ignored unless given; must then be 32 (so an {@link Argon2idParams} object can be passed). */
  readonly length?: number;
}

/**
 * Default costs: OWASP's Argon2id minimum (19 MiB, 2 passes, 1 lane), affordable on phones and in browsers.
 * The passphrase is also protected by OPAQUE on the server, so this is a second line.
 */
export const DEFAULT_BACKUP_ARGON2ID: Readonly<BackupArgon2idParams> = Object.freeze({
  memoryKiB: 19 * 1024,
  iterations: 2,
  parallelism: 1,
});

/** Accepted ranges when sealing and opening. `maxWorkKiB` bounds memory × passes (256 MiB × 4). */
export const BACKUP_ARGON2ID_BOUNDS = {
  maxMemoryKiB: 256 * 1024,
  maxIterations: 10,
  maxParallelism: 4,
  maxWorkKiB: 1024 * 1024,
} as const;

/** Salt length: fresh per backup, so each backup gets its own key. */
export const BACKUP_SALT_BYTES = 32;

/** Largest payload accepted (the identity backup is ~150 bytes; room for later additions). */
export const MAX_BACKUP_PAYLOAD_BYTES = 64 * 1024;

/** A parsed header. */
export interface BackupHeader {
  readonly kdf: BackupKdf;
  /** Present exactly when `kdf` is argon2id. */
  readonly argon2id?: Argon2idParams;
  readonly salt: Uint8Array;
  readonly nonce: Uint8Array;
}

/** Throws `code` unless the Argon2id costs are within {@link BACKUP_ARGON2ID_BOUNDS}; returns full params. */
export function checkBackupArgon2id(
  params: BackupArgon2idParams,
  code: 'INVALID_ARGUMENT' | 'MALFORMED_ENCODING',
): Argon2idParams {
  const b = BACKUP_ARGON2ID_BOUNDS;
  const int = (v: unknown, min: number, max: number) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  const { memoryKiB, iterations, parallelism, length } = params;
  if (
    !int(parallelism, 1, b.maxParallelism) ||
    !int(iterations, 1, b.maxIterations) ||
    !int(memoryKiB, 8 * parallelism, b.maxMemoryKiB) ||
    memoryKiB * iterations > b.maxWorkKiB ||
    (length !== undefined && length !== 32)
  ) {
    throw new SottoError(code, 'backup: Argon2id parameters out of range');
  }
  return { memoryKiB, iterations, parallelism, length: 32 };
}

/** Encodes a header. Throws INVALID_ARGUMENT on out-of-range parameters. */
export function encodeBackupHeader(h: BackupHeader): Uint8Array {
  const w = new ByteWriter(64);
  w.u8(CIPHERTEXT_KIND.backup).u8(PROTOCOL_VERSION).u8(h.kdf);
  if (h.kdf === BackupKdf.argon2id) {
    if (h.argon2id === undefined)
      throw new SottoError('INVALID_ARGUMENT', 'backup: Argon2id parameters missing');
    const a = checkBackupArgon2id(h.argon2id, 'INVALID_ARGUMENT');
    w.u32(a.memoryKiB).u8(a.iterations).u8(a.parallelism);
  }
  return w.raw(h.salt).raw(h.nonce).finish();
}

/**
 * Parses the header of `bytes` and returns it with its length and the ciphertext. Throws WRONG_MESSAGE_KIND
 * (not a backup), UNSUPPORTED_VERSION, or MALFORMED_ENCODING (unknown KDF, parameters out of range,
 * truncated, ciphertext shorter than a tag or larger than the payload limit).
 */
export function parseBackup(bytes: Uint8Array): {
  header: BackupHeader;
  headerBytes: Uint8Array;
  sealed: Uint8Array;
} {
  if (!(bytes instanceof Uint8Array)) throw new SottoError('INVALID_ARGUMENT', 'backup: expected bytes');
  const r = new ByteReader(bytes, 'backup');
  if (r.u8() !== CIPHERTEXT_KIND.backup) throw new SottoError('WRONG_MESSAGE_KIND', 'backup: not a backup');
  if (r.u8() !== PROTOCOL_VERSION) throw new SottoError('UNSUPPORTED_VERSION', 'backup: unsupported version');
  const kdf = r.u8();
  let argon2id: Argon2idParams | undefined;
  if (kdf === BackupKdf.argon2id) {
    const memoryKiB = r.u32();
    const iterations = r.u8();
    const parallelism = r.u8();
    argon2id = checkBackupArgon2id({ memoryKiB, iterations, parallelism }, 'MALFORMED_ENCODING');
  } else if (kdf !== BackupKdf.raw) {
    throw new SottoError('MALFORMED_ENCODING', 'backup: unknown KDF');
  }
  const salt = r.raw(BACKUP_SALT_BYTES);
  const nonce = r.raw(SIZES.aesNonce);
  const headerLength = bytes.length - r.remaining;
  const sealedLength = r.remaining;
  if (sealedLength < SIZES.aesTag || sealedLength > MAX_BACKUP_PAYLOAD_BYTES + SIZES.aesTag) {
    throw new SottoError('MALFORMED_ENCODING', 'backup: ciphertext length out of range');
  }
  const sealed = r.raw(sealedLength);
  r.finish();
  const header: BackupHeader =
    argon2id === undefined
      ? { kdf: BackupKdf.raw, salt, nonce }
      : { kdf: BackupKdf.argon2id, argon2id, salt, nonce };
  return { header, headerBytes: bytes.slice(0, headerLength), sealed };
}
