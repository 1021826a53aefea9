/**
 * End-to-end benchmark: two SDK clients exchange 256-byte messages through a local server with full
 * encryption (fan-out, ratchet, store writes, receipts), and, in the same run, the server relay alone
 * carries the same number of same-sized bodies between the same two devices without client crypto.
 * Sequential request/answer load (one message in flight), so latency is per message and the ratio of the
 * two throughputs is the cost of the client side. Prints one JSON line last.
 *
 * Run: node --conditions source --import tsx packages/client/bench/e2e.bench.ts [messages]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeProvider } from '@sotto/crypto';
import type { FrameOf, ServerFrame } from '@sotto/protocol';
import { authChallengeMessage } from '@sotto/protocol';
import { DEFAULT_SERVER_LIMITS, defaultConfig, startServer } from '@sotto/server';
import { createClient, MemoryStore, type SottoClient } from '../src/index.js';
import { loadProfile, type Profile } from '../src/profile.js';
import { Transport, type WebSocketConstructor } from '../src/transport.js';

const N = Number(process.argv[2] ?? 500);
const TEXT = 'x'.repeat(256);
const provider = createNodeProvider();

function p99(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return Number((s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] ?? 0).toFixed(3));
}

function waitFor<T>(subscribe: (resolve: (v: T) => void) => () => void): Promise<T> {
  return new Promise((resolve) => {
    const off = subscribe((v) => {
      off();
      resolve(v);
    });
  });
}

async function e2e(alice: SottoClient, bob: SottoClient): Promise<{ msgs_per_s: number; p99_ms: number }> {
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const arrived = waitFor<unknown>((r) => bob.on('message', r));
    await alice.send('bob', TEXT);
    await arrived;
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - start) / 1000;
  return { msgs_per_s: Number((N / seconds).toFixed(1)), p99_ms: p99(latencies) };
}

async function rawTransport(
  url: string,
  profile: Profile,
  onPush: (f: ServerFrame) => void,
): Promise<Transport> {
  const { default: WS } = await import('ws');
  const t = new Transport({
    urls: [url],
    WebSocket: async () => WS as unknown as WebSocketConstructor,
    authenticate: async (nonce, origin) => {
      const message = authChallengeMessage({
        nonce,
        account: profile.account,
        deviceId: profile.deviceId,
        origin,
      });
      const signature = await provider.ed25519Sign(profile.device.signing.secretKey, message);
      return { t: 'auth', account: profile.account, deviceId: profile.deviceId, signature };
    },
    onAuthenticated: async () => undefined,
    onPush,
    onState: () => undefined,
    onFatal: () => undefined,
    minDelayMs: 50,
    maxDelayMs: 500,
    requestTimeoutMs: 15_000,
  });
  t.start();
  await t.waitOnline(10_000);
  return t;
}

async function relayOnly(url: string, a: Profile, b: Profile, bodyBytes: number) {
  let arrived: (() => void) | undefined;
  const bobT = await rawTransport(url, b, (f) => {
    if (f.t !== 'envelope') return;
    bobT.fire({ t: 'ack', envelopeIds: [f.envelopeId] });
    arrived?.();
  });
  const aliceT = await rawTransport(url, a, () => undefined);
  const body = provider.randomBytes(bodyBytes);
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const got = new Promise<void>((r) => {
      arrived = r;
    });
    const frame = {
      t: 'send' as const,
      to: b.account,
      messages: [{ account: b.account, deviceId: b.deviceId, body }],
    };
    (await aliceT.request(frame)) as FrameOf<'sent'>;
    await got;
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - start) / 1000;
  aliceT.stop();
  bobT.stop();
  return { msgs_per_s: Number((N / seconds).toFixed(1)), p99_ms: p99(latencies) };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sotto-bench-e2e-'));
  const server = await startServer(
    defaultConfig({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      logLevel: 'warn',
      limits: {
        ...DEFAULT_SERVER_LIMITS,
        sendsPerDevicePerSecond: 1_000_000,
        mailboxMaxEnvelopes: 1_000_000,
      },
    }),
    { logDestination: { write: () => undefined } },
  );
  const stores = [new MemoryStore(), new MemoryStore()] as const;
  const alice = createClient({ server: server.url, store: stores[0], provider });
  const bob = createClient({ server: server.url, store: stores[1], provider });
  const password = 'correct horse battery staple 42!';
  await alice.register({ name: 'alice', password });
  await bob.register({ name: 'bob', password });
  const accepted = waitFor<unknown>((r) => alice.on('contact-event', r));
  await alice.requestContact('bob');
  await waitFor<unknown>((r) => bob.on('contact-request', r));
  await bob.acceptContact('alice');
  await accepted;
  // Warm up (sessions, JIT), then measure.
  for (let i = 0; i < 20; i++) {
    const got = waitFor<unknown>((r) => bob.on('message', r));
    await alice.send('bob', TEXT);
    await got;
  }
  const full = await e2e(alice, bob);
  await alice.close();
  await bob.close();

  const a = await loadProfile(provider, stores[0]);
  const b = await loadProfile(provider, stores[1]);
  if (a === undefined || b === undefined) throw new Error('profiles missing');
  // The ciphertext of a 256-byte text: content framing pads to the 512-byte bucket; kind, version,
  // ratchet header (40) and GCM tag (16) come on top.
  const relay = await relayOnly(server.url, a, b, 2 + 40 + 512 + 16);
  await server.close(500);
  rmSync(dataDir, { recursive: true, force: true });
  const result = {
    bench: 'e2e',
    messages: N,
    text_bytes: TEXT.length,
    msgs_per_s: full.msgs_per_s,
    p99_ms: full.p99_ms,
    relay_msgs_per_s: relay.msgs_per_s,
    relay_p99_ms: relay.p99_ms,
    client_cost_ratio: Number((relay.msgs_per_s / full.msgs_per_s).toFixed(2)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  console.error('bench failed:', (err as Error).message);
  process.exit(1);
});
