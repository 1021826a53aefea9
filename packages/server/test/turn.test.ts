/**
 * TURN credentials end to end: a real server hands an authenticated device the operator's STUN and TURN
 * servers with credentials that a real coturn (Debian's, started on free ports) accepts, that carry no
 * account name, and that coturn refuses once expired or when minted under another secret. `calls.ice` is
 * refused before authentication and rate-limited per device; without TURN it answers with an empty list.
 * The secret reaches no log line.
 */
import { spawn } from 'node:child_process';
import type { IceServer } from '@sotto/protocol';
import { TurnSecret, turnCredential } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAccount } from './helpers/account.js';
import { TestClient } from './helpers/client.js';
import { hasCoturn, TestCoturn } from './helpers/coturn.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { turnAllocate } from './helpers/turn-client.js';
import { connect, registered } from './helpers/world.js';

const SECRET = 'wintry-harbour-5b1e0c7d2a9f4e38';

/** The TURN entry of an answer, with its credentials. */
function turnEntry(servers: readonly IceServer[]): Required<IceServer> {
  const e = servers.find((s) => s.urls.some((u) => u.startsWith('turn:')));
  if (e?.username === undefined || e.credential === undefined) throw new Error('no TURN entry');
  return { urls: e.urls, username: e.username, credential: e.credential };
}

/** Runs `turnutils_uclient` (relaying a few UDP packets to a local peer); resolves with its exit code. */
function uclient(port: number, username: string, password: string): Promise<number> {
  const args = ['-n', '2', '-m', '1', '-l', '120', '-u', username, '-w', password, '-e', '127.0.0.1'];
  args.push('-y', '-p', String(port), '127.0.0.1');
  return new Promise((resolve, reject) => {
    const child = spawn('turnutils_uclient', args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? -1));
  });
}

describe.runIf(hasCoturn() || process.env.CI === 'true')('TURN credentials with coturn', () => {
  let coturn: TestCoturn;
  let t: TestServer;
  let alice: TestAccount;
  let ca: TestClient;

  beforeAll(async () => {
    coturn = await TestCoturn.start({ secret: SECRET });
    t = await startTestServer({
      limits: { iceRequestsPerDevicePerMinute: 5 },
      config: {
        turn: {
          stunUrls: [coturn.stunUrl],
          turnUrls: [coturn.turnUrl('udp'), coturn.turnUrl('tcp')],
          secret: new TurnSecret(SECRET),
          ttlSeconds: 600,
        },
      },
    });
    alice = await registered(t, 'alice');
    ca = await connect(t, alice);
  }, 60_000);

  afterAll(async () => {
    await ca?.close();
    await t?.stop();
    await coturn?.stop();
  });

  it('hands out STUN and TURN servers whose credentials coturn accepts', async () => {
    const answer = await ca.request({ t: 'calls.ice' });
    expect(answer).toMatchObject({ t: 'calls.ice.result', ttlSeconds: 600 });
    if (answer.t !== 'calls.ice.result') throw new Error('no result');
    expect(answer.iceServers).toContainEqual({ urls: [coturn.stunUrl] });
    const turn = turnEntry(answer.iceServers);
    expect(turn.urls).toEqual([coturn.turnUrl('udp'), coturn.turnUrl('tcp')]);
    const [expiry, id] = turn.username.split(':');
    expect(Number(expiry) - Date.now() / 1000).toBeGreaterThan(590);
    expect(Number(expiry) - Date.now() / 1000).toBeLessThanOrEqual(600);
    expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(turn.username).not.toContain('alice');

    const outcome = await turnAllocate(coturn.port, turn.username, turn.credential);
    expect(outcome).toMatchObject({ ok: true, relayed: { address: '127.0.0.1' } });
    if (outcome.ok) {
      expect(outcome.relayed.port).toBeGreaterThanOrEqual(coturn.relayPorts.min);
      expect(outcome.relayed.port).toBeLessThanOrEqual(coturn.relayPorts.max);
    }
    // The log of the TURN server names the opaque id, never the account.
    expect(coturn.log()).toContain(turn.username);
    expect(coturn.log()).not.toContain('alice');
  });

  it('relays data for turnutils_uclient with minted credentials', async () => {
    const answer = await ca.request({ t: 'calls.ice' });
    if (answer.t !== 'calls.ice.result') throw new Error('no result');
    const turn = turnEntry(answer.iceServers);
    expect(await uclient(coturn.port, turn.username, turn.credential)).toBe(0);
    expect(await uclient(coturn.port, turn.username, 'not-the-credential')).not.toBe(0);
  }, 60_000);

  it('mints a new id per request (usernames do not link a device across calls)', async () => {
    const names = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const answer = await ca.request({ t: 'calls.ice' });
      if (answer.t !== 'calls.ice.result') throw new Error('no result');
      names.add(turnEntry(answer.iceServers).username.split(':')[1] ?? '');
    }
    expect(names.size).toBe(2);
  });

  it('coturn refuses an expired credential, another secret, and a tampered username', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = turnCredential(new TurnSecret(SECRET), now - 10, 'expired-id');
    expect(await turnAllocate(coturn.port, expired.username, expired.credential)).toMatchObject({
      ok: false,
      code: 401,
    });
    const other = turnCredential(new TurnSecret('some-other-secret-0123456789'), now + 600, 'other-id');
    expect(await turnAllocate(coturn.port, other.username, other.credential)).toMatchObject({
      ok: false,
      code: 401,
    });
    const good = turnCredential(new TurnSecret(SECRET), now + 600, 'good-id');
    const longer = good.username.replace(/^\d+/, String(now + 10 * 365 * 86400));
    expect(await turnAllocate(coturn.port, longer, good.credential)).toMatchObject({ ok: false, code: 401 });
    expect(await turnAllocate(coturn.port, good.username, good.credential)).toMatchObject({ ok: true });
  });

  it('rate-limits calls.ice per device', async () => {
    const bob = await registered(t, 'bob');
    const cb = await connect(t, bob);
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const f = await cb.request({ t: 'calls.ice' });
      codes.push(f.t === 'error' ? f.code : f.t);
    }
    expect(codes).toEqual([...Array(5).fill('calls.ice.result'), 'RATE_LIMITED']);
    await cb.close();
  });

  it('refuses calls.ice before authentication', async () => {
    const { client } = await TestClient.open(t.wsUrl);
    expect(await client.request({ t: 'calls.ice' })).toMatchObject({ t: 'error', code: 'UNAUTHENTICATED' });
    await client.close();
  });

  it('writes the secret to no log line', () => {
    const logs = t.logs.join('');
    expect(logs).toContain(coturn.turnUrl('udp'));
    expect(logs).toContain('"secret":"[redacted]"');
    expect(logs).not.toContain(SECRET);
  });
});

describe('calls.ice without TURN', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it('answers with an empty list', async () => {
    const carol = await registered(t, 'carol');
    const cc = await connect(t, carol);
    expect(await cc.request({ t: 'calls.ice' })).toMatchObject({
      t: 'calls.ice.result',
      iceServers: [],
      ttlSeconds: 21_600,
    });
    await cc.close();
  });
});
