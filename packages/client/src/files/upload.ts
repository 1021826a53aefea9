/**
 * Uploading one file's ciphertext with tus: authorize (over the WebSocket), create the upload, then PATCH
 * batches of ciphertext sealed from the source while the previous batch is on the wire. After a dropped
 * connection (or a restart) the server's offset (HEAD) says where to go on; the ciphertext before it is
 * re-created, not stored, to rebuild the SHA-256. An upload the server no longer has (expired, or its
 * token refused) starts over under a fresh file key, so no key ever seals two different ciphertexts
 * that the server sees.
 */

import { type CryptoProvider, createFileSealer, SottoError } from '@sotto/crypto';
import { CiphertextProducer, chunkBoundaryAtOrAfter, plainOffsetAt } from './ciphertext.js';
import { backoffMs, cancelledOr, MAX_STALLS, sleep, transient } from './retry.js';
import type { FileSource } from './source.js';
import type { TusClient } from './tus.js';

/** The upload as the server knows it; stored so a restart can resume it. */
export interface UploadSession {
  readonly key: Uint8Array;
  readonly token?: string | undefined;
  readonly fileId?: string | undefined;
}

/** The upload stops for now: the connection is gone; it goes on after the next connect. */
export class UploadParked extends Error {
  constructor(cause: unknown) {
    super('The upload waits for the connection.', { cause });
  }
}

/** What an upload needs. */
export interface UploadJob {
  readonly p: CryptoProvider;
  readonly source: FileSource;
  readonly tus: TusClient;
  readonly signal: AbortSignal;
  /** Ciphertext bytes per PATCH (rounded up to whole chunks). */
  readonly batchBytes: number;
  readonly backoff: { readonly minMs: number; readonly maxMs: number };
  /** The stored session to resume (a key and nothing else for a new upload). */
  readonly session: UploadSession;
  /** Asks the server for an upload token for `size` ciphertext bytes (`files.authorize`). */
  authorize(size: number): Promise<string>;
  /** Stores the session (before its token or file id is relied on). */
  save(session: UploadSession): Promise<void>;
  /** A fresh random file key (when the upload has to start over). */
  freshKey(): Uint8Array;
  /** Plaintext bytes the server has. */
  progress(bytes: number): void;
  /** True while the client is connected. */
  online(): boolean;
}

/** What a finished upload yields for the message. */
export interface UploadResult {
  readonly key: Uint8Array;
  readonly fileId: string;
  readonly digest: Uint8Array;
}

/** Most times an upload starts over under a new key before it fails. */
const MAX_RESTARTS = 3;

/**
 * Uploads `job.source` encrypted. Resolves with the key, file id and ciphertext digest once the server
 * has every byte. Throws CANCELLED, {@link UploadParked} (offline, or no progress after repeated
 * attempts), or the refusal (FILE_TOO_LARGE, QUOTA_EXCEEDED, INVALID_ARGUMENT when the file changed, …).
 */
export async function uploadCiphertext(job: UploadJob): Promise<UploadResult> {
  let session = job.session;
  let producer = await producerFor(job, session.key);
  let stalls = 0;
  let restarts = 0;
  /** The highest offset the server confirmed (progress resets the stall count). */
  const confirmed = { offset: -1 };
  for (;;) {
    const before = confirmed.offset;
    try {
      if (session.token === undefined) {
        session = { key: session.key, token: await job.authorize(producer.cipherSize) };
        await job.save(session);
      }
      const token = session.token as string;
      let offset: number;
      if (session.fileId === undefined) {
        session = { ...session, fileId: await job.tus.create(token, producer.cipherSize, job.signal) };
        await job.save(session);
        offset = 0;
      } else {
        offset = await job.tus.offset(token, session.fileId, job.signal);
      }
      confirmed.offset = Math.max(confirmed.offset, offset);
      const fileId = session.fileId as string;
      if (offset > producer.cipherSize) throw new SottoError('INTERNAL', 'The server holds too many bytes.');
      await producer.hashUpTo(offset, job.batchBytes, job.signal);
      job.progress(plainOffsetAt(offset, job.source.size));
      await pump(job, producer, { token, fileId, start: offset, confirmed });
      return { key: session.key, fileId, digest: producer.digest() };
    } catch (raw) {
      const err = cancelledOr(raw, job.signal);
      if (SottoError.is(err, 'CANCELLED')) throw err;
      const lost =
        session.fileId !== undefined &&
        (SottoError.is(err, 'FILE_NOT_FOUND') || SottoError.is(err, 'UNAUTHENTICATED'));
      if (lost && restarts < MAX_RESTARTS) {
        // The server dropped the upload (expired) or its token: start over, under a fresh key.
        restarts++;
        session = { key: job.freshKey() };
        await job.save(session);
        producer = await producerFor(job, session.key);
        confirmed.offset = -1;
        continue;
      }
      if (!transient(err)) throw err;
      stalls = confirmed.offset > before ? 0 : stalls + 1;
      if (!job.online() || stalls >= MAX_STALLS) throw new UploadParked(err);
      await sleep(backoffMs(stalls, job.backoff.minMs, job.backoff.maxMs), job.signal);
    }
  }
}

async function producerFor(
  job: UploadJob,
  key: Uint8Array,
): Promise<CiphertextProducer & { cipherSize: number }> {
  const sealer = await createFileSealer(job.p, key, job.source.size);
  return Object.assign(new CiphertextProducer(job.p, sealer, job.source), { cipherSize: sealer.cipherSize });
}

/** PATCHes from `offset` to the end, sealing the next batch while the current one is on the wire. */
async function pump(
  job: UploadJob,
  producer: CiphertextProducer & { cipherSize: number },
  at: { token: string; fileId: string; start: number; confirmed: { offset: number } },
): Promise<void> {
  const { token, fileId, confirmed } = at;
  const total = producer.cipherSize;
  // Two batch buffers take turns (one on the wire, one being sealed), instead of a new one per batch.
  const spare: Uint8Array[] = [];
  const prepare = (from: number) => {
    const to = Math.min(total, chunkBoundaryAtOrAfter(from + job.batchBytes));
    const batch = producer.range(from, to, spare.pop());
    batch.catch(() => undefined); // awaited later; a failure must not count as unhandled meanwhile
    return batch;
  };
  let offset = at.start;
  let next: Promise<Uint8Array> | undefined = offset < total ? prepare(offset) : undefined;
  while (next !== undefined) {
    const batch = await next;
    const end = offset + batch.length;
    next = end < total ? prepare(end) : undefined;
    let reached: number;
    try {
      reached = await job.tus.patch(token, fileId, offset, batch, job.signal);
    } catch (err) {
      await next?.catch(() => undefined);
      throw err;
    }
    if (reached !== end) {
      // The server took part of it (or claims another offset): go on from where it says.
      await next?.catch(() => undefined);
      if (reached < offset || reached > end)
        throw new SottoError('INTERNAL', 'The server reported a wrong offset.');
      offset = reached;
      confirmed.offset = Math.max(confirmed.offset, reached);
      next = prepare(offset);
      continue;
    }
    offset = end;
    confirmed.offset = end;
    spare.push(new Uint8Array(batch.buffer, batch.byteOffset, batch.buffer.byteLength - batch.byteOffset));
    job.progress(plainOffsetAt(offset, job.source.size));
  }
}
