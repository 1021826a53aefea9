/**
 * Sealing a file chunk by chunk, in any order: chunk `i` is a pure function of the file key, the file's
 * size, `i` and its plaintext, so an interrupted upload can re-create any part of the ciphertext (to
 * resume, or to rebuild the ciphertext's hash) without keeping it. The caller reads the plaintext in
 * pieces; nothing here ever holds more than one chunk.
 */

import { abytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import type { CryptoProvider } from '../provider.js';
import {
  checkFilePlainSize,
  FILE_KEY_BYTES,
  fileChunkCount,
  fileChunkPlainBytes,
  fileCipherSize,
} from './format.js';
import { deriveFileStreamKeys, fileChunkNonce } from './keys.js';

/** Seals one file. Renders as `[redacted]` through its keys; holds no plaintext. */
export interface FileSealer {
  readonly plainSize: number;
  /** {@link fileCipherSize} of `plainSize`. */
  readonly cipherSize: number;
  readonly chunkCount: number;
  /** The first ciphertext bytes. */
  readonly header: Uint8Array;
  /**
   * Seals chunk `index`: its plaintext must be exactly {@link fileChunkPlainBytes} long (64 KiB, or the
   * rest for the final chunk). Returns the plaintext's length plus the 16-byte tag. Throws
   * INVALID_ARGUMENT for an index out of range or a plaintext of the wrong length.
   */
  sealChunk(index: number, plaintext: Uint8Array): Promise<Uint8Array>;
}

/**
 * Prepares sealing a file of `plainSize` bytes under `fileKey` (32 fresh random bytes, never used for
 * another file). Throws INVALID_ARGUMENT on a bad key or size.
 */
export async function createFileSealer(
  p: CryptoProvider,
  fileKey: Uint8Array,
  plainSize: number,
): Promise<FileSealer> {
  abytes(fileKey, FILE_KEY_BYTES, 'file key');
  checkFilePlainSize(plainSize);
  const keys = await deriveFileStreamKeys(p, fileKey);
  const chunkCount = fileChunkCount(plainSize);
  return {
    plainSize,
    cipherSize: fileCipherSize(plainSize),
    chunkCount,
    header: keys.header.slice(),
    async sealChunk(index, plaintext) {
      abytes(plaintext, undefined, 'file chunk');
      if (plaintext.length !== fileChunkPlainBytes(plainSize, index)) {
        throw new SottoError('INVALID_ARGUMENT', 'file: chunk plaintext of the wrong length');
      }
      const nonce = fileChunkNonce(keys, index, index === chunkCount - 1);
      return p.aes256GcmSeal(keys.aeadKey, nonce, plaintext, keys.aad);
    },
  };
}

/** Seals a whole file held in memory (small files and tests; large files go chunk by chunk). */
export async function encryptFile(
  p: CryptoProvider,
  fileKey: Uint8Array,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  abytes(plaintext, undefined, 'file');
  const sealer = await createFileSealer(p, fileKey, plaintext.length);
  const out = new Uint8Array(sealer.cipherSize);
  out.set(sealer.header);
  let at = sealer.header.length;
  for (let i = 0, from = 0; i < sealer.chunkCount; i++) {
    const n = fileChunkPlainBytes(plaintext.length, i);
    const sealed = await sealer.sealChunk(i, plaintext.subarray(from, from + n));
    out.set(sealed, at);
    at += sealed.length;
    from += n;
  }
  return out;
}
