/**
 * The files routes under `ROUTES.files`: tus 1.0.0 uploads (@tus/server, behind the {@link admit} gate)
 * and downloads ({@link downloadHandler}). They live in their own Fastify scope whose only body parser
 * leaves the body unread, so an upload streams from the socket into the blob store and is never buffered.
 */
import type { IncomingMessage } from 'node:http';
import { errorBody, ROUTES } from '@sotto/protocol';
import { Server as TusServer } from '@tus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { sendBody } from '../../http.js';
import type { FileRecords } from '../../store/file-records.js';
import { type BlobStore, isTusError } from './blob-store.js';
import { downloadHandler } from './download.js';
import { admit, UploadRefusal } from './upload-gate.js';

/** What the files routes need. */
export interface FilesRouteDeps {
  readonly records: FileRecords;
  readonly blobs: BlobStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly maxFileBytes: number;
  readonly fileMaxAgeMs: number;
  /** Origins a browser may upload from (CORS); the server's own. */
  readonly allowOrigin: (origin: string) => boolean;
  /** Counts a finished upload of `bytes`. */
  readonly onFinished: (bytes: number) => void;
}

type TusRequest = FastifyRequest<{ Params: { id?: string } }>;

/** Answers a refusal with a CBOR error body, like every API error (tus's own refusals stay plain text). */
function refuse(reply: FastifyReply, r: UploadRefusal): FastifyReply {
  reply.header('tus-resumable', '1.0.0').header('cache-control', 'no-store');
  if (r.status === 401) reply.header('www-authenticate', 'Bearer');
  if (r.status === 412) reply.header('tus-version', '1.0.0');
  // An unread upload body is not worth draining: the client opens a new connection.
  reply.header('connection', 'close');
  return sendBody(reply, errorBody, { code: r.code, message: r.message }, r.status);
}

/** Registers the tus and download routes of `ROUTES.files`. */
export function registerFilesRoutes(app: FastifyInstance, deps: FilesRouteDeps): void {
  const { records, blobs, clock } = deps;
  /** The file id each admitted `POST` creates (tus asks for it through `namingFunction`). */
  const creating = new WeakMap<IncomingMessage, string>();
  const nodeRequest = (req: { runtime?: { node?: { req?: IncomingMessage } } }) => req.runtime?.node?.req;

  const finish = async (id: string, size: number) => {
    const now = clock.now();
    if (await records.complete(id, now, now + deps.fileMaxAgeMs)) {
      deps.onFinished(size);
      return;
    }
    // Already complete (a repeated final PATCH) is fine; a deleted record means the upload is gone.
    if ((await records.get(id))?.state !== 'complete') {
      throw { status_code: 404, body: 'This upload was deleted.\n' };
    }
  };

  const tus = new TusServer({
    path: ROUTES.files,
    datastore: blobs.uploads,
    relativeLocation: true,
    maxSize: deps.maxFileBytes,
    allowedOrigins: (origin) => deps.allowOrigin(origin),
    namingFunction: (req) => {
      const node = nodeRequest(req as never);
      const id = node === undefined ? undefined : creating.get(node);
      if (id === undefined) throw { status_code: 500, body: 'No upload was admitted for this request.\n' };
      return id;
    },
    onUploadFinish: async (_req, upload) => {
      await finish(upload.id, upload.size ?? upload.offset);
      return {};
    },
    onResponseError: (_req, err) => {
      // Refusals (tus's own 4xx) are the client's business; a failing store is the operator's.
      if (!(isTusError(err) && err.status_code < 500)) {
        deps.logger.error(
          { err: { message: err instanceof Error ? err.message : String(err.body) } },
          'upload failed',
        );
      }
      return undefined;
    },
  });

  const handleTus = async (req: TusRequest, reply: FastifyReply) => {
    const id = req.params.id;
    let admitted: Awaited<ReturnType<typeof admit>> | undefined;
    if (req.method !== 'OPTIONS') {
      try {
        admitted = await admit(req.method, id, req.raw.headers, {
          records,
          clock,
          maxFileBytes: deps.maxFileBytes,
        });
      } catch (err) {
        if (err instanceof UploadRefusal) return refuse(reply, err);
        throw err;
      }
      const { record } = admitted;
      if (admitted.created) creating.set(req.raw, record.id);
      // A crash between the last byte and the record's completion is healed by the client's next HEAD.
      if (req.method === 'HEAD' && record.state === 'uploading' && record.size !== undefined) {
        if ((await blobs.offset(record.id)) === record.size) await finish(record.id, record.size);
      }
    }
    reply.hijack();
    try {
      await tus.handle(req.raw, reply.raw);
    } finally {
      const status = reply.raw.statusCode;
      if (admitted?.created && status !== 201) await records.unclaim(admitted.record.id);
      if (req.method === 'DELETE' && status === 204 && admitted !== undefined) {
        await records.delete(admitted.record.id);
      }
    }
  };

  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    scope.route({ method: ['POST', 'OPTIONS'], url: ROUTES.files, handler: handleTus });
    scope.route({
      method: ['HEAD', 'PATCH', 'DELETE', 'OPTIONS'],
      url: `${ROUTES.files}/:id`,
      handler: handleTus,
    });
    scope.route({
      method: 'GET',
      url: `${ROUTES.files}/:id`,
      exposeHeadRoute: false,
      handler: downloadHandler({ records, blobs, clock }),
    });
  });
}
