/**
 * Two nodes (two `startServer` calls) sharing one PostgreSQL schema and one Redis channel: contact
 * requests, live mail, offline mail and presence cross between node A and node B.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerFrame } from '@sotto/protocol';
import { DATABASE_FILE } from '@sotto/server';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestAccount } from './helpers/account.js';
import type { TestClient } from './helpers/client.js';
import { startNextNode, startTestServer, type TestServer } from './helpers/server.js';
import {
  describeWith,
  dropRedisPrefix,
  dropSchema,
  POSTGRES_URL,
  postgresUrlWithSchema,
  redisUrlWithChannel,
  testSchemaName,
} from './helpers/services.js';
import { befriend, connect, registered } from './helpers/world.js';

const body = (s: string) => new Uint8Array(Buffer.from(s));
const text = (f: ServerFrame) => (f.t === 'envelope' ? Buffer.from(f.body).toString() : `<${f.t}>`);
const isEnvelope = (f: ServerFrame) => f.t === 'envelope';

await describeWith(['postgres', 'redis'], 'scale-out: two nodes on PostgreSQL and Redis', () => {
  const schema = testSchemaName();
  const store = postgresUrlWithSchema(schema);
  const bus = redisUrlWithChannel(schema);
  let a: TestServer;
  let b: TestServer;
  let alice: TestAccount;
  let bob: TestAccount;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    a = await startTestServer({ store, bus });
    b = await startNextNode(a, { store, bus });
    alice = await registered(a, 'alice');
    bob = await registered(a, 'bob', 2);
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await a?.stop();
    await b?.stop();
    await dropSchema(schema);
    await dropRedisPrefix(schema);
  });

  const on = async (t: TestServer, who: TestAccount, deviceId = 1) => {
    const c = await connect(t, who, deviceId);
    clients.push(c);
    return c;
  };

  it('keeps accounts in PostgreSQL, not in a SQLite file', async () => {
    expect(existsSync(join(a.dataDir, DATABASE_FILE))).toBe(false);
    const db = new pg.Client({ connectionString: POSTGRES_URL });
    await db.connect();
    try {
      const r = await db.query(`SELECT name FROM ${schema}.accounts ORDER BY name`);
      expect(r.rows.map((row: { name: string }) => row.name)).toEqual(['alice', 'bob']);
    } finally {
      await db.end();
    }
  });

  it('delivers contact requests, live mail and offline mail from node A to node B', async () => {
    const ca = await on(a, alice);
    const cb = await on(b, bob);
    await befriend(alice, ca, bob, cb);

    const sent = await ca.request({
      t: 'send',
      to: 'bob',
      messages: [
        { account: 'bob', deviceId: 1, body: body('hello from A') },
        { account: 'bob', deviceId: 2, body: body('for the offline device') },
      ],
    });
    expect(sent).toMatchObject({ t: 'sent' });
    const live = await cb.next(isEnvelope);
    expect(live).toMatchObject({ from: { account: 'alice', deviceId: 1 } });
    expect(text(live)).toBe('hello from A');
    if (live.t === 'envelope') cb.sendFrame({ t: 'ack', envelopeIds: [live.envelopeId] });

    const late = await on(b, bob, 2);
    const offline = await late.next(isEnvelope);
    expect(text(offline)).toBe('for the offline device');
    expect(late.has(isEnvelope)).toBe(false);
  });

  it('answers a reply from node B on node A, and readiness checks both services', async () => {
    const ca = clients[0];
    const cb = clients[1];
    if (ca === undefined || cb === undefined) throw new Error('previous test did not connect');
    const reply = await cb.request({
      t: 'send',
      to: 'alice',
      messages: [
        { account: 'alice', deviceId: 1, body: body('hello from B') },
        { account: 'bob', deviceId: 2, body: body('copy') },
      ],
    });
    expect(reply).toMatchObject({ t: 'sent' });
    expect(text(await ca.next(isEnvelope))).toBe('hello from B');
    for (const t of [a, b]) expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });

  it('shows an account online while any of its devices is connected to any node', async () => {
    const [ca, cb, late] = clients;
    if (ca === undefined || cb === undefined || late === undefined) throw new Error('missing clients');
    const bobIs = (state: string) => (f: ServerFrame) =>
      f.t === 'presence' && f.account === 'bob' && f.state === state;
    await late.close();
    await ca.close();
    // Alice's node A has none of bob's devices; bob is still online on node B.
    const alice2 = await on(a, alice);
    await alice2.next(bobIs('online'));
    // Bob's devices on both nodes: one leaving is not bob leaving.
    const bobOnA = await on(a, bob, 2);
    await cb.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alice2.has(bobIs('offline'))).toBe(false);
    await bobOnA.close();
    const gone = await alice2.next(bobIs('offline'));
    expect(gone).toMatchObject({ lastSeen: expect.any(Number) });
  });
});
