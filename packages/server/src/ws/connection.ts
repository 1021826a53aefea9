/**
 * One device's WebSocket: decodes every binary frame with the protocol codec, answers a bad frame with an
 * `error` frame (the connection lives on; a peer sending many bad frames is closed as abusive), handles
 * frames one at a time in arrival order, and encodes what the server sends. A `send` or `ack` handler may
 * leave its commit to finish in the background ({@link Connection.finishLater}) so the next send or ack
 * is handled meanwhile and joins the same group commit; any other frame waits for that work first. Frames
 * sent in one tick leave in one socket write (cork until the next tick).
 */

import type { Duplex } from 'node:stream';
import {
  type ClientFrame,
  type DeviceMismatch,
  type ErrorCode,
  encodeFrame,
  type ServerFrame,
  tryDecodeFrame,
  WIRE_BOUNDS,
} from '@sotto/protocol';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { ApiError, toApiError } from '../errors.js';
import type { RateLimiter } from '../limits/rate-limiter.js';
import type { ServerMetrics } from '../modules/metrics/server-metrics.js';
import type { DeviceAddress } from '../store/store.js';

/** WebSocket close codes the server uses. */
export const CLOSE = {
  /** The server is shutting down; reconnect (elsewhere). */
  goingAway: 1001,
  /** The peer sent too many bad frames or failed to authenticate in time. */
  policy: 1008,
  /** The device was removed from its account. */
  revoked: 4003,
} as const;

/** What a connection needs from the server. */
export interface ConnectionDeps {
  readonly maxFrameBytes: number;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
  /** Bad frames per connection (key: connection id); over the limit the peer is closed. */
  readonly badFrames: RateLimiter;
  /** Handles one decoded frame; throwing answers the frame's id with an error frame. */
  readonly handle: (conn: Connection, frame: ClientFrame) => Promise<void>;
}

let nextId = 1;

/**
 * Frames that may be handled while earlier frames' work finishes in the background (see
 * {@link Connection.finishLater}); every other frame waits for that work, so it sees its effects.
 */
const PIPELINED: ReadonlySet<ClientFrame['t']> = new Set(['send', 'ack']);

/** Background work per connection before the next frame waits for it (bounds memory per peer). */
const MAX_UNFINISHED = 256;

