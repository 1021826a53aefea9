/**
 * A file's stream keys, derived from its random 32-byte file key with HKDF-SHA-256 (RFC 5869):
 *
 * ```
 * params     = [CIPHERTEXT_KIND.file][PROTOCOL_VERSION][log2 chunk size]
 * key ‖ np   = HKDF(ikm = file key, salt = ∅, info = string(LABELS.filesStreamKeys) ‖ params, L = 32 + 7)
 * commitment = HKDF(ikm = file key, salt = ∅, info = string(LABELS.filesKeyCommitment) ‖ params, L = 32)
 * header     = params ‖ commitment
 * AD         = string(LABELS.filesChunkAad) ‖ header                  (the same for every chunk)
 * nonce(i)   = np (7 bytes) ‖ i (u32) ‖ final (u8: 1 for the last chunk, else 0)
 * ```
 *
 * This is STREAM (Hoang, Reyhanitabar, Rogaway, Vizár, "Online Authenticated-Encryption and its
 * Nonce-Reuse Misuse-Resistance", CRYPTO 2015, §7) over AES-256-GCM: the index in the nonce makes every
 * chunk's position authenticated (reordering and dropping fail), the final flag makes the end
 * authenticated (truncation at a chunk boundary fails, trailing data fails), and a chunk of another file
 * fails under this file's key. The commitment binds the header to the key, so AES-GCM's lack of key
 * commitment cannot make one ciphertext open under two keys, and a wrong key fails at the header.
 * The file key is fresh per file and a file is sealed once, so no (key, nonce) pair ever seals two
 * different chunks: deterministic re-sealing (to resume an upload) reproduces the same bytes.
 */

import { ByteWriter } from '../binary.js';
import { abytes } from '../bytes.js';
import { LABELS } from '../labels.js';
import type { CryptoProvider } from '../provider.js';
import { SIZES } from '../provider.js';
import { markSecret } from '../secret.js';
import { FILE_COMMITMENT_BYTES, FILE_FORMAT_PARAMS, FILE_KEY_BYTES } from './format.js';

/** Bytes of the nonce prefix: 12 − 4 (index) − 1 (final flag), as in STREAM's nonce layout. */
const NONCE_PREFIX_BYTES = SIZES.aesNonce - 5;

/** The keys of one file. Renders as `[redacted]`. */
export interface FileStreamKeys {
  readonly aeadKey: Uint8Array;
  readonly noncePrefix: Uint8Array;
  /** The file's header (public: it opens the ciphertext). */
  readonly header: Uint8Array;
  /** The associated data of every chunk. */
  readonly aad: Uint8Array;
}

function info(label: string): Uint8Array {
  return new ByteWriter(64).string(label).raw(FILE_FORMAT_PARAMS).finish();
}

/** Derives a file's stream keys and header. Throws INVALID_ARGUMENT unless `fileKey` is 32 bytes. */
export async function deriveFileStreamKeys(p: CryptoProvider, fileKey: Uint8Array): Promise<FileStreamKeys> {
  abytes(fileKey, FILE_KEY_BYTES, 'file key');
  const empty = new Uint8Array(0);
  const okm = await p.hkdfSha256(
    fileKey,
    empty,
    info(LABELS.filesStreamKeys),
    SIZES.aesKey + NONCE_PREFIX_BYTES,
  );
  const commitment = await p.hkdfSha256(
    fileKey,
    empty,
    info(LABELS.filesKeyCommitment),
    FILE_COMMITMENT_BYTES,
  );
  const header = new ByteWriter(64).raw(FILE_FORMAT_PARAMS).raw(commitment).finish();
  return markSecret({
    aeadKey: okm.slice(0, SIZES.aesKey),
    noncePrefix: okm.slice(SIZES.aesKey),
    header,
    aad: new ByteWriter(64).string(LABELS.filesChunkAad).raw(header).finish(),
  });
}

/** The nonce of chunk `index` (a u32), with the final flag. */
export function fileChunkNonce(keys: FileStreamKeys, index: number, final: boolean): Uint8Array {
  const nonce = new Uint8Array(SIZES.aesNonce);
  nonce.set(keys.noncePrefix);
  new DataView(nonce.buffer).setUint32(NONCE_PREFIX_BYTES, index);
  nonce[SIZES.aesNonce - 1] = final ? 1 : 0;
  return nonce;
}
