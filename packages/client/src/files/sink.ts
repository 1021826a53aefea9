/**
 * Where a downloaded file goes, written in verified pieces. {@link SottoClient.downloadFile} calls
 * `write` with authenticated plaintext as it arrives, then `close` once the whole file is verified (every
 * chunk, the final chunk, the sizes and the SHA-256 of the ciphertext), or `abort` on any failure: a sink
 * must only present the file as complete after `close`, and must discard what it got on `abort`. In
 * memory ({@link memorySink}), as a `Blob` ({@link blobSink}), or a file on disk (`fileSinkAt`, Node).
 */

import { SottoError } from '@sotto/crypto';

/** Receives a downloaded file. */
export interface FileSink {
  /** The next plaintext bytes (already authenticated, but the file is not complete yet). */
  write(bytes: Uint8Array): Promise<void>;
  /** The file is complete and verified. */
  close(): Promise<void>;
  /** The download failed or was cancelled: discard everything written. */
  abort(): Promise<void>;
}

/** A sink in memory; `bytes()` is the file once closed. */
export interface MemorySink extends FileSink {
  /** The whole file. Throws INVALID_ARGUMENT before `close` (or after `abort`). */
  bytes(): Uint8Array;
}

/** A sink collecting a `Blob`; `blob()` is the file once closed. */
export interface BlobSink extends FileSink {
  /** The whole file as a Blob of the given media type. Throws INVALID_ARGUMENT before `close`. */
  blob(): Blob;
}

function notReady(): SottoError {
  return new SottoError('INVALID_ARGUMENT', 'The download is not complete.');
}

/** Collects the parts written; `finish` runs once at close. */
function collecting<T>(finish: (parts: Uint8Array[]) => T): FileSink & { result(): T } {
  let parts: Uint8Array[] = [];
  let result: { value: T } | undefined;
  let ended = false;
  return {
    async write(bytes) {
      if (ended) throw new SottoError('INVALID_ARGUMENT', 'The sink is closed.');
      parts.push(bytes);
    },
    async close() {
      ended = true;
      result = { value: finish(parts) };
      parts = [];
    },
    async abort() {
      ended = true;
      parts = [];
    },
    result() {
      if (result === undefined) throw notReady();
      return result.value;
    },
  };
}

/** A sink that keeps the file in memory (small files, tests). */
export function memorySink(): MemorySink {
  const sink = collecting((parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  });
  return { write: sink.write, close: sink.close, abort: sink.abort, bytes: sink.result };
}

/** A sink that builds a `Blob` of `mediaType` (browsers keep large blobs out of the JS heap). */
export function blobSink(mediaType: string): BlobSink {
  const sink = collecting((parts) => new Blob(parts as Uint8Array<ArrayBuffer>[], { type: mediaType }));
  return { write: sink.write, close: sink.close, abort: sink.abort, blob: sink.result };
}
