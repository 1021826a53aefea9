/**
 * The file records part of the {@link Store} port: one row per authorized upload, from `files.authorize`
 * to expiry or deletion. The record, not the blob store, decides what exists: quota, token checks,
 * expiry and which files a download may serve all read it, so they hold across nodes sharing the store.
 * The bytes themselves live in a `BlobStore` (modules/files), keyed by the same file id.
 */

/** Where a file is in its life: token issued, upload created (bytes arriving), or every byte stored. */
export type FileState = 'authorized' | 'uploading' | 'complete';

/** One file as recorded. Sizes are ciphertext bytes; times are ms since the epoch. */
export interface FileRecord {
  /** 32 lower-case hex characters (16 random bytes): the download capability. */
  readonly id: string;
  /** The account that authorized it (quota, `files.delete`). */
  readonly account: string;
  /** The most bytes the token allows (`files.authorize { size }`). */
  readonly maxSize: number;
  /** The declared `Upload-Length`, once the upload was created. */
  readonly size: number | undefined;
  readonly state: FileState;
  readonly createdAt: number;
  /** The token (and an unfinished upload) is valid until then. */
  readonly tokenExpiresAt: number;
  readonly completedAt: number | undefined;
  /** When the record goes: `tokenExpiresAt` until complete, then completion + the files' maximum age. */
  readonly expiresAt: number;
}

/** A new authorization: a record in state `authorized`. */
export interface NewFileGrant {
  readonly id: string;
  readonly account: string;
  /** SHA-256 of the bearer token (the token itself is never stored). */
  readonly tokenHash: Uint8Array;
  readonly maxSize: number;
  readonly createdAt: number;
  readonly tokenExpiresAt: number;
}

/** Stored files and uploads in progress, for the metrics. */
export interface FileUsage {
  /** Finished files. */
  readonly files: number;
  /** Their bytes. */
  readonly bytes: number;
  /** Records not finished yet (authorized or uploading). */
  readonly uploads: number;
}

/** File records in the store (SQLite or PostgreSQL). */
export interface FileRecords {
  /**
   * Records `grant` when the account's recorded files (every record, finished or not, counted at its
   * declared size or, before the upload exists, its authorized size) plus `grant.maxSize` stay within
   * `quotaBytes`. Atomic per account across nodes: two grants racing cannot both squeeze past the quota.
   * Returns false (recording nothing) when the quota would be exceeded.
   */
  authorize(grant: NewFileGrant, quotaBytes: number): Promise<boolean>;
  /** The record whose token hashes to `tokenHash`; undefined when there is none. */
  byToken(tokenHash: Uint8Array): Promise<FileRecord | undefined>;
  get(id: string): Promise<FileRecord | undefined>;
  /**
   * `authorized` → `uploading` with the declared `size`, only while the token is valid at `now` and
   * `size` ≤ the authorized size. False when the record is in another state (the token already created
   * its upload), expired, or too small: of two racing claims one wins.
   */
  claim(id: string, size: number, now: number): Promise<boolean>;
  /** `uploading` → `authorized` again (the upload could not be created); no-op in any other state. */
  unclaim(id: string): Promise<void>;
  /** `uploading` → `complete` at `now`, to expire at `expiresAt`. False when not `uploading`. */
  complete(id: string, now: number, expiresAt: number): Promise<boolean>;
  /** Deletes the record (of `account`, when given); false when there was none. */
  delete(id: string, account?: string): Promise<boolean>;
  /** Up to `limit` records with `expiresAt` ≤ `now`, soonest first. */
  expired(now: number, limit: number): Promise<FileRecord[]>;
  /** Up to `limit` records with ids after `afterId` in id order (the garbage collector's walk). */
  page(afterId: string, limit: number): Promise<FileRecord[]>;
  /** Which of `ids` have a record. */
  existing(ids: readonly string[]): Promise<Set<string>>;
  usage(): Promise<FileUsage>;
}
