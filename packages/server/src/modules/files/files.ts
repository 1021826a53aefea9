/**
 * The `files.*` frames: `files.authorize` checks the size against the limit and the account's quota, and
 * records a grant with a fresh file id and upload token; `files.delete` deletes one of the account's files
 * (record first, then its bytes; bytes left behind by a failure are collected by the sweep).
 */
import type { Clock } from '../../clock.js';
import { ApiError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { BlobStore } from './blob-store.js';
import { newFileId, newUploadToken, tokenHash } from './capabilities.js';

/** The limits files obey (see `Limits` in @sotto/protocol). */
export interface FileLimits {
  readonly maxFileBytes: number;
  readonly fileQuotaBytesPerAccount: number;
  readonly uploadTtlMs: number;
  readonly fileMaxAgeMs: number;
}

/** What `files.authorize` answers. */
export interface UploadGrant {
  readonly token: string;
  readonly expiresAt: number;
}

/** Authorizes and deletes files of accounts. */
export class FilesService {
  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly limits: FileLimits,
    private readonly onError: (err: unknown) => void,
  ) {}

  /**
   * A token for one upload of at most `size` ciphertext bytes, valid for `uploadTtlMs`. Throws ApiError
   * FILE_TOO_LARGE over `maxFileBytes`, QUOTA_EXCEEDED when the account's files (stored, uploading and
   * authorized, at their declared sizes) plus `size` exceed `fileQuotaBytesPerAccount`.
   */
  async authorize(account: string, size: number): Promise<UploadGrant> {
    if (size > this.limits.maxFileBytes) throw new ApiError('FILE_TOO_LARGE');
    const token = newUploadToken();
    const now = this.clock.now();
    const expiresAt = now + this.limits.uploadTtlMs;
    const granted = await this.store.files.authorize(
      {
        id: newFileId(),
        account,
        tokenHash: tokenHash(token),
        maxSize: size,
        createdAt: now,
        tokenExpiresAt: expiresAt,
      },
      this.limits.fileQuotaBytesPerAccount,
    );
    if (!granted) throw new ApiError('QUOTA_EXCEEDED');
    return { token, expiresAt };
  }

  /**
   * Deletes `fileId` of `account` at once (finished or not), freeing its quota; it is no longer served.
   * Throws ApiError FILE_NOT_FOUND when the account has no such file.
   */
  async delete(account: string, fileId: string): Promise<void> {
    if (!(await this.store.files.delete(fileId, account))) throw new ApiError('FILE_NOT_FOUND');
    await this.blobs.remove(fileId).catch(this.onError);
  }
}
