/**
 * The HTTP half of the test proxy: passes a request to its server and the answer back, unless a hook
 * routes it to another server, cuts both connections after a number of body bytes (a connection dropped
 * in the middle of an upload or a download), stalls an upload after a number of bytes (the sender
 * hangs; the server connection drops when the sender's does), or answers it with a status itself. Logs
 * every request.
 */
import { type IncomingMessage, request, type ServerResponse } from 'node:http';

/** HTTP hooks: route a request elsewhere, or cut or stall its connection part-way. */
export interface HttpHooks {
  /** Another server for this request (its base URL), instead of the target. */
  route?: (req: IncomingMessage) => string | undefined;
  /**
   * Cuts both connections after this many body bytes went through: of the request for a request with a
   * body (an upload), of the response otherwise (a download). `undefined` passes it whole.
   */
  cut?: (req: IncomingMessage) => number | undefined;
  /** Passes this many request body bytes, then nothing more, until the client goes away. */
  stall?: (req: IncomingMessage) => number | undefined;
  /** Answers with this HTTP status itself (an empty body), instead of passing the request on. */
  answer?: (req: IncomingMessage) => number | undefined;
}

/** One request seen. */
export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly range?: string | undefined;
}

/** What the relay counts and logs. */
export interface RelayLog {
  cuts: number;
  readonly requests: LoggedRequest[];
}

/**
 * Copies at most `limit` bytes of `from`'s data through `write`, then stops reading it (the sender feels
 * the backpressure) and calls `atLimit` once.
 */
function limited(
  from: IncomingMessage,
  limit: number,
  write: (b: Buffer, done: () => void) => void,
  atLimit: () => void,
): void {
  let sent = 0;
  let reached = false;
  from.on('data', (data: Buffer) => {
    if (sent >= limit) return;
    const part = data.subarray(0, limit - sent);
    sent += part.length;
    const last = sent >= limit;
    if (last) from.pause();
    write(part, () => {
      if (last && !reached) {
        reached = true;
        atLimit();
      }
    });
  });
}

/** Relays one request to `target` under `hooks`. */
export function relayHttp(
  req: IncomingMessage,
  res: ServerResponse,
  target: URL,
  hooks: HttpHooks,
  log: RelayLog,
): void {
  log.requests.push({ method: req.method ?? '', path: req.url ?? '', range: req.headers.range });
  const status = hooks.answer?.(req);
  if (status !== undefined) {
    req.resume();
    res.writeHead(status).end();
    return;
  }
  const upload = req.method === 'PATCH' || req.method === 'POST' || req.method === 'PUT';
  const cutAt = hooks.cut?.(req);
  const stallAt = upload ? hooks.stall?.(req) : undefined;
  const cut = () => {
    log.cuts++;
    upstream.destroy();
    req.socket.destroy();
  };
  const upstream = request(
    { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
    (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      if (cutAt === undefined || upload) {
        r.pipe(res);
        return;
      }
      limited(r, cutAt, (b, done) => res.write(b, done), cut);
      r.on('end', () => res.end());
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  // The client went away before its request or the answer ended: so does the request to the server.
  req.on('close', () => {
    if (!req.complete) upstream.destroy();
  });
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  const limit = cutAt !== undefined && upload ? cutAt : stallAt;
  if (limit === undefined) {
    req.pipe(upstream);
    return;
  }
  limited(
    req,
    limit,
    (b, done) => upstream.write(b, done),
    () => {
      if (stallAt === undefined) setTimeout(cut, 50); // let the server take in what it got, then drop
    },
  );
  req.on('end', () => upstream.end());
}
