/**
 * A plain tus 1.0.0 client over fetch for the files tests (what any HTTP client does; the SDK's client is
 * tested in @sotto/client), and `files.authorize` over a test WebSocket.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { ROUTES } from '@sotto/protocol';
import { expect } from 'vitest';
import type { TestClient } from './client.js';

/** A `files.authorize` answer. */
export interface Grant {
  readonly token: string;
  readonly expiresAt: number;
}

/** Authorizes an upload of `size` bytes; throws with the error frame when refused. */
export async function authorize(client: TestClient, size: number): Promise<Grant> {
  const answer = await client.request({ t: 'files.authorize', size });
  if (answer.t !== 'files.authorize.result') throw new Error(`refused: ${JSON.stringify(answer)}`);
  return { token: answer.token, expiresAt: answer.expiresAt };
}

/** The error code of a refused `files.authorize`, or 'ok'. */
export async function authorizeCode(client: TestClient, size: number): Promise<string> {
  const answer = await client.request({ t: 'files.authorize', size });
  return answer.t === 'error' ? answer.code : 'ok';
}

const TUS = { 'tus-resumable': '1.0.0' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** `POST /v1/files`: creates an upload of `length` bytes. */
export function create(base: string, token: string, length: number, headers: Record<string, string> = {}) {
  return fetch(`${base}${ROUTES.files}`, {
    method: 'POST',
    headers: { ...TUS, ...bearer(token), 'upload-length': String(length), ...headers },
  });
}

/** Creates an upload and returns its id (from `Location: /v1/files/<id>`). */
export async function createUpload(base: string, token: string, length: number): Promise<string> {
  const res = await create(base, token, length);
  expect(res.status).toBe(201);
  const location = res.headers.get('location') ?? '';
  expect(location).toMatch(/^\/v1\/files\/[0-9a-f]{32}$/);
  return location.slice(`${ROUTES.files}/`.length);
}

/** `HEAD /v1/files/<id>`: status, `Upload-Offset` and `Upload-Length`. */
export async function head(base: string, token: string, id: string) {
  const res = await fetch(`${base}${ROUTES.files}/${id}`, {
    method: 'HEAD',
    headers: { ...TUS, ...bearer(token) },
  });
  return {
    status: res.status,
    offset: Number(res.headers.get('upload-offset') ?? Number.NaN),
    length: Number(res.headers.get('upload-length') ?? Number.NaN),
  };
}

/** `PATCH /v1/files/<id>` with `bytes` at `offset`: status and the new `Upload-Offset`. */
export async function patch(
  base: string,
  token: string,
  id: string,
  offset: number,
  bytes: Uint8Array,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${base}${ROUTES.files}/${id}`, {
    method: 'PATCH',
    headers: {
      ...TUS,
      ...bearer(token),
      'content-type': 'application/offset+octet-stream',
      'upload-offset': String(offset),
      ...headers,
    },
    body: new Uint8Array(bytes),
  });
  await res.arrayBuffer();
  return { status: res.status, offset: Number(res.headers.get('upload-offset') ?? Number.NaN) };
}

/** Uploads `bytes` in `chunks` PATCHes (after authorizing and creating); returns the file id. */
export async function upload(
  base: string,
  client: TestClient,
  bytes: Uint8Array,
  chunks = 1,
): Promise<string> {
  const { token } = await authorize(client, bytes.length);
  const id = await createUpload(base, token, bytes.length);
  const step = Math.ceil(bytes.length / chunks);
  for (let offset = 0; offset < bytes.length; offset += step) {
    const r = await patch(base, token, id, offset, bytes.subarray(offset, offset + step));
    expect(r).toEqual({ status: 204, offset: Math.min(offset + step, bytes.length) });
  }
  return id;
}

/** `GET /v1/files/<id>` (with `range`): status, headers and the body. */
export async function download(base: string, id: string, range?: string) {
  const res = await fetch(`${base}${ROUTES.files}/${id}`, range === undefined ? {} : { headers: { range } });
  return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
}

/**
 * Sends a PATCH of `total` bytes but only `sent` of them, then cuts the connection (a dropped network):
 * resolves once the socket is closed.
 */
export function interruptedPatch(
  base: string,
  token: string,
  id: string,
  offset: number,
  bytes: Uint8Array,
  sent: number,
): Promise<void> {
  return new Promise((resolve) => {
    const req = request(`${base}${ROUTES.files}/${id}`, {
      method: 'PATCH',
      headers: {
        ...TUS,
        ...bearer(token),
        'content-type': 'application/offset+octet-stream',
        'upload-offset': String(offset),
        'content-length': String(bytes.length),
      },
    });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(bytes.subarray(0, sent), () => setTimeout(() => req.destroy(), 100));
  });
}

/** `n` random bytes: stand-in ciphertext (the server cannot tell it from real ciphertext). */
export const ciphertext = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

/**
 * One HTTP request exactly as given (the path is not normalized, headers are sent as they are, a body may
 * be sent chunked when `chunked`): the status and body. For hostile-input tests.
 */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Uint8Array,
  chunked = false,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const url = new URL(base);
    const req = request({ host: url.hostname, port: url.port, method, path, headers });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    // The server may answer and close before reading a refused body.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') resolve({ status: -1, body: Buffer.alloc(0) });
      else reject(err);
    });
    if (body !== undefined && chunked) {
      const half = Math.floor(body.length / 2);
      req.write(body.subarray(0, half));
      req.end(body.subarray(half));
    } else req.end(body);
  });
}
