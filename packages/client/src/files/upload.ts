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
import { type TusClient, TusError } from './tus.js';

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
  /** Ciphertext bytes per PATCH, or per step of a streamed PATCH (rounded up to whole chunks). */
  readonly batchBytes: number;
  /**
   * Stream the rest of the file in one PATCH (the `fetch` takes async iterable bodies: Node), instead of
   * one PATCH per batch (browsers). Progress then counts bytes handed to the socket.
   */
  readonly stream: boolean;
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
      const at = { token, fileId, start: offset, confirmed };
      await (job.stream ? stream(job, producer, at) : pump(job, producer, at));
      return { key: session.key, fileId, digest: producer.digest() };
    } catch (raw) {
      const err = cancelledOr(raw, job.signal);
      if (SottoError.is(err, 'CANCELLED')) throw err;
      // The server no longer has the upload (expired), or its token (expired, or it already created an
      // upload before a restart lost its id): start over under a fresh key.
      const lost =
        session.token !== undefined &&
        (SottoError.is(err, 'FILE_NOT_FOUND') || SottoError.is(err, 'UNAUTHENTICATED'));
      if (lost && restarts < MAX_RESTARTS) {
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

/** Where a PATCH (or a run of them) starts, and the offset the server confirmed. */
interface PatchRun {
  readonly token: string;
  readonly fileId: string;
  readonly start: number;
  readonly confirmed: { offset: number };
}

type Producer = CiphertextProducer & { cipherSize: number };

/**
 * The batches from `start` to the end, each sealed while the one before is being sent. The consumer is
 * done with a batch when it asks for the next one: its buffer is then reused two batches later (two
 * buffers take turns instead of a new one per batch).
 */
async function* batches(job: UploadJob, producer: Producer, start: number): AsyncGenerator<Uint8Array> {
  const total = producer.cipherSize;
  const spare: Uint8Array[] = [];
  const prepare = (from: number) => {
    const to = Math.min(total, chunkBoundaryAtOrAfter(from + job.batchBytes));
    const batch = producer.range(from, to, spare.pop());
    batch.catch(() => undefined); // awaited below; a failure must not count as unhandled meanwhile
    return batch;
  };
  let next: Promise<Uint8Array> | undefined = start < total ? prepare(start) : undefined;
  let offset = start;
  try {
    while (next !== undefined) {
      const batch = await next;
      offset += batch.length;
      next = offset < total ? prepare(offset) : undefined;
      yield batch;
      spare.push(new Uint8Array(batch.buffer, batch.byteOffset, batch.buffer.byteLength - batch.byteOffset));
      job.progress(plainOffsetAt(offset, job.source.size));
    }
  } finally {
    await next?.catch(() => undefined); // the producer is never used by two at once
  }
}

/** Streams the rest of the file in one PATCH (Node). */
async function stream(job: UploadJob, producer: Producer, at: PatchRun): Promise<void> {
  const total = producer.cipherSize;
  if (at.start === total) return; // the server has it all (the last answer was lost)
  const chunks = batches(job, producer, at.start);
  const reached = await job.tus.patchStream(
    at.token,
    at.fileId,
    at.start,
    total - at.start,
    chunks,
    job.signal,
  );
  at.confirmed.offset = Math.max(at.confirmed.offset, reached);
  // Anything short of the end (the server took part of it) is finished by the next attempt after HEAD.
  if (reached !== total) throw new TusError('INTERNAL', 'The server took part of the upload.', true);
}

/** One PATCH per batch from `start` to the end (browsers). */
async function pump(job: UploadJob, producer: Producer, at: PatchRun): Promise<void> {
  let offset = at.start;
  for await (const batch of batches(job, producer, at.start)) {
    const reached = await job.tus.patch(at.token, at.fileId, offset, batch, job.signal);
    at.confirmed.offset = Math.max(at.confirmed.offset, reached);
    offset += batch.length;
    // The server took part of it (or claims another offset): the next attempt goes on after HEAD.
    if (reached !== offset) throw new TusError('INTERNAL', 'The server took part of a batch.', true);
  }
}
