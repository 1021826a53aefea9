/** What only the Redis bus does: it survives a dropped connection and makes local mailboxes look again. */
import { randomBytes } from 'node:crypto';
import { encodeCbor } from '@sotto/protocol';
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import type { MailSignal } from '../src/bus/bus.js';
import { RedisBus } from '../src/bus/redis.js';
import { decodeBusMessages } from '../src/bus/redis-codec.js';
import { describeWith, REDIS_URL } from './helpers/services.js';

await describeWith(['redis'], 'Redis bus', () => {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const b of opened.splice(0)) await b.close();
  });

  it('refuses a URL that is not redis:// and fails fast when Redis does not answer', async () => {
    await expect(RedisBus.connect('http://127.0.0.1:6379')).rejects.toThrow(/redis:\/\//);
    await expect(RedisBus.connect('redis://127.0.0.1:1')).rejects.toThrow();
  });

  it('resubscribes after its connection drops, and re-signals every local mailbox', async () => {
    const channel = `sotto_test_${randomBytes(6).toString('hex')}`;
    const a = await RedisBus.connect(REDIS_URL, { channel });
    const b = await RedisBus.connect(REDIS_URL, { channel });
    const admin = new Redis(REDIS_URL);
    opened.push(a, b, { close: async () => void admin.disconnect() });
    const mail: string[] = [];
    b.subscribe('mail', 'alice/1', (e) => mail.push(`${e.account}/${e.deviceId}`));

    const clients = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).split('\n');
    const ids = clients
      .filter((l) => l.includes(`name=sotto-sub-${channel}`))
      .map((l) => /id=(\d+)/.exec(l)?.[1]);
    expect(ids).toHaveLength(2);
    // Kill b's subscriber (the newer connection): it must come back by itself.
    const newest = ids.map(Number).sort((x, y) => x - y)[1];
    await admin.call('CLIENT', 'KILL', 'ID', String(newest));
    await expect.poll(() => mail, { timeout: 5_000 }).toEqual(['alice/1']);

    a.publish('mail', 'alice/1', { account: 'alice', deviceId: 1 });
    await expect.poll(() => mail, { timeout: 5_000 }).toEqual(['alice/1', 'alice/1']);
  });

  it("carries a signal's envelopes to other nodes only with prev, and one turn's events as one message", async () => {
    const channel = `sotto_test_${randomBytes(6).toString('hex')}`;
    const a = await RedisBus.connect(REDIS_URL, { channel });
    const b = await RedisBus.connect(REDIS_URL, { channel });
    const spy = new Redis(REDIS_URL);
    opened.push(a, b, { close: async () => void spy.disconnect() });
    const messages: Buffer[] = [];
    spy.on('messageBuffer', (_c: Buffer, m: Buffer) => messages.push(m));
    await spy.subscribe(`${channel}:bus`);
    const got: MailSignal[] = [];
    b.subscribe('mail', 'bob/1', (e) => got.push(e));
    const envelope = {
      seq: 42,
      id: new Uint8Array(16).fill(7),
      sender: { account: 'alice', deviceId: 1 },
      recipient: { account: 'bob', deviceId: 1 },
      body: new Uint8Array([1, 2, 3]),
      receivedAt: 1_000,
    };
    a.publish('mail', 'bob/1', { account: 'bob', deviceId: 1, envelopes: [envelope], prev: 40 });
    a.publish('mail', 'bob/1', { account: 'bob', deviceId: 1, envelopes: [{ ...envelope, seq: 43 }] });
    await expect.poll(() => got.length, { timeout: 5_000 }).toBe(2);
    expect(got[0]).toEqual({ account: 'bob', deviceId: 1, envelopes: [envelope], prev: 40 });
    // Without prev, its place in the mailbox is unknown on another node: the signal only asks for a read.
    expect(got[1]).toEqual({ account: 'bob', deviceId: 1 });
    expect(messages).toHaveLength(1);
    expect(decodeBusMessages(new Uint8Array(messages[0] ?? []))).toHaveLength(2);
  });

  it('refuses malformed envelopes from another node', () => {
    const node = new Uint8Array(16);
    const ok = { s: 1, i: new Uint8Array(16), a: 'alice', d: 1, b: new Uint8Array(1), r: 1 };
    const mail = (e: Record<string, unknown>) =>
      encodeCbor({ n: node, k: 'mail', y: 'bob/1', e: { account: 'bob', deviceId: 1, ...e } });
    expect(decodeBusMessages(mail({ p: 0, v: [ok] }))[0]?.event).toMatchObject({ prev: 0 });
    for (const bad of [
      { v: [ok] },
      { p: -1, v: [ok] },
      { p: 0, v: [] },
      { p: 0, v: [{ ...ok, s: 'x' }] },
      { p: 0, v: [{ ...ok, b: 'text' }] },
      { p: 0, v: [{ ...ok, d: -1 }] },
      { p: 0, v: ok },
    ]) {
      expect(() => decodeBusMessages(mail(bad))).toThrow(/bus/);
    }
  });
});
