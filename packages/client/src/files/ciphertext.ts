/**
 * Any byte range of a file's ciphertext, re-created on demand from the source: sealing is deterministic
 * (see @sotto/crypto `files/`), so an upload never keeps ciphertext beyond the batch in flight, and can
 * resume from whatever offset the server reports. The SHA-256 of the ciphertext is computed on the way,
 * each byte once and in order, and can be rebuilt after a restart by re-creating the prefix.
 */

import {
  type CryptoProvider,
  FILE_CHUNK_BYTES,
  FILE_HEADER_BYTES,
  FILE_SEALED_CHUNK_BYTES,
  type FileSealer,
  fileChunkCipherOffset,
  fileChunkPlainBytes,
  type Sha256Hasher,
  SottoError,
} from '@sotto/crypto';
import type { FileSource } from './source.js';

/** The plaintext bytes fully contained in the first `cipherOffset` ciphertext bytes (for progress). */
export function plainOffsetAt(cipherOffset: number, plainSize: number): number {
  const k = cipherOffset - FILE_HEADER_BYTES;
  if (k <= 0) return 0;
  const i = Math.floor(k / FILE_SEALED_CHUNK_BYTES);
  if (i >= Math.floor(plainSize / FILE_CHUNK_BYTES) + 1) return plainSize;
  return i * FILE_CHUNK_BYTES + Math.min(k - i * FILE_SEALED_CHUNK_BYTES, fileChunkPlainBytes(plainSize, i));
}

/** The first chunk boundary (end of the header or of a sealed chunk) at or after `offset`. */
export function chunkBoundaryAtOrAfter(offset: number): number {
  if (offset <= FILE_HEADER_BYTES) return FILE_HEADER_BYTES;
  return (
    FILE_HEADER_BYTES +
    Math.ceil((offset - FILE_HEADER_BYTES) / FILE_SEALED_CHUNK_BYTES) * FILE_SEALED_CHUNK_BYTES
  );
}

/** Re-creates ciphertext ranges of one file and hashes the ciphertext once, in order. */
export class CiphertextProducer {
  private hashed = 0;
  private readonly hasher: Sha256Hasher;

  constructor(
    p: CryptoProvider,
    private readonly sealer: FileSealer,
    private readonly source: FileSource,
  ) {
    if (source.size !== sealer.plainSize) throw new SottoError('INVALID_ARGUMENT', 'The file changed.');
    this.hasher = p.createSha256();
  }

  /** Ciphertext bytes hashed so far (from the start). */
  get hashedBytes(): number {
    return this.hashed;
  }

  /**
   * The ciphertext bytes `[from, to)`, written into `into` when it is given and large enough (a buffer the
   * caller reuses). Bytes past those hashed so far are hashed (after the gap up to `from`, if any). Not
   * re-entrant: await each call before the next.
   */
  async range(from: number, to: number, into?: Uint8Array): Promise<Uint8Array> {
    const size = this.sealer.cipherSize;
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from || to > size) {
      throw new SottoError('INVALID_ARGUMENT', 'A ciphertext range is out of bounds.');
    }
    if (from > this.hashed) await this.hashUpTo(from, to - from);
    const out = await this.produce(from, to, into);
    if (to > this.hashed) {
      this.hasher.update(out.subarray(this.hashed - from));
      this.hashed = to;
    }
    return out;
  }

  /** Hashes the ciphertext up to `offset`, re-creating it in batches of `batch` bytes. */
  async hashUpTo(offset: number, batch: number, signal?: AbortSignal): Promise<void> {
    while (this.hashed < offset) {
      signal?.throwIfAborted();
      const to = Math.min(offset, chunkBoundaryAtOrAfter(this.hashed + batch));
      this.hasher.update(await this.produce(this.hashed, to));
      this.hashed = to;
    }
  }

  /** The SHA-256 of the whole ciphertext. Throws INVALID_ARGUMENT before all of it was produced. */
  digest(): Uint8Array {
    if (this.hashed !== this.sealer.cipherSize) {
      throw new SottoError('INVALID_ARGUMENT', 'The ciphertext is not complete yet.');
    }
    return this.hasher.digest();
  }

  private async produce(from: number, to: number, into?: Uint8Array): Promise<Uint8Array> {
    const out =
      into !== undefined && into.length >= to - from
        ? into.subarray(0, to - from)
        : new Uint8Array(to - from);
    const { header, plainSize } = this.sealer;
    if (from < header.length) out.set(header.subarray(from, Math.min(to, header.length)));
    if (to <= header.length) return out;
    const first = Math.floor((Math.max(from, header.length) - header.length) / FILE_SEALED_CHUNK_BYTES);
    const last = Math.floor((to - 1 - header.length) / FILE_SEALED_CHUNK_BYTES);
    const plainFrom = first * FILE_CHUNK_BYTES;
    const plainTo = Math.min(plainSize, (last + 1) * FILE_CHUNK_BYTES);
    const plain = await this.source.read(plainFrom, plainTo - plainFrom);
    for (let i = first; i <= last; i++) {
      const at = (i - first) * FILE_CHUNK_BYTES;
      const sealed = await this.sealer.sealChunk(
        i,
        plain.subarray(at, at + fileChunkPlainBytes(plainSize, i)),
      );
      const start = fileChunkCipherOffset(i);
      const lo = Math.max(from, start);
      const hi = Math.min(to, start + sealed.length);
      out.set(sealed.subarray(lo - start, hi - start), lo - from);
    }
    return out;
  }
}
