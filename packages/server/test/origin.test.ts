/**
 * Connection auth cannot be relayed: the server accepts a challenge signature only for its own origins
 * (configured with --public-origin, or where it really listens), never for the origin a request's Host
 * header names. A malicious server M that relays the real server's challenge to its own victim, with any
 * Host header it likes, gets no authenticated connection.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { listeningOrigins } from '../src/modules/auth/origins.js';
import { TestAccount } from './helpers/account.js';
import { TestClient } from './helpers/client.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const portOf = (s: { address(): ReturnType<Server['address']> }) => {
  const a = s.address();
  return typeof a === 'object' && a !== null ? a.port : 0;
};

/**
 * The malicious server M: a WebSocket server that opens, for each of its own clients, a socket to the real
 * server with the Host header `host(mPort)`, and passes every frame both ways unchanged.
 */
async function relayingServer(targetWsUrl: string, host: (mPort: number) => string): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const mPort = portOf(wss);
  wss.on('connection', (victim) => {
    const upstream = new WebSocket(targetWsUrl, { headers: { host: host(mPort) } });
    const early: Buffer[] = [];
    victim.on('message', (d: Buffer) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.send(d);
      else early.push(d);
    });
    upstream.on('open', () => {
      for (const d of early.splice(0)) upstream.send(d);
    });
    upstream.on('message', (d: Buffer) => victim.send(d));
    upstream.on('close', () => victim.close());
    victim.on('close', () => upstream.close());
  });
  closers.push(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });
  return `ws://127.0.0.1:${mPort}/v1/ws`;
}

/** A reverse proxy that passes TCP through as it is (Host header included), on its own port. */
async function tcpProxy(targetPort: number): Promise<number> {
  const sockets = new Set<Socket>();
  const proxy = createServer((inbound) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(inbound).add(upstream);
    inbound.pipe(upstream).pipe(inbound);
    const end = () => {
      inbound.destroy();
      upstream.destroy();
    };
    inbound.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => proxy.close(resolve));
  });
  return portOf(proxy);
}

/** Starts a server (closed after the test) with `alice` registered on it. */
async function serverWithAlice(config: Parameters<typeof startTestServer>[0] = {}) {
  const t: TestServer = await startTestServer(config);
  closers.push(() => t.stop());
  const alice = await TestAccount.create('alice');
  expect(await alice.register(t.url)).toBe(201);
  return { t, alice, port: Number(new URL(t.url).port) };
}

/** Opens `wsUrl`, answers the challenge as `alice` (signing `origin`, default the URL's) and returns the answer. */
async function authThrough(wsUrl: string, alice: TestAccount, options: { origin?: string } = {}) {
  const { client, nonce } = await TestClient.open(wsUrl, options);
  closers.push(() => client.close());
  const answer = await client.request(await client.authFrame(alice, 1, nonce));
  return { client, answer };
}

/** True when the connection can do what only an authenticated device may. */
async function canAct(client: TestClient): Promise<boolean> {
  return (await client.request({ t: 'keys.count' })).t === 'keys.count.result';
}

const origin = (port: number, host = '127.0.0.1') => `http://${host}:${port}`;

