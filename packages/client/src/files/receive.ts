/**
 * A file message as it arrives (from a contact, or the copy of one sent by one of this account's other
 * devices): the message shows the cleaned name, media type, size, caption and thumbnail with its file
 * `available`; the file id, key, digest and sizes go to the `files` table in the same atomic write, for
 * {@link downloadFile}. Nothing is downloaded until asked.
 */

import type { FileContent } from '../content.js';
import type { StoreOp } from '../store/store.js';
import type { FileInfo } from '../types.js';
import { cleanFileName, isMediaType } from './names.js';
import { fileRecordOp } from './record.js';
import { DEFAULT_MEDIA_TYPE } from './source.js';

/** The message text, file and record operation of a received file message `id`. */
export function receivedFile(
  id: string,
  c: FileContent,
): { readonly text: string; readonly file: FileInfo; readonly op: StoreOp } {
  const file: FileInfo = {
    name: cleanFileName(c.name),
    mediaType: isMediaType(c.mediaType) ? c.mediaType : DEFAULT_MEDIA_TYPE,
    size: c.size,
    ...(c.caption === undefined || c.caption === '' ? {} : { caption: c.caption }),
    ...(c.thumbnail === undefined ? {} : { thumbnail: c.thumbnail }),
    ...(c.durationMs === undefined ? {} : { durationMs: c.durationMs }),
    state: 'available',
  };
  const op = fileRecordOp(id, {
    key: c.key,
    size: c.size,
    cipherSize: c.cipherSize,
    fileId: c.fileId,
    digest: c.digest,
  });
  return { text: c.caption ?? '', file, op };
}
