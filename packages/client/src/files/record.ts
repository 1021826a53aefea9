/**
 * The `files` table: per file message (keyed by message id), what it takes to download it (file id, file
 * key, digest, sizes) and, for this device's own uploads, how to resume one (upload token and file id,
 * the recipient's identity key when it was written, and for a file on disk its path, size and
 * modification time). Secret (the file key): like every record it is encrypted at rest by the store.
 * An upload in progress also has an `outbox` entry, so a restarted client finds it.
 */

import { bytes, fileId, object, optional, text, uint } from '@sotto/protocol';
import { decodeRecord, encodeRecord } from '../records.js';
import { type ClientStore, del, put, type StoreOp } from '../store/store.js';

const recordSchema = object({
  v: uint({ min: 1, max: 1 }),
  key: bytes({ length: 32 }),
  size: uint(),
  cipherSize: uint(),
  /** Set once the upload exists (always, for a received file). */
  fileId: optional(fileId),
  /** SHA-256 of the ciphertext: set once the upload is complete (always, for a received file). */
  digest: optional(bytes({ length: 32 })),
  token: optional(text({ min: 1, max: 128 })),
  identityKey: optional(bytes({ length: 32 })),
  path: optional(text({ min: 1, max: 4096 })),
  mtimeMs: optional(uint()),
});

/** A `files` record. */
export interface FileRecord {
  readonly key: Uint8Array;
  readonly size: number;
  readonly cipherSize: number;
  readonly fileId?: string | undefined;
  readonly digest?: Uint8Array | undefined;
  /** The upload token (own uploads in progress). */
  readonly token?: string | undefined;
  /** The recipient's identity key trusted when the file was sent (own uploads). */
  readonly identityKey?: Uint8Array | undefined;
  /** The file on disk (own uploads of a `fileFromPath` source). */
  readonly path?: string | undefined;
  readonly mtimeMs?: number | undefined;
}

const SEP = '\u0001';

/** The `outbox` key marking an upload of this device still in progress. */
export function uploadKey(messageId: string): string {
  return `upload${SEP}${messageId}`;
}

/** The prefix of every upload marker. */
export const UPLOAD_PREFIX = `upload${SEP}`;

/** The operation storing `r` for message `messageId`. */
export function fileRecordOp(messageId: string, r: FileRecord): StoreOp {
  return put('files', messageId, encodeRecord(recordSchema, { v: 1, ...r }));
}

/** The operations deleting a message's file record and upload marker. */
export function deleteFileRecordOps(messageId: string): StoreOp[] {
  return [del('files', messageId), del('outbox', uploadKey(messageId))];
}

/** The file record of message `messageId`, if any. */
export async function loadFileRecord(store: ClientStore, messageId: string): Promise<FileRecord | undefined> {
  const raw = await store.get('files', messageId);
  if (raw === undefined) return undefined;
  const { v: _v, ...r } = decodeRecord(recordSchema, raw);
  return r;
}

/** The message ids of this device's uploads in progress, oldest marker key first. */
export async function uploadsInProgress(store: ClientStore): Promise<string[]> {
  return (await store.list('outbox', { prefix: UPLOAD_PREFIX })).map(([k]) => k.slice(UPLOAD_PREFIX.length));
}
