/**
 * ICE servers through the SDK, against a real server configured with a real coturn (Debian's, on free
 * ports): `iceServers()` gives `RTCIceServer`-shaped entries whose TURN credentials coturn accepts, keeps
 * them until shortly before they expire (one request however many callers), and fetches new ones then. A
 * server without TURN gives an empty list.
 */
import { TurnSecret } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCoturn, TestCoturn } from '../../server/test/helpers/coturn.js';
import { turnAllocate } from '../../server/test/helpers/turn-client.js';
import { ICE_REFRESH_MIN_MS } from '../src/ice.js';
import { type IceServer, MemoryStore, type SottoClient } from '../src/index.js';
import { client, STRONG, startTestServer, type TestServer } from './helpers/world.js';

const TTL_SECONDS = 600;
const clients: SottoClient[] = [];
afterAll(async () => {
  for (const c of clients) await c.close();
});

/** A clock the test moves (the SDK's cache reads it). */
const clock = { time: Date.now(), now: () => clock.time };

async function make(t: TestServer, name: string): Promise<SottoClient> {
  const c = client(t.url, new MemoryStore(), { clock });
  clients.push(c);
  await c.register({ name, password: STRONG });
  return c;
}

const turnOf = (servers: IceServer[]) => servers.find((s) => s.urls[0]?.startsWith('turn:'));

describe.runIf(hasCoturn() || process.env.CI === 'true')('ICE servers through the SDK', () => {
  let coturn: TestCoturn;
  let t: TestServer;
  beforeAll(async () => {
    coturn = await TestCoturn.start();
    t = await startTestServer({
      turn: {
        stunUrls: [coturn.stunUrl],
        turnUrls: [coturn.turnUrl()],
        secret: new TurnSecret(coturn.secret),
        ttlSeconds: TTL_SECONDS,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await coturn?.stop();
  });

  it('gives STUN and TURN entries whose credentials coturn accepts', async () => {
    const alice = await make(t, 'alice');
    const servers = await alice.iceServers();
    expect(servers[0]).toEqual({ urls: [coturn.stunUrl] });
    const turn = turnOf(servers);
    expect(turn?.urls).toEqual([coturn.turnUrl()]);
    expect(turn?.username).not.toContain('alice');
    const outcome = await turnAllocate(coturn.port, turn?.username ?? '', turn?.credential ?? '');
    expect(outcome.ok).toBe(true);
  });

  it('keeps the credentials until shortly before they expire, then fetches new ones', async () => {
    const bob = await make(t, 'bob');
    const [a, b] = await Promise.all([bob.iceServers(), bob.iceServers()]);
    const first = turnOf(a)?.username;
    expect(first).toBeDefined();
    expect(turnOf(b)?.username).toBe(first);
    // A caller that edits its copy spoils nothing.
    a.splice(0);
    clock.time += TTL_SECONDS * 1000 - ICE_REFRESH_MIN_MS - 1_000;
    const still = await bob.iceServers();
    expect(still).toHaveLength(2);
    expect(turnOf(still)?.username).toBe(first);
    clock.time += 2_000;
    const renewed = turnOf(await bob.iceServers());
    expect(renewed?.username).not.toBe(first);
    const outcome = await turnAllocate(coturn.port, renewed?.username ?? '', renewed?.credential ?? '');
    expect(outcome.ok).toBe(true);
  });
});

describe('ICE servers without TURN', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t?.stop());

  it('is an empty list', async () => {
    const carol = await make(t, 'carol');
    expect(await carol.iceServers()).toEqual([]);
  });
});
