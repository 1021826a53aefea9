/**
 * `--files s3://BUCKET?endpoint=URL&region=R&pathStyle=true|false`: where the S3 blob store lives.
 * Credentials never come from the URL (it is printed and logged); they come from SOTTO_S3_ACCESS_KEY and
 * SOTTO_S3_SECRET_KEY, or else from the AWS SDK's usual sources (AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY, profiles, instance roles).
 */

/** A bucket and how to reach it. */
export interface S3Location {
  readonly bucket: string;
  /** An S3-compatible endpoint (MinIO, Ceph, …); undefined for AWS itself. */
  readonly endpoint: string | undefined;
  readonly region: string;
  /** Path-style URLs (`endpoint/bucket/key`): default when an endpoint is given. */
  readonly pathStyle: boolean;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PARAMS = new Set(['endpoint', 'region', 'pathStyle']);

/** True when `spec` names an S3 bucket rather than a directory. */
export const isS3Spec = (spec: string): boolean => spec.startsWith('s3://');

/**
 * Parses `spec` (an `s3://` URL) with credentials from `env`. Throws an Error with a sentence for the
 * operator on a bad bucket name, an unknown parameter, an endpoint that is not http(s), credentials in the
 * URL, or only one of the two SOTTO_S3_* variables.
 */
export function parseS3Location(spec: string, env: Readonly<Record<string, string | undefined>>): S3Location {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new Error('--files s3://BUCKET?endpoint=…&region=… is not a valid URL');
  }
  if (url.protocol !== 's3:' || !BUCKET.test(url.hostname) || (url.pathname !== '' && url.pathname !== '/')) {
    throw new Error('--files s3:// takes a bucket name (3–63 of a-z, 0-9, ".", "-") and no path');
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error(
      '--files s3:// must not carry credentials: set SOTTO_S3_ACCESS_KEY and SOTTO_S3_SECRET_KEY',
    );
  }
  for (const name of url.searchParams.keys()) {
    if (!PARAMS.has(name))
      throw new Error(`--files s3:// has an unknown parameter ${name} (known: endpoint, region, pathStyle)`);
  }
  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/?#]+\/?$/.test(endpoint)) {
    throw new Error('--files s3:// endpoint must be an http(s) URL with no path (https://s3.example.org)');
  }
  const pathStyle = url.searchParams.get('pathStyle');
  if (pathStyle !== null && pathStyle !== 'true' && pathStyle !== 'false') {
    throw new Error('--files s3:// pathStyle must be true or false');
  }
  const accessKeyId = env.SOTTO_S3_ACCESS_KEY;
  const secretAccessKey = env.SOTTO_S3_SECRET_KEY;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new Error('SOTTO_S3_ACCESS_KEY and SOTTO_S3_SECRET_KEY must be set together');
  }
  return {
    bucket: url.hostname,
    endpoint,
    region: url.searchParams.get('region') ?? env.AWS_REGION ?? 'us-east-1',
    pathStyle: pathStyle === null ? endpoint !== undefined : pathStyle === 'true',
    credentials:
      accessKeyId !== undefined && secretAccessKey !== undefined
        ? { accessKeyId, secretAccessKey }
        : undefined,
  };
}
