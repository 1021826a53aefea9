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
  LARGE_CLIENT_FRAMES,
  type ServerFrame,
  tryDecodeFrame,
  WIRE_BOUNDS,
} from '@sotto/protocol';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { ApiError, toApiError } from '../errors.js';
import type { RateLimiter } from '../limits/rate-limiter.js';
import type { ServerMetrics } from '../modules/metrics/server-metrics.js';
import type { DeviceAddress, EnvelopeRef } from '../store/store.js';

/** What a connection's mailbox delivery answers about acks. */
export interface MailboxAcks {
  /** The envelopes among `ids` that were sent on this connection and not yet acknowledged. */
  acknowledged(ids: readonly Uint8Array[]): EnvelopeRef[];
}

/** WebSocket close codes the server uses. */
export const CLOSE = {
  /** The server is shutting down; reconnect (elsewhere). */
  goingAway: 1001,
  /** The peer sent too many bad frames or failed to authenticate in time. */
  policy: 1008,
  /** The device was removed from its account, or the operator deleted the account. */
  revoked: 4003,
  /** The operator disabled the account (it may be enabled again: retry later). */
  disabled: 4004,
} as const;

/** What a connection needs from the server. */
export interface ConnectionDeps {
  readonly maxFrameBytes: number;
  /**
   * The limit of the frames that may be large (`LARGE_CLIENT_FRAMES`: group commits, KeyPackage uploads)
   * once the connection is authenticated; default `maxFrameBytes`.
   */
  readonly maxGroupFrameBytes?: number | undefined;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
  /** Bad frames per connection (key: connection id); over the limit the peer is closed. */
  readonly badFrames: RateLimiter;
  /**
   * Handles one decoded frame, at once (returns nothing) or by a returned promise; throwing or rejecting
   * answers the frame's id with an error frame.
   */
  readonly handle: (conn: Connection, frame: ClientFrame) => Promise<void> | undefined;
  /** Called once when any connection closes, before its own cleanups (one shared hook, no closure each). */
  readonly onConnectionClosed?: ((conn: Connection) => void) | undefined;
}

/** The settled promise an idle connection's frame queue points at (shared, none per connection). */
const IDLE: Promise<void> = Promise.resolve();

const noop = (): void => {};

/** Server frames are not size-checked on the way out (a peer's limit is its own business). */
const UNLIMITED = { maxFrameBytes: Number.MAX_SAFE_INTEGER };

/**
 * Encoded frames, and the byte strings decoded out of received ones, go into Node's pooled buffers: a
 * small one costs a slice of a shared 8 KiB block rather than a buffer of its own, and `ws` sends a
 * Buffer as it is.
 */
const pooled = (length: number): Uint8Array => Buffer.allocUnsafe(length);

/** Ends a connection's cork at the next tick (shared; `process.nextTick` passes the connection). */
const uncork = (conn: Connection): void => conn.uncork();

let nextId = 1;

/**
 * Frames that may be handled while earlier frames' work finishes in the background (see
 * {@link Connection.finishLater}); every other frame waits for that work, so it sees its effects.
 */
const PIPELINED: ReadonlySet<ClientFrame['t']> = new Set(['send', 'ack']);

/** Bytes waiting in a socket's send buffer above which the server stops pushing more to it. */
const CONGESTED_BYTES = 1 << 20;

/** Background work per connection before the next frame waits for it (bounds memory per peer). */
const MAX_UNFINISHED = 256;

