/**
 * What the PostgreSQL store batches: a batch of sends is one statement that reports each envelope's
 * previous mailbox position (`prevs`, what lets a node hand an envelope on without reading it back), acks
 * of many devices at one moment are one statement that still answers each device for its own, and the
 * depth gauge's estimate follows the table without counting it.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../src/store/postgres.js';
import type { DeviceAddress, NewEnvelope } from '../src/store/store.js';
import { describeWith, dropSchema, postgresUrlWithSchema, testSchemaName } from './helpers/services.js';
import { testAccount, testDevice } from './helpers/stores.js';

const env = (n: number, to: DeviceAddress): NewEnvelope => ({
  id: new Uint8Array(16).fill(n),
  sender: { account: 'alice', deviceId: 1 },
  recipient: to,
  body: new Uint8Array([n]),
  receivedAt: 100,
});

await describeWith(['postgres'], 'PostgreSQL batches', () => {
  let schema = '';
  let store: PostgresStore;
  let other: PostgresStore;
  const devices: DeviceAddress[] = [1, 2, 3, 4].map((deviceId) => ({ account: 'bob', deviceId }));
  beforeEach(async () => {
    schema = testSchemaName();
    store = await openPostgresStore(postgresUrlWithSchema(schema));
    other = await openPostgresStore(postgresUrlWithSchema(schema));
    await store.createAccount(testAccount('alice'), [testDevice(1)]);
    await store.createAccount(testAccount('bob'), [1, 2, 3, 4].map(testDevice));
  });
  afterEach(async () => {
    await store.close();
    await other.close();
    await dropSchema(schema);
  });

  it('reports each envelope’s previous position in its mailbox, across batches and stores', async () => {
    const [b1, b2] = devices as [DeviceAddress, DeviceAddress];
    const first = await store.enqueue([env(1, b1), env(2, b2), env(3, b1)], 100);
    if (!first.ok) throw new Error('not stored');
    const [s1, s2, s3] = first.seqs as [number, number, number];
    expect(first.prevs).toEqual([0, 0, s1]);
    const second = await other.enqueue([env(4, b2), env(5, b1)], 100);
    expect(second.ok && second.prevs).toEqual([s2, s3]);
    // A full mailbox stores nothing, and the positions after it continue from what is stored.
    expect(await store.enqueue([env(6, b1), env(7, b2)], 3)).toEqual({ ok: false, full: b1 });
    const acked = await store.ackEnvelopes(b1, [{ seq: s3, id: env(3, b1).id }]);
    expect(acked).toBe(1);
    const third = await store.enqueue([env(8, b1)], 100);
    const s5 = second.ok ? second.seqs[1] : -1;
    expect(third.ok && third.prevs).toEqual([s5]);
  });

  it('deletes the acks of many devices at one moment together, answering each for its own', async () => {
    const sent = await store.enqueue(
      devices.flatMap((d, i) => [env(10 * i + 1, d), env(10 * i + 2, d)]),
      100,
    );
    if (!sent.ok) throw new Error('not stored');
    const mail = await Promise.all(devices.map((d) => store.fetchMailbox(d, 0, 0, 10)));
    const counts = await Promise.all(
      devices.map((d, i) => {
        const [e1, e2] = mail[i] ?? [];
        if (e1 === undefined || e2 === undefined) throw new Error('no mail');
        // Device 1 acks both, device 2 one of them twice, device 3 names device 4's envelope, device 4 a
        // wrong id.
        if (i === 0) return store.ackEnvelopes(d, [e1, e2]);
        if (i === 1) return store.ackEnvelopes(d, [e1, e1]);
        if (i === 2) return store.ackEnvelopes(d, [mail[3]?.[0] ?? e1]);
        return store.ackEnvelopes(d, [{ seq: e1.seq, id: new Uint8Array(16) }]);
      }),
    );
    expect(counts).toEqual([2, 1, 0, 0]);
    const left = await Promise.all(devices.map((d) => store.fetchMailbox(d, 0, 0, 10)));
    expect(left.map((m) => m.length)).toEqual([0, 1, 2, 2]);
  });

  it('estimates the mailbox depth from PostgreSQL’s live-row count', async () => {
    const [b1] = devices as [DeviceAddress];
    await store.enqueue(
      Array.from({ length: 25 }, (_, i) => env(i + 1, b1)),
      100,
    );
    expect(await store.mailboxDepth()).toBe(25);
    await expect.poll(() => store.mailboxDepthEstimate(), { timeout: 10_000, interval: 200 }).toBe(25);
    const mail = await store.fetchMailbox(b1, 0, 0, 100);
    await store.ackEnvelopes(b1, mail.slice(0, 10));
    await expect.poll(() => store.mailboxDepthEstimate(), { timeout: 10_000, interval: 200 }).toBe(15);
  });
});
