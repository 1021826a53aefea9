/** What only the Redis bus does: it survives a dropped connection and makes local mailboxes look again. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { RedisBus } from '../src/bus/redis.js';
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
});
