/** Opens the blob store `--files` names: a directory (default `<dataDir>/files`) or an S3 bucket. */
import { join } from 'node:path';
import type { BlobStore } from './blob-store.js';
import { FileBlobStore } from './file-blob-store.js';
import type { S3Location } from './s3-location.js';

/** The directory under the data directory that holds files by default. */
export const FILES_DIR = 'files';

/**
 * The configured blob store. The S3 adapter (and the AWS SDK) load only when a bucket is named. Throws
 * when the directory cannot be created.
 */
export async function openBlobStore(
  files: string | S3Location | undefined,
  dataDir: string,
): Promise<BlobStore> {
  if (files === undefined || typeof files === 'string')
    return new FileBlobStore(files ?? join(dataDir, FILES_DIR));
  const { S3BlobStore } = await import('./s3-blob-store.js');
  return new S3BlobStore(files);
}
