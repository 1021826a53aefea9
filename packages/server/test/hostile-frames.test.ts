/**
 * Hostile input against a live server: more than 10,000 generated frames (fast-check) — random bytes,
 * non-canonical and truncated CBOR, bit-flipped and field-mutated valid frames, valid CBOR of the wrong
 * shape, huge arrays and strings, oversize frames, text frames, and well-formed requests on sockets that
 * never authenticated — sent over several authenticated and unauthenticated sockets at once. A socket
 * the server closes as abusive is counted and replaced.
 *
 * Meanwhile a well-behaved pair of clients keeps exchanging messages. The two sides are interlocked by
 * progress, not by time: the attackers may run at most two steps of {@link PAIR_EVERY} frames ahead of
 * the pair, so every message of the pair crosses the server while hostile frames are in flight.
 *
 * Asserted: the server stays up (`/healthz`, `/readyz`), answers every malformed frame with an `error`
 * carrying exactly the code the protocol codec gives for it, uses only registered codes and never
 * INTERNAL, sends only valid frames, closes abusive sockets only with 1008/1009, and the pair loses
 * nothing. Reproduce a run with HOSTILE_SEED=<seed> (printed in the summary).
 */
import { DEFAULT_LIMITS, ERROR_CODES, encodeCbor, type ServerFrame, tryDecodeFrame } from '@sotto/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAccount } from './helpers/account.js';
import { TestClient } from './helpers/client.js';
import { type Hostile, hostile } from './helpers/hostile-arbitraries.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { befriend, connect, registered } from './helpers/world.js';

const TOTAL = 10_000;
const BATCH = 20;
const PAIR_EVERY = 50;
const PAIR_MESSAGES = TOTAL / PAIR_EVERY;
const AUTH_WORKERS = 3;
const UNAUTH_WORKERS = 3;
/** A ping id generated frames never use (their ids stay below 2^31). */
const SENTINEL_ID = 0xffff_fff0;
const MAX = DEFAULT_LIMITS.maxFrameBytes;
/** Frames up to this size are read and answered; larger ones close the socket (1009). See `Hub`. */
const READ_CAP = Math.max(4 * MAX, DEFAULT_LIMITS.maxGroupFrameBytes + MAX);
const SEED = Number(process.env.HOSTILE_SEED ?? 20261122);

let t: TestServer;
let alice: TestAccount;
let bob: TestAccount;
let mallory: TestAccount;
let ca: TestClient;
let cb: TestClient;

beforeAll(async () => {
  t = await startTestServer();
  alice = await registered(t, 'alice');
  bob = await registered(t, 'bob');
  mallory = await registered(t, 'mallory');
  ca = await connect(t, alice);
  cb = await connect(t, bob);
  await befriend(alice, ca, bob, cb);
});
afterAll(async () => {
  await t?.stop();
});

const KNOWN_CODES = new Set(Object.keys(ERROR_CODES));
const bump = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);
const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]));

