/**
 * The WebSocket transport (DESIGN §5, §7): one connection per device, binary CBOR frames, requests matched
 * to answers by id, connection authentication by signing the server's challenge, and reconnection with
 * exponential backoff and jitter, rotating through the configured server URLs until stopped.
 */

import { SottoError } from '@sotto/crypto';
import {
  type ClientFrame,
  type DeviceMismatch,
  encodeFrame,
  type FrameOf,
  LARGE_CLIENT_FRAMES,
  ROUTES,
  type ServerFrame,
  tryDecodeFrame,
  WIRE_BOUNDS,
} from '@sotto/protocol';
import type { ConnectionEvent } from './types.js';

/** The WebSocket API subset used here (WHATWG; the `ws` package implements it too). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket constructor. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** A request frame without its id (the transport assigns it). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
/** Any client request (a frame that carries an id). */
export type Request = WithoutId<Extract<ClientFrame, { id: number }>>;

/** A server error answer, with the device difference of a DEVICE_MISMATCH. */
export class ServerError extends SottoError {
  constructor(
    code: SottoError['code'],
    message: string,
    readonly devices?: DeviceMismatch,
  ) {
    super(code, message);
  }
}

/** What the transport needs from the client. */
export interface TransportOptions {
  /** Base URLs (`https://host[:port]`), tried in turn. */
  readonly urls: readonly string[];
  readonly WebSocket: () => Promise<WebSocketConstructor>;
  /** Signs the challenge: returns the `auth` frame fields (without `id`). */
  readonly authenticate: (nonce: Uint8Array, origin: string) => Promise<Omit<FrameOf<'auth'>, 'id'>>;
  /** Every push (and any frame that answers no pending request). */
  readonly onPush: (frame: ServerFrame) => void;
  /** Runs after each successful authentication (requests work), before the `online` state is reported. */
  readonly onAuthenticated: () => Promise<void>;
  /** The server's clock as its challenge stated it, when a connection opens (for clock-offset estimates). */
  readonly onServerTime?: (serverTime: number) => void;
  readonly onState: (e: ConnectionEvent) => void;
  /** A permanent failure (revoked device, unknown device): the transport stopped. */
  readonly onFatal: (err: SottoError) => void;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly requestTimeoutMs: number;
}

interface Pending {
  resolve: (f: ServerFrame) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const OPEN = 1;
const CLOSE_REVOKED = 4003;
const PING_EVERY_MS = 20_000;

function unref(t: ReturnType<typeof setTimeout>): void {
  (t as { unref?: () => void }).unref?.();
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data) && data.every((d) => d instanceof Uint8Array)) {
    const total = data.reduce((n, d: Uint8Array) => n + d.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const d of data as Uint8Array[]) {
      out.set(d, o);
      o += d.length;
    }
    return out;
  }
  return undefined;
}

/** The `ws(s)://…/v1/ws` URL and the origin signed into the challenge, for a base URL. */
export function endpointsOf(base: string): { ws: string; origin: string } {
  const u = new URL(base);
  const origin = u.origin;
  const ws = `${origin.replace(/^http/, 'ws')}${ROUTES.ws}`;
  return { ws, origin };
}

/** One device's connection, kept alive until {@link stop}. */
export class Transport {
  private ws: WebSocketLike | undefined;
  private authenticated = false;
  private running = false;
  private attempt = 0;
  private urlIndex = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private onlineWaiters: Array<{ resolve: () => void; reject: (err: SottoError) => void }> = [];

  constructor(private readonly o: TransportOptions) {}

  /** True while authenticated. */
  get online(): boolean {
    return this.authenticated && this.ws?.readyState === OPEN;
  }

  /** The base URL of the current (or next) connection. */
  get currentUrl(): string {
    return this.o.urls[this.urlIndex % this.o.urls.length] ?? '';
  }

