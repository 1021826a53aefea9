import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_SERVER_LIMITS } from '../src/config.js';
import { NOTIFICATION_SUBJECT } from '../src/modules/notify/mails.js';
import { parseSmtp } from '../src/modules/notify/smtp-config.js';
import type { TestClient } from './helpers/client.js';
import { startNextNode, startTestServer, TestClock, type TestServer } from './helpers/server.js';
import {
  describeWith,
  dropRedisPrefix,
  dropSchema,
  postgresUrlWithSchema,
  redisUrlWithChannel,
  testSchemaName,
} from './helpers/services.js';
import { codeIn, header, TestSmtp } from './helpers/smtp.js';
import { befriend, connect, registered } from './helpers/world.js';

const L = DEFAULT_SERVER_LIMITS;

await describeWith(['postgres', 'redis'], 'notification emails on two nodes (PostgreSQL and Redis)', () => {
  const schema = testSchemaName();
  const store = postgresUrlWithSchema(schema);
  const bus = redisUrlWithChannel(schema);
  const clock = new TestClock();
  let smtp: TestSmtp;
  let a: TestServer;
  let b: TestServer;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    smtp = await TestSmtp.start();
    const config = { smtp: parseSmtp(smtp.url, 'sotto@example.org') };
    // Only the test runs the schedulers (notifyNow): a 30-second sweep on a loaded machine could otherwise
    // take the notification between the test's calls, so neither call would count it.
    const limits = { notifySweepMs: 3_600_000 };
    a = await startTestServer({ store, bus, clock, config, limits });
    b = await startNextNode(a, { store, bus, clock, config, limits });
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await a?.stop();
    await b?.stop();
    await smtp?.stop();
    await dropSchema(schema);
    await dropRedisPrefix(schema);
  });

  it('send one notification, from one node, when both look at once', async () => {
    const alice = await registered(a, 'alice');
    const bob = await registered(a, 'bob');
    const ca = await connect(a, alice);
    clients.push(ca);
    const cb = await connect(b, bob);
    await befriend(alice, ca, bob, cb);

    // Set through node B, verified through node A.
    await cb.request({ t: 'notify.email.set', address: 'bob@example.org' });
    const code = codeIn(await smtp.next((m) => m.to.includes('bob@example.org')));
    const ca2 = await connect(a, bob);
    expect(await ca2.request({ t: 'notify.email.verify', code })).toMatchObject({ verified: true });
    await ca2.close();

    await cb.close();
    for (;;) {
      const f = await ca.next((x) => x.t === 'presence' && x.account === 'bob');
      if (f.t === 'presence' && f.state === 'offline') break;
    }
    const send = (text: string) => ({
      t: 'send' as const,
      to: 'bob',
      messages: [{ account: 'bob', deviceId: 1, body: new Uint8Array(Buffer.from(text)) }],
    });
    expect(await ca.request(send('one'))).toMatchObject({ t: 'sent' });
    clock.advance(L.notifyOfflineDelayMs);
    // Node A asked twice at once runs once (both calls report that run); whichever node takes it first
    // mails it, and the other finds nothing left.
    const [a1, b1, a2] = await Promise.all([
      a.server.notifyNow(),
      b.server.notifyNow(),
      a.server.notifyNow(),
    ]);
    expect(a1).toBe(a2);
    expect((a1 ?? 0) + (b1 ?? 0)).toBe(1);
    const notices = () =>
      smtp.to('bob@example.org').filter((m) => header(m, 'subject') === NOTIFICATION_SUBJECT);
    expect(notices()).toHaveLength(1);

    // Another message through node B within the window: nothing more from either node.
    const cb2 = await connect(b, alice);
    clients.push(cb2);
    expect(await cb2.request(send('two'))).toMatchObject({ t: 'sent' });
    clock.advance(L.notifyOfflineDelayMs);
    expect(await Promise.all([a.server.notifyNow(), b.server.notifyNow()])).toEqual([0, 0]);
    expect(notices()).toHaveLength(1);
  });
});
