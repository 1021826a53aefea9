import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestAccount } from './helpers/account.js';
import { upgradeStatus } from './helpers/client.js';
import { startNextNode, startTestServer, type TestServer } from './helpers/server.js';
import {
  describeWith,
  dropRedisPrefix,
  dropSchema,
  postgresUrlWithSchema,
  redisUrlWithChannel,
  testSchemaName,
} from './helpers/services.js';

const ATTEMPTS = 4;

await describeWith(['postgres', 'redis'], 'scale-out: login and limits across two nodes', () => {
  const schema = testSchemaName();
  const store = postgresUrlWithSchema(schema);
  const bus = redisUrlWithChannel(schema);
  const limits = { loginAttemptsPerAccountPerMinute: ATTEMPTS, connectionsPerIpPerMinute: ATTEMPTS };
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    a = await startTestServer({ store, bus, limits });
    b = await startNextNode(a, { store, bus, limits });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await dropSchema(schema);
    await dropRedisPrefix(schema);
  });

  it('finishes on node B a login started on node A', async () => {
    const alice = await TestAccount.create('alice');
    expect(await alice.register(a.url)).toBe(201);
    const login = await alice.login(a.url, alice.password, b.url);
    expect(login).toMatchObject({ ok: true, backup: new Uint8Array([1, 2, 3]) });
    const wrong = await alice.login(b.url, 'not the password', a.url);
    expect(wrong).toEqual({ ok: false, status: 401 });
  });

  it('accepts on node B a ticket issued by node A', async () => {
    const grace = await TestAccount.create('grace');
    expect(await grace.register(b.url)).toBe(201);
    const login = await grace.login(a.url);
    if (!login.ok) throw new Error('login failed');
    await grace.addDevice();
    const added = await grace.postDevice(b.url, login.ticket, await grace.deviceList(2), 2);
    expect(added).toEqual({ status: 201, body: { account: 'grace', deviceId: 2 } });
  });

  it(`holds a limit of ${ATTEMPTS} login attempts per account for both nodes together`, async () => {
    const carol = await TestAccount.create('carol');
    expect(await carol.register(a.url)).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < ATTEMPTS + 2; i++) {
      const node = i % 2 === 0 ? a : b;
      const r = await carol.login(node.url);
      statuses.push(r.ok ? 200 : r.status);
    }
    expect(statuses).toEqual([...Array<number>(ATTEMPTS).fill(200), 429, 429]);
  });

  it(`holds a limit of ${ATTEMPTS} WebSocket connections per IP for both nodes together`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < ATTEMPTS + 2; i++) {
      const node = i % 2 === 0 ? a : b;
      statuses.push(await upgradeStatus(node.wsUrl));
    }
    expect(statuses).toEqual([...Array<number>(ATTEMPTS).fill(101), 429, 429]);
  });
});
