/**
 * INTERIM (until the server's `blobs` module lands on main): the files part of the contract in
 * /work/notes/files-spec.md — `files.authorize` / `files.delete` answered on the WebSocket (through the
 * proxy's frame hook), and tus 1.0.0 uploads and Range downloads under /v1/files on an HTTP server of its
 * own (the proxy routes /v1/files there) — with the files in a directory the test can inspect.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ClientFrame } from '@sotto/protocol';
import type { ProxiedConnection, Verdict } from './malicious-proxy.js';

interface Upload {
  readonly length: number;
  offset: number;
}

/** The fake files service. */
export interface FakeFiles {
  /** Answers the files frames; passes every other frame on. */
  fromClient(frame: ClientFrame, conn: ProxiedConnection): Verdict<ClientFrame>;
  /** The base URL of its HTTP server (for /v1/files). */
  readonly url: string;
  close(): Promise<void>;
}

function status(res: ServerResponse, code: number): unknown {
  return res.writeHead(code).end();
}

/** Starts the fake files service storing under `dir`. */
export async function fakeFiles(dir: string, maxBytes = 100 * 1024 * 1024 + 64 * 1024): Promise<FakeFiles> {
  mkdirSync(dir, { recursive: true });
  const tokens = new Map<string, { size: number; fileId?: string }>();
  const uploads = new Map<string, Upload>();
  const pathOf = (id: string) => join(dir, id);

  const download = (id: string, req: IncomingMessage, res: ServerResponse): unknown => {
    const u = uploads.get(id);
    if (u === undefined || u.offset !== u.length) return status(res, 404);
    const data = readFileSync(pathOf(id));
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range === null ? 0 : Number(range[1]);
    res.writeHead(range === null ? 200 : 206, {
      'content-type': 'application/octet-stream',
      'content-length': data.length - start,
      'accept-ranges': 'bytes',
      ...(range === null ? {} : { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` }),
    });
    res.end(data.subarray(start));
  };

  const patch = (id: string, u: Upload, req: IncomingMessage, res: ServerResponse): unknown => {
    if (Number(req.headers['upload-offset']) !== u.offset) return status(res, 409);
    let ended = false;
    const done = () => {
      if (ended) return;
      ended = true;
      if (!res.destroyed) res.writeHead(204, { 'upload-offset': u.offset, 'tus-resumable': '1.0.0' }).end();
    };
    req.on('data', (b: Buffer) => {
      if (u.offset + b.length > u.length) return;
      appendFileSync(pathOf(id), b);
      u.offset += b.length;
    });
    req.on('end', done);
    req.on('aborted', done);
    req.on('error', done);
  };

  const serve = (req: IncomingMessage, res: ServerResponse): unknown => {
    const url = new URL(req.url ?? '/', 'http://x');
    const id = url.pathname.split('/')[3];
    if (req.method === 'GET' && id !== undefined) return download(id, req, res);
    const grant = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (grant === undefined) return status(res, 401);
    if (req.method === 'POST' && id === undefined) {
      const length = Number(req.headers['upload-length']);
      if (grant.fileId !== undefined) return status(res, 401);
      if (!(length <= grant.size)) return status(res, 413);
      const fileId = randomBytes(16).toString('hex');
      grant.fileId = fileId;
      uploads.set(fileId, { length, offset: 0 });
      writeFileSync(pathOf(fileId), new Uint8Array(0));
      res.writeHead(201, { location: `/v1/files/${fileId}`, 'tus-resumable': '1.0.0' }).end();
      return;
    }
    const u = id === undefined ? undefined : uploads.get(id);
    if (id === undefined || u === undefined || grant.fileId !== id) return status(res, 404);
    if (req.method === 'HEAD') {
      res.writeHead(200, {
        'upload-offset': statSync(pathOf(id)).size,
        'upload-length': u.length,
        'cache-control': 'no-store',
        'tus-resumable': '1.0.0',
      });
      res.end();
      return;
    }
    if (req.method === 'PATCH') return patch(id, u, req, res);
    status(res, 405);
  };

  const http = createServer(serve);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    fromClient(frame, conn) {
      if (frame.t === 'files.authorize') {
        if (frame.size > maxBytes) {
          conn.toClient({ t: 'error', id: frame.id, code: 'FILE_TOO_LARGE', message: 'too large' });
          return undefined;
        }
        const token = randomBytes(24).toString('base64url');
        tokens.set(token, { size: frame.size });
        conn.toClient({
          t: 'files.authorize.result',
          id: frame.id,
          token,
          expiresAt: Date.now() + 86_400_000,
        });
        return undefined;
      }
      if (frame.t === 'files.delete') {
        uploads.delete(frame.fileId);
        rmSync(pathOf(frame.fileId), { force: true });
        conn.toClient({ t: 'ok', id: frame.id });
        return undefined;
      }
      return frame;
    },
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
