/**
 * A WebSocket test client: connects to /v1/ws, answers the challenge with the device key, sends frames
 * with request ids and waits (with timeouts, never sleeps) for the frames it expects.
 */
import {
  authChallengeMessage,
  type ClientFrame,
  decodeFrame,
  encodeFrame,
  type ServerFrame,
} from '@sotto/protocol';
import WebSocket from 'ws';
import { provider, type TestAccount } from './account.js';

type Pred = (f: ServerFrame) => boolean;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A client frame without its request id (the client assigns one). */
export type Request = DistributiveOmit<Extract<ClientFrame, { id: number }>, 'id'>;

/** One device's connection. */
export class TestClient {
  private readonly inbox: ServerFrame[] = [];
  private readonly waiters: { pred: Pred; resolve: (f: ServerFrame) => void; reject: (e: Error) => void }[] =
    [];
  private nextId = 1;
  /** Resolves with the close code. */
  readonly closed: Promise<number>;

  private constructor(
    readonly ws: WebSocket,
    readonly origin: string,
  ) {
    ws.on('message', (data: Buffer) => {
      const frame = decodeFrame(new Uint8Array(data), { maxFrameBytes: 1 << 24 }, 'server');
      const i = this.waiters.findIndex((w) => w.pred(frame));
      const w = i >= 0 ? this.waiters.splice(i, 1)[0] : undefined;
      if (w) w.resolve(frame);
      else this.inbox.push(frame);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        for (const w of this.waiters.splice(0)) w.reject(new Error(`socket closed (${code})`));
        resolve(code);
      }),
    );
  }

  /**
   * Opens a socket to `wsUrl` without authenticating; resolves once the challenge arrived. The client signs
   * the origin of `wsUrl` (as the SDK does) unless `options.origin` names another (a client that reached
   * the server through a proxy of that name); `options.headers` go with the upgrade request.
   */
  static async open(
    wsUrl: string,
    options: { origin?: string; headers?: Record<string, string> } = {},
  ): Promise<{ client: TestClient; nonce: Uint8Array }> {
    const ws = new WebSocket(wsUrl, options.headers === undefined ? {} : { headers: options.headers });
    // Listen before `open`: the challenge may arrive in the same packet as the upgrade answer.
    const client = new TestClient(ws, options.origin ?? new URL(wsUrl).origin.replace(/^ws/, 'http'));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const challenge = await client.next((f) => f.t === 'challenge');
    if (challenge.t !== 'challenge') throw new Error('no challenge');
    return { client, nonce: challenge.nonce };
  }

  /** Opens and authenticates as `account`'s device `deviceId`. */
  static async connect(
    wsUrl: string,
    account: TestAccount,
    deviceId = 1,
    options: { origin?: string; headers?: Record<string, string> } = {},
  ): Promise<TestClient> {
    const { client, nonce } = await TestClient.open(wsUrl, options);
    const answer = await client.request(await client.authFrame(account, deviceId, nonce));
    if (answer.t !== 'ok') throw new Error(`auth failed: ${JSON.stringify(answer)}`);
    return client;
  }

  /** The `auth` frame body for `nonce`, signed by the device key. */
  async authFrame(account: TestAccount, deviceId: number, nonce: Uint8Array) {
    const message = authChallengeMessage({ nonce, account: account.name, deviceId, origin: this.origin });
    const signature = await provider.ed25519Sign(account.device(deviceId).signing.secretKey, message);
    return { t: 'auth' as const, account: account.name, deviceId, signature };
  }

  /** The next frame matching `pred` (already received or arriving within `timeoutMs`). */
  next(pred: Pred = () => true, timeoutMs = 5_000): Promise<ServerFrame> {
    const i = this.inbox.findIndex(pred);
    if (i >= 0) {
      const f = this.inbox.splice(i, 1)[0];
      if (f) return Promise.resolve(f);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        resolve: (f: ServerFrame) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`timed out waiting for a frame; inbox: ${this.inbox.map((f) => f.t).join(',')}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** True when a frame matching `pred` was received and not consumed (no waiting). */
  has(pred: Pred): boolean {
    return this.inbox.some(pred);
  }

  /** Frames received and not consumed. */
  pending(): readonly ServerFrame[] {
    return this.inbox;
  }

  /** Sends a frame with a fresh request id and resolves with the answer carrying that id. */
  async request(frame: Request | (Record<string, unknown> & { t: string })): Promise<ServerFrame> {
    const id = this.nextId++;
    this.sendFrame({ ...frame, id } as ClientFrame);
    return this.next((f) => 'id' in f && f.id === id);
  }

  /** Sends a frame as is. */
  sendFrame(frame: ClientFrame): void {
    this.ws.send(encodeFrame(frame, { maxFrameBytes: 1 << 24 }));
  }

  /** Sends raw bytes (malformed-frame tests). */
  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  /** Closes the socket and waits for it to close. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}

/** The HTTP status of a WebSocket upgrade to `wsUrl` (101 when the socket opened; it is closed again). */
export function upgradeStatus(wsUrl: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', reject);
  });
}
