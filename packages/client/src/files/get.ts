/**
 * Downloading a message's file into a sink (`downloadFile`): the received file's state goes `available`
 * → `downloading` → `downloaded`, or `failed` with the code when the file is not what its sender
 * described (FILE_INTEGRITY) or the server no longer has it (FILE_NOT_FOUND). A download that was
 * cancelled or lost its connection returns to the state it had. This device's own uploads can be
 * downloaded too (their state stays as it is).
 */

import { SottoError } from '@sotto/crypto';
import { messageById, withFileState } from '../history.js';
import type { FileState } from '../types.js';
import { type FilesDeps, progressOf } from './deps.js';
import { downloadCiphertext } from './download.js';
import { loadFileRecord } from './record.js';
import type { FileSink } from './sink.js';

/** Sets message `messageId`'s file state (queued, re-reading the message) and reports the change. */
async function setFileState(
  d: FilesDeps,
  messageId: string,
  state: FileState,
  error?: string,
): Promise<void> {
  await d.run(async (c) => {
    const m = await messageById(c.store, messageId);
    if (m?.file === undefined || (m.file.state === state && m.error === error)) return;
    const { message, op } = withFileState({ ...m, file: m.file }, state, error);
    await c.store.write([op]);
    c.events.emit('message-updated', message);
  });
}

function checkSink(sink: FileSink): void {
  if (
    typeof sink?.write !== 'function' ||
    typeof sink.close !== 'function' ||
    typeof sink.abort !== 'function'
  ) {
    throw new SottoError('INVALID_ARGUMENT', 'Expected a file sink (write, close, abort).');
  }
}

/**
 * Downloads, verifies and writes message `messageId`'s file into `sink` (closed on success, aborted on
 * any failure). Throws MESSAGE_NOT_FOUND (no file message), INVALID_ARGUMENT (not uploaded yet, or a
 * transfer of it runs), FILE_INTEGRITY, FILE_NOT_FOUND, CANCELLED, NOT_CONNECTED.
 */
export async function downloadMessageFile(d: FilesDeps, messageId: string, sink: FileSink): Promise<void> {
  checkSink(sink);
  const ctx = await d.ctx();
  const m = await messageById(ctx.store, messageId);
  if (m?.file === undefined) throw new SottoError('MESSAGE_NOT_FOUND', 'No file message has this id.');
  const r = await loadFileRecord(ctx.store, messageId);
  if (r?.fileId === undefined || r.digest === undefined) {
    throw new SottoError('INVALID_ARGUMENT', 'The file is not uploaded yet.');
  }
  const { fileId, digest } = r;
  const mine = m.direction === 'out' && m.from.deviceId === ctx.profile.deviceId;
  const before = { state: m.file.state === 'downloading' ? 'available' : m.file.state, error: m.error };
  await d.transfers.run(messageId, 'down', async (control) => {
    if (!mine) await setFileState(d, messageId, 'downloading');
    try {
      await downloadCiphertext({
        p: ctx.p,
        fetch: d.fetch,
        base: d.serverUrl(),
        fileId,
        key: r.key,
        digest,
        size: r.size,
        cipherSize: r.cipherSize,
        sink,
        signal: control.signal,
        backoff: d.backoff,
        progress: progressOf(ctx, messageId, 'down', r.size),
      });
      if (!mine) await setFileState(d, messageId, 'downloaded');
    } catch (err) {
      if (!mine) {
        const lost = SottoError.is(err, 'FILE_INTEGRITY') || SottoError.is(err, 'FILE_NOT_FOUND');
        if (lost) await setFileState(d, messageId, 'failed', err.code);
        else
          await setFileState(
            d,
            messageId,
            before.state,
            before.state === 'failed' ? before.error : undefined,
          );
      }
      throw err;
    }
  });
}
