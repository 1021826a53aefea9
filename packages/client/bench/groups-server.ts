/**
 * The server half of `npm run bench:groups`: a real server (SQLite, in this process) and three accounts
 * with one device each in a group. Bob and carol stay offline while alice sends, so the server keeps
 * what it stores for each message: the body once (`group_bodies`) and one envelope reference per
 * recipient device (`envelopes` rows pointing at it). Sizes are the stored columns' bytes (SQLite's own
 * page and index overhead aside). What alice uploads is each `groups.send` frame as it leaves.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeProvider } from '@sotto/crypto';
import { decodeFrame } from '@sotto/protocol';
import { DEFAULT_SERVER_LIMITS, defaultConfig, startServer } from '@sotto/server';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { createClient, MemoryStore, type SottoClient, type WebSocketConstructor } from '../src/index.js';

/** What the server measurement found. */
export interface ServerFigures {
  readonly messages: number;
  /** Mean `groups.send` frame bytes per message. */
  readonly upload_bytes: number;
  /** Mean stored body bytes per message (row columns). */
  readonly stored_body_bytes: number;
  /** Mean stored bytes of one recipient's envelope reference. */
  readonly stored_reference_bytes: number;
  /** Per group size (one device per member): bytes up, bytes stored per message. */
  readonly computed: ReadonlyArray<{ members: number; uploaded_bytes: number; stored_bytes: number }>;
}

const STRONG = 'correct horse battery staple 42!';
const MESSAGES = 20;

/** Measures a 3-account group against a real server; computes `sizes`. */
export async function measureServer(sizes: readonly number[]): Promise<ServerFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sotto-bench-groups-'));
  const server = await startServer(
    defaultConfig({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      logLevel: 'warn',
      limits: { ...DEFAULT_SERVER_LIMITS, loginAttemptsPerIpPerMinute: 1000, sendsPerDevicePerSecond: 1000 },
    }),
    { logDestination: { write: () => undefined } },
  );
  const uploads: number[] = [];
  // The sender's socket, counting the bytes of every group message frame it sends.
  class Counting extends WebSocket {
    override send(data: Uint8Array): void {
      try {
        if (decodeFrame(data, { maxFrameBytes: 1 << 25 }, 'client').t === 'groups.send')
          uploads.push(data.length);
      } catch {
        // not ours to judge
      }
      super.send(data);
    }
  }
  const provider = createNodeProvider();
  const make = (counting = false): SottoClient =>
    createClient({
      server: server.url,
      store: new MemoryStore(),
      provider,
      keyPackageBatch: 2,
      ...(counting ? { WebSocket: Counting as unknown as WebSocketConstructor } : {}),
    });
  const [alice, bob, carol] = [make(true), make(), make()];
  try {
    for (const [c, n] of [
      [alice, 'alice'],
      [bob, 'bob'],
      [carol, 'carol'],
    ] as const)
      await c.register({ name: n, password: STRONG });
    for (const other of [bob, carol]) {
      const name = other === bob ? 'bob' : 'carol';
      const accepted = new Promise<void>((resolve) =>
        alice.on('contact-event', (e) => e.account === name && e.state === 'accepted' && resolve()),
      );
      await alice.requestContact(name);
      await new Promise((r) => setTimeout(r, 200));
      await other.acceptContact('alice');
      await accepted;
    }
    const g = await alice.createGroup({ name: 'bench', members: ['bob', 'carol'] });
    // Let the members join, then take them offline: what alice sends now stays on the server.
    await new Promise((r) => setTimeout(r, 2000));
    await bob.close();
    await carol.close();
    for (let i = 0; i < MESSAGES; i++) await alice.send(g.id, `message ${i} ${'x'.repeat(100)}`);
    const db = new Database(join(dataDir, 'sotto.db'), { readonly: true });
    const bodies = db
      .prepare(
        "SELECT id, length(body) + length(group_id) + length(kind) + 16 AS bytes FROM group_bodies WHERE kind = 'message' ORDER BY id DESC LIMIT ?",
      )
      .all(MESSAGES) as Array<{ id: number; bytes: number }>;
    let refs = 0;
    let refCount = 0;
    for (const b of bodies) {
      const r = db
        .prepare(
          'SELECT count(*) AS n, sum(length(recipient_account) + length(id) + length(sender_account) + length(body) + 32) AS bytes FROM envelopes WHERE group_body = ?',
        )
        .get(b.id) as { n: number; bytes: number | null };
      refs += r.bytes ?? 0;
      refCount += r.n;
    }
    db.close();
    const upload = uploads.slice(-MESSAGES).reduce((a, b) => a + b, 0) / MESSAGES;
    const body = bodies.reduce((a, b) => a + b.bytes, 0) / bodies.length;
    const reference = refCount === 0 ? 0 : refs / refCount;
    return {
      messages: MESSAGES,
      upload_bytes: Math.round(upload),
      stored_body_bytes: Math.round(body),
      stored_reference_bytes: Math.round(reference),
      computed: sizes.map((members) => ({
        members,
        uploaded_bytes: Math.round(upload),
        stored_bytes: Math.round(body + reference * (members - 1)),
      })),
    };
  } finally {
    for (const c of [alice, bob, carol]) await c.close();
    await server.close(500);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
