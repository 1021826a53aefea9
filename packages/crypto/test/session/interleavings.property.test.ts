/**
 * Property: three devices (Alice; Bob's first and second device) talk pairwise over a network that
 * sends, delivers in any order, drops, duplicates, replays, tampers and restarts devices from serialized
 * state. Every delivered message decrypts exactly once, to the right text, attributed to the right
 * device; duplicates, replays and tampered copies are rejected and leave the receiver's state unchanged.
 */

import {
  acceptPrekeyMessage,
  type CryptoProvider,
  decodeSessionState,
  decryptMessage,
  encodeSessionState,
  encryptMessage,
  fromUtf8,
  initiateSession,
  messageKind,
  type SessionState,
  SottoError,
} from '@sotto/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { providerCases } from '../helpers/providers.js';
import { fingerprint, flipBit, makeDevice, type TestDevice, text } from './support.js';

type Action =
  | { readonly t: 'send'; readonly from: number; readonly to: number }
  | { readonly t: 'deliver' | 'drop' | 'dup' | 'replay'; readonly i: number }
  | { readonly t: 'tamper'; readonly i: number; readonly bit: number }
  | { readonly t: 'restart'; readonly d: number };

const device = fc.integer({ min: 0, max: 2 });
const index = fc.nat({ max: 1000 });
const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('send' as const), from: device, to: device }), weight: 5 },
  { arbitrary: fc.record({ t: fc.constant('deliver' as const), i: index }), weight: 5 },
  { arbitrary: fc.record({ t: fc.constant('drop' as const), i: index }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('dup' as const), i: index }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('replay' as const), i: index }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('tamper' as const), i: index, bit: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('restart' as const), d: device }), weight: 1 },
);

interface Envelope {
  readonly id: number;
  readonly from: number;
  readonly to: number;
  readonly text: string;
  readonly ciphertext: Uint8Array;
}

/** Who initiates each pair: mixed roles, so every device is initiator somewhere and responder elsewhere. */
const INITIATORS: ReadonlyArray<readonly [number, number]> = [
  [0, 1], // Alice → Bob 1
  [2, 0], // Bob 2 → Alice
  [1, 2], // Bob 1 → Bob 2 (own-device fan-out)
];

/** What the runs exercised, so the property cannot pass vacuously. */
const stats = { delivered: 0, accepted: 0, rejected: 0, duplicates: 0, restarts: 0, outOfOrder: 0 };

class World {
  readonly sessions: Array<Map<number, SessionState>> = [new Map(), new Map(), new Map()];
  readonly inFlight: Envelope[] = [];
  readonly delivered: Envelope[] = [];
  readonly deliveredCount = new Map<number, number>();
  readonly dropped = new Set<number>();
  private nextId = 0;

  constructor(
    private readonly p: CryptoProvider,
    readonly devices: readonly TestDevice[],
  ) {}

  static async create(p: CryptoProvider): Promise<World> {
    const alice = await makeDevice(p, 'alice', { prekeys: 1 });
    const bob1 = await makeDevice(p, 'bob', { deviceId: 1, prekeys: 1 });
    const bob2 = await makeDevice(p, 'bob', { identity: bob1.identity, deviceId: 2, prekeys: 1 });
    const world = new World(p, [alice, bob1, bob2]);
    for (const [from, to] of INITIATORS) {
      const self = world.dev(from);
      const peer = world.dev(to);
      const init = await initiateSession(p, {
        self: self.self,
        bundle: peer.bundle(),
        remoteIdentityKey: peer.identity.publicKey,
      });
      world.sessions[from]?.set(to, init.state);
    }
    return world;
  }

  dev(i: number): TestDevice {
    const d = this.devices[i];
    if (d === undefined) throw new Error('no such device');
    return d;
  }

  session(at: number, peer: number): SessionState | undefined {
    return this.sessions[at]?.get(peer);
  }

  async send(from: number, to: number): Promise<void> {
    const state = this.session(from, to);
    if (from === to || state === undefined) return; // a responder cannot speak before it heard from the peer
    const id = this.nextId++;
    const message = `${from}->${to} #${id}`;
    const sent = await encryptMessage(this.p, state, text(message));
    this.sessions[from]?.set(to, sent.state);
    this.inFlight.push({ id, from, to, text: message, ciphertext: sent.ciphertext });
  }

  /** Delivers `ciphertext` to `env.to` as coming from `env.from`; returns the plaintext or throws. */
  private async receive(env: Envelope, ciphertext: Uint8Array): Promise<string> {
    const receiver = this.dev(env.to);
    const session = this.session(env.to, env.from);
    if (messageKind(ciphertext) === 'prekey') {
      const result = await acceptPrekeyMessage(
        this.p,
        { self: receiver.self, prekeys: receiver.secrets, session },
        ciphertext,
      );
      expectFrom(result.remote, this.dev(env.from));
      expectFrom(result.state.remote, this.dev(env.from));
      receiver.consume(result);
      this.sessions[env.to]?.set(env.from, result.state);
      return fromUtf8(result.plaintext);
    }
    if (session === undefined) throw new SottoError('SESSION_NOT_FOUND');
    const result = await decryptMessage(this.p, session, ciphertext);
    expectFrom(result.state.remote, this.dev(env.from));
    this.sessions[env.to]?.set(env.from, result.state);
    return fromUtf8(result.plaintext);
  }