/** A WebSocket connection of one device (authenticated once `device` is set). */
export class Connection {
  readonly id = nextId++;
  /** Set once the device signed the challenge. */
  device: DeviceAddress | undefined;
  /** The outstanding challenge nonce; cleared once used so a signature works at most once. */
  nonce: Uint8Array | undefined;
  /** Failed `auth` attempts on this connection (the router closes it after a few). */
  authFailures = 0;
  private authDeadline: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly unfinished = new Set<Promise<void>>();
  private readonly cleanups: (() => void)[] = [];
  private closed = false;
  private alive = true;
  private corked = false;
  private readonly uncork = () => {
    this.corked = false;
    this.socket?.uncork();
  };

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: ConnectionDeps,
    /** The origin the client reached (signed into the auth message). */
    readonly origin: string,
    /**
     * The socket under `ws` (the one handed to `handleUpgrade`). Frames sent in one tick are corked on it
     * and leave in one write instead of one syscall each.
     */
    private readonly socket?: Duplex,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('close', () => this.onClose());
    ws.on('error', () => {});
  }

  /**
   * Closes the connection (1008) unless it authenticates within `ms`. The timer is cleared as soon as it
   * authenticates or closes, so a long-lived connection holds none.
   */
  closeUnlessAuthenticatedWithin(ms: number): void {
    clearTimeout(this.authDeadline);
    this.authDeadline = setTimeout(() => {
      this.authDeadline = undefined;
      if (this.device === undefined) this.close(CLOSE.policy, 'authentication timeout');
    }, ms);
    this.authDeadline.unref();
  }

  /** Marks the connection as `device`'s and stops its authentication deadline. */
  authenticated(device: DeviceAddress): void {
    this.device = device;
    clearTimeout(this.authDeadline);
    this.authDeadline = undefined;
  }

  /** True while an authentication deadline is pending (tests, metrics). */
  get awaitingAuthentication(): boolean {
    return this.authDeadline !== undefined;
  }

  /** Spends one unit of the bad-frame budget; closes the connection (1008) when it is used up. */
  countBadFrame(): void {
    if (!this.deps.badFrames.take(`conn:${this.id}`)) this.close(CLOSE.policy, 'too many bad frames');
  }

  /** True until the socket closed. */
  get open(): boolean {
    return !this.closed;
  }

  /** Runs `fn` when the connection closes (unsubscribe, presence). */
  onClosed(fn: () => void): void {
    if (this.closed) fn();
    else this.cleanups.push(fn);
  }

  /** Encodes and sends a frame; dropped when the socket is no longer open. */
  send(frame: ServerFrame): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame(frame, { maxFrameBytes: Number.MAX_SAFE_INTEGER });
    } catch (err) {
      // A server frame that fails its own schema is a server bug, not the peer's fault.
      this.deps.logger.error(
        { err: { message: (err as Error).message }, frame: frame.t },
        'frame encoding failed',
      );
      throw new ApiError('INTERNAL');
    }
    if (!this.corked && this.socket !== undefined) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    this.ws.send(bytes);
    this.deps.metrics.framesOut.by('type', frame.t).inc();
  }

  /** Sends an `error` frame for request `id` (or for the connection when undefined). */
  sendError(id: number | undefined, code: ErrorCode, message: string, devices?: DeviceMismatch): void {
    this.deps.metrics.errors.by('code', code).inc();
    try {
      this.send({
        t: 'error',
        ...(id === undefined ? {} : { id }),
        code,
        message: message.slice(0, WIRE_BOUNDS.errorMessageChars),
        ...(devices === undefined ? {} : { devices }),
      });
    } catch {
      // Already logged by `send`; an error about an error must not take the connection down.
    }
  }

  /**
   * Lets the handler of `frame` return before `work` is done (a send waiting for its commit), so the next
   * frame is handled meanwhile; a failure of `work` is answered like the handler's own. Frames that are
   * not `send` or `ack` wait until all such work has finished.
   */
  finishLater(frame: ClientFrame, work: Promise<void>): void {
    const done: Promise<void> = work.then(
      () => {
        this.unfinished.delete(done);
      },
      (err: unknown) => {
        this.unfinished.delete(done);
        this.answerFailure(frame, err);
      },
    );
    this.unfinished.add(done);
  }

  /** Resolves once the socket's send buffer is below `limit` bytes (or it closed): backpressure. */
  async drained(limit = 1 << 20): Promise<void> {
    while (!this.closed && this.ws.bufferedAmount > limit) await new Promise((r) => setTimeout(r, 5));
  }

  /**
   * One heartbeat: terminates the socket when the previous ping went unanswered, else pings again. A
   * dead TCP connection is found within two intervals, so presence does not stay "online" forever.
   */
  heartbeat(): void {
    if (this.closed) return;
    if (!this.alive) {
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  /** Closes the socket with `code`. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason);
  }

  /** Closes without the closing handshake (shutdown timeout). */
  terminate(): void {
    this.ws.terminate();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const decoded = isBinary
      ? tryDecodeFrame(toBytes(data), { maxFrameBytes: this.deps.maxFrameBytes }, 'client')
      : undefined;
    if (decoded === undefined || !decoded.ok) {
      // A frame that fails its schema but carries a readable request id is answered with that id (§2).
      const api = toApiError(decoded?.error);
      const code = api.code === 'INTERNAL' ? 'BAD_FRAME' : api.code;
      this.deps.metrics.framesIn.by('type', 'invalid').inc();
      this.sendError(decoded?.id, code, code === 'BAD_FRAME' ? 'The frame is malformed.' : api.message);
      this.countBadFrame();
      return;
    }
    const frame = decoded.frame;
    this.deps.metrics.framesIn.by('type', frame.t).inc();
    this.queue = this.queue
      .then(() => this.dispatch(frame))
      .catch((err: unknown) => {
        this.deps.logger.error({ err: { message: (err as Error)?.message } }, 'frame dispatch failed');
      });
  }

  private async dispatch(frame: ClientFrame): Promise<void> {
    if (this.closed) return;
    if (this.unfinished.size > 0 && (!PIPELINED.has(frame.t) || this.unfinished.size >= MAX_UNFINISHED)) {
      await Promise.all(this.unfinished);
      if (this.closed) return;
    }
    try {
      await this.deps.handle(this, frame);
    } catch (err) {
      this.answerFailure(frame, err);
    }
  }

  private answerFailure(frame: ClientFrame, err: unknown): void {
    const api = toApiError(err);
    if (api.code === 'INTERNAL') {
      this.deps.logger.error({ err: { message: (err as Error)?.message }, frame: frame.t }, 'frame failed');
    }
    this.sendError('id' in frame ? frame.id : undefined, api.code, api.message, api.devices);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.authDeadline);
    this.authDeadline = undefined;
    for (const fn of this.cleanups.splice(0)) {
      try {
        fn();
      } catch (err) {
        this.deps.logger.error({ err: { message: (err as Error).message } }, 'connection cleanup failed');
      }
    }
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
