/**
 * Killing a node loses nothing: three server processes share PostgreSQL and Redis; under a steady stream
 * of sends, the recipient's node and then the sender's node are SIGKILLed; both clients reconnect to the
 * surviving node, and every send the server acknowledged (`sent`) reaches the recipient, once after
 * de-duplication by envelope id.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerFrame } from '@sotto/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SERVER_SETUP_FILE } from '../src/modules/auth/server-setup.js';
import { TestAccount } from './helpers/account.js';
import { type ChildServer, killAllChildren, startChildServer } from './helpers/child-server.js';
import { TestClient } from './helpers/client.js';
import {
  describeWith,
  dropRedisPrefix,
  dropSchema,
  postgresUrlWithSchema,
  REDIS_URL,
  testSchemaName,
} from './helpers/services.js';
import { befriend } from './helpers/world.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const isEnvelope = (f: ServerFrame) => f.t === 'envelope';

await describeWith(['postgres', 'redis'], 'failover: a node killed under load loses nothing', () => {
  const schema = testSchemaName();
  const busUrl = new URL(REDIS_URL);
  busUrl.searchParams.set('channel', schema);
  const args = ['--store', postgresUrlWithSchema(schema), '--bus', busUrl.toString()];
  const dirs: string[] = [];
  const nodes: ChildServer[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) dirs.push(mkdtempSync(join(tmpdir(), `sotto-node-${i}-`)));
    const [d0, d1, d2] = dirs as [string, string, string];
    nodes.push(await startChildServer({ dataDir: d0, args }));
    for (const d of [d1, d2]) copyFileSync(join(d0, SERVER_SETUP_FILE), join(d, SERVER_SETUP_FILE));
    nodes.push(...(await Promise.all([d1, d2].map((dataDir) => startChildServer({ dataDir, args })))));
  }, 90_000);
  afterAll(async () => {
    await killAllChildren();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await dropSchema(schema);
    await dropRedisPrefix(schema);
  });

  it('delivers every acknowledged send after the recipient’s and then the sender’s node die', async () => {
    const [a, b, c] = nodes as [ChildServer, ChildServer, ChildServer];
    const alice = await TestAccount.create('alice');
    const bob = await TestAccount.create('bob');
    expect(await alice.register(a.url)).toBe(201);
    expect(await bob.register(b.url)).toBe(201);
    let ca = await TestClient.connect(a.wsUrl, alice);
    const cb = await TestClient.connect(b.wsUrl, bob);
    await befriend(alice, ca, bob, cb);

    const acked = new Set<string>();
    let n = 0;
    /** `count` sends from alice, `inflight` at a time; sends whose answer is lost are not acknowledged. */
    const send = async (client: TestClient, count: number, inflight = 4) => {
      const one = async () => {
        if (client.ws.readyState !== client.ws.OPEN) return;
        const body = new Uint8Array(Buffer.from(`m${n++}`));
        const answer = await client
          .request({ t: 'send', to: 'bob', messages: [{ account: 'bob', deviceId: 1, body }] })
          .catch(() => undefined);
        if (answer?.t === 'sent') for (const id of answer.envelopeIds) acked.add(hex(id));
      };
      for (let i = 0; i < count; i += inflight) {
        await Promise.all(Array.from({ length: Math.min(inflight, count - i) }, one));
      }
    };

    await send(ca, 20);
    // The recipient's node dies while sends are under way; bob reconnects to the third node.
    const during = send(ca, 20);
    await b.kill('SIGKILL');
    await cb.closed;
    await during;
    const cb2 = await TestClient.connect(c.wsUrl, bob);
    await send(ca, 20);
    // Then the sender's node dies mid-send; alice reconnects to the third node and goes on.
    const lost = send(ca, 12);
    await a.kill('SIGKILL');
    await lost;
    ca = await TestClient.connect(c.wsUrl, alice);
    await send(ca, 20);

    // What bob's application sees: envelopes from both connections, de-duplicated by id, each acked.
    const seen = new Set<string>();
    const take = (f: ServerFrame) => {
      if (f.t === 'envelope') seen.add(hex(f.envelopeId));
    };
    for (const f of cb.pending()) take(f);
    while ([...acked].some((id) => !seen.has(id))) {
      const f = await cb2.next(isEnvelope, 10_000);
      take(f);
      if (f.t === 'envelope') cb2.sendFrame({ t: 'ack', envelopeIds: [f.envelopeId] });
    }
    expect(acked.size).toBeGreaterThanOrEqual(80);
    for (const id of acked) expect(seen.has(id)).toBe(true);
    await ca.close();
    await cb2.close();
  });
});
