/**
 * The content of an outgoing message, built from what history and the `files` table hold: a text, or a
 * file message with its file id, key and digest (only once the upload is complete). The copy for one's
 * own other devices names the conversation (`to`).
 */

import { SottoError } from '@sotto/crypto';
import { encodeContent } from './content.js';
import type { Ctx } from './context.js';
import { type FileRecord, loadFileRecord } from './files/record.js';
import { messageIdFromString } from './history.js';
import type { Message } from './types.js';

/** A message's encoded content for a recipient's devices (`own: false`) or for our own (`own: true`). */
export type OutgoingContent = (own: boolean) => Uint8Array;

/**
 * The content of `m`; for a file message from `record` (default: the stored one). Throws INVALID_ARGUMENT
 * when the file is not uploaded yet.
 */
export async function outgoingContent(ctx: Ctx, m: Message, record?: FileRecord): Promise<OutgoingContent> {
  const id = messageIdFromString(m.id);
  const to = m.conversation;
  const base = { id, sentAt: m.sentAt, seq: m.seq };
  const file = m.file;
  if (file === undefined) {
    return (own) => encodeContent({ t: 'text', ...(own ? { to } : {}), ...base, text: m.text });
  }
  const r = record ?? (await loadFileRecord(ctx.store, m.id));
  if (r?.fileId === undefined || r.digest === undefined) {
    throw new SottoError('INVALID_ARGUMENT', 'The file is not uploaded yet.');
  }
  const { fileId, key, digest, size, cipherSize } = r;
  return (own) =>
    encodeContent({
      t: 'file',
      ...(own ? { to } : {}),
      ...base,
      fileId,
      key,
      digest,
      size,
      cipherSize,
      mediaType: file.mediaType,
      name: file.name,
      ...(m.text === '' ? {} : { caption: m.text }),
      ...(file.thumbnail === undefined ? {} : { thumbnail: file.thumbnail }),
      ...(file.durationMs === undefined ? {} : { durationMs: file.durationMs }),
    });
}
