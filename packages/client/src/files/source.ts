/**
 * Where a file to send comes from, read in pieces so a large file is never held in memory whole. One
 * interface for Node and browsers: bytes in memory, a `Blob` (a browser `File`; Node ≥ 20 has `Blob`
 * too), or a path on disk ({@link fileFromPath} in `path-source.ts`, Node only).
 */

import { SottoError } from '@sotto/crypto';
import { mediaTypeOf } from './names.js';

/** A file to send: its size, name and media type, and random access to its bytes. */
export interface FileSource {
  /** Bytes. */
  readonly size: number;
  /** The file name shown to the recipient (cleaned of path separators and controls when sent). */
  readonly name: string;
  /** A media type such as `image/png` (`application/octet-stream` when unknown). */
  readonly mediaType: string;
  /** Exactly `length` bytes from `offset` (throws when the file changed and they are not there). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** The media type used when none is known. */
export const DEFAULT_MEDIA_TYPE = 'application/octet-stream';

/** Throws INVALID_ARGUMENT unless `offset`/`length` lie within a file of `size` bytes. */
export function checkRange(size: number, offset: number, length: number): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > size
  ) {
    throw new SottoError('INVALID_ARGUMENT', 'A file read is out of range.');
  }
}

/** The error of a source whose file changed (shrank) since the send began. */
export function fileChanged(): SottoError {
  return new SottoError('INVALID_ARGUMENT', 'The file changed while it was being sent.');
}

/**
 * A source over bytes in memory (they are not copied: do not change them while sending). The media type
 * defaults to the one of the name's extension.
 */
export function fileFromBytes(
  bytes: Uint8Array,
  name: string,
  mediaType: string = mediaTypeOf(name),
): FileSource {
  if (!(bytes instanceof Uint8Array)) throw new SottoError('INVALID_ARGUMENT', 'Expected bytes.');
  return {
    size: bytes.length,
    name,
    mediaType,
    async read(offset, length) {
      checkRange(bytes.length, offset, length);
      return bytes.subarray(offset, offset + length);
    },
  };
}

/**
 * A source over a `Blob` or a browser `File` (its `name` unless `name` is given; the blob's `type`, else
 * the one of the name's extension). Reads slices, so the browser never loads the whole file.
 */
export function fileFromBlob(blob: Blob, name?: string): FileSource {
  if (typeof Blob === 'undefined' || !(blob instanceof Blob)) {
    throw new SottoError('INVALID_ARGUMENT', 'Expected a Blob.');
  }
  const own = (blob as Blob & { name?: unknown }).name;
  const fileName = name ?? (typeof own === 'string' && own !== '' ? own : 'file');
  return {
    size: blob.size,
    name: fileName,
    mediaType: blob.type === '' ? mediaTypeOf(fileName) : blob.type,
    async read(offset, length) {
      checkRange(blob.size, offset, length);
      const out = new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
      if (out.length !== length) throw fileChanged();
      return out;
    },
  };
}