/** A WebSocket connection of one device (authenticated once `device` is set). */
export class Connection {
  readonly id = nextId++;
  /** Set once the device signed the challenge. */
  device: DeviceAddress | undefined;
  /** `account/deviceId` of {@link device} (rate-limit and bus key), once authenticated; '' before. */
  deviceKey = '';
  /** The delivery of the device's mailbox (set once authenticated): which acks name what it sent. */
  mailbox: MailboxAcks | undefined;
  /** The outstanding challenge nonce; cleared once used so a signature works at most once. */
  nonce: Uint8Array | undefined;
  /** Failed `auth` attempts on this connection (the router closes it after a few). */
  authFailures = 0;
  private authDeadline: NodeJS.Timeout | undefined;
  private queue: Promise<void> = IDLE;
  /** Background work (see {@link finishLater}); allocated on first use, dropped once empty. */
  private unfinished: Set<Promise<void>> | undefined;
  private cleanups: (() => void)[] | undefined;
  private closed = false;
  private alive = true;
  private corked = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: ConnectionDeps,
    /**
     * The origin the upgrade request named (scheme and Host header; '' if none): which accepted origin to
     * try first, never one to accept (see `AcceptedOrigins`).
     */
    readonly origin: string,
    /**
     * The socket under `ws` (the one handed to `handleUpgrade`). Frames sent in one tick are corked on it
     * and leave in one write instead of one syscall each.
     */
    private readonly socket?: Duplex,
  ) {
    // Shared listeners (no closures per connection): `ws` calls them with the socket as `this`.
    BY_SOCKET.set(ws, this);
    ws.on('message', onSocketMessage);
    ws.on('pong', onSocketPong);
    ws.on('close', onSocketClose);
    ws.on('error', noop);
  }

  /** Ends the cork started by {@link send} (called at the next tick). */
  uncork(): void {
    this.corked = false;
    this.socket?.uncork();
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
    this.deviceKey = `${device.account}/${device.deviceId}`;
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
    else if (this.cleanups === undefined) this.cleanups = [fn];
    else this.cleanups.push(fn);
  }

  /** Encodes and sends a frame; dropped when the socket is no longer open. */
  send(frame: ServerFrame): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame(frame, UNLIMITED, pooled);
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
      process.nextTick(uncork, this);
    }
    this.ws.send(bytes);
    this.deps.metrics.framesOut.by('type', frame.t).inc();
  }

  /** Sends an `error` frame for request `id` (or for the connection when undefined). */
  sendError(
    id: number | undefined,
    code: ErrorCode,
    message: string,
    devices?: DeviceMismatch,
    epoch?: number,
  ): void {
    this.deps.metrics.errors.by('code', code).inc();
    try {
      this.send({
        t: 'error',
        ...(id === undefined ? {} : { id }),
        code,
        message: message.slice(0, WIRE_BOUNDS.errorMessageChars),
        ...(devices === undefined ? {} : { devices }),
        ...(epoch === undefined ? {} : { epoch }),
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
    let unfinished = this.unfinished;
    if (unfinished === undefined) {
      unfinished = new Set();
      this.unfinished = unfinished;
    }
    const done: Promise<void> = work.then(
      () => this.settled(unfinished, done),
      (err: unknown) => {
        this.settled(unfinished, done);
        this.answerFailure(frame, err);
      },
    );
    unfinished.add(done);
  }

  /** Background work `done` finished; an empty set is dropped. */
  private settled(unfinished: Set<Promise<void>>, done: Promise<void>): void {
    unfinished.delete(done);
    if (unfinished.size === 0 && this.unfinished === unfinished) this.unfinished = undefined;
  }

  /** True while the socket's send buffer holds more than {@link CONGESTED_BYTES} (a slow reader). */
  get congested(): boolean {
    return this.ws.bufferedAmount > CONGESTED_BYTES;
  }

  /** Resolves once the socket's send buffer is below `limit` bytes (or it closed): backpressure. */
  async drained(limit = CONGESTED_BYTES): Promise<void> {
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

  /** A frame arrived (from the shared socket listener). */
  onMessage(data: RawData, isBinary: boolean): void {
    const bytes = isBinary ? toBytes(data) : undefined;
    // Authenticated devices may send group commits and KeyPackage uploads up to the group limit (ADR 0018).
    const limit =
      this.device === undefined
        ? this.deps.maxFrameBytes
        : (this.deps.maxGroupFrameBytes ?? this.deps.maxFrameBytes);
    const decoded =
      bytes === undefined ? undefined : tryDecodeFrame(bytes, { maxFrameBytes: limit }, 'client', pooled);
    // Past `maxFrameBytes` only a well-formed large frame passes; anything else is too large.
    if (
      decoded !== undefined &&
      (bytes?.length ?? 0) > this.deps.maxFrameBytes &&
      !(decoded.ok && LARGE_CLIENT_FRAMES.has(decoded.frame.t))
    ) {
      this.deps.metrics.framesIn.by('type', 'invalid').inc();
      const id = decoded.ok ? ('id' in decoded.frame ? decoded.frame.id : undefined) : decoded.id;
      this.sendError(id, 'FRAME_TOO_LARGE', `frame exceeds ${this.deps.maxFrameBytes} bytes`);
      this.countBadFrame();
      return;
    }
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
    // Frames are handled one at a time, in order: at once when nothing is under way, else after it.
    if (this.queue === IDLE) {
      const pending = this.dispatch(frame);
      if (pending !== undefined) this.queue = this.track(pending);
    } else {
      this.queue = this.track(this.queue.then(() => this.dispatch(frame)));
    }
  }

  /** The queue's new tail: `work`, after which the queue points back at the shared settled promise. */
  private track(work: Promise<void>): Promise<void> {
    const next: Promise<void> = work.then(
      () => this.queueIdle(next),
      (err: unknown) => {
        this.deps.logger.error({ err: { message: (err as Error)?.message } }, 'frame dispatch failed');
        this.queueIdle(next);
      },
    );
    return next;
  }

  private queueIdle(last: Promise<void>): void {
    if (this.queue === last) this.queue = IDLE;
  }

  /** Handles `frame`; returns a promise only when that is not done at once. */
  private dispatch(frame: ClientFrame): Promise<void> | undefined {
    if (this.closed) return undefined;
    const unfinished = this.unfinished;
    if (
      unfinished !== undefined &&
      unfinished.size > 0 &&
      (!PIPELINED.has(frame.t) || unfinished.size >= MAX_UNFINISHED)
    ) {
      return Promise.all(unfinished).then(() => (this.closed ? undefined : this.handleNow(frame)));
    }
    return this.handleNow(frame);
  }

  private handleNow(frame: ClientFrame): Promise<void> | undefined {
    let pending: Promise<void> | undefined;
    try {
      pending = this.deps.handle(this, frame);
    } catch (err) {
      this.answerFailure(frame, err);
      return undefined;
    }
    return pending?.catch((err: unknown) => this.answerFailure(frame, err));
  }

  private answerFailure(frame: ClientFrame, err: unknown): void {
    const api = toApiError(err);
    if (api.code === 'INTERNAL') {
      this.deps.logger.error({ err: { message: (err as Error)?.message }, frame: frame.t }, 'frame failed');
    }
    this.sendError('id' in frame ? frame.id : undefined, api.code, api.message, api.devices, api.epoch);
  }

  /** A pong arrived: the peer is alive (from the shared socket listener). */
  onPong(): void {
    this.alive = true;
  }

  /** The socket closed (from the shared socket listener). */
  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.authDeadline);
    this.authDeadline = undefined;
    try {
      this.deps.onConnectionClosed?.(this);
    } catch (err) {
      this.deps.logger.error({ err: { message: (err as Error).message } }, 'connection cleanup failed');
    }
    const cleanups = this.cleanups ?? [];
    this.cleanups = undefined;
    for (const fn of cleanups) {
      try {
        fn();
      } catch (err) {
        this.deps.logger.error({ err: { message: (err as Error).message } }, 'connection cleanup failed');
      }
    }
  }
}

/** The connection of each socket, for the shared listeners below. */
const BY_SOCKET = new WeakMap<WebSocket, Connection>();

function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  BY_SOCKET.get(this)?.onMessage(data, isBinary);
}

function onSocketPong(this: WebSocket): void {
  BY_SOCKET.get(this)?.onPong();
}

function onSocketClose(this: WebSocket): void {
  BY_SOCKET.get(this)?.onClose();
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