  /** Starts connecting (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    void this.open();
  }

  /**
   * Resolves once online; rejects with TIMEOUT after `timeoutMs`, or at once with the server's refusal
   * (AUTH_CHALLENGE_FAILED, DEVICE_NOT_FOUND) when it will not accept this device, or AUTH_ORIGIN_MISMATCH
   * when the server is not set up for the URL this client uses (it keeps retrying then).
   */
  waitOnline(timeoutMs: number): Promise<void> {
    if (this.online) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err: SottoError) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      const timer = setTimeout(() => {
        this.onlineWaiters = this.onlineWaiters.filter((w) => w !== waiter);
        reject(new SottoError('TIMEOUT', 'Could not connect to the server in time.'));
      }, timeoutMs);
      this.onlineWaiters.push(waiter);
    });
  }

  /** Disconnects and stops reconnecting; pending requests fail with NOT_CONNECTED. */
  stop(): void {
    this.running = false;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.dropSocket();
  }

  /**
   * Sends a request and resolves with its answer. An `error` answer rejects with a {@link ServerError}
   * carrying its code; no connection is NOT_CONNECTED; no answer in time is TIMEOUT.
   */
  request(frame: Request): Promise<ServerFrame> {
    if (!this.online) return Promise.reject(new SottoError('NOT_CONNECTED'));
    return this.requestOnSocket(frame);
  }

  /** Sends a frame that has no answer (`ack`). Throws NOT_CONNECTED. */
  fire(frame: FrameOf<'ack'>): void {
    const ws = this.ws;
    if (!this.online || ws === undefined) throw new SottoError('NOT_CONNECTED');
    ws.send(encodeFrame(frame));
  }

  private requestOnSocket(frame: Request): Promise<ServerFrame> {
    const ws = this.ws;
    if (ws === undefined || ws.readyState !== OPEN) return Promise.reject(new SottoError('NOT_CONNECTED'));
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffff_ffff ? 1 : this.nextId + 1;
    // Commits and KeyPackage uploads grow with a group (ADR 0018): the server bounds them itself.
    const large = LARGE_CLIENT_FRAMES.has(frame.t)
      ? { maxFrameBytes: WIRE_BOUNDS.largeFrameBytes }
      : undefined;
    const bytes = encodeFrame({ ...frame, id } as ClientFrame, large);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SottoError('TIMEOUT'));
      }, this.o.requestTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      ws.send(bytes);
    });
  }

  private async open(): Promise<void> {
    if (!this.running) return;
    const url = this.currentUrl;
    this.o.onState({ state: 'connecting', server: url });
    let Ctor: WebSocketConstructor;
    try {
      Ctor = await this.o.WebSocket();
    } catch (cause) {
      this.running = false;
      this.o.onFatal(new SottoError('NOT_CONNECTED', 'No WebSocket implementation is available.', { cause }));
      return;
    }
    if (!this.running) return;
    const { ws: wsUrl, origin } = endpointsOf(url);
    let ws: WebSocketLike;
    try {
      ws = new Ctor(wsUrl);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    let challenged = false;
    ws.onmessage = (ev) => {
      const bytes = toBytes(ev.data);
      if (bytes === undefined) return;
      // Pushes and answers carrying MLS data may be large frames (ADR 0018).
      const r = tryDecodeFrame(bytes, { maxFrameBytes: WIRE_BOUNDS.largeFrameBytes }, 'server');
      if (!r.ok) return; // a malformed server frame is ignored; the request it answered times out
      const f = r.frame;
      if (f.t === 'challenge' && !challenged) {
        challenged = true;
        this.o.onServerTime?.(f.serverTime);
        void this.answerChallenge(ws, f.nonce, origin);
        return;
      }
      this.dispatch(f);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.dropSocket();
      if (ev.code === CLOSE_REVOKED) {
        this.running = false;
        const err = new SottoError('DEVICE_NOT_FOUND', 'This device was removed from its account.');
        for (const w of this.onlineWaiters.splice(0)) w.reject(err);
        this.o.onFatal(err);
        return;
      }
      this.scheduleReconnect();
    };
    ws.onerror = () => {
      // onclose follows and schedules the reconnect
    };
  }

  private async answerChallenge(ws: WebSocketLike, nonce: Uint8Array, origin: string): Promise<void> {
    try {
      const auth = await this.o.authenticate(nonce, origin);
      const answer = await this.requestOnSocket(auth);
      if (answer.t !== 'ok') throw new SottoError('AUTH_CHALLENGE_FAILED');
      if (this.ws !== ws) return;
      this.authenticated = true;
      this.attempt = 0;
      await this.o.onAuthenticated().catch(() => undefined);
      if (this.ws !== ws || ws.readyState !== OPEN) return;
      this.startPing(ws);
      this.o.onState({ state: 'online', server: this.currentUrl });
      for (const w of this.onlineWaiters.splice(0)) w.resolve();
    } catch (err) {
      // The server refuses this device key (revoked, or never on the account's list): retrying cannot help.
      if (SottoError.is(err, 'DEVICE_NOT_FOUND') || SottoError.is(err, 'AUTH_CHALLENGE_FAILED')) {
        this.stop();
        for (const w of this.onlineWaiters.splice(0)) w.reject(err);
        this.o.onFatal(err);
        return;
      }
      // The server is set up for another origin (a proxy without --public-origin), or its operator disabled
      // the account: say so at once, and keep retrying (backing off) in case the operator changes that.
      if (SottoError.is(err, 'AUTH_ORIGIN_MISMATCH') || SottoError.is(err, 'ACCOUNT_DISABLED')) {
        for (const w of this.onlineWaiters.splice(0)) w.reject(err);
        this.o.onFatal(err);
      }
      ws.close();
    }
  }

  private dispatch(f: ServerFrame): void {
    if ('id' in f && typeof f.id === 'number') {
      const p = this.pending.get(f.id);
      if (p !== undefined) {
        this.pending.delete(f.id);
        clearTimeout(p.timer);
        if (f.t === 'error') p.reject(new ServerError(f.code, f.message, f.devices));
        else p.resolve(f);
        return;
      }
      if (f.t === 'ping') {
        this.ws?.send(encodeFrame({ t: 'pong', id: f.id }));
        return;
      }
      if (f.t === 'pong') return;
    }
    this.o.onPush(f);
  }

  private startPing(ws: WebSocketLike): void {
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (this.ws !== ws) return;
      this.requestOnSocket({ t: 'ping' }).catch(() => {
        if (this.ws === ws) ws.close();
      });
    }, PING_EVERY_MS);
    unref(this.pingTimer);
  }

  private dropSocket(): void {
    const ws = this.ws;
    const wasOnline = this.authenticated;
    this.ws = undefined;
    this.authenticated = false;
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new SottoError('NOT_CONNECTED'));
      this.pending.delete(id);
    }
    if (ws !== undefined) {
      ws.onmessage = null;
      ws.onclose = null;
      ws.onopen = null;
      ws.onerror = () => {};
      try {
        ws.close();
      } catch {
        // already closed
      }
    }
    if (wasOnline || ws !== undefined) this.o.onState({ state: 'offline' });
  }

  private scheduleReconnect(): void {
    if (!this.running || this.reconnectTimer !== undefined) return;
    this.attempt++;
    // Move on to the next server after every failed attempt: a dead node is skipped at once.
    this.urlIndex = (this.urlIndex + 1) % Math.max(1, this.o.urls.length);
    const base = Math.min(this.o.maxDelayMs, this.o.minDelayMs * 2 ** Math.min(this.attempt - 1, 16));
    const delay = base / 2 + Math.random() * (base / 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.open();
    }, delay);
    unref(this.reconnectTimer);
  }
}
