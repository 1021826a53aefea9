/**
 * Opening a file's ciphertext as it streams in, in pieces of any size: every chunk is authenticated
 * before its plaintext is returned, and the end of the file only counts once the final chunk (flagged
 * final in its nonce) has been opened. Anything else — a wrong key, a changed header, a flipped bit, a
 * chunk missing, repeated, reordered or taken from another file, the file cut short (even at a chunk
 * boundary), or bytes after the final chunk — fails with FILE_INTEGRITY, and the opener stays failed.
 *
 * A sealed chunk of full length is never final (the final one is always shorter, see `format.ts`), so a
 * full chunk is opened as soon as its bytes are in, and at most one chunk is ever buffered.
 */

import { abytes, equalBytes } from '../bytes.js';
import { SottoError } from '../errors.js';
import type { CryptoProvider } from '../provider.js';
import { SIZES } from '../provider.js';
import {
  checkFilePlainSize,
  FILE_HEADER_BYTES,
  FILE_KEY_BYTES,
  FILE_SEALED_CHUNK_BYTES,
  fileChunkCount,
  fileCipherSize,
} from './format.js';
import { deriveFileStreamKeys, type FileStreamKeys, fileChunkNonce } from './keys.js';

/** Opens one file's ciphertext incrementally. */
export interface FileOpener {
  /** Ciphertext bytes consumed so far. */
  readonly cipherBytes: number;
  /** Authenticated plaintext bytes returned so far. */
  readonly plainBytes: number;
  /**
   * Consumes the next ciphertext bytes and returns the plaintext of every chunk they complete (possibly
   * none). Await each call before the next. Throws FILE_INTEGRITY (then every later call does too).
   */
  push(bytes: Uint8Array): Promise<Uint8Array[]>;
  /**
   * Ends the ciphertext: opens the final chunk and returns its plaintext (possibly empty). Only after it
   * resolved is the file complete and authentic. Throws FILE_INTEGRITY.
   */
  finish(): Promise<Uint8Array>;
}

/** What the reader knows about the file in advance (from the end-to-end encrypted message). */
export interface FileOpenerOptions {
  /** The plaintext size: checked at the end, and bytes beyond its ciphertext size fail at once. */
  readonly plainSize?: number;
}

function integrity(message: string, cause?: unknown): SottoError {
  return new SottoError('FILE_INTEGRITY', message, cause === undefined ? undefined : { cause });
}

class Opener implements FileOpener {
  cipherBytes = 0;
  plainBytes = 0;
  private readonly staged = new Uint8Array(FILE_SEALED_CHUNK_BYTES);
  private stagedLength = 0;
  private headerDone = false;
  private index = 0;
  private state: 'open' | 'busy' | 'done' | 'failed' = 'open';

  constructor(
    private readonly p: CryptoProvider,
    private readonly keys: FileStreamKeys,
    private readonly plainSize: number | undefined,
  ) {}

  async push(bytes: Uint8Array): Promise<Uint8Array[]> {
    abytes(bytes, undefined, 'file ciphertext');
    return this.guard(async () => {
      const max = this.plainSize === undefined ? Number.POSITIVE_INFINITY : fileCipherSize(this.plainSize);
      if (this.cipherBytes + bytes.length > max) throw integrity('file: longer than its stated size');
      const out: Uint8Array[] = [];
      let at = 0;
      while (at < bytes.length) {
        if (this.headerDone && this.stagedLength === 0 && bytes.length - at >= FILE_SEALED_CHUNK_BYTES) {
          // A whole chunk in the input: open it in place, no copy.
          out.push(await this.openChunk(bytes.subarray(at, at + FILE_SEALED_CHUNK_BYTES), false));
          at += FILE_SEALED_CHUNK_BYTES;
          continue;
        }
        const want = this.headerDone ? FILE_SEALED_CHUNK_BYTES : FILE_HEADER_BYTES;
        const n = Math.min(want - this.stagedLength, bytes.length - at);
        this.staged.set(bytes.subarray(at, at + n), this.stagedLength);
        this.stagedLength += n;
        at += n;
        if (this.stagedLength < want) break;
        this.stagedLength = 0;
        if (this.headerDone) out.push(await this.openChunk(this.staged, false));
        else this.checkHeader(this.staged.subarray(0, FILE_HEADER_BYTES));
      }
      this.cipherBytes += bytes.length;
      return out;
    });
  }

  async finish(): Promise<Uint8Array> {
    return this.guard(async () => {
      if (!this.headerDone) throw integrity('file: truncated header');
      if (this.stagedLength < SIZES.aesTag) throw integrity('file: the final chunk is missing');
      const last = await this.openChunk(this.staged.subarray(0, this.stagedLength), true);
      if (this.plainSize !== undefined && this.plainBytes !== this.plainSize) {
        throw integrity('file: not of its stated size');
      }
      this.state = 'done';
      return last;
    });
  }

  private checkHeader(header: Uint8Array): void {
    if (!equalBytes(header, this.keys.header)) {
      throw integrity('file: the header does not match the key (wrong key, another format, or tampered)');
    }
    this.headerDone = true;
  }

  private async openChunk(sealed: Uint8Array, final: boolean): Promise<Uint8Array> {
    if (this.plainSize !== undefined && this.index >= fileChunkCount(this.plainSize) - (final ? 0 : 1)) {
      throw integrity('file: more chunks than its stated size');
    }
    let plain: Uint8Array;
    try {
      const nonce = fileChunkNonce(this.keys, this.index, final);
      plain = await this.p.aes256GcmOpen(this.keys.aeadKey, nonce, sealed, this.keys.aad);
    } catch (cause) {
      throw integrity(
        'file: a chunk failed authentication (tampered, reordered, truncated or foreign)',
        cause,
      );
    }
    this.index++;
    this.plainBytes += plain.length;
    return plain;
  }

  private async guard<T>(task: () => Promise<T>): Promise<T> {
    if (this.state === 'failed') throw integrity('file: already failed');
    if (this.state === 'done') throw new SottoError('INVALID_ARGUMENT', 'file: already finished');
    if (this.state === 'busy') throw new SottoError('INVALID_ARGUMENT', 'file: await each call first');
    this.state = 'busy';
    try {
      const r = await task();
      if (this.state === 'busy') this.state = 'open';
      return r;
    } catch (err) {
      this.state = 'failed';
      this.staged.fill(0);
      throw err;
    }
  }
}

/**
 * Prepares opening a file sealed under `fileKey`. Throws INVALID_ARGUMENT on a bad key or size; the
 * opener's calls throw FILE_INTEGRITY as described above.
 */
export async function createFileOpener(
  p: CryptoProvider,
  fileKey: Uint8Array,
  options: FileOpenerOptions = {},
): Promise<FileOpener> {
  abytes(fileKey, FILE_KEY_BYTES, 'file key');
  if (options.plainSize !== undefined) checkFilePlainSize(options.plainSize);
  return new Opener(p, await deriveFileStreamKeys(p, fileKey), options.plainSize);
}

/** Opens a whole file held in memory (small files and tests). Throws FILE_INTEGRITY. */
export async function decryptFile(
  p: CryptoProvider,
  fileKey: Uint8Array,
  ciphertext: Uint8Array,
  options: FileOpenerOptions = {},
): Promise<Uint8Array> {
  const opener = await createFileOpener(p, fileKey, options);
  const parts = await opener.push(ciphertext);
  parts.push(await opener.finish());
  const out = new Uint8Array(opener.plainBytes);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
