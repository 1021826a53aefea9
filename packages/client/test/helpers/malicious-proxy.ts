/**
 * A malicious server for SDK tests: a proxy that clients take for the server (the real server runs behind
 * it with the proxy's URL as its public origin, so connection auth passes) and that can read, rewrite,
 * drop or inject every WebSocket frame in both directions. HTTP requests (registration, login, file
 * uploads and downloads) are passed through, unless an HTTP hook serves one itself or cuts its connection
 * after a number of body bytes (a dropped connection in the middle of an upload or download).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ClientFrame, decodeFrame, encodeFrame, type ServerFrame } from '@sotto/protocol';
import WebSocket, { WebSocketServer } from 'ws';
import { type HttpHooks, type LoggedRequest, type RelayLog, relayHttp } from './http-relay.js';

export type { HttpHooks, LoggedRequest } from './http-relay.js';

const LIMITS = { maxFrameBytes: 1 << 24 };

/** What a hook decides for one frame: pass it on, pass another frame instead, or drop it (`undefined`). */
export type Verdict<F> = F | undefined;

/** One proxied device connection. */
export interface ProxiedConnection {
  /** Sends a frame to the client as if the server had sent it. */
  toClient(frame: ServerFrame): void;
  /** Sends a frame to the server as if the client had sent it. */
  toServer(frame: ClientFrame): void;
}

/** The hooks: each sees every decoded frame of its direction and returns what goes on. */
export interface ProxyHooks {
  fromClient?: (frame: ClientFrame, conn: ProxiedConnection) => Verdict<ClientFrame>;
  fromServer?: (frame: ServerFrame, conn: ProxiedConnection) => Verdict<ServerFrame>;
}

/** A running proxy. */
export interface MaliciousProxy {
  /** The URL clients use (`http://127.0.0.1:PORT`). */
  readonly url: string;
  /** Points the proxy at the real server. */
  target(url: string): void;
  /** Replaces the hooks (applies to frames from now on). */
  hooks: ProxyHooks;
  /** Replaces the HTTP hooks (applies to requests from now on). */
  http: HttpHooks;
  /** How many connections the `cut` hook cut so far. */
  readonly cuts: number;
  /** Every HTTP request, in order. */
  readonly requests: readonly LoggedRequest[];
  /** Every frame the clients sent, decoded, in order. */
  readonly seenFromClients: ClientFrame[];
  close(): Promise<void>;
}

/** Starts a proxy on an ephemeral port; call `target` before any client uses it. */
export async function startMaliciousProxy(hooks: ProxyHooks = {}): Promise<MaliciousProxy> {
  let backend: URL | undefined;
  const sockets = new Set<WebSocket>();
  const log: RelayLog = { cuts: 0, requests: [] };
  const http: Server = createServer((req, res) => {
    const routed = proxy.http.route?.(req);
    const target = routed === undefined ? backend : new URL(routed);
    if (target === undefined) res.writeHead(503).end();
    else relayHttp(req, res, target, proxy.http, log);
  });
  // Like the real server (Fastify keeps idle connections 72 s): with Node's 5 s default, a client that
  // reuses a pooled connection just as the proxy closes it gets ECONNRESET, which the real server never
  // causes (seen when a registration's local work between two requests took about 5 s).
  http.keepAliveTimeout = 72_000;
  const wss = new WebSocketServer({ server: http, path: '/v1/ws' });
  const proxy: MaliciousProxy = {
    url: '',
    hooks,
    http: {},
    get cuts() {
      return log.cuts;
    },
    requests: log.requests,
    seenFromClients: [],
    target: (url) => {
      backend = new URL(url);
    },
    close: async () => {
      for (const s of sockets) s.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  wss.on('connection', (client, req) => {
    if (backend === undefined) {
      client.close(1011);
      return;
    }
    const server = new WebSocket(`ws://${backend.host}/v1/ws`, { headers: { host: req.headers.host ?? '' } });
    sockets.add(client).add(server);
    const early: Buffer[] = [];
    const conn: ProxiedConnection = {
      toClient: (f) => client.send(encodeFrame(f, LIMITS)),
      toServer: (f) => {
        const bytes = encodeFrame(f, LIMITS);
        if (server.readyState === WebSocket.OPEN) server.send(bytes);
        else early.push(Buffer.from(bytes));
      },
    };
    server.on('open', () => {
      for (const b of early.splice(0)) server.send(b);
    });
    client.on('message', (data: Buffer) => {
      const frame = decodeFrame(new Uint8Array(data), LIMITS, 'client');
      proxy.seenFromClients.push(frame);
      const out = proxy.hooks.fromClient === undefined ? frame : proxy.hooks.fromClient(frame, conn);
      if (out !== undefined) conn.toServer(out);
    });
    server.on('message', (data: Buffer) => {
      const frame = decodeFrame(new Uint8Array(data), LIMITS, 'server');
      const out = proxy.hooks.fromServer === undefined ? frame : proxy.hooks.fromServer(frame, conn);
      if (out !== undefined && client.readyState === WebSocket.OPEN) conn.toClient(out);
    });
    const closeBoth = () => {
      if (client.readyState === WebSocket.OPEN) client.close();
      if (server.readyState === WebSocket.OPEN) server.close();
      sockets.delete(client);
      sockets.delete(server);
    };
    client.on('close', closeBoth);
    server.on('close', closeBoth);
    client.on('error', closeBoth);
    server.on('error', closeBoth);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return Object.assign(proxy, { url: `http://127.0.0.1:${port}` });
}
