/**
 * Checking what the caller of `sendFile` gives before anything is stored: the source's size, name and
 * media type, the caption, the thumbnail and the duration, and that the file message will fit in one
 * ciphertext. Throws INVALID_ARGUMENT with a sentence that names no file content.
 */

import { fileCipherSize, SottoError } from '@sotto/crypto';
import { encodeContent, MAX_TEXT_CHARS, MAX_THUMBNAIL_BYTES, THUMBNAIL_TYPES } from '../content.js';
import type { FileInfo, FileThumbnail } from '../types.js';
import { cleanFileName, isMediaType } from './names.js';
import { DEFAULT_MEDIA_TYPE, type FileSource } from './source.js';

/** Options of `sendFile`. */
export interface SendFileOptions {
  /** Text shown with the file (at most `MAX_TEXT_CHARS` characters). */
  readonly caption?: string;
  /** A small preview (at most 16 KiB of JPEG, PNG or WebP) the recipient sees before downloading. */
  readonly thumbnail?: FileThumbnail;
  /** The length of a voice note or video, in milliseconds. */
  readonly durationMs?: number;
}

function bad(message: string): SottoError {
  return new SottoError('INVALID_ARGUMENT', message);
}

/** The media type without parameters, lower case; `application/octet-stream` when not valid. */
function mediaTypeFrom(value: unknown): string {
  const bare = typeof value === 'string' ? (value.split(';')[0] ?? '').trim().toLowerCase() : '';
  return isMediaType(bare) ? bare : DEFAULT_MEDIA_TYPE;
}

function checkThumbnail(t: FileThumbnail): FileThumbnail {
  const dim = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 0xffff;
  if (
    !(t.bytes instanceof Uint8Array) ||
    t.bytes.length === 0 ||
    t.bytes.length > MAX_THUMBNAIL_BYTES ||
    !(THUMBNAIL_TYPES as readonly string[]).includes(t.mediaType) ||
    !dim(t.width) ||
    !dim(t.height)
  ) {
    throw bad('A thumbnail is 1 byte to 16 KiB of JPEG, PNG or WebP with its width and height.');
  }
  return { bytes: t.bytes, mediaType: t.mediaType, width: t.width, height: t.height };
}

/** The file of the message to send (state `uploading`). Throws INVALID_ARGUMENT. */
export function describeFile(source: FileSource, options: SendFileOptions): FileInfo {
  if (typeof source?.read !== 'function' || typeof source.name !== 'string')
    throw bad('Expected a file source.');
  try {
    fileCipherSize(source.size);
  } catch {
    throw bad('The file size is not valid.');
  }
  const caption = options.caption ?? '';
  if (typeof caption !== 'string' || [...caption].length > MAX_TEXT_CHARS) {
    throw bad(`A caption has at most ${MAX_TEXT_CHARS} characters.`);
  }
  const { durationMs } = options;
  if (durationMs !== undefined && (!Number.isSafeInteger(durationMs) || durationMs < 0)) {
    throw bad('A duration is a whole number of milliseconds.');
  }
  const info: FileInfo = {
    name: cleanFileName(source.name),
    mediaType: mediaTypeFrom(source.mediaType),
    size: source.size,
    ...(caption === '' ? {} : { caption }),
    ...(options.thumbnail === undefined ? {} : { thumbnail: checkThumbnail(options.thumbnail) }),
    ...(durationMs === undefined ? {} : { durationMs }),
    state: 'uploading',
  };
  // The message must fit in one ciphertext: try it with placeholder ids and keys (INVALID_ARGUMENT).
  encodeContent({
    t: 'file',
    to: 'x'.repeat(32),
    id: new Uint8Array(16),
    sentAt: Number.MAX_SAFE_INTEGER,
    seq: Number.MAX_SAFE_INTEGER,
    fileId: '0'.repeat(32),
    key: new Uint8Array(32),
    digest: new Uint8Array(32),
    size: info.size,
    cipherSize: fileCipherSize(info.size),
    mediaType: info.mediaType,
    name: info.name,
    ...(info.caption === undefined ? {} : { caption: info.caption }),
    ...(info.thumbnail === undefined ? {} : { thumbnail: info.thumbnail }),
    ...(info.durationMs === undefined ? {} : { durationMs: info.durationMs }),
  });
  return info;
}
