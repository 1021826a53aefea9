/**
 * Downloading one file: GET the ciphertext (the file id is the capability, no token), hash it and open it
 * chunk by chunk as it streams in, hand the authenticated plaintext to the sink, and resume with a
 * `Range` request after a dropped connection. The file counts as downloaded only when the final chunk
 * opened, the sizes match what the sender stated and the SHA-256 of the ciphertext equals the one in the
 * message; on any mismatch the sink is aborted (nothing half-written stays as a finished file) and the
 * download fails with FILE_INTEGRITY.
 */

import {
  type CryptoProvider,
  createFileOpener,
  equalBytes,
  type FileOpener,
  fileCipherSize,
  type Sha256Hasher,
  SottoError,
} from '@sotto/crypto';
import type { FetchLike } from '../http.js';
import { attemptSignal } from './deadline.js';
import { backoffMs, cancelledOr, MAX_STALLS, sleep, transient } from './retry.js';
import type { FileSink } from './sink.js';
import { SinkWriter } from './sink-writer.js';
import { fileUrl, networkError, statusError, TusError } from './tus.js';

/** How long a download may receive nothing before the attempt is abandoned (and resumed). */
export const DOWNLOAD_IDLE_MS = 30_000;
/** Progress is reported at least every this many plaintext bytes. */
const PROGRESS_STEP = 1 << 20;

/** What a download needs. */
export interface DownloadJob {
  readonly p: CryptoProvider;
  readonly fetch: FetchLike;
  /** The server's base URL. */
  readonly base: string;
  readonly fileId: string;
  readonly key: Uint8Array;
  readonly digest: Uint8Array;
  /** Plaintext bytes, as the sender stated. */
  readonly size: number;
  /** Ciphertext bytes, as the sender stated. */
  readonly cipherSize: number;
  readonly sink: FileSink;
  readonly signal: AbortSignal;
  readonly backoff: { readonly minMs: number; readonly maxMs: number };
  /** Plaintext bytes verified and written so far. */
  progress(bytes: number): void;
  readonly idleMs?: number;
}

function integrity(message: string): SottoError {
  return new SottoError('FILE_INTEGRITY', message);
}

/** State carried from one attempt to the next. */
interface Progress {
  readonly opener: FileOpener;
  readonly hasher: Sha256Hasher;
  readonly writer: SinkWriter;
  received: number;
  reported: number;
}

/**
 * Downloads and verifies the file into `job.sink`, then closes it. Throws FILE_INTEGRITY, FILE_NOT_FOUND,
 * CANCELLED, or the network error after repeated attempts without progress; the sink is aborted then.
 */
export async function downloadCiphertext(job: DownloadJob): Promise<void> {
  const writer = new SinkWriter(job.sink);
  try {
    if (!Number.isSafeInteger(job.size) || job.cipherSize !== fileCipherSize(job.size)) {
      throw integrity('The file’s stated sizes do not match.');
    }
    const state: Progress = {
      opener: await createFileOpener(job.p, job.key, { plainSize: job.size }),
      hasher: job.p.createSha256(),
      writer,
      received: 0,
      reported: 0,
    };
    job.progress(0);
    let stalls = 0;
    while (state.received < job.cipherSize) {
      const before = state.received;
      try {
        await attempt(job, state);
      } catch (raw) {
        const err = cancelledOr(raw, job.signal);
        if (!transient(err)) throw err;
        stalls = state.received > before ? 0 : stalls + 1;
        if (stalls >= MAX_STALLS) throw err;
        await sleep(backoffMs(stalls, job.backoff.minMs, job.backoff.maxMs), job.signal);
      }
    }
    await writer.write(await state.opener.finish());
    await writer.end();
    if (!equalBytes(state.hasher.digest(), job.digest)) {
      throw integrity('The file does not match the digest its sender sent.');
    }
    job.signal.throwIfAborted();
    await job.sink.close();
    job.progress(job.size);
  } catch (raw) {
    await writer.settle();
    await job.sink.abort().catch(() => undefined);
    const err = cancelledOr(raw, job.signal);
    throw SottoError.is(err) ? err : new SottoError('INTERNAL', 'The download failed.', { cause: err });
  }
}

/** Where a `206` answer starts, from `Content-Range: bytes START-END/TOTAL`. */
function rangeStart(res: Response, cipherSize: number): number {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
  if (m === null) throw new TusError('INTERNAL', 'The server sent a malformed range.', true);
  if (m[3] !== '*' && Number(m[3]) !== cipherSize)
    throw integrity('The file on the server has another size.');
  return Number(m[1]);
}

/** One GET from `state.received` on; returns when the body ends (complete or cut). */
async function attempt(job: DownloadJob, state: Progress): Promise<void> {
  const what = 'Downloading';
  const live = attemptSignal(job.signal, job.idleMs ?? DOWNLOAD_IDLE_MS);
  try {
    let res: Response;
    try {
      res = await job.fetch(fileUrl(job.base, job.fileId), {
        headers: state.received > 0 ? { range: `bytes=${state.received}-` } : {},
        cache: 'no-store',
        signal: live.signal,
      });
    } catch (err) {
      throw networkError(err, job.signal, what);
    }
    let skip = 0;
    if (res.status === 206) {
      const start = rangeStart(res, job.cipherSize);
      if (start !== state.received) throw new TusError('INTERNAL', 'The server sent another range.', true);
    } else if (res.status === 200) {
      const length = res.headers.get('content-length');
      if (length !== null && Number(length) !== job.cipherSize) {
        throw integrity('The file on the server has another size.');
      }
      skip = state.received; // the whole file again: drop what we have
    } else {
      await res.body?.cancel();
      throw statusError(res.status, what);
    }
    if (res.body === null) throw new TusError('INTERNAL', 'The server sent no body.', true);
    const reader = res.body.getReader();
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          throw networkError(err, job.signal, what);
        }
        if (chunk.done) return;
        live.touch();
        let bytes = chunk.value;
        if (skip > 0) {
          const n = Math.min(skip, bytes.length);
          skip -= n;
          bytes = bytes.subarray(n);
          if (bytes.length === 0) continue;
        }
        await consume(job, state, bytes);
      }
    } finally {
      reader.releaseLock();
      await res.body.cancel().catch(() => undefined);
    }
  } finally {
    live.dispose();
  }
}

async function consume(job: DownloadJob, state: Progress, bytes: Uint8Array): Promise<void> {
  if (state.received + bytes.length > job.cipherSize) throw integrity('The file on the server is longer.');
  state.hasher.update(bytes);
  state.received += bytes.length;
  for (const plain of await state.opener.push(bytes)) await state.writer.write(plain);
  const done = state.opener.plainBytes;
  if (done - state.reported >= PROGRESS_STEP) {
    state.reported = done;
    job.progress(done);
  }
}
