/**
 * Who may do what on the tus routes, decided before @tus/server sees the request. The bearer token from
 * `files.authorize` creates exactly one upload (`POST`, claiming its record atomically, with every header
 * tus would refuse checked first so a refused request does not use the token up), then authorizes
 * `HEAD`, `PATCH` and `DELETE` of that upload only, until the token expires.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { type ErrorCode, SottoError } from '@sotto/protocol';
import type { Clock } from '../../clock.js';
import type { FileRecord, FileRecords } from '../../store/file-records.js';
import { FILE_ID } from './blob-store.js';
import { tokenHash, UPLOAD_TOKEN } from './capabilities.js';

/** A request the gate refuses: its HTTP status, with the error code and a sentence for the client. */
export class UploadRefusal extends SottoError {
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

/** What the gate checks against. */
export interface GateDeps {
  readonly records: FileRecords;
  readonly clock: Clock;
  readonly maxFileBytes: number;
}

/** An admitted request: the upload's record; for a `POST`, the length now claimed for it. */
export interface Admitted {
  readonly record: FileRecord;
  readonly created: boolean;
}

const DECIMAL = /^(0|[1-9]\d{0,15})$/;
const TUS_CONTENT_TYPE = 'application/offset+octet-stream';

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/** The record of the bearer token in `authorization`, if it is valid now. Throws 401 otherwise. */
async function tokenRecord(authorization: string | undefined, deps: GateDeps): Promise<FileRecord> {
  const token = /^Bearer ([^\s]+)$/.exec(authorization ?? '')?.[1];
  if (token === undefined || !UPLOAD_TOKEN.test(token)) {
    throw new UploadRefusal(
      401,
      'UNAUTHENTICATED',
      'Send Authorization: Bearer with the token from files.authorize.',
    );
  }
  const record = await deps.records.byToken(tokenHash(token));
  if (record === undefined || record.tokenExpiresAt <= deps.clock.now()) {
    throw new UploadRefusal(
      401,
      'UNAUTHENTICATED',
      'The upload token is unknown or expired; ask files.authorize again.',
    );
  }
  return record;
}

/** Checks a `POST` (create) and claims the token's record for it. */
async function admitCreate(
  headers: IncomingHttpHeaders,
  record: FileRecord,
  deps: GateDeps,
): Promise<Admitted> {
  if (record.state !== 'authorized') {
    throw new UploadRefusal(
      403,
      'UNAUTHENTICATED',
      'This token already created its upload; resume that one.',
    );
  }
  for (const name of ['upload-defer-length', 'upload-concat', 'upload-metadata']) {
    if (header(headers, name) !== undefined) {
      throw new UploadRefusal(400, 'BAD_FRAME', `${name} is not accepted: send Upload-Length only.`);
    }
  }
  const length = header(headers, 'upload-length');
  if (length === undefined || !DECIMAL.test(length)) {
    throw new UploadRefusal(400, 'BAD_FRAME', 'Upload-Length must be the size in bytes (a decimal integer).');
  }
  const size = Number(length);
  if (size > record.maxSize || size > deps.maxFileBytes) {
    throw new UploadRefusal(413, 'FILE_TOO_LARGE', 'Upload-Length is more than files.authorize allowed.');
  }
  if (!(await deps.records.claim(record.id, size, deps.clock.now()))) {
    throw new UploadRefusal(
      403,
      'UNAUTHENTICATED',
      'This token already created its upload; resume that one.',
    );
  }
  return { record: { ...record, state: 'uploading', size }, created: true };
}

/**
 * Admits a tus request for `method` on `id` (undefined: the collection, i.e. `POST`). Throws
 * {@link UploadRefusal}: 401 without a valid token, 403 for another upload's id or a token already used
 * to create, 404 for a malformed id or an upload not created yet, 400 for headers tus would refuse (a
 * missing or malformed Upload-Length, deferred length, concatenation, metadata), 412 for another tus
 * version, 413 beyond the authorized size, 415 for a `PATCH` of another content type.
 */
export async function admit(
  method: string,
  id: string | undefined,
  headers: IncomingHttpHeaders,
  deps: GateDeps,
): Promise<Admitted> {
  if (id !== undefined && !FILE_ID.test(id)) {
    throw new UploadRefusal(404, 'FILE_NOT_FOUND', 'There is no such upload.');
  }
  if (header(headers, 'tus-resumable') !== '1.0.0') {
    throw new UploadRefusal(412, 'UNSUPPORTED_VERSION', 'Send Tus-Resumable: 1.0.0.');
  }
  const record = await tokenRecord(header(headers, 'authorization'), deps);
  if (id === undefined) return admitCreate(headers, record, deps);
  if (id !== record.id) throw new UploadRefusal(403, 'UNAUTHENTICATED', 'This token is for another upload.');
  if (record.state === 'authorized')
    throw new UploadRefusal(404, 'FILE_NOT_FOUND', 'This upload was not created yet.');
  if (method === 'PATCH' && header(headers, 'content-type') !== TUS_CONTENT_TYPE) {
    throw new UploadRefusal(415, 'BAD_FRAME', `A PATCH must be Content-Type: ${TUS_CONTENT_TYPE}.`);
  }
  return { record, created: false };
}
