/**
 * The S3 {@link BlobStore}, for several nodes: @tus/s3-store writes each upload as an S3 multipart upload
 * (`<id>`), with its description in `<id>.info` and a tail shorter than a part in `<id>.part` until more
 * bytes arrive; the finished file is the object `<id>`. Loaded only when `--files s3://…` names it.
 */
import { Readable } from 'node:stream';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { S3Store } from '@tus/s3-store';
import { type BlobStore, FILE_ID, TUS_EXTENSIONS, uploadOffset } from './blob-store.js';
import type { S3Location } from './s3-location.js';

const KEY = /^([0-9a-f]{32})(\.info|\.part)?$/;

/** True when S3 said the object or upload does not exist (or is shorter than the range asked for). */
function notFound(err: unknown): boolean {
  if (!(err instanceof S3ServiceException)) return false;
  const status = err.$metadata.httpStatusCode;
  return ['NoSuchKey', 'NoSuchUpload', 'NotFound', 'InvalidRange'].includes(err.name) || status === 404;
}

/** @tus/s3-store with a removal that works for finished uploads too and leaves no `.part` behind. */
class PurgingS3Store extends S3Store {
  /** The S3 client @tus/s3-store made from the location. */
  get s3() {
    return this.client;
  }

  get bucketName(): string {
    return this.bucket;
  }

  /** tus termination (`DELETE`): {@link PurgingS3Store.purge}. */
  override remove(id: string): Promise<void> {
    return this.purge(id);
  }

  /**
   * Aborts the multipart upload if one is in progress (a finished one is no error), then deletes the
   * file, its description and any tail, and forgets the cached description.
   */
  async purge(id: string): Promise<void> {
    let uploadId: string | undefined;
    try {
      uploadId = (await this.client.headObject({ Bucket: this.bucket, Key: this.infoKey(id) })).Metadata?.[
        'upload-id'
      ];
    } catch (err) {
      if (!notFound(err)) throw err;
    }
    if (uploadId !== undefined) {
      await this.client
        .abortMultipartUpload({ Bucket: this.bucket, Key: id, UploadId: uploadId })
        .catch((err: unknown) => {
          if (!notFound(err)) throw err;
        });
    }
    await this.client.deleteObjects({
      Bucket: this.bucket,
      Delete: {
        Objects: [{ Key: id }, { Key: this.infoKey(id) }, { Key: this.partKey(id, true) }],
        Quiet: true,
      },
    });
    await this.clearCache(id);
  }
}

/** The S3 {@link BlobStore} over one bucket. */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  readonly uploads: PurgingS3Store;

  /** Talks to `location` (credentials from it, else the AWS SDK's usual sources). Connects lazily. */
  constructor(location: S3Location) {
    this.uploads = new PurgingS3Store({
      partSize: 8 * 1024 * 1024,
      useTags: false,
      s3ClientConfig: {
        bucket: location.bucket,
        region: location.region,
        ...(location.endpoint === undefined ? {} : { endpoint: location.endpoint }),
        forcePathStyle: location.pathStyle,
        ...(location.credentials === undefined ? {} : { credentials: location.credentials }),
        // Plain payloads (no aws-chunked trailers): every S3-compatible server understands them.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      },
    });
    this.uploads.extensions = TUS_EXTENSIONS;
  }

  offset(id: string): Promise<number | undefined> {
    return uploadOffset(this.uploads, id);
  }

  async read(id: string, size: number, start: number, end: number): Promise<Readable | undefined> {
    if (!FILE_ID.test(id)) return undefined;
    const { s3, bucketName: Bucket } = this.uploads;
    try {
      if (end <= start) {
        const head = await s3.headObject({ Bucket, Key: id });
        return head.ContentLength === size ? Readable.from([]) : undefined;
      }
      const res = await s3.getObject({ Bucket, Key: id, Range: `bytes=${start}-${end - 1}` });
      const total = Number(/\/(\d+)$/.exec(res.ContentRange ?? '')?.[1] ?? res.ContentLength);
      const body = res.Body as Readable | undefined;
      if (total !== size || body === undefined) {
        body?.destroy();
        return undefined;
      }
      return body;
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  remove(id: string): Promise<void> {
    return FILE_ID.test(id) ? this.uploads.purge(id) : Promise.resolve();
  }

  async *ids(): AsyncIterable<readonly string[]> {
    const { s3, bucketName: Bucket } = this.uploads;
    let ContinuationToken: string | undefined;
    do {
      const page = await s3.listObjectsV2({ Bucket, ...(ContinuationToken ? { ContinuationToken } : {}) });
      yield (page.Contents ?? []).flatMap((o) => KEY.exec(o.Key ?? '')?.[1] ?? []);
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken !== undefined);
  }

  async close(): Promise<void> {
    this.uploads.s3.destroy();
  }
}
