/**
 * The byte layout of an encrypted file (see docs/crypto.md "Files"): a short header, then the plaintext cut
 * into 64 KiB chunks, each sealed on its own. Sizes are pure functions of the plaintext size, so a
 * recipient told the size can check the ciphertext's length before reading a byte of it.
 *
 * ```
 * ciphertext = header ‖ sealed chunk 0 ‖ … ‖ sealed chunk n−1
 * header     = [CIPHERTEXT_KIND.file][PROTOCOL_VERSION][log2 chunk size = 16][key commitment 32]
 * n          = ⌊size / 64 KiB⌋ + 1
 * ```
 *
 * Every chunk but the last holds exactly 64 KiB; the last (final) one holds `size mod 64 KiB` bytes, so it
 * is always shorter than a full chunk, possibly empty. That makes a sealed chunk of full length always a
 * non-final one: a reader never has to look ahead to know whether a chunk ends the file.
 */

import { SottoError } from '../errors.js';
import { CIPHERTEXT_KIND, PROTOCOL_VERSION } from '../labels.js';
import { SIZES } from '../provider.js';

/** log2 of the plaintext chunk size; the only value this version reads or writes. */
export const FILE_CHUNK_LOG2 = 16;
/** Plaintext bytes in every chunk but the final one (64 KiB). */
export const FILE_CHUNK_BYTES = 2 ** FILE_CHUNK_LOG2;
/** A sealed full chunk: plaintext and the AES-256-GCM tag. */
export const FILE_SEALED_CHUNK_BYTES = FILE_CHUNK_BYTES + SIZES.aesTag;
/** A file key: fresh and random for each file, carried only inside the end-to-end encrypted message. */
export const FILE_KEY_BYTES = 32;
/** The key commitment in the header. */
export const FILE_COMMITMENT_BYTES = 32;
/** The header: kind, version, chunk size, key commitment. */
export const FILE_HEADER_BYTES = 3 + FILE_COMMITMENT_BYTES;
/** The chunk index is a u32 in the nonce, so a file has at most 2^32 chunks (256 TiB). */
export const FILE_MAX_PLAIN_BYTES = 2 ** 32 * FILE_CHUNK_BYTES - 1;

/** The three header bytes before the commitment (they are bound into the keys and every chunk's AD). */
export const FILE_FORMAT_PARAMS: Uint8Array = Uint8Array.of(
  CIPHERTEXT_KIND.file,
  PROTOCOL_VERSION,
  FILE_CHUNK_LOG2,
);

/** Throws INVALID_ARGUMENT unless `size` is a plaintext size this format can hold. */
export function checkFilePlainSize(size: number): number {
  if (!Number.isSafeInteger(size) || size < 0 || size > FILE_MAX_PLAIN_BYTES) {
    throw new SottoError('INVALID_ARGUMENT', 'file: size out of range');
  }
  return size;
}

/** The number of chunks of a file of `plainSize` bytes (at least one: the final chunk). */
export function fileChunkCount(plainSize: number): number {
  return Math.floor(checkFilePlainSize(plainSize) / FILE_CHUNK_BYTES) + 1;
}

/** The ciphertext size of a file of `plainSize` bytes: header, plaintext, one tag per chunk. */
export function fileCipherSize(plainSize: number): number {
  return FILE_HEADER_BYTES + plainSize + fileChunkCount(plainSize) * SIZES.aesTag;
}

/** Plaintext bytes of chunk `index` of a file of `plainSize` bytes. Throws INVALID_ARGUMENT out of range. */
export function fileChunkPlainBytes(plainSize: number, index: number): number {
  const count = fileChunkCount(plainSize);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new SottoError('INVALID_ARGUMENT', 'file: chunk index out of range');
  }
  return index === count - 1 ? plainSize % FILE_CHUNK_BYTES : FILE_CHUNK_BYTES;
}

/** Where sealed chunk `index` starts in the ciphertext. */
export function fileChunkCipherOffset(index: number): number {
  return FILE_HEADER_BYTES + index * FILE_SEALED_CHUNK_BYTES;
}
