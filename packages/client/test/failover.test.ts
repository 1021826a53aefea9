/**
 * The SDK survives the death of its server node (issue 6): three server processes share PostgreSQL and
 * Redis, and alice and bob are SDK clients given all three URLs, each starting on a different node. While
 * alice sends a steady stream, bob's node and then alice's node are killed with SIGKILL. Each client
 * reconnects to a surviving node by itself, and every message whose `send` resolved reaches bob's
 * application exactly once, in order.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_SETUP_FILE } from '@sotto/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type ChildServer,
  killAllChildren,
  startChildServer,
} from '../../server/test/helpers/child-server.js';
import {
  describeWith,
  dropRedisPrefix,
  dropSchema,
  postgresUrlWithSchema,
  REDIS_URL,
  testSchemaName,
} from '../../server/test/helpers/services.js';
import type { Message, SottoClient } from '../src/index.js';
import { client, collect, next, STRONG, until } from './helpers/world.js';

const TOTAL = 60;

await describeWith(['postgres', 'redis'], 'SDK failover across nodes', () => {
  const schema = testSchemaName();
  const busUrl = new URL(REDIS_URL);
  busUrl.searchParams.set('channel', schema);
  const args = ['--store', postgresUrlWithSchema(schema), '--bus', busUrl.toString()];
  const dirs: string[] = [];
  const nodes: ChildServer[] = [];
  const clients: SottoClient[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) dirs.push(mkdtempSync(join(tmpdir(), `sotto-sdk-node-${i}-`)));
    const [d0, d1, d2] = dirs as [string, string, string];
    nodes.push(await startChildServer({ dataDir: d0, args }));
    // Every node must share the OPAQUE server setup (docs/deploy.md).
    for (const d of [d1, d2]) copyFileSync(join(d0, SERVER_SETUP_FILE), join(d, SERVER_SETUP_FILE));
    nodes.push(...(await Promise.all([d1, d2].map((dataDir) => startChildServer({ dataDir, args })))));
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) await c.close();
    await killAllChildren();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await dropSchema(schema);
    await dropRedisPrefix(schema);
  });

  it('reconnects to a surviving node and delivers every sent message exactly once', {
    timeout: 120_000,
  }, async () => {
    const [a, b, c] = nodes as [ChildServer, ChildServer, ChildServer];
    // Each client tries its URLs in order: alice starts on A, bob on B; C survives both kills.
    const alice = client([a.url, c.url, b.url]);
    const bob = client([b.url, c.url, a.url]);
    clients.push(alice, bob);
    await alice.register({ name: 'alice', password: STRONG });
    await bob.register({ name: 'bob', password: STRONG });
    const accepted = next(alice, 'contact-event', (e) => e.state === 'accepted');
    const requested = next(bob, 'contact-request');
    await alice.requestContact('bob');
    await requested;
    await bob.acceptContact('alice');
    await accepted;

    const received = collect(bob, 'message');
    const errors = [...collect(alice, 'error'), ...collect(bob, 'error')];
    const acknowledged: string[] = [];
    const queued: string[] = [];
    const unacknowledged: string[] = [];
    const deaths: Promise<unknown>[] = [];
    for (let i = 0; i < TOTAL; i++) {
      // The kills land while a send is in flight: bob's node first, then alice's.
      if (i === TOTAL / 3) deaths.push(b.kill('SIGKILL'));
      if (i === (2 * TOTAL) / 3) deaths.push(a.kill('SIGKILL'));
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await alice.send('bob', `m${i}`);
          // queued: the connection dropped mid-send; the SDK sends it again itself after reconnecting.
          (r.queued ? queued : acknowledged).push(`m${i}`);
          break;
        } catch (err) {
          // NOT_CONNECTED: refused before anything was sent or kept (between nodes); retry, as an app would.
          // Anything else: the send failed; it must not show up twice.
          const code = (err as { code?: string }).code;
          if (code !== 'NOT_CONNECTED') {
            unacknowledged.push(`m${i}`);
            break;
          }
          if (attempt >= 40) throw err;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    }
    await Promise.all(deaths);
    expect(deaths).toHaveLength(2);

    const kept = [...acknowledged, ...queued];
    await until(() => kept.every((t) => received.some((m: Message) => m.text === t)), 60_000);
    const count = (t: string) => received.filter((m: Message) => m.text === t).length;
    for (const t of kept) expect(count(t), t).toBe(1); // every acknowledged or queued message, exactly once
    for (const t of unacknowledged) expect(count(t), t).toBeLessThanOrEqual(1);
    expect(kept.length).toBe(TOTAL);
    // Delivered in the order sent.
    const order = received.map((m: Message) => Number(m.text.slice(1)));
    expect(order).toEqual([...order].sort((x, y) => x - y));
    // Both ended up on the surviving node; their history agrees.
    expect(alice.online && bob.online).toBe(true);
    const bobHistory = (await bob.history('alice', { limit: 1000 })).map((m) => m.text);
    expect(bobHistory).toEqual(received.map((m: Message) => m.text));
    expect(errors.filter((e) => e.code !== 'NOT_CONNECTED' && e.code !== 'TIMEOUT')).toEqual([]);
  });
});
