/** The part of s3rver's API (an npm package without types) the tests use. */
declare module 's3rver' {
  import type { Server } from 'node:http';

  interface S3rverOptions {
    port?: number;
    address?: string;
    silent?: boolean;
    directory: string;
    configureBuckets?: { name: string }[];
  }

  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
    readonly store: { getResourcePath(bucket: string, key: string | undefined, resource: string): string };
    readonly httpServer?: Server;
  }
}
