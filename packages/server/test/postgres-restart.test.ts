/**
 * PostgreSQL going away under load loses nothing and shows nothing twice: two server processes share
 * PostgreSQL and Redis; while alice (on one node) sends to bob (on the other), every database connection
 * of the deployment is terminated, twice (what a PostgreSQL restart does to the nodes; the shared test
 * server itself is not restarted). Every send the server acknowledged reaches bob exactly once on his one
 * connection, and the nodes go on serving sends afterwards. A real restart (crash and fast stop) of a
 * private cluster: `postgres-real-restart.test.ts`.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerFrame } from '@sotto/protocol';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SERVER_SETUP_FILE } from '../src/modules/auth/server-setup.js';
import { applicationName } from '../src/store/postgres-connect.js';
import { TestAccount } from './helpers/account.js';
import { type ChildServer, killAllChildren, startChildServer } from './helpers/child-server.js';
import { TestClient } from './helpers/client.js';
import {
  describeWith,
  dropRedisPrefix,
  dropSchema,
  POSTGRES_URL,
  postgresUrlWithSchema,
  REDIS_URL,
  testSchemaName,
} from './helpers/services.js';
import { befriend } from './helpers/world.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const isEnvelope = (f: ServerFrame) => f.t === 'envelope';

await describeWith(['postgres', 'redis'], 'PostgreSQL connections lost under load', () => {
  const schema = testSchemaName();
  const busUrl = new URL(REDIS_URL);
  busUrl.searchParams.set('channel', schema);
  const args = ['--store', postgresUrlWithSchema(schema), '--bus', busUrl.toString()];
  const dirs: string[] = [];
  const nodes: ChildServer[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) dirs.push(mkdtempSync(join(tmpdir(), `sotto-node-${i}-`)));
    const [d0, d1] = dirs as [string, string];
    nodes.push(await startChildServer({ dataDir: d0, args }));
    copyFileSync(join(d0, SERVER_SETUP_FILE), join(d1, SERVER_SETUP_FILE));
    nodes.push(await startChildServer({ dataDir: d1, args }));
  }, 90_000);
  afterAll(async () => {
    await killAllChildren();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await dropSchema(schema);
    await dropRedisPrefix(schema);
  });

  /** Terminates every backend of this deployment; returns how many. */
  const terminateAll = async (): Promise<number> => {
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      const r = await admin.query(
        'SELECT pg_terminate_backend(pid) AS t FROM pg_stat_activity WHERE application_name = $1',
        [applicationName(schema)],
      );
      return r.rowCount ?? 0;
    } finally {
      await admin.end();
    }
  };

  it('delivers every acknowledged send once after all database connections were cut, twice', async () => {
    const [a, b] = nodes as [ChildServer, ChildServer];
    const alice = await TestAccount.create('alice');
    const bob = await TestAccount.create('bob');
    expect(await alice.register(a.url)).toBe(201);
    expect(await bob.register(b.url)).toBe(201);
    const ca = await TestClient.connect(a.wsUrl, alice);
    const cb = await TestClient.connect(b.wsUrl, bob);
    await befriend(alice, ca, bob, cb);

    // Bob acknowledges everything he gets, and counts how often each envelope arrived.
    const seen = new Map<string, number>();
    let consuming = true;
    const consumer = (async () => {
      while (consuming) {
        const f = await cb.next(isEnvelope, 500).catch(() => undefined);
        if (f?.t !== 'envelope') continue;
        const id = hex(f.envelopeId);
        seen.set(id, (seen.get(id) ?? 0) + 1);
        cb.sendFrame({ t: 'ack', envelopeIds: [f.envelopeId] });
      }
    })();

    const acked = new Set<string>();
    let n = 0;
    let failed = 0;
    /** `count` sends, `inflight` at a time; returns how many the server acknowledged. */
    const send = async (count: number, inflight = 8): Promise<number> => {
      let ok = 0;
      const one = async () => {
        const body = new Uint8Array(Buffer.from(`m${n++}`));
        const answer = await ca
          .request({ t: 'send', to: 'bob', messages: [{ account: 'bob', deviceId: 1, body }] })
          .catch(() => undefined);
        if (answer?.t === 'sent') {
          for (const id of answer.envelopeIds) acked.add(hex(id));
          ok++;
        } else failed++;
      };
      for (let i = 0; i < count; i += inflight) {
        await Promise.all(Array.from({ length: Math.min(inflight, count - i) }, one));
      }
      return ok;
    };

    await send(40);
    for (let round = 0; round < 2; round++) {
      const during = send(80);
      await new Promise((r) => setTimeout(r, 50));
      expect(await terminateAll()).toBeGreaterThan(0);
      await during;
    }
    // The nodes reconnected: every send goes through again.
    expect(await send(40)).toBe(40);

    await expect.poll(() => [...acked].filter((id) => !seen.has(id)).length, { timeout: 20_000 }).toBe(0);
    consuming = false;
    await consumer;
    expect(acked.size).toBeGreaterThanOrEqual(80);
    expect([...seen.values()].filter((k) => k > 1)).toEqual([]);
    // Bob's connection stayed up through it all (his acks went through, or come again on reconnect).
    expect(cb.ws.readyState).toBe(cb.ws.OPEN);
    expect(failed).toBeLessThan(160);
    await ca.close();
    await cb.close();
  });
});
