/**
 * The presence an account chose (state and status text) is kept by the server: after its device
 * reconnects, and after the server restarts, its contacts see the same choice without the account setting
 * it again. On one node with a SQLite file, and on two nodes sharing PostgreSQL and Redis.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerFrame } from '@sotto/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVER_SETUP_FILE } from '../src/modules/auth/server-setup.js';
import type { TestAccount } from './helpers/account.js';
import type { TestClient } from './helpers/client.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import {
  describeWith,
  dropRedisPrefix,
  dropSchema,
  postgresUrlWithSchema,
  redisUrlWithChannel,
  testSchemaName,
} from './helpers/services.js';
import { befriend, connect, registered } from './helpers/world.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Presence pushes about `account`. */
const presenceOf = (account: string) => (f: ServerFrame) => f.t === 'presence' && f.account === account;

/** Waits for a push of `account`'s presence in `state` on `c`, consuming the pushes about it before. */
async function waitFor(c: TestClient, account: string, state: string): Promise<void> {
  for (;;) {
    const f = await c.next(presenceOf(account));
    if (f.t === 'presence' && f.state === state) return;
  }
}

/** What `viewer` is shown about `account` when it connects to `t`: the presence it gets at once. */
async function seenOnConnect(t: TestServer, viewer: TestAccount, account: string) {
  const c = await connect(t, viewer);
  const f = await c.next(presenceOf(account));
  await c.close();
  return f;
}

const busy = { t: 'presence', account: 'bob', state: 'busy', text: 'in a meeting' };

/**
 * alice (connected to `home`) and bob (connected to `first`) become contacts; bob chooses busy with a
 * text, his device leaves, and it comes back on `back`. `seen` is what alice is told about him then.
 */
async function chooseBusyAndReconnect(home: TestServer, first: TestServer, back: TestServer) {
  const alice = await registered(home, 'alice');
  const bob = await registered(first, 'bob');
  const ca = await connect(home, alice);
  const cb = await connect(first, bob);
  await befriend(alice, ca, bob, cb);
  expect(await cb.request({ t: 'presence.set', state: 'busy', text: 'in a meeting' })).toMatchObject({
    t: 'ok',
  });
  await waitFor(ca, 'bob', 'busy');
  await cb.close();
  await waitFor(ca, 'bob', 'offline');
  const again = await connect(back, bob);
  const seen = await ca.next(presenceOf('bob'));
  await again.close();
  await ca.close();
  return { alice, bob, seen };
}

describe('chosen presence on one node (SQLite file)', () => {
  it('survives a reconnect and a server restart; appearing offline and clearing the text are kept too', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sotto-presence-'));
    dirs.push(dataDir);
    let t = await startTestServer({ dataDir });
    try {
      const { alice, bob, seen } = await chooseBusyAndReconnect(t, t, t);
      expect(seen).toEqual(busy);
      let cb: TestClient;

      // The server restarts on the same file: a contact connecting sees bob busy once he is back.
      await t.stop(true);
      t = await startTestServer({ dataDir });
      expect(await seenOnConnect(t, alice, 'bob')).toMatchObject({ state: 'offline' });
      cb = await connect(t, bob);
      expect(await seenOnConnect(t, alice, 'bob')).toEqual(busy);

      // Appearing offline and a state without text hold across a reconnect as well.
      await cb.request({ t: 'presence.set', state: 'offline' });
      await cb.close();
      cb = await connect(t, bob);
      expect(await seenOnConnect(t, alice, 'bob')).toMatchObject({ state: 'offline' });
      await cb.request({ t: 'presence.set', state: 'away' });
      await cb.close();
      cb = await connect(t, bob);
      expect(await seenOnConnect(t, alice, 'bob')).toEqual({ t: 'presence', account: 'bob', state: 'away' });
      await cb.close();
    } finally {
      await t.stop(true);
    }
  });
});

await describeWith(['postgres', 'redis'], 'chosen presence on two nodes (PostgreSQL and Redis)', () => {
  const schema = testSchemaName();
  const store = postgresUrlWithSchema(schema);
  const bus = redisUrlWithChannel(schema);
  afterAll(async () => {
    await dropSchema(schema);
    await dropRedisPrefix(schema);
  });

  /** Nodes A and B on the shared store and bus, with their data directories (kept for a restart). */
  async function nodes(dirA?: string, dirB?: string): Promise<[TestServer, TestServer]> {
    const a = await startTestServer({ store, bus, ...(dirA === undefined ? {} : { dataDir: dirA }) });
    const b2 = dirB ?? mkdtempSync(join(tmpdir(), 'sotto-node-b-'));
    if (dirB === undefined) copyFileSync(join(a.dataDir, SERVER_SETUP_FILE), join(b2, SERVER_SETUP_FILE));
    const b = await startTestServer({ store, bus, dataDir: b2 });
    dirs.push(a.dataDir, b.dataDir);
    return [a, b];
  }

  it('set on one node, shown after a reconnect on the other, and after both nodes restart', async () => {
    let [a, b] = await nodes();
    try {
      // Bob chooses on node B, leaves, and comes back on node A.
      const { alice, bob, seen } = await chooseBusyAndReconnect(a, b, a);
      expect(seen).toEqual(busy);

      // Both nodes restart (a new process each, with nothing of the old one's memory).
      await a.stop(true);
      await b.stop(true);
      [a, b] = await nodes(a.dataDir, b.dataDir);
      const cb = await connect(a, bob);
      expect(await seenOnConnect(b, alice, 'bob')).toEqual(busy);
      await cb.close();
    } finally {
      await a.stop(true);
      await b.stop(true);
    }
  });
});
