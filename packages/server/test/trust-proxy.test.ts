/**
 * Per-IP limits behind reverse proxies (`--trust-proxy`): with the proxy trusted, registration/login
 * starts and WebSocket connections count per forwarded client; without it (the default), X-Forwarded-For
 * is ignored and a client cannot escape its limit by inventing one. The test process plays the proxy
 * (it connects from 127.0.0.1 and sends the header a proxy would add).
 */
import { CBOR_CONTENT_TYPE, ROUTES } from '@sotto/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { TrustProxy } from '../src/trust-proxy.js';
import { upgradeStatus } from './helpers/client.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const running: TestServer[] = [];
afterEach(async () => {
  for (const t of running.splice(0)) await t.stop();
});

const LIMIT = 3;

async function server(trustProxy: TrustProxy): Promise<TestServer> {
  const t = await startTestServer({
    limits: { loginAttemptsPerIpPerMinute: LIMIT, connectionsPerIpPerMinute: LIMIT },
    config: { trustProxy },
  });
  running.push(t);
  return t;
}

/** The status of a registration start forwarded for `client` (400: counted, the body is empty). */
async function registerStart(t: TestServer, client: string): Promise<number> {
  const res = await fetch(`${t.url}${ROUTES.registerStart}`, {
    method: 'POST',
    headers: { 'content-type': CBOR_CONTENT_TYPE, 'x-forwarded-for': client },
    body: new Uint8Array(0),
  });
  await res.arrayBuffer();
  return res.status;
}

/** The HTTP status of a WebSocket upgrade forwarded for `client` (101 when it opened). */
const upgrade = (t: TestServer, client: string) => upgradeStatus(t.wsUrl, { 'x-forwarded-for': client });

/** `n` results of `f`, one after another. */
async function times<T>(n: number, f: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await f());
  return out;
}

const counted = (statuses: number[]) => statuses.map((s) => (s === 429 ? 'limited' : 'ok'));
const ok = (n: number) => Array<string>(n).fill('ok');

describe('per-IP limits behind a trusted proxy', () => {
  for (const trust of [['127.0.0.1'], ['loopback', '10.0.0.0/8'], 1, true] as TrustProxy[]) {
    it(`count each forwarded client on its own (--trust-proxy ${String(trust)})`, async () => {
      const t = await server(trust);
      expect(counted(await times(LIMIT, () => registerStart(t, '203.0.113.1')))).toEqual(ok(LIMIT));
      expect(await registerStart(t, '203.0.113.1')).toBe(429);
      expect(await registerStart(t, '203.0.113.2')).toBe(400);

      expect(await times(LIMIT, () => upgrade(t, '203.0.113.1'))).toEqual(Array(LIMIT).fill(101));
      expect(await upgrade(t, '203.0.113.1')).toBe(429);
      expect(await upgrade(t, '203.0.113.2')).toBe(101);
    });
  }

  it('count the address the trusted proxy saw, not what the client wrote before it', async () => {
    const t = await server(['127.0.0.1']);
    // A client that sends its own X-Forwarded-For gets the proxy's entry appended: only that one counts.
    const spoofed = (i: number) => `198.51.100.${i}, 203.0.113.1`;
    expect(counted(await times(LIMIT, async () => registerStart(t, spoofed(1))))).toEqual(ok(LIMIT));
    expect(await registerStart(t, spoofed(2))).toBe(429);
    expect(await upgrade(t, spoofed(3))).toBe(101);
    expect(await times(LIMIT, () => upgrade(t, spoofed(4)))).toEqual([101, 101, 429]);
  });
});

describe('per-IP limits without --trust-proxy (the default)', () => {
  it('ignore X-Forwarded-For: inventing one does not escape the limit', async () => {
    const t = await server(false);
    let i = 0;
    const fresh = () => `203.0.113.${++i}`;
    expect(counted(await times(LIMIT, () => registerStart(t, fresh())))).toEqual(ok(LIMIT));
    expect(await registerStart(t, fresh())).toBe(429);
    expect(await times(LIMIT, () => upgrade(t, fresh()))).toEqual(Array(LIMIT).fill(101));
    expect(await upgrade(t, fresh())).toBe(429);
  });
});