  async deliver(i: number): Promise<void> {
    const env = this.inFlight.splice(i % this.inFlight.length, 1)[0];
    if (env === undefined) return;
    const count = this.deliveredCount.get(env.id) ?? 0;
    if (count > 0) {
      await this.expectRejected(env, env.ciphertext, 'DUPLICATE_MESSAGE');
      return;
    }
    const last = this.delivered.findLast((d) => d.from === env.from && d.to === env.to);
    if (last !== undefined && last.id > env.id) stats.outOfOrder++;
    if (messageKind(env.ciphertext) === 'prekey') stats.accepted++;
    expect(await this.receive(env, env.ciphertext)).toBe(env.text);
    stats.delivered++;
    this.deliveredCount.set(env.id, 1);
    this.delivered.push(env);
  }

  /** Asserts delivery fails (with `code` when given) and leaves the receiver's session untouched. */
  async expectRejected(env: Envelope, ciphertext: Uint8Array, code?: string): Promise<void> {
    const session = this.session(env.to, env.from);
    const before = session === undefined ? undefined : fingerprint(session);
    const store = this.dev(env.to).oneTime.size + this.dev(env.to).kemOneTime.size;
    let caught: unknown;
    try {
      await this.receive(env, ciphertext);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SottoError);
    stats.rejected++;
    if (code === 'DUPLICATE_MESSAGE') stats.duplicates++;
    if (code !== undefined) expect((caught as SottoError).code).toBe(code);
    expect(this.session(env.to, env.from)).toBe(session);
    if (session !== undefined) expect(fingerprint(session)).toBe(before);
    expect(this.dev(env.to).oneTime.size + this.dev(env.to).kemOneTime.size).toBe(store);
  }

  pick<T>(list: readonly T[], i: number): T | undefined {
    return list.length === 0 ? undefined : list[i % list.length];
  }

  async apply(a: Action): Promise<void> {
    switch (a.t) {
      case 'send':
        return this.send(a.from, a.to);
      case 'deliver':
        return this.deliver(a.i);
      case 'drop': {
        const env = this.inFlight.splice(a.i % Math.max(1, this.inFlight.length), 1)[0];
        if (env !== undefined) this.dropped.add(env.id);
        return;
      }
      case 'dup': {
        const env = this.pick(this.inFlight, a.i);
        if (env !== undefined) this.inFlight.push(env);
        return;
      }
      case 'replay': {
        const env = this.pick(this.delivered, a.i);
        if (env !== undefined) await this.expectRejected(env, env.ciphertext, 'DUPLICATE_MESSAGE');
        return;
      }
      case 'tamper': {
        const env = this.pick(this.inFlight, a.i);
        if (env !== undefined)
          await this.expectRejected(env, flipBit(env.ciphertext, a.bit % (env.ciphertext.length * 8)));
        return;
      }
      case 'restart': {
        const sessions = this.sessions[a.d];
        if (sessions === undefined) return;
        for (const [peer, state] of sessions)
          sessions.set(peer, decodeSessionState(encodeSessionState(state)));
        stats.restarts++;
        return;
      }
    }
  }

  /** Delivers everything still in flight, then checks exactly-once delivery of every message not dropped. */
  async drain(): Promise<void> {
    while (this.inFlight.length > 0) await this.deliver(0);
    for (let id = 0; id < this.nextId; id++) {
      // Exactly once, unless every copy of it was dropped (a second copy is always a DUPLICATE_MESSAGE).
      const count = this.deliveredCount.get(id) ?? 0;
      if (count === 0) expect(this.dropped.has(id)).toBe(true);
      else expect(count).toBe(1);
    }
  }
}

function expectFrom(
  remote: { accountName: string; deviceId: number; signingKey: Uint8Array },
  sender: TestDevice,
): void {
  expect(remote.accountName).toBe(sender.certificate.accountName);
  expect(remote.deviceId).toBe(sender.certificate.deviceId);
  expect(remote.signingKey).toEqual(sender.certificate.signingKey);
}

const cases = await providerCases();
/** Bounded so the whole file stays well under a minute on two cores. */
const RUNS: Record<string, number> = { node: 200, 'portable-webcrypto': 40, 'portable-noble': 15 };

describe.each(cases)('session interleavings ($label)', ({ label, provider: p }) => {
  it('every delivered message decrypts exactly once, to the right text, from the right device', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 10, maxLength: 100 }), async (actions) => {
        const world = await World.create(p);
        for (const a of actions) await world.apply(a);
        await world.drain();
      }),
      { numRuns: RUNS[label] ?? 5 },
    );
    // The runs did what they claim: deliveries out of order, handshakes, rejections, restarts.
    for (const count of Object.values(stats)) expect(count).toBeGreaterThan(0);
  }, 60_000);
});
