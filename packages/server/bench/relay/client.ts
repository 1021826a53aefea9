/**
 * The load generator's connections. A Sotto device connection answers the challenge with the device key
 * (the real auth, as in test/helpers/client.ts) and then hands every frame to `onFrame`, with no inbox and
 * no waiting, so the generator stays cheap; a floor connection is a bare socket.
 */
import {
  authChallengeMessage,
  type ClientFrame,
  decodeFrame,
  encodeFrame,
  type ServerFrame,
} from '@sotto/protocol';
import WebSocket from 'ws';
import { provider, type TestAccount } from '../../test/helpers/account.js';

const LIMITS = { maxFrameBytes: 1 << 24 };
const AUTH_ID = 1;

/** Encodes a client frame (validated against its schema). */
export const encode = (frame: ClientFrame): Uint8Array => encodeFrame(frame, LIMITS);

/**
 * Opens `wsUrl` and authenticates as `account`'s device `deviceId`; resolves with the socket once the
 * server said `ok`. Every later frame goes to `onFrame`, in order (none is lost between `ok` and the
 * caller). Rejects when authentication fails or the socket errors first.
 */
export function connectDevice(
  wsUrl: string,
  account: TestAccount,
  deviceId: number,
  onFrame: (f: ServerFrame) => void = () => {},
): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl);
  const origin = new URL(wsUrl).origin.replace(/^ws/, 'http');
  let authenticated = false;
  return new Promise((resolve, reject) => {
    ws.on('error', (err) => {
      if (!authenticated) reject(err);
    });
    ws.once('close', (code) => {
      if (!authenticated) reject(new Error(`closed before auth (${code})`));
    });
    ws.on('message', (data: Buffer) => {
      let f: ServerFrame;
      try {
        f = decodeFrame(new Uint8Array(data), LIMITS, 'server');
      } catch (err) {
        // The server sent something that is not a valid frame: report it as an error, keep going.
        if (authenticated) onFrame({ t: 'error', code: 'BAD_FRAME', message: String(err) });
        else reject(err);
        return;
      }
      if (authenticated) return onFrame(f);
      if (f.t === 'challenge') {
        const message = authChallengeMessage({ nonce: f.nonce, account: account.name, deviceId, origin });
        provider
          .ed25519Sign(account.device(deviceId).signing.secretKey, message)
          .then(
            (signature) =>
              ws.send(encode({ t: 'auth', id: AUTH_ID, account: account.name, deviceId, signature })),
            reject,
          );
      } else if (f.t === 'ok' && f.id === AUTH_ID) {
        authenticated = true;
        resolve(ws);
      } else if (f.t === 'error') {
        reject(new Error(`auth failed: ${f.code}`));
      }
    });
  });
}

/** Opens a bare socket to `url`; resolves once open. */
export function connectBare(url: string, onMessage: (data: Buffer) => void = () => {}): Promise<WebSocket> {
  const ws = new WebSocket(url);
  ws.on('message', onMessage);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.on('error', reject);
  });
}

/** Closes `ws` and resolves once it is closed. */
export function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    ws.once('close', () => resolve());
    ws.close();
  });
}
