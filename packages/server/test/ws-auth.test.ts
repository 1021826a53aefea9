import { encodeCbor } from '@sotto/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TestAccount } from './helpers/account.js';
import { TestClient } from './helpers/client.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let t: TestServer;
let alice: TestAccount;
beforeAll(async () => {
  t = await startTestServer();
  alice = await TestAccount.create('alice');
  expect(await alice.register(t.url)).toBe(201);
});
afterAll(async () => {
  await t.stop();
});

describe('connection authentication', () => {
  it('authenticates a device that signs the fresh challenge', async () => {
    const c = await TestClient.connect(t.wsUrl, alice);
    expect(await c.request({ t: 'keys.count' })).toMatchObject({
      t: 'keys.count.result',
      oneTime: 0,
      kem: 0,
    });
    await c.close();
  });

  it('refuses a replayed signature on another connection', async () => {
    const first = await TestClient.open(t.wsUrl);
    const auth = await first.client.authFrame(alice, 1, first.nonce);
    expect(await first.client.request(auth)).toMatchObject({ t: 'ok' });

    const second = await TestClient.open(t.wsUrl);
    const replay = await second.client.request(auth);
    expect(replay).toMatchObject({ t: 'error', code: 'AUTH_CHALLENGE_FAILED' });
    // Still unauthenticated; a fresh challenge came and the connection lives on.
    expect(await second.client.request({ t: 'contacts.list' })).toMatchObject({ code: 'UNAUTHENTICATED' });
    const fresh = await second.client.next((f) => f.t === 'challenge');
    if (fresh.t !== 'challenge') throw new Error('no challenge');
    expect(await second.client.request(await second.client.authFrame(alice, 1, fresh.nonce))).toMatchObject({
      t: 'ok',
    });
    await first.client.close();
    await second.client.close();
  });

  it('refuses a signature by another key, for an unknown device, and a reused nonce', async () => {
    const mallory = await TestAccount.create('alice');
    const { client, nonce } = await TestClient.open(t.wsUrl);
    expect(await client.request(await client.authFrame(mallory, 1, nonce))).toMatchObject({
      code: 'AUTH_CHALLENGE_FAILED',
    });
    // The old nonce is spent even with the right key.
    expect(await client.request(await client.authFrame(alice, 1, nonce))).toMatchObject({
      code: 'AUTH_CHALLENGE_FAILED',
    });
    const fresh = await client.next((f) => f.t === 'challenge');
    if (fresh.t !== 'challenge') throw new Error('no challenge');
    const unknownDevice = { ...(await client.authFrame(alice, 1, fresh.nonce)), deviceId: 7 };
    expect(await client.request(unknownDevice)).toMatchObject({ code: 'AUTH_CHALLENGE_FAILED' });
    await client.close();
  });

  it('answers malformed, unknown and oversize frames with errors and keeps the connection', async () => {
    const c = await TestClient.connect(t.wsUrl, alice);
    c.sendRaw(new Uint8Array([0xff, 0xfe, 0x00]));
    expect(await c.next((f) => f.t === 'error')).toMatchObject({ code: 'BAD_FRAME' });
    c.sendRaw(encodeCbor({ t: 'no.such.frame', id: 1 }));
    expect(await c.next((f) => f.t === 'error')).toMatchObject({ code: 'UNKNOWN_FRAME_TYPE' });
    c.sendRaw(encodeCbor({ t: 'send', id: 2, to: 'alice', messages: 'nope' }));
    expect(await c.next((f) => f.t === 'error')).toMatchObject({ code: 'BAD_FRAME' });
    c.sendRaw(new Uint8Array(300 * 1024));
    expect(await c.next((f) => f.t === 'error')).toMatchObject({ code: 'FRAME_TOO_LARGE' });
    c.sendRaw('a text frame');
    expect(await c.next((f) => f.t === 'error')).toMatchObject({ code: 'BAD_FRAME' });
    expect(await c.request({ t: 'ping' })).toMatchObject({ t: 'pong' });
    await c.close();
  });

  it('answers a frame that fails its schema with the request id it carried', async () => {
    const c = await TestClient.connect(t.wsUrl, alice);
    c.sendRaw(encodeCbor({ t: 'send', id: 41, to: 'alice', messages: 'nope' }));
    expect(await c.next((f) => f.t === 'error')).toMatchObject({ code: 'BAD_FRAME', id: 41 });
    c.sendRaw(encodeCbor({ t: 'keys.count', id: 'x' }));
    const noId = await c.next((f) => f.t === 'error');
    expect(noId).toMatchObject({ code: 'BAD_FRAME' });
    expect('id' in noId).toBe(false);
    await c.close();
  });

  it('closes an unauthenticated socket (1008) at its third failed auth', async () => {
    const mallory = await TestAccount.create('alice');
    const { client, nonce } = await TestClient.open(t.wsUrl);
    let challenge = nonce;
    for (let i = 0; i < 2; i++) {
      expect(await client.request(await client.authFrame(mallory, 1, challenge))).toMatchObject({
        code: 'AUTH_CHALLENGE_FAILED',
      });
      const fresh = await client.next((f) => f.t === 'challenge');
      if (fresh.t !== 'challenge') throw new Error('no challenge');
      challenge = fresh.nonce;
    }
    expect(await client.request(await client.authFrame(mallory, 1, challenge))).toMatchObject({
      code: 'AUTH_CHALLENGE_FAILED',
    });
    expect(await client.closed).toBe(1008);
  });

  it('closes an abusive peer that keeps sending garbage', async () => {
    const c = await TestClient.connect(t.wsUrl, alice);
    for (let i = 0; i < 100; i++) c.sendRaw(new Uint8Array([0xff]));
    expect(await c.closed).toBe(1008);
  });

  it('counts connections and frames in /metrics', async () => {
    const c = await TestClient.connect(t.wsUrl, alice);
    await c.request({ t: 'ping' });
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(/sotto_connections [1-9]/);
    expect(text).toContain('sotto_frames_in_total{type="ping"}');
    expect(text).toContain('sotto_errors_total{code="AUTH_CHALLENGE_FAILED"}');
    await c.close();
  });
});

describe('heartbeat', () => {
  it('drops a peer that stops answering pings', async () => {
    const fast = await startTestServer({ limits: { heartbeatMs: 50 } });
    try {
      const ws = new WebSocket(fast.wsUrl, { autoPong: false });
      const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
      expect(code).toBe(1006);
    } finally {
      await fast.stop();
    }
  });
});
