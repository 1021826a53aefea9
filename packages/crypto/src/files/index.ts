/**
 * files/: encrypted files in the STREAM construction over AES-256-GCM, sealed and opened chunk by chunk.
 * See docs/crypto.md "Files".
 */

export {
  FILE_CHUNK_BYTES,
  FILE_HEADER_BYTES,
  FILE_KEY_BYTES,
  FILE_MAX_PLAIN_BYTES,
  FILE_SEALED_CHUNK_BYTES,
  fileChunkCipherOffset,
  fileChunkCount,
  fileChunkPlainBytes,
  fileCipherSize,
} from './format.js';
export { createFileOpener, decryptFile, type FileOpener, type FileOpenerOptions } from './open.js';
export { createFileSealer, encryptFile, type FileSealer } from './seal.js';
