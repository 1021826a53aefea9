/**
 * The WebSocket endpoint (`/v1/ws`): a `ws` server in noServer mode on the HTTP server's upgrade event.
 * It creates a {@link Connection} per socket, sends the challenge, closes sockets that do not
 * authenticate in time, wires authenticated ones to the bus, and drains them all at shutdown.
 */
import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ROUTES } from '@sotto/protocol';
import { WebSocketServer } from 'ws';
import { canonicalOrigin } from '../modules/auth/origins.js';
import type { RateLimit } from '../shared/shared-state.js';
import { CLOSE, Connection, type ConnectionDeps } from './connection.js';

/** What the hub needs. */
export interface HubDeps extends ConnectionDeps {
  readonly authTimeoutMs: number;
  /** WebSocket ping interval; a peer that misses one ping is dropped at the next. */
  readonly heartbeatMs: number;
  /** `https` or `http`: with the Host header, the origin a connection names (a hint, never trusted). */
  readonly scheme: 'http' | 'https';
  /** The client's address of an upgrade request (behind trusted proxies, the forwarded one). */
  readonly clientAddress: (req: IncomingMessage) => string;
  /** Upgrades per client address; beyond it the upgrade gets HTTP 429. */
  readonly upgradeLimit: RateLimit;
  /** Sends the first challenge. */
  readonly onOpen: (conn: Connection) => void;
}

/** Destroys a socket that failed before `ws` took it over (an unheard 'error' would end the process). */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** Answers an upgrade request with an HTTP error status and closes the socket. */
function refuse(socket: Duplex, status: string, headers = ''): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n${headers}\r\n`);
}

/** The set of live connections. */
export class Hub {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private accepting = true;
  private readonly heartbeat: NodeJS.Timeout;
  /** What every connection shares (one object, with the hook that forgets a closed connection). */
  private readonly connDeps: ConnectionDeps;
  /** The last Host header and its origin: connections through one host share one origin string. */
  private lastHost: string | undefined;
  private lastOrigin = '';

  constructor(
    server: EventEmitter,
    private readonly deps: HubDeps,
  ) {
    // Frames up to 4x the limit (or a little over the group limit) are read and answered with
    // FRAME_TOO_LARGE; beyond that the peer is abusive and `ws` closes it (1009).
    // No compression (a zlib context per socket) and no client set in `ws` (the hub tracks its own).
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: Math.max(deps.maxFrameBytes * 4, (deps.maxGroupFrameBytes ?? 0) + deps.maxFrameBytes),
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.connDeps = {
      ...deps,
      onConnectionClosed: (conn) => {
        this.connections.delete(conn);
        deps.onConnectionClosed?.(conn);
      },
    };
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
    this.heartbeat = setInterval(() => {
      for (const c of this.connections) c.heartbeat();
    }, deps.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Open connections. */
  get size(): number {
    return this.connections.size;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node's HTTP server stops listening to the socket here; until `ws` does, this listener does.
    socket.on('error', destroyOnError);
    const path = (req.url ?? '').split('?')[0];
    if (path !== ROUTES.ws || !this.accepting) {
      refuse(socket, this.accepting ? '404 Not Found' : '503 Service Unavailable');
      return;
    }
    const key = `ip:${this.deps.clientAddress(req)}`;
    const allowed = this.deps.upgradeLimit.takeNow?.(key);
    if (allowed === true) this.accept(req, socket, head);
    else if (allowed === false) this.refuseLimited(socket);
    else {
      this.deps.upgradeLimit.take(key).then(
        (ok) => (ok ? this.accept(req, socket, head) : this.refuseLimited(socket)),
        () => refuse(socket, '503 Service Unavailable'),
      );
    }
  }

  private refuseLimited(socket: Duplex): void {
    this.deps.metrics.errors.inc({ code: 'RATE_LIMITED' });
    refuse(socket, '429 Too Many Requests', 'Retry-After: 60\r\n');
  }

  private accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.accepting) {
      refuse(socket, '503 Service Unavailable');
      return;
    }
    const origin = this.originOf(req.headers.host ?? '');
    socket.off('error', destroyOnError);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Connection(ws, this.connDeps, origin, socket);
      this.connections.add(conn);
      conn.closeUnlessAuthenticatedWithin(this.deps.authTimeoutMs);
      this.deps.onOpen(conn);
    });
  }

  /**
   * The origin the request names (scheme and Host header), '' when that is no origin. Only a hint of which
   * accepted origin to check first, and for the error when none verifies: the Host header is the client's
   * (or a relaying server's) to choose.
   */
  private originOf(host: string): string {
    if (host !== this.lastHost) {
      this.lastHost = host;
      this.lastOrigin = canonicalOrigin(`${this.deps.scheme}://${host}`) ?? '';
    }
    return this.lastOrigin;
  }

  /**
   * Stops accepting, asks every connection to go away (1001), and waits up to `timeoutMs` for them to
   * close before terminating the rest.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.accepting = false;
    clearInterval(this.heartbeat);
    const pending = [...this.connections].map(
      (c) =>
        new Promise<void>((resolve) => {
          c.onClosed(resolve);
          c.close(CLOSE.goingAway, 'server shutting down');
        }),
    );
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.all(pending), timeout]);
    // Terminated sockets close asynchronously; wait for each (as `ws` did with its own client set).
    const terminated = [...this.connections].map((c) => new Promise<void>((resolve) => c.onClosed(resolve)));
    for (const c of this.connections) c.terminate();
    await Promise.all(terminated);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
