import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestAccount } from './helpers/account.js';
import type { TestClient } from './helpers/client.js';
import {
  commit,
  createGroup,
  dev,
  groupEnvelope,
  groupSend,
  keyPackageLabel,
  keyPackagePayload,
  newGroupId,
  nextGroup,
  payload,
  settle,
} from './helpers/groups.js';
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

await describeWith(['postgres', 'redis'], 'groups on two nodes (PostgreSQL and Redis)', () => {
  const schema = testSchemaName();
  const store = postgresUrlWithSchema(schema);
  const bus = redisUrlWithChannel(schema);
  let a: TestServer;
  let b: TestServer;
  let alice: TestAccount;
  let bob: TestAccount;
  let carol: TestAccount;
  const clients: TestClient[] = [];
  const on = async (t: TestServer, who: TestAccount, deviceId = 1) => {
    const c = await connect(t, who, deviceId);
    clients.push(c);
    return c;
  };
  const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const db = new pg.Client({ connectionString: POSTGRES_URL });
    await db.connect();
    try {
      await db.query(`SET search_path = ${schema}`);
      return (await db.query(sql, params)).rows as T[];
    } finally {
      await db.end();
    }
  };

  beforeAll(async () => {
    a = await startTestServer({ store, bus });
    b = await startNextNode(a, { store, bus });
    alice = await registered(a, 'alice');
    bob = await registered(a, 'bob', 2);
    carol = await registered(a, 'carol');
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await a?.stop();
    await b?.stop();
    await dropSchema(schema);
    await dropRedisPrefix(schema);
  });

  it('claims, welcomes, fans out and orders across nodes, storing each body once', async () => {
    const ca = await on(a, alice);
    const cb = await on(b, bob);
    const cc = await on(b, carol);
    await befriend(alice, ca, bob, cb);
    await befriend(alice, ca, carol, cc);
    // bob/1 uploads on node B; alice claims on node A and gets pushed nothing but the answer.
    expect(
      await cb.request({ t: 'mls.keys.upload', keyPackages: [keyPackagePayload('kp-b1')] }),
    ).toMatchObject({
      t: 'ok',
    });
    const claimed = await ca.request({ t: 'mls.keys.claim', devices: [dev('bob'), dev('bob', 2)] });
    expect(
      claimed.t === 'mls.keys.claim.result' && claimed.keyPackages.map((k) => keyPackageLabel(k.keyPackage)),
    ).toEqual(['kp-b1']);
    expect(await cb.next((f) => f.t === 'mls.keys.low')).toMatchObject({ count: 0 });

    const id = newGroupId();
    await createGroup(ca, id);
    const added = [dev('bob'), dev('bob', 2), dev('carol')];
    expect(
      await commit(ca, { groupId: id, epoch: 0, welcome: payload('welcome-0', 5000), added }),
    ).toMatchObject({
      epoch: 1,
    });
    // Live across nodes: bob/1 and carol on node B.
    expect(await nextGroup(cb, id)).toBe('welcome:1:welcome-0');
    expect(await nextGroup(cc, id)).toBe('welcome:1:welcome-0');

    // Members on both nodes race for epoch 1: exactly one commit wins.
    const [x, y] = await Promise.all([
      commit(ca, { groupId: id, epoch: 1, commit: payload('c-alice') }),
      commit(cb, { groupId: id, epoch: 1, commit: payload('c-bob') }),
    ]);
    const wins = [x, y].filter((f) => f.t === 'groups.commit.result');
    expect(wins).toHaveLength(1);
    expect([x, y].find((f) => f.t === 'error')).toMatchObject({ code: 'STALE_EPOCH', epoch: 2 });
    const winner = x.t === 'groups.commit.result' ? 'c-alice' : 'c-bob';
    expect(await nextGroup(cc, id)).toBe(`commit:1:${winner}`);

    // Messages from node B reach node A live, once.
    const sent = await groupSend(cc, id, 2, 'from carol', 3000);
    expect(sent).toMatchObject({ t: 'groups.sent' });
    // The message body is stored once in PostgreSQL, with one bodiless envelope per recipient.
    const bodies = await query<{ id: string; n: number }>(
      `SELECT id, octet_length(body) AS n FROM group_bodies WHERE kind = 'message' AND group_id = $1`,
      [Buffer.from(id)],
    );
    expect(bodies.map((r) => r.n)).toEqual([3000]);
    const refs = await query<{ n: number }>(
      'SELECT octet_length(body) AS n FROM envelopes WHERE group_body = $1',
      [bodies[0]?.id],
    );
    // alice/1, bob/1 and bob/2 point at it (nobody has acknowledged it yet); carol sent it.
    expect(refs.map((r) => r.n)).toEqual([0, 0, 0]);
    expect(await nextGroup(ca, id)).toBe(
      x.t === 'groups.commit.result' ? 'message:2:from carol' : 'commit:1:c-bob',
    );
    if (x.t !== 'groups.commit.result') expect(await nextGroup(ca, id)).toBe('message:2:from carol');
    await settle(ca);
    expect(ca.has(groupEnvelope(id))).toBe(false);

    // bob/2 was offline: it connects to node A and gets everything in acceptance order.
    const b2 = await on(a, bob, 2);
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(await nextGroup(b2, id));
    expect(seen).toEqual(['welcome:1:welcome-0', `commit:1:${winner}`, 'message:2:from carol']);
  });
});
