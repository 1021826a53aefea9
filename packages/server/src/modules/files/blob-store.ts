/**
 * The `BlobStore` port (DESIGN.md §6): where the ciphertext of files lives, keyed by file id. Uploads go
 * through a tus data store (`uploads`: @tus/file-store or @tus/s3-store, docs/decisions/0012), so each
 * adapter is a tus store plus the few operations the server needs beside tus: how far an upload got,
 * ranged reads of finished files, deletion of everything stored under an id, and a walk over every id
 * (garbage collection). Which files exist is decided by the store's file records, never by this port.
 */
import type { Readable } from 'node:stream';
import type { DataStore } from '@tus/utils';

/** A file's ciphertext storage. Adapters: {@link FileBlobStore} (default) and `S3BlobStore`. */
export interface BlobStore {
  /** `file` or `s3`, for logs. */
  readonly kind: string;
  /** The tus store that receives uploads. */
  readonly uploads: DataStore;
  /** Bytes received so far for upload `id`; undefined when nothing is stored under it. */
  offset(id: string): Promise<number | undefined>;
  /**
   * Bytes `start` to `end` (exclusive) of the finished file `id` whose recorded size is `size`.
   * Undefined when its bytes are missing or not exactly `size` long (never a partial file as complete).
   */
  read(id: string, size: number, start: number, end: number): Promise<Readable | undefined>;
  /** Deletes everything stored under `id`, finished or not; resolves when there was nothing. */
  remove(id: string): Promise<void>;
  /** Every id with anything stored under it, a page at a time (unordered, possibly repeated). */
  ids(): AsyncIterable<readonly string[]>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** A file id: 16 random bytes as 32 lower-case hex characters (the protocol's `fileId`). */
export const FILE_ID = /^[0-9a-f]{32}$/;

/**
 * The tus extensions the server offers (`Tus-Extension`): creation (with an upload in the same request)
 * and termination. Deferred lengths, concatenation, metadata and server-side expiration are refused or
 * handled by the server's own records.
 */
export const TUS_EXTENSIONS = ['creation', 'creation-with-upload', 'termination'];

/** True for a tus error object (`{ status_code, body }`, as @tus/utils throws them). */
export function isTusError(err: unknown): err is { status_code: number; body: string } {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { status_code?: unknown }).status_code === 'number' &&
    typeof (err as { body?: unknown }).body === 'string'
  );
}

/**
 * The offset of upload `id` as the tus store reports it; undefined when the store has no such upload
 * (tus answers 404 or 410 for it). Throws what the store throws otherwise (storage unavailable).
 */
export async function uploadOffset(store: DataStore, id: string): Promise<number | undefined> {
  try {
    return (await store.getUpload(id)).offset;
  } catch (err) {
    if (isTusError(err) && (err.status_code === 404 || err.status_code === 410)) return undefined;
    throw err;
  }
}
