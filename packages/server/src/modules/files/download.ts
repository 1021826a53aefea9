/**
 * `GET /v1/files/<fileId>`: the ciphertext of a finished file, to anyone who knows its id (the id is the
 * capability; nothing is listed). `200` with the whole file or `206` for one `Range`, always with
 * `Content-Length`; `404 FILE_NOT_FOUND` for an unknown, unfinished, expired or deleted file, and for a
 * file whose stored bytes are missing or not of the recorded size (it is never served as complete).
 */
import { errorBody } from '@sotto/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../clock.js';
import { sendBody } from '../../http.js';
import type { FileRecords } from '../../store/file-records.js';
import { type BlobStore, FILE_ID } from './blob-store.js';
import { decideRange } from './range.js';

/** What a download reads. */
export interface DownloadDeps {
  readonly records: FileRecords;
  readonly blobs: BlobStore;
  readonly clock: Clock;
}

/** Answers 404 FILE_NOT_FOUND (a CBOR error body, as every API error). */
export function fileNotFound(reply: FastifyReply): FastifyReply {
  reply.header('cache-control', 'no-store');
  return sendBody(
    reply,
    errorBody,
    { code: 'FILE_NOT_FOUND', message: 'There is no such file (unknown, unfinished, expired or deleted).' },
    404,
  );
}

/** Builds the GET handler. */
export function downloadHandler(deps: DownloadDeps) {
  return async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const { id } = req.params;
    if (!FILE_ID.test(id)) return fileNotFound(reply);
    const record = await deps.records.get(id);
    const size = record?.size;
    if (record?.state !== 'complete' || size === undefined || record.expiresAt <= deps.clock.now()) {
      return fileNotFound(reply);
    }
    const range = decideRange(req.headers.range, size);
    reply.header('accept-ranges', 'bytes').header('cache-control', 'no-store');
    if (range.kind === 'unsatisfiable') {
      return reply.code(416).header('content-range', `bytes */${size}`).send();
    }
    const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, size];
    const body = await deps.blobs.read(id, size, start, end);
    if (body === undefined) return fileNotFound(reply);
    if (range.kind === 'partial')
      reply.code(206).header('content-range', `bytes ${start}-${end - 1}/${size}`);
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', String(end - start))
      .header('x-content-type-options', 'nosniff')
      .send(body);
  };
}