describe("connection auth is bound to the server's own origins", () => {
  it('a relaying server gets no device authenticated, whatever Host header it sends', async () => {
    const { t, alice, port } = await serverWithAlice();
    // M names its own origin (the one its victim signed), then the real server's.
    for (const host of [(m: number) => `127.0.0.1:${m}`, () => `127.0.0.1:${port}`]) {
      const m = await relayingServer(t.wsUrl, host);
      const { client, answer } = await authThrough(m, alice);
      expect(answer.t).toBe('error');
      expect(['AUTH_ORIGIN_MISMATCH', 'AUTH_CHALLENGE_FAILED']).toContain(
        answer.t === 'error' && answer.code,
      );
      expect(await canAct(client)).toBe(false);
    }
    // Relayed with the victim's origin as Host, the server even says what went wrong, and logs it once.
    const m = await relayingServer(t.wsUrl, (mPort) => `127.0.0.1:${mPort}`);
    const mOrigin = origin(Number(new URL(m).port));
    for (let i = 0; i < 2; i++) {
      const { answer } = await authThrough(m, alice);
      expect(answer).toMatchObject({ t: 'error', code: 'AUTH_ORIGIN_MISMATCH' });
      expect(answer.t === 'error' && answer.message).toContain(mOrigin);
      expect(answer.t === 'error' && answer.message).toContain('--public-origin');
    }
    expect(t.logs.filter((l) => l.includes(mOrigin) && l.includes('--public-origin'))).toHaveLength(1);
  });

  it('with --public-origin, a relaying server still gets nothing', async () => {
    const { t, alice } = await serverWithAlice({
      config: { publicOrigins: ['https://chat.example.org'] },
    });
    for (const host of [(m: number) => `127.0.0.1:${m}`, () => 'chat.example.org']) {
      const m = await relayingServer(t.wsUrl, host);
      const { client, answer } = await authThrough(m, alice);
      expect(answer.t).toBe('error');
      expect(await canAct(client)).toBe(false);
    }
    // A client that reached it as https://chat.example.org (through its TLS proxy) gets in.
    const { client, answer } = await authThrough(t.wsUrl, alice, { origin: 'https://chat.example.org' });
    expect(answer).toMatchObject({ t: 'ok' });
    expect(await canAct(client)).toBe(true);
  });

  it('a client that connects to 127.0.0.1 or localhost directly gets in', async () => {
    const { alice, port } = await serverWithAlice();
    for (const host of ['127.0.0.1', 'localhost']) {
      const { client, answer } = await authThrough(`ws://${host}:${port}/v1/ws`, alice);
      expect(answer).toMatchObject({ t: 'ok' });
      expect(await canAct(client)).toBe(true);
    }
  });

  it('behind a proxy it needs --public-origin, says so, and takes a list of them', async () => {
    const plain = await serverWithAlice();
    const p0 = await tcpProxy(plain.port);
    const refused = await authThrough(`ws://127.0.0.1:${p0}/v1/ws`, plain.alice);
    expect(refused.answer).toMatchObject({ t: 'error', code: 'AUTH_ORIGIN_MISMATCH' });

    // Two proxies in front of one server, each name configured (once as a list, once repeated below).
    const proxied = await serverWithAlice();
    await proxied.t.stop(true);
    const p1 = await tcpProxy(proxied.port);
    const p2 = await tcpProxy(proxied.port);
    const t = await startTestServer({
      dataDir: proxied.t.dataDir,
      config: { port: proxied.port, publicOrigins: [origin(p1), origin(p2, 'localhost')] },
    });
    closers.push(() => t.stop());
    for (const url of [`ws://127.0.0.1:${p1}/v1/ws`, `ws://localhost:${p2}/v1/ws`]) {
      const { client, answer } = await authThrough(url, proxied.alice);
      expect(answer).toMatchObject({ t: 'ok' });
      expect(await canAct(client)).toBe(true);
    }
    // Only the configured origins count now: not even the direct address.
    const direct = await authThrough(t.wsUrl, proxied.alice);
    expect(direct.answer).toMatchObject({ t: 'error' });
  });

  it('bound to every interface, it takes the host name and the interface addresses with the bound port', async () => {
    const { t, alice, port } = await serverWithAlice({ config: { host: '0.0.0.0' } });
    const { answer } = await authThrough(t.wsUrl, alice, { origin: origin(port, hostname()) });
    expect(answer).toMatchObject({ t: 'ok' });
    const wrongPort = await authThrough(t.wsUrl, alice, { origin: origin(port + 1) });
    expect(wrongPort.answer).toMatchObject({ t: 'error' });

    const machine = {
      hostname: () => 'Box',
      networkInterfaces: () => ({
        lo: [{ address: '127.0.0.1' }, { address: '::1' }],
        eth0: [{ address: '192.0.2.7' }, { address: '2001:db8::7' }],
      }),
    } as unknown as Parameters<typeof listeningOrigins>[3];
    expect(listeningOrigins('https', '::', 8443, machine).sort()).toEqual(
      [
        'https://localhost:8443',
        'https://127.0.0.1:8443',
        'https://[::1]:8443',
        'https://192.0.2.7:8443',
        'https://[2001:db8::7]:8443',
        'https://box:8443',
      ].sort(),
    );
    // Bound to one address: that one and the loopback names only; default ports as browsers write them.
    expect(listeningOrigins('http', '192.0.2.7', 80, machine)).toEqual([
      'http://localhost',
      'http://127.0.0.1',
      'http://[::1]',
      'http://192.0.2.7',
    ]);
  });
});