describe('hostile frames', () => {
  it('survives 10,000+ malformed frames, answering each with its code, while a pair keeps talking', async () => {
    const frames = fc.sample(hostile, { numRuns: TOTAL, seed: SEED });
    const kinds = new Map<string, number>();
    for (const f of frames) bump(kinds, f.kind);

    const stats = {
      sent: 0,
      completedBatches: 0,
      interruptedBatches: 0,
      reconnects: 0,
      invalidServerFrames: 0,
      errorCodes: new Map<string, number>(),
      serverFrameTypes: new Map<string, number>(),
      closes: new Map<string, number>(),
      /** Over completed batches: the codes the codec gives for the malformed frames sent… */
      expectedDecodeErrors: new Map<string, number>(),
      /** …and the codes of the `error` frames that answered them (no id, or the frame's readable id). */
      answeredDecodeErrors: new Map<string, number>(),
      /** Malformed frames (in completed batches) whose request id could be read, and answers echoing it. */
      readableIds: 0,
      echoedIds: 0,
    };

    // Progress interlock between the attackers and the pair (see the file comment).
    let taken = 0;
    let pairDone = 0;
    let attackersDone = false;
    const wake: (() => void)[] = [];
    const notify = () => {
      for (const w of wake.splice(0)) w();
    };
    const until = async (cond: () => boolean) => {
      while (!cond()) await new Promise<void>((r) => wake.push(r));
    };

    /**
     * The error the server must answer `h` with on a socket that is or is not authenticated, before
     * routing it (the codec's verdict), with the request id when one could be read; undefined when `h` is
     * a well-formed frame (its answer depends on the state) or is too big to be read at all (1009 close).
     */
    const verdict = (h: Hostile, authenticated: boolean): { code: string; id?: number } | undefined => {
      if ('text' in h) return { code: 'BAD_FRAME' };
      if ('size' in h) return h.size > READ_CAP ? undefined : { code: 'FRAME_TOO_LARGE' };
      const r = tryDecodeFrame(h.bytes, { maxFrameBytes: MAX }, 'client');
      if (!r.ok) return r.id === undefined ? { code: r.error.code } : { code: r.error.code, id: r.id };
      if (!authenticated && r.frame.t === 'ack') return { code: 'UNAUTHENTICATED' };
      return undefined;
    };
    const validIdOf = (h: Hostile): number | undefined => {
      if (!('bytes' in h)) return undefined;
      const r = tryDecodeFrame(h.bytes, { maxFrameBytes: MAX }, 'client');
      return r.ok && 'id' in r.frame ? r.frame.id : undefined;
    };

    const openSocket = async (authenticated: boolean): Promise<TestClient> => {
      stats.reconnects++;
      if (authenticated) return TestClient.connect(t.wsUrl, mallory);
      return (await TestClient.open(t.wsUrl)).client;
    };

    const worker = async (authenticated: boolean) => {
      let client = await openSocket(authenticated);
      let dead = false;
      let received: ServerFrame[] = [];
      let onPong: (() => void) | undefined;
      let leaving = false;
      const attach = (c: TestClient) => {
        dead = false;
        c.ws.on('message', (data: Buffer) => {
          const r = tryDecodeFrame(new Uint8Array(data), { maxFrameBytes: 1 << 24 }, 'server');
          if (!r.ok) {
            stats.invalidServerFrames++;
            return;
          }
          received.push(r.frame);
          if (r.frame.t === 'pong' && r.frame.id === SENTINEL_ID) onPong?.();
        });
        void c.closed.then((code) => {
          dead = true;
          if (!leaving) bump(stats.closes, String(code));
          onPong?.();
        });
      };
      attach(client);
      for (;;) {
        await until(() => taken < (pairDone + 2) * PAIR_EVERY || taken >= frames.length);
        if (taken >= frames.length) break;
        const batch = frames.slice(taken, taken + BATCH);
        taken += batch.length;
        notify();
        if (dead) {
          client = await openSocket(authenticated);
          attach(client);
        }
        received = [];
        const answered = new Promise<void>((resolve) => {
          onPong = resolve;
        });
        for (const h of batch) {
          if ('text' in h) client.ws.send(h.text);
          else if ('size' in h) client.ws.send(Buffer.alloc(h.size, h.fill));
          else client.ws.send(h.bytes);
          stats.sent++;
        }
        client.ws.send(encodeCbor({ t: 'ping', id: SENTINEL_ID }));
        await answered;
        onPong = undefined;
        for (const f of received) {
          bump(stats.serverFrameTypes, f.t);
          if (f.t === 'error') bump(stats.errorCodes, f.code);
        }
        if (dead) {
          stats.interruptedBatches++;
          continue;
        }
        stats.completedBatches++;
        const malformedIds = new Set<number>();
        const validIds = new Set<number>();
        for (const h of batch) {
          const id = validIdOf(h);
          if (id !== undefined) validIds.add(id);
        }
        for (const h of batch) {
          const v = verdict(h, authenticated);
          // An id a valid frame of the batch also uses cannot tell whose error is whose: leave it out.
          if (v?.id !== undefined && validIds.has(v.id)) continue;
          if (v !== undefined) bump(stats.expectedDecodeErrors, v.code);
          if (v?.id !== undefined) {
            malformedIds.add(v.id);
            stats.readableIds++;
          }
        }
        for (const f of received) {
          if (f.t !== 'error') continue;
          if (f.id === undefined) bump(stats.answeredDecodeErrors, f.code);
          else if (malformedIds.has(f.id) && !validIds.has(f.id)) {
            bump(stats.answeredDecodeErrors, f.code);
            stats.echoedIds++;
          }
        }
      }
      leaving = true;
      await client.close();
    };

    /** The well-behaved pair: message k goes alice→bob (even k) or bob→alice, and is acked. */
    const delivered: number[] = [];
    const pair = async () => {
      for (let k = 0; k < PAIR_MESSAGES; k++) {
        await until(() => taken >= k * PAIR_EVERY || attackersDone);
        const [from, to, fromClient, toClient] = k % 2 === 0 ? [alice, bob, ca, cb] : [bob, alice, cb, ca];
        const body = new Uint8Array(Buffer.from(`pair message ${k}`));
        const sent = await fromClient.request({
          t: 'send',
          to: to.name,
          messages: [{ account: to.name, deviceId: 1, body }],
        });
        if (sent.t !== 'sent') throw new Error(`pair send ${k} failed: ${JSON.stringify(sent)}`);
        const env = await toClient.next((f) => f.t === 'envelope', 10_000);
        if (env.t !== 'envelope') throw new Error('not an envelope');
        expect(env.from).toEqual({ account: from.name, deviceId: 1 });
        expect(env.envelopeId).toEqual(sent.envelopeIds[0]);
        expect(Buffer.from(env.body).toString()).toBe(`pair message ${k}`);
        toClient.sendFrame({ t: 'ack', envelopeIds: [env.envelopeId] });
        delivered.push(k);
        pairDone = k + 1;
        notify();
      }
    };

    const attackers = Promise.all([
      ...Array.from({ length: AUTH_WORKERS }, () => worker(true)),
      ...Array.from({ length: UNAUTH_WORKERS }, () => worker(false)),
    ]).finally(() => {
      attackersDone = true;
      notify();
    });
    await Promise.all([attackers, pair()]);

    const health = await fetch(`${t.url}/healthz`);
    const ready = await fetch(`${t.url}/readyz`);
    const internalLogs = t.logs.filter((l) => l.includes('"level":50'));
    console.error(
      `hostile (seed ${SEED}): ${stats.sent} frames sent, ${stats.completedBatches} batches answered in full, ` +
        `${stats.interruptedBatches} cut short by a close, ${stats.reconnects} sockets opened; ` +
        `closes ${JSON.stringify(sorted(stats.closes))}; error codes ${JSON.stringify(sorted(stats.errorCodes))}; ` +
        `server frames ${JSON.stringify(sorted(stats.serverFrameTypes))}; kinds ${JSON.stringify(sorted(kinds))}; ` +
        `pair exchanged ${delivered.length} messages; ${stats.echoedIds} of ${stats.readableIds} readable ids ` +
        'of malformed frames echoed in their error',
    );

    expect(stats.sent).toBeGreaterThanOrEqual(10_000);
    expect(health.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(stats.invalidServerFrames).toBe(0);
    expect([...stats.errorCodes.keys()].filter((c) => !KNOWN_CODES.has(c))).toEqual([]);
    expect(stats.errorCodes.get('INTERNAL')).toBeUndefined();
    expect(internalLogs).toEqual([]);
    // Every malformed frame in a fully answered batch got an error with the codec's code.
    expect(sorted(stats.answeredDecodeErrors)).toEqual(sorted(stats.expectedDecodeErrors));
    // ... and that error carried the frame's id whenever the codec could read one (protocol §2).
    expect(stats.echoedIds).toBe(stats.readableIds);
    expect(stats.readableIds).toBeGreaterThan(0);
    for (const code of ['BAD_FRAME', 'UNKNOWN_FRAME_TYPE', 'FRAME_TOO_LARGE', 'UNAUTHENTICATED']) {
      expect(stats.errorCodes.get(code) ?? 0, code).toBeGreaterThan(0);
    }
    // Abusive sockets were closed (policy or too big), and nothing else closed them.
    expect(stats.closes.get('1008') ?? 0).toBeGreaterThan(0);
    expect([...stats.closes.keys()].filter((c) => c !== '1008' && c !== '1009')).toEqual([]);
    // The pair exchanged every message, in order, none lost.
    expect(delivered).toEqual([...Array(PAIR_MESSAGES).keys()]);
    // The socket of the pair was never closed.
    expect(ca.ws.readyState).toBe(ca.ws.OPEN);
    expect(cb.ws.readyState).toBe(cb.ws.OPEN);
  }, 120_000);
});
