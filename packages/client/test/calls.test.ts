/**
 * Calls through the SDK against a real server: two (or more) clients exchange fake SDP and ICE strings
 * end to end and the state machine does the rest — connect and hang up from either side, decline,
 * ring-out (missed), busy, answered on another device, glare, stale offers, a blocked caller and a
 * non-contact refused. The media engine is the app's; here the "SDP" is any text of the right shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call, CallOutcome, ClientOptions, Message, SottoClient } from '../src/index.js';
import { MemoryStore } from '../src/index.js';
import { client, collect, next, STRONG, startTestServer, type TestServer, until } from './helpers/world.js';

let t: TestServer;
const clients: SottoClient[] = [];
/** Short enough that the ring-out test is quick, long enough for a slow machine to answer. */
const RING_MS = 5_000;

async function make(name: string, extra: Partial<ClientOptions> = {}): Promise<SottoClient> {
  const c = client(t.url, new MemoryStore(), { calls: { ringTimeoutMs: RING_MS }, ...extra });
  clients.push(c);
  await c.register({ name, password: STRONG });
  return c;
}

async function befriend(a: SottoClient, b: SottoClient): Promise<void> {
  const bName = (await b.whoami()).account;
  const aName = (await a.whoami()).account;
  const accepted = next(a, 'contact-event', (e) => e.kind === 'accept' && e.account === bName);
  const req = next(b, 'contact-request', (e) => e.account === aName);
  await a.requestContact(bName);
  await req;
  await b.acceptContact(aName);
  await accepted;
  await a.listContacts();
  await b.listContacts();
}

/** Resolves when `call` ends, with its outcome. */
function ended(call: Call): Promise<CallOutcome | undefined> {
  if (call.state === 'ended') return Promise.resolve(call.outcome);
  return new Promise((resolve) => {
    call.on('state', (e) => {
      if (e.state === 'ended') resolve(e.outcome);
    });
  });
}

/** The call log entries of the conversation with `peer`. */
async function callLog(c: SottoClient, peer: string): Promise<Message[]> {
  return (await c.history(peer)).filter((m) => m.call !== undefined);
}

const OFFER = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n';
const ANSWER = 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n';
const cand = (n: number) => ({
  candidate: `candidate:${n} 1 udp 2122260223 127.0.0.1 ${50000 + n} typ host`,
  sdpMid: '0',
  sdpMLineIndex: 0,
});

let alice: SottoClient;
let bob: SottoClient;
let carol: SottoClient;

beforeAll(async () => {
  t = await startTestServer();
  [alice, bob, carol] = await Promise.all([make('alice'), make('bob'), make('carol')]);
  await befriend(alice, bob);
  await befriend(carol, bob);
}, 60_000);
afterAll(async () => {
  for (const c of clients) await c.close();
  await t.stop();
});

/** Alice calls bob; bob accepts; candidates go both ways; both report connected. */
async function connect(): Promise<{ out: Call; inc: Call }> {
  const ringing = next(bob, 'call');
  const out = await alice.calls.start('bob', { media: 'video', sdp: OFFER });
  expect(out.state).toBe('outgoing');
  const inc = await ringing;
  expect(inc).toMatchObject({
    id: out.id,
    peer: 'alice',
    direction: 'in',
    media: 'video',
    state: 'incoming',
  });
  expect(inc.remoteOffer).toBe(OFFER);
  const answer = new Promise<string>((resolve) => out.on('answer', (a) => resolve(a.sdp)));
  const fromBob = new Promise<unknown[]>((resolve) => out.onCandidates((c) => resolve([...c])));
  out.addCandidates([cand(1), cand(2)]); // before the answer: they still go to every device of bob
  await inc.accept(ANSWER);
  expect(inc.state).toBe('connecting');
  expect(await answer).toBe(ANSWER);
  expect(out.state).toBe('connecting');
  inc.addCandidates([cand(3), { candidate: '' }]);
  expect(await fromBob).toEqual([cand(3), { candidate: '' }]);
  await until(async () => {
    const got: unknown[] = [];
    inc.onCandidates((c) => got.push(...c))();
    return got.length === 2;
  });
  out.connected();
  inc.connected();
  expect([out.state, inc.state]).toEqual(['connected', 'connected']);
  return { out, inc };
}

