/**
 * Sending a file message (issue 11): the message is stored first (pending, its file `uploading`, with a
 * fresh file key and an upload marker), then the file is encrypted while it uploads (`upload.ts`), and
 * once the server has every byte the file content (file id, key, digest, sizes, name, …) goes out like a
 * text, to every device of the recipient and to our other devices. An interrupted upload resumes: after
 * a dropped connection from the server's offset, after a restart from a file on disk (the marker and the
 * `files` record survive in the store). A failed or cancelled upload leaves the message `failed` and
 * removes the server copy.
 */

import { fileCipherSize, SottoError } from '@sotto/crypto';
import type { FrameOf } from '@sotto/protocol';
import { messageById, withFileState, withStatus } from '../history.js';
import { currentKey, draftMessage, type SendResult, sendStored } from '../messages.js';
import { outgoingContent } from '../outgoing.js';
import { del, put, type StoreOp } from '../store/store.js';
import type { Message } from '../types.js';
import { type FilesDeps, progressOf } from './deps.js';
import { describeFile, type SendFileOptions } from './describe.js';
import { fileFromPath, isPathSource } from './path-source.js';
import { type FileRecord, fileRecordOp, loadFileRecord, uploadKey, uploadsInProgress } from './record.js';
import { deleteServerCopy } from './server-copy.js';
import { type FileSource, fileChanged } from './source.js';
import type { TransferControl } from './transfers.js';
import { TusClient } from './tus.js';
import { UploadParked, uploadCiphertext } from './upload.js';

/** The record (fresh key, sizes, where the file is) and the upload marker of a new upload. */
function newUploadOps(
  ctx: { p: { randomBytes(n: number): Uint8Array } },
  messageId: string,
  source: FileSource,
  identityKey: Uint8Array | undefined,
): StoreOp[] {
  const record: FileRecord = {
    key: ctx.p.randomBytes(32),
    size: source.size,
    cipherSize: fileCipherSize(source.size),
    identityKey,
    ...(isPathSource(source) ? { path: source.path, mtimeMs: source.mtimeMs } : {}),
  };
  return [fileRecordOp(messageId, record), put('outbox', uploadKey(messageId), new Uint8Array(0))];
}

/** Starts the upload of a stored message now, or leaves it for the next connect. */
async function startUpload(d: FilesDeps, m: Message, source: FileSource): Promise<SendResult> {
  d.transfers.keepSource(m.id, source);
  progressOf(await d.ctx(), m.id, 'up', source.size)(0);
  const queued = d.online() ? await runUpload(d, m.id) : true;
  return { messageId: m.id, sentAt: m.sentAt, queued };
}

/**
 * Stores a file message to `to` for `source` and uploads it (see the module comment). Resolves once the
 * file message reached the server, or with `queued: true` when offline or the connection is gone (it
 * goes on after the next connect). Throws INVALID_ARGUMENT, UNTRUSTED_IDENTITY (nothing stored), and
 * after recording the message as `failed`: CANCELLED, FILE_TOO_LARGE, QUOTA_EXCEEDED and the refusals
 * of a send.
 */
export async function sendFile(
  d: FilesDeps,
  to: string,
  source: FileSource,
  options: SendFileOptions,
): Promise<SendResult> {
  const file = describeFile(source, options);
  const message = await d.run(async (ctx) => {
    const draft = await draftMessage(ctx, to, file.caption ?? '', { file });
    await ctx.store.write([...draft.ops, ...newUploadOps(ctx, draft.message.id, source, draft.identityKey)]);
    return draft.message;
  });
  return startUpload(d, message, source);
}

/**
 * Sends a failed file message of this device again, under a fresh file key: from the source this
 * process still has, or the file on disk it came from. Throws INVALID_ARGUMENT when neither is there
 * (send the file again), UNTRUSTED_IDENTITY, and what {@link sendFile} throws.
 */
export async function resendFile(d: FilesDeps, m: Message): Promise<SendResult> {
  const ctx = await d.ctx();
  const record = await loadFileRecord(ctx.store, m.id);
  const source =
    d.transfers.source(m.id) ?? (record?.path === undefined ? undefined : await fileFromPath(record.path));
  if (source === undefined || m.file === undefined) {
    throw new SottoError('INVALID_ARGUMENT', 'The file is not available here any more; send it again.');
  }
  const file = describeFile(source, {
    ...(m.text === '' ? {} : { caption: m.text }),
    ...(m.file.thumbnail === undefined ? {} : { thumbnail: m.file.thumbnail }),
    ...(m.file.durationMs === undefined ? {} : { durationMs: m.file.durationMs }),
  });
  const message = await d.run(async (c) => {
    const identityKey = await currentKey(c, m.conversation);
    const { message: next, op } = withFileState({ ...m, status: 'pending', file }, 'uploading');
    await c.store.write([op, ...newUploadOps(c, m.id, source, identityKey)]);
    c.events.emit('message-updated', next);
    return next;
  });
  return startUpload(d, message, source);
}

/**
 * Uploads message `messageId`'s file and sends the message (joining the upload if it runs already).
 * Resolves true when it waits for the next connect, false once done; throws like {@link sendFile}.
 */
