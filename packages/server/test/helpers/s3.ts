/**
 * An S3-protocol server for the tests: s3rver (npm), in this process, on an ephemeral port, storing into a
 * temp directory. s3rver 3.7 implements multipart uploads except two calls @tus/s3-store needs, ListParts
 * (`GET ?uploadId`, how far an upload got) and AbortMultipartUpload (`DELETE ?uploadId`); they are added
 * here over s3rver's own on-disk layout of parts, behind its signature check, answering as S3 documents.
 * Everything else (object PUT/GET/HEAD/DELETE, ranges, multi-delete, listing, multipart create, part upload
 * and complete) is s3rver's.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { S3Location } from '../../src/modules/files/s3-location.js';

const require = createRequire(import.meta.url);

interface KoaContext {
  method: string;
  query: Record<string, string | string[] | undefined>;
  params: { bucket?: string; key?: string };
  status: number;
  body: unknown;
  store: S3rver['store'];
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void> | void;
interface RouterLayer {
  path: string;
  methods: string[];
}
const router = require('s3rver/lib/routes') as {
  use(path: string, mw: Middleware): void;
  stack: RouterLayer[];
};
const S3Error = require('s3rver/lib/models/error') as new (code: string, message: string) => Error;

/** The directory of a multipart upload's parts (s3rver's layout: `<bucket>/._S3rver_uploads/<uploadId>`). */
const uploadDir = (ctx: KoaContext, bucket: string, uploadId: string) =>
  join(ctx.store.getResourcePath(bucket, undefined, 'uploads'), uploadId);

const noSuchUpload = () => new S3Error('NoSuchUpload', 'The specified multipart upload does not exist.');

/** ListParts and AbortMultipartUpload, for `/:bucket/:key?uploadId=…`. */
const multipartExtras: Middleware = async (ctx, next) => {
  const uploadId = ctx.query.uploadId;
  const { bucket, key } = ctx.params;
  const listing = ctx.method === 'GET' || ctx.method === 'DELETE';
  if (typeof uploadId !== 'string' || !listing || bucket === undefined || key === undefined) return next();
  const dir = uploadDir(ctx, bucket, uploadId);
  const names = await readdir(dir).catch(() => undefined);
  if (names === undefined) throw noSuchUpload();
  if (ctx.method === 'DELETE') {
    await rm(dir, { recursive: true, force: true });
    ctx.status = 204;
    return;
  }
  const numbers = names
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
  const parts = [];
  for (const n of numbers) {
    const info = await stat(join(dir, String(n)));
    const md5 = await readFile(join(dir, `${n}.md5`), 'utf8').catch(() => '');
    parts.push({
      PartNumber: n,
      LastModified: info.mtime.toISOString(),
      ETag: `"${md5}"`,
      Size: info.size,
    });
  }
  ctx.body = {
    ListPartsResult: {
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      PartNumberMarker: 0,
      NextPartNumberMarker: numbers.at(-1) ?? 0,
      MaxParts: 10_000,
      IsTruncated: false,
      Part: parts,
    },
  };
};

let extended = false;
/** Adds {@link multipartExtras} to s3rver's router once, after its authentication and before its routes. */
function extendRouter(): void {
  if (extended) return;
  extended = true;
  router.use('/:bucket/:key+', multipartExtras);
  const added = router.stack.pop();
  // s3rver's first route is the service listing (`GET /`), right after its authentication middleware.
  const firstRoute = router.stack.findIndex((layer) => layer.path === '/');
  if (added === undefined || firstRoute < 0) throw new Error('s3rver router changed: cannot add ListParts');
  router.stack.splice(firstRoute, 0, added);
}

/** A running S3 test server with one bucket. */
export interface TestS3 {
  /** The location to give the server (`--files`), with s3rver's fixed credentials. */
  readonly location: S3Location;
  /** Where s3rver keeps the bucket's objects and parts. */
  readonly directory: string;
  close(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1:0 over `directory` with the bucket `bucket`. */
export async function startTestS3(directory: string, bucket = 'sotto-files'): Promise<TestS3> {
  extendRouter();
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  return {
    location: {
      bucket,
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      pathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    },
    directory,
    close: () => server.close(),
  };
}