describe('calls', () => {
  it('connects, then the callee hangs up; both log the call with its duration', async () => {
    const { out, inc } = await connect();
    const aliceDone = ended(out);
    await inc.hangup();
    expect(inc.outcome).toBe('ended');
    expect(await aliceDone).toBe('ended');
    expect(alice.calls.current).toBeUndefined();
    await until(
      async () => (await callLog(alice, 'bob')).length === 1 && (await callLog(bob, 'alice')).length === 1,
    );
    const [a] = await callLog(alice, 'bob');
    const [b] = await callLog(bob, 'alice');
    expect(a).toMatchObject({ direction: 'out', call: { id: out.id, media: 'video', outcome: 'ended' } });
    expect(b).toMatchObject({ direction: 'in', call: { id: out.id, outcome: 'ended' } });
    expect(a?.text).toMatch(/^Call ended \(video, \d+:\d\d\)$/);
    expect(typeof a?.call?.durationMs).toBe('number');
  }, 30_000);

  it('connects, then the caller hangs up', async () => {
    const { out, inc } = await connect();
    const bobDone = ended(inc);
    await out.hangup();
    expect(await bobDone).toBe('ended');
    expect(out.outcome).toBe('ended');
  }, 30_000);

  it('a declined call shows as declined to the caller', async () => {
    const ringing = next(bob, 'call');
    const out = await alice.calls.start('bob', { media: 'audio', sdp: OFFER });
    const inc = await ringing;
    const done = ended(out);
    await inc.decline();
    expect(await done).toBe('declined');
    await expect(inc.accept(ANSWER)).rejects.toMatchObject({ code: 'CALL_STATE' });
    await until(async () => (await callLog(alice, 'bob')).some((m) => m.call?.id === out.id));
    const entry = (await callLog(alice, 'bob')).find((m) => m.call?.id === out.id);
    expect(entry?.text).toBe('Declined call (voice)');
  }, 30_000);

  it('an unanswered call rings out: missed on the callee, no answer on the caller', async () => {
    const ringing = next(bob, 'call');
    const out = await alice.calls.start('bob', { media: 'video', sdp: OFFER });
    const inc = await ringing;
    const missed = next(bob, 'message', (m) => m.call?.id === out.id, 20_000);
    expect(await ended(out)).toBe('no-answer');
    expect(await ended(inc)).toBe('missed');
    expect(await missed).toMatchObject({ text: 'Missed call (video)', call: { outcome: 'missed' } });
  }, 30_000);

  it('a caller who gives up leaves a missed call', async () => {
    const ringing = next(bob, 'call');
    const out = await alice.calls.start('bob', { media: 'audio', sdp: OFFER });
    const inc = await ringing;
    await out.hangup();
    expect(out.outcome).toBe('cancelled');
    expect(await ended(inc)).toBe('missed');
  }, 30_000);

  it('a second call while one goes on gets busy; the first is untouched', async () => {
    const { out, inc } = await connect();
    const logged = next(bob, 'message', (m) => m.conversation === 'carol' && m.call !== undefined);
    const calls = collect(bob, 'call');
    const second = await carol.calls.start('bob', { media: 'audio', sdp: OFFER });
    expect(await ended(second)).toBe('busy');
    expect((await logged).call?.outcome).toBe('busy');
    expect(calls).toEqual([]);
    expect([out.state, inc.state]).toEqual(['connected', 'connected']);
    await expect(alice.calls.start('carol', { media: 'audio', sdp: OFFER })).rejects.toMatchObject({
      code: 'CALL_BUSY',
    });
    await out.hangup();
    await ended(inc);
  }, 30_000);

  it('every device rings; when one answers the others stop (answered elsewhere)', async () => {
    const bob2 = client(t.url, new MemoryStore(), { calls: { ringTimeoutMs: RING_MS } });
    clients.push(bob2);
    const added = next(alice, 'devices-changed', (e) => e.account === 'bob', 20_000);
    await bob2.login({ name: 'bob', password: STRONG });
    await alice.listContacts();
    await added.catch(() => undefined); // alice may only learn of it on her next send (DEVICE_MISMATCH)
    const r1 = next(bob, 'call');
    const r2 = next(bob2, 'call');
    const out = await alice.calls.start('bob', { media: 'video', sdp: OFFER });
    const [c1, c2] = await Promise.all([r1, r2]);
    expect(c2.id).toBe(out.id);
    const answer = new Promise<void>((resolve) => out.on('answer', () => resolve()));
    await c1.accept(ANSWER);
    expect(await ended(c2)).toBe('answered-elsewhere');
    await answer;
    expect(out.peerDevice).toBe((await bob.whoami()).deviceId);

    // Declined on one device: the other stops ringing too, as declined.
    await out.hangup();
    await ended(c1);
    const r3 = next(bob, 'call');
    const r4 = next(bob2, 'call');
    const again = await alice.calls.start('bob', { media: 'audio', sdp: OFFER });
    const [d1, d2] = await Promise.all([r3, r4]);
    await d2.decline();
    expect(await ended(d1)).toBe('declined');
    expect(await ended(again)).toBe('declined');
    await bob2.close();
  }, 60_000);

  it('glare: both call at once and exactly one call survives, the same on both sides', async () => {
    const onAlice = next(alice, 'call');
    const onBob = next(bob, 'call');
    const [a, b] = await Promise.all([
      alice.calls.start('bob', { media: 'video', sdp: OFFER }),
      bob.calls.start('alice', { media: 'video', sdp: OFFER }),
    ]);
    const winner = a.id < b.id ? a : b;
    const loser = winner === a ? b : a;
    const ringing = await (winner === a ? onBob : onAlice);
    expect(ringing.id).toBe(winner.id);
    expect(ringing.replaces).toBe(loser.id);
    expect(loser.state).toBe('ended');
    expect(winner.state).toBe('outgoing');
    await ringing.accept(ANSWER);
    await until(() => winner.state === 'connecting');
    await winner.hangup();
    await ended(ringing);
  }, 30_000);

  it('an offer fetched too late (by the server clock) is logged as missed and never rings', async () => {
    // dora takes 1.5 s as "too late", and is offline while alice calls.
    const late = await make('dora', { calls: { ringTimeoutMs: RING_MS, staleOfferMs: 1_500 } });
    await befriend(alice, late);
    await late.close();
    const out = await alice.calls.start('dora', { media: 'audio', sdp: OFFER });
    await new Promise((r) => setTimeout(r, 2_000));
    const calls = collect(late, 'call');
    const logged = next(late, 'message', (m) => m.call !== undefined, 20_000);
    await late.connect();
    expect(await logged).toMatchObject({ conversation: 'alice', call: { id: out.id, outcome: 'missed' } });
    expect(calls).toEqual([]);
    await out.hangup();
  }, 60_000);

  it('a device whose clock is two minutes off still rings (age is judged by the server clock)', async () => {
    const skewed = await make('finn', { clock: { now: () => Date.now() + 120_000 } });
    await befriend(alice, skewed);
    const ringing = next(skewed, 'call');
    const out = await alice.calls.start('finn', { media: 'audio', sdp: OFFER });
    const inc = await ringing;
    expect(inc.state).toBe('incoming');
    await out.hangup();
    expect(await ended(inc)).toBe('missed');
  }, 60_000);

  it('a blocked contact cannot ring (see calls-hostile for a lying server), and a non-contact is refused', async () => {
    const calls = collect(bob, 'call');
    await bob.blockContact('carol');
    // The server refuses it (carol may already have learned that the relationship ended).
    await expect(carol.calls.start('bob', { media: 'audio', sdp: OFFER })).rejects.toSatisfy(
      (e: { code?: string }) => e.code === 'BLOCKED' || e.code === 'NOT_A_CONTACT',
    );
    expect(carol.calls.current).toBeUndefined();
    // Whatever carol sent is in bob's mailbox before alice's message: once that arrived, nothing rang.
    const got = next(bob, 'message', (m) => m.text === 'after the block');
    await alice.send('bob', 'after the block');
    await got;
    expect(calls).toEqual([]);

    const eve = await make('eve');
    await expect(eve.calls.start('bob', { media: 'audio', sdp: OFFER })).rejects.toMatchObject({
      code: 'NOT_A_CONTACT',
    });
    await expect(alice.calls.start('alice', { media: 'audio', sdp: OFFER })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  }, 60_000);

  it('refuses an SDP out of bounds or with control characters', async () => {
    await expect(
      alice.calls.start('bob', { media: 'audio', sdp: 'x'.repeat(25 * 1024) }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(alice.calls.current).toBeUndefined();
    await expect(alice.calls.start('bob', { media: 'audio', sdp: 'v=0\u0000' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