export function runUpload(d: FilesDeps, messageId: string): Promise<boolean> {
  return d.transfers.run(messageId, 'up', (control) => upload(d, messageId, control));
}

/** Starts every upload of this device still in progress (after a connect). Failures are reported. */
export async function resumeUploads(d: FilesDeps): Promise<void> {
  const ctx = await d.ctx();
  for (const id of await uploadsInProgress(ctx.store)) {
    if (!d.transfers.running(id)) void runUpload(d, id).catch((err) => d.report(err));
  }
}

/**
 * Cancels message `messageId`'s transfer: a running upload or download rejects with CANCELLED; an upload
 * waiting for the connection fails at once. Throws MESSAGE_NOT_FOUND.
 */
export async function cancelTransfer(d: FilesDeps, messageId: string): Promise<void> {
  if (await d.transfers.stop(messageId, 'cancel')) return;
  const ctx = await d.ctx();
  const m = await messageById(ctx.store, messageId);
  if (m === undefined) throw new SottoError('MESSAGE_NOT_FOUND');
  if (m.file?.state === 'uploading' && m.status === 'pending') {
    await failUpload(d, messageId, new SottoError('CANCELLED'));
  }
}

/** The source of an upload: kept by this process, or the file on disk it came from (unchanged). */
async function sourceFor(d: FilesDeps, messageId: string, record: FileRecord): Promise<FileSource> {
  const kept = d.transfers.source(messageId);
  if (kept !== undefined) return kept;
  if (record.path !== undefined) {
    const source = await fileFromPath(record.path);
    if (source.size !== record.size || source.mtimeMs !== record.mtimeMs) throw fileChanged();
    return source;
  }
  throw new SottoError(
    'CANCELLED',
    'The upload was interrupted and its file is not available here any more; send it again.',
  );
}

async function upload(d: FilesDeps, id: string, control: TransferControl): Promise<boolean> {
  const ctx = await d.ctx();
  try {
    const m = await messageById(ctx.store, id);
    const record = await loadFileRecord(ctx.store, id);
    if (m?.file?.state !== 'uploading' || m.status !== 'pending' || record === undefined) {
      await d.run((c) => c.store.write([del('outbox', uploadKey(id))])); // nothing left to upload
      return false;
    }
    const source = await sourceFor(d, id, record);
    const result = await uploadCiphertext({
      p: ctx.p,
      source,
      tus: new TusClient(d.serverUrl(), d.uploadFetch),
      signal: control.signal,
      batchBytes: d.batchBytes,
      stream: d.streamUploads,
      backoff: d.backoff,
      session: { key: record.key, token: record.token, fileId: record.fileId },
      authorize: async (size) => {
        const r = await ctx.request({ t: 'files.authorize', size });
        return (r as FrameOf<'files.authorize.result'>).token;
      },
      save: (s) =>
        d.run((c) =>
          c.store.write([fileRecordOp(id, { ...record, key: s.key, token: s.token, fileId: s.fileId })]),
        ),
      freshKey: () => ctx.p.randomBytes(32),
      progress: progressOf(ctx, id, 'up', record.size),
      online: () => d.online(),
    });
    // Done: the token goes; the path stays for a resend after a refusal.
    const done: FileRecord = {
      key: result.key,
      size: record.size,
      cipherSize: record.cipherSize,
      fileId: result.fileId,
      digest: result.digest,
      identityKey: record.identityKey,
      path: record.path,
      mtimeMs: record.mtimeMs,
    };
    d.transfers.dropSource(id);
    return await d.run(async (c) => {
      const current = await messageById(c.store, id);
      if (current?.file === undefined || current.status !== 'pending') return false;
      const { message, op } = withFileState({ ...current, file: current.file }, 'uploaded');
      c.events.emit('message-updated', message);
      const extraOps = [fileRecordOp(id, done), op, del('outbox', uploadKey(id))];
      return sendStored(c, message, record.identityKey, {
        online: d.online(),
        report: (err) => d.report(err),
        extraOps,
        content: await outgoingContent(c, message, done),
      });
    });
  } catch (raw) {
    if (raw instanceof UploadParked || control.reason() === 'close') return true;
    const err = control.reason() === 'cancel' ? new SottoError('CANCELLED', undefined, { cause: raw }) : raw;
    await failUpload(d, id, err);
    throw err;
  }
}

/** Records message `messageId` as failed (its file too), ends its upload and removes the server copy. */
async function failUpload(d: FilesDeps, messageId: string, err: unknown): Promise<void> {
  const code = SottoError.is(err) ? err.code : 'INTERNAL';
  const ctx = await d.ctx();
  await d.run(async (c) => {
    const m = await messageById(c.store, messageId);
    const ops: StoreOp[] = [del('outbox', uploadKey(messageId))];
    const failed = m?.status === 'pending' ? withStatus(m, 'failed', code) : undefined;
    if (failed !== undefined) ops.push(failed.op);
    await c.store.write(ops);
    if (failed !== undefined) c.events.emit('message-updated', failed.message);
  });
  d.transfers.dropSource(messageId);
  await deleteServerCopy(ctx, messageId);
}
