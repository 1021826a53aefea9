/**
 * Relay-only calls in real Chromium through a real coturn: the ICE servers a real server hands a device
 * (`calls.ice`) make two `RTCPeerConnection`s with `iceTransportPolicy: 'relay'` connect and carry data
 * through the TURN relay, offering only relay candidates (no address of this machine reaches the peer);
 * with a credential coturn refuses, no candidate is gathered at all. The media layer the calls UI builds
 * on, checked without it.
 */
import { networkInterfaces } from 'node:os';
import type { IceServer } from '@sotto/protocol';
import { TurnSecret } from '@sotto/server';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient } from '../../server/test/helpers/client.js';
import { hasCoturn, TestCoturn } from '../../server/test/helpers/coturn.js';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { connect, registered } from '../../server/test/helpers/world.js';
import { CHROMIUM, HAS_CHROMIUM, IN_CI } from './helpers/harness.js';

/** What the page reports about one relay-only connection attempt. */
interface RelayOutcome {
  readonly candidates: string[];
  readonly opened: boolean;
  readonly received: string | undefined;
}

/**
 * In the page: connects two peer connections with `iceServers`, relay only, and sends one message over a
 * data channel once it opens. Resolves when the message arrived, or when gathering ended without a
 * candidate (then nothing can connect).
 */
function relayOnly(servers: IceServer[]): Promise<RelayOutcome> {
  return new Promise((resolve) => {
    const cfg: RTCConfiguration = { iceServers: servers, iceTransportPolicy: 'relay' };
    const a = new RTCPeerConnection(cfg);
    const b = new RTCPeerConnection(cfg);
    const candidates: string[] = [];
    const done = (opened: boolean, received?: string) => {
      a.close();
      b.close();
      resolve({ candidates, opened, received });
    };
    a.onicecandidate = (e) => {
      if (e.candidate !== null && e.candidate.candidate !== '') {
        candidates.push(e.candidate.candidate);
        void b.addIceCandidate(e.candidate);
      } else if (e.candidate === null && candidates.length === 0) done(false);
    };
    b.onicecandidate = (e) => {
      if (e.candidate !== null && e.candidate.candidate !== '') {
        candidates.push(e.candidate.candidate);
        void a.addIceCandidate(e.candidate);
      }
    };
    b.ondatachannel = (e) => {
      e.channel.onmessage = (m) => done(true, String(m.data));
    };
    const channel = a.createDataChannel('probe');
    channel.onopen = () => channel.send('through the relay');
    void (async () => {
      await a.setLocalDescription(await a.createOffer());
      await b.setRemoteDescription(a.localDescription as RTCSessionDescriptionInit);
      await b.setLocalDescription(await b.createAnswer());
      await a.setRemoteDescription(b.localDescription as RTCSessionDescriptionInit);
    })();
  });
}

/** Every IPv4 and IPv6 address of this machine but loopback (where coturn relays in the test). */
const ownAddresses = () =>
  Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && !i.internal)
    .map((i) => i?.address ?? '');

describe.skipIf((!HAS_CHROMIUM || !hasCoturn()) && !IN_CI)('relay-only WebRTC through coturn', () => {
  let coturn: TestCoturn;
  let t: TestServer;
  let device: TestClient;
  let browser: Browser;

  beforeAll(async () => {
    coturn = await TestCoturn.start();
    t = await startTestServer({
      config: {
        turn: {
          stunUrls: [],
          turnUrls: [coturn.turnUrl('udp')],
          secret: new TurnSecret(coturn.secret),
          ttlSeconds: 600,
        },
      },
    });
    device = await connect(t, await registered(t, 'dora'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await device?.close();
    await t?.stop();
    await coturn?.stop();
  });

  async function iceServers(): Promise<IceServer[]> {
    const answer = await device.request({ t: 'calls.ice' });
    if (answer.t !== 'calls.ice.result') throw new Error(`no ICE servers: ${JSON.stringify(answer)}`);
    return answer.iceServers;
  }

  it('connects with the server credentials and offers relay candidates only', async () => {
    const page = await browser.newPage();
    const servers = await iceServers();
    const outcome = await page.evaluate(relayOnly, servers);
    await page.close();
    expect(outcome.opened).toBe(true);
    expect(outcome.received).toBe('through the relay');
    expect(outcome.candidates.length).toBeGreaterThan(0);
    for (const c of outcome.candidates) {
      expect(c).toMatch(/ typ relay /);
      for (const address of ownAddresses()) expect(c).not.toContain(` ${address} `);
    }
    expect(coturn.log()).toContain(servers[0]?.username ?? 'no username');
  }, 60_000);

  it('gathers nothing with a credential coturn refuses', async () => {
    const page = await browser.newPage();
    const servers = (await iceServers()).map((s) => ({ ...s, credential: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }));
    const outcome = await page.evaluate(relayOnly, servers);
    await page.close();
    expect(outcome).toEqual({ candidates: [], opened: false, received: undefined });
  }, 60_000);
});
