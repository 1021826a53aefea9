/**
 * CBOR over HTTP: API request and response bodies are `application/cbor`, decoded and encoded with the
 * protocol's body schemas (size check, strict CBOR, schema), so HTTP and WebSocket share one validator.
 */
import { CBOR_CONTENT_TYPE, decodeBody, encodeBody, type Schema } from '@sotto/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

/** Makes Fastify hand `application/cbor` bodies to routes as raw bytes. */
export function acceptCbor(app: FastifyInstance): void {
  app.addContentTypeParser(CBOR_CONTENT_TYPE, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
}

/** The request body validated by `schema`; throws ApiError BAD_FRAME / FRAME_TOO_LARGE. */
export function readBody<T>(req: FastifyRequest, schema: Schema<T>, maxBodyBytes: number): T {
  if (!(req.body instanceof Uint8Array))
    throw new ApiError('BAD_FRAME', 'The body must be application/cbor.');
  return decodeBody(schema, req.body, { maxBodyBytes });
}

/** Sends `value` encoded with `schema` as CBOR with `status` (default 200). */
export function sendBody<T>(reply: FastifyReply, schema: Schema<T>, value: T, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-type', CBOR_CONTENT_TYPE)
    .send(Buffer.from(encodeBody(schema, value)));
}
