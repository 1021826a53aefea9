import { type CborValue, encodeCbor, encodeFrame, FRAME_TYPES } from '@sotto/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { befriend, connect, registered } from './helpers/world.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ limits: { badFramesPerMinute: 1_000_000, sendsPerDevicePerSecond: 1_000 } });
});
afterAll(async () => {
  await t.stop();
});

const valid = [
  encodeFrame({ t: 'ping', id: 1 }),
  encodeFrame({
    t: 'send',
    id: 2,
    to: 'bob',
    messages: [{ account: 'bob', deviceId: 1, body: new Uint8Array(40) }],
  }),
  encodeFrame({ t: 'contacts.request', id: 3, account: 'bob' }),
  encodeFrame({ t: 'ack', envelopeIds: [new Uint8Array(16)] }),
  encodeFrame({ t: 'keys.bundles', id: 4, account: 'bob' }),
];

const cborLeaf: fc.Arbitrary<CborValue> = fc.oneof(
  fc.integer({ min: -1000, max: 1_000_000 }),
  fc.string({ maxLength: 40 }),
  fc.uint8Array({ maxLength: 80 }),
  fc.boolean(),
  fc.constant(null),
);
const cborValue = fc.letrec<{ v: CborValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    cborLeaf,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** Mutations of valid frames, random frames of real types, and random bytes. */
const hostile: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...valid),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    )
    .map(([frame, flips]) => {
      const copy = new Uint8Array(frame);
      for (const [at, byte] of flips) copy[at % copy.length] = byte;
      return copy;
    }),
  fc.tuple(fc.constantFrom(...valid), fc.nat()).map(([f, cut]) => f.subarray(0, cut % f.length)),
  fc
    .tuple(
      fc.constantFrom(...FRAME_TYPES),
      fc.dictionary(
        fc.constantFrom('id', 'to', 'account', 'messages', 'deviceId', 'body', 'envelopeIds', 'x'),
        cborValue,
        { maxKeys: 5 },
      ),
    )
    .map(([type, fields]) => {
      try {
        return encodeCbor({ ...fields, t: type } as CborValue);
      } catch {
        return new Uint8Array([0xa0]);
      }
    }),
  fc.uint8Array({ minLength: 0, maxLength: 200 }),
);

describe('hostile input', () => {
  it('survives 10,000 malformed or mutated frames while a good client keeps exchanging messages', async () => {
    const alice = await registered(t, 'alice');
    const bob = await registered(t, 'bob');
    const fuzzer = await registered(t, 'mallory');
    const ca = await connect(t, alice);
    const cb = await connect(t, bob);
    await befriend(alice, ca, bob, cb);
    const cm = await connect(t, fuzzer);

    const frames = fc.sample(hostile, { numRuns: 10_000, seed: 42 });
    let exchanged = 0;
    for (let i = 0; i < frames.length; i++) {
      cm.sendRaw(frames[i] ?? new Uint8Array());
      if (i % 1000 === 999) {
        const body = new Uint8Array(Buffer.from(`hello ${i}`));
        const sent = await ca.request({
          t: 'send',
          to: 'bob',
          messages: [{ account: 'bob', deviceId: 1, body }],
        });
        expect(sent.t).toBe('sent');
        const env = await cb.next((f) => f.t === 'envelope');
        if (env.t === 'envelope') cb.sendFrame({ t: 'ack', envelopeIds: [env.envelopeId] });
        exchanged++;
        // The fuzzer's connection is alive too.
        const id = 4_000_000_000 + i;
        cm.sendFrame({ t: 'ping', id });
        expect(await cm.next((f) => f.t === 'pong' && f.id === id)).toEqual({ t: 'pong', id });
      }
    }
    expect(exchanged).toBe(10);
    const errors = cm.pending().filter((f) => f.t === 'error');
    expect(errors.length).toBeGreaterThan(5_000);
    expect(errors.some((f) => f.t === 'error' && f.code === 'INTERNAL')).toBe(false);
    expect(t.logs.filter((l) => l.includes('"level":50'))).toEqual([]);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    for (const c of [ca, cb, cm]) await c.close();
  }, 120_000);
});
