/**
 * A real PostgreSQL restart under load loses nothing and shows nothing twice. Two server processes share a
 * private PostgreSQL cluster (never the shared test server, which other test files use) and Redis; while
 * alice (on node 1) sends continuously to bob (on node 2), the cluster is stopped — once in `immediate`
 * mode (a crash: no checkpoint, crash recovery at the next start), once in `fast` mode — kept down about
 * 1.5 s, and started again on the same port and data. Every send the server acknowledged (`sent`)
 * reaches bob exactly once on his one connection; no message shows twice; while the database is down
 * sends fail with an error frame (no crash, no hang); both nodes serve sends again afterwards without
 * being restarted.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerFrame } from '@sotto/protocol';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SERVER_SETUP_FILE } from '../src/modules/auth/server-setup.js';
import { TestAccount } from './helpers/account.js';
import { type ChildServer, killAllChildren, startChildServer } from './helpers/child-server.js';
import { TestClient } from './helpers/client.js';
import { describeWithPrivatePostgres, PrivatePostgres, type StopMode } from './helpers/private-postgres.js';
import { dropRedisPrefix, redisUrlWithChannel, testSchemaName } from './helpers/services.js';
import { befriend } from './helpers/world.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const text = (b: Uint8Array) => Buffer.from(b).toString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long the database stays down in each restart. */
const DOWN_MS = 1_500;
/** An answer slower than this counts as a hang (generous: the box is shared and loaded). */
const ANSWER_TIMEOUT_MS = 20_000;

/** How many envelopes `account`'s mailboxes hold (straight from the database). */
async function storedFor(db: PrivatePostgres, account: string): Promise<number> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const r = await client.query('SELECT COUNT(*)::int AS n FROM envelopes WHERE recipient_account = $1', [
      account,
    ]);
    return (r.rows[0] as { n: number }).n;
  } finally {
    await client.end();
  }
}

/** How one send ended. */
type Outcome =
  | { readonly kind: 'sent'; readonly at: number; readonly body: string; readonly ids: readonly string[] }
  | { readonly kind: 'error'; readonly at: number; readonly body: string; readonly code: string }
  | { readonly kind: 'hang'; readonly at: number; readonly body: string };

await describeWithPrivatePostgres(['redis'], 'a real PostgreSQL restart under load', () => {
  const channel = testSchemaName();
  const dirs: string[] = [];
  const nodes: ChildServer[] = [];
  let pgsql: PrivatePostgres | undefined;

  beforeAll(async () => {
    pgsql = await PrivatePostgres.start();
    // The send rate limit is not what this test is about: the failed sends of the outage would use it up.
    const args = [
      '--store',
      pgsql.url,
      '--bus',
      redisUrlWithChannel(channel),
      '--limit',
      'sendsPerDevicePerSecond=100000',
    ];
    for (let i = 0; i < 2; i++) dirs.push(mkdtempSync(join(tmpdir(), `sotto-node-${i}-`)));
    const [d0, d1] = dirs as [string, string];
    nodes.push(await startChildServer({ dataDir: d0, args }));
    copyFileSync(join(d0, SERVER_SETUP_FILE), join(d1, SERVER_SETUP_FILE));
    nodes.push(await startChildServer({ dataDir: d1, args }));
  }, 120_000);
  afterAll(async () => {
    await killAllChildren();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await pgsql?.stop();
    await dropRedisPrefix(channel);
  }, 60_000);

  it('delivers every acknowledged send exactly once across an immediate and a fast restart', async () => {
    const db = pgsql as PrivatePostgres;
    const [a, b] = nodes as [ChildServer, ChildServer];
    const alice = await TestAccount.create('alice');
    const bob = await TestAccount.create('bob');
    expect(await alice.register(a.url)).toBe(201);
    expect(await bob.register(b.url)).toBe(201);
    const ca = await TestClient.connect(a.wsUrl, alice);
    const cb = await TestClient.connect(b.wsUrl, bob);
    await befriend(alice, ca, bob, cb);
    // Carol is offline through both restarts: what alice sent her must survive them in her mailbox.
    const carol = await TestAccount.create('carol');
    expect(await carol.register(b.url)).toBe(201);
    const cc = await TestClient.connect(b.wsUrl, carol);
    await befriend(alice, ca, carol, cc);
    await cc.close();
    const forCarol: string[] = [];

    // Bob acknowledges everything he gets, and counts how often each envelope (and each body) arrived.
    const seen = new Map<string, number>();
    const seenBodies = new Map<string, number>();
    let consuming = true;
    const consumer = (async () => {
      while (consuming) {
        const f = await cb.next((x) => x.t === 'envelope', 500).catch(() => undefined);
        if (f?.t !== 'envelope') continue;
        const id = hex(f.envelopeId);
        seen.set(id, (seen.get(id) ?? 0) + 1);
        seenBodies.set(text(f.body), (seenBodies.get(text(f.body)) ?? 0) + 1);
        cb.sendFrame({ t: 'ack', envelopeIds: [f.envelopeId] });
      }
    })();

    const outcomes: Outcome[] = [];
    let n = 0;
    let requestId = 1_000_000;
    /** One send from alice to bob; records how it ended. */
    const sendOne = async (): Promise<Outcome> => {
      const body = `m${n++}`;
      const id = requestId++;
      ca.sendFrame({
        t: 'send',
        id,
        to: 'bob',
        messages: [{ account: 'bob', deviceId: 1, body: new Uint8Array(Buffer.from(body)) }],
      });
      const answer: ServerFrame | undefined = await ca
        .next((f) => 'id' in f && f.id === id, ANSWER_TIMEOUT_MS)
        .catch(() => undefined);
      const at = Date.now();
      let o: Outcome;
      if (answer?.t === 'sent') o = { kind: 'sent', at, body, ids: answer.envelopeIds.map(hex) };
      else if (answer?.t === 'error') o = { kind: 'error', at, body, code: answer.code };
      else o = { kind: 'hang', at, body };
      outcomes.push(o);
      return o;
    };
    /** `inflight` senders in a loop until `until()` says stop (a short pause after a failure). */
    const sendWhile = async (until: () => boolean, inflight = 8) => {
      await Promise.all(
        Array.from({ length: inflight }, async () => {
          while (!until()) {
            if ((await sendOne()).kind !== 'sent') await sleep(50);
          }
        }),
      );
    };
    const sentSince = (t: number) => outcomes.filter((o) => o.kind === 'sent' && o.at > t).length;

    // Warm up: everything goes through.
    for (let i = 0; i < 5; i++) await Promise.all(Array.from({ length: 8 }, sendOne));
    expect(outcomes.every((o) => o.kind === 'sent')).toBe(true);

    /** Each round's figures (in failure messages). */
    const rounds: string[] = [];
    for (const mode of ['immediate', 'fast'] as StopMode[]) {
      const before = outcomes.length;
      const started = Date.now();
      let stop = false;
      for (let i = 0; i < 10; i++) {
        const body = new Uint8Array(Buffer.from(`carol-${mode}-${i}`));
        const answer = await ca.request({
          t: 'send',
          to: 'carol',
          messages: [{ account: 'carol', deviceId: 1, body }],
        });
        expect(answer.t).toBe('sent');
        if (answer.t === 'sent') forCarol.push(...answer.envelopeIds.map(hex));
      }
      const traffic = sendWhile(() => stop);
      // Traffic flows, then the database goes down, stays down, and comes back.
      await expect.poll(() => sentSince(started), { timeout: 30_000 }).toBeGreaterThanOrEqual(40);
      const downAt = Date.now();
      await db.restart({ mode, downMs: DOWN_MS });
      const upAt = Date.now();
      // Sends go through again without restarting either node.
      await expect.poll(() => sentSince(upAt), { timeout: 60_000 }).toBeGreaterThanOrEqual(40);
      stop = true;
      await traffic;
      const round = outcomes.slice(before);
      const firstOk = round.find((o) => o.kind === 'sent' && o.at > upAt);
      const figures = JSON.stringify({
        mode,
        sends: round.length,
        acknowledged: round.filter((o) => o.kind === 'sent').length,
        failed: round.filter((o) => o.kind === 'error').length,
        errorCodes: [...new Set(round.flatMap((o) => (o.kind === 'error' ? [o.code] : [])))],
        downForMs: upAt - downAt,
        recoveredAfterUpMs: (firstOk?.at ?? upAt) - upAt,
        failedAfterUp: round.filter((o) => o.kind === 'error' && o.at > upAt).length,
      });
      rounds.push(figures);

      // The database was down for a while under continuous sends: some failed, each answered at once with
      // an error frame (the server cannot store them, so it must not say `sent`).
      expect(
        round.filter((o) => o.kind === 'hang'),
        figures,
      ).toEqual([]);
      expect(round.filter((o) => o.kind === 'error').length, figures).toBeGreaterThan(0);
      expect(
        round.flatMap((o) => (o.kind === 'error' ? [o.code] : [])),
        figures,
      ).toEqual(round.filter((o) => o.kind === 'error').map(() => 'INTERNAL'));
      for (const node of nodes) expect(node.process.exitCode ?? node.process.signalCode).toBeNull();
    }

    // Both nodes serve sends again: bob (on node 2) writes to alice (on node 1) as well.
    for (let i = 0; i < 10; i++) {
      const body = new Uint8Array(Buffer.from(`back${i}`));
      expect(
        await cb.request({ t: 'send', to: 'alice', messages: [{ account: 'alice', deviceId: 1, body }] }),
      ).toMatchObject({ t: 'sent' });
    }
    for (let i = 0; i < 10; i++) {
      const f = await ca.next((x) => x.t === 'envelope', 10_000);
      expect(f.t === 'envelope' && text(f.body)).toMatch(/^back\d$/);
    }

    // Every acknowledged send reached bob, exactly once; nothing showed twice (by envelope id or body).
    const acked = outcomes.flatMap((o) => (o.kind === 'sent' ? o.ids : []));
    await expect.poll(() => acked.filter((id) => !seen.has(id)).length, { timeout: 30_000 }).toBe(0);
    consuming = false;
    await consumer;
    const totals = JSON.stringify({
      rounds,
      acknowledged: acked.length,
      failed: outcomes.filter((o) => o.kind === 'error').length,
      delivered: seen.size,
      // Failed sends that were stored anyway (committed, but the answer was lost): delivered, once.
      deliveredUnacknowledged: [...seenBodies.keys()].filter((body) =>
        outcomes.some((o) => o.body === body && o.kind !== 'sent'),
      ).length,
    });
    expect(new Set(acked).size, totals).toBe(acked.length);
    expect(
      [...seen.values()].filter((k) => k > 1),
      totals,
    ).toEqual([]);
    expect(
      [...seenBodies.entries()].filter(([, k]) => k > 1),
      totals,
    ).toEqual([]);
    // Bob saw only what alice sent.
    const bodies = new Set(outcomes.map((o) => o.body));
    expect([...seenBodies.keys()].filter((body) => !bodies.has(body))).toEqual([]);
    // Neither node went down, and both clients kept their connections through it all.
    for (const node of nodes) expect(node.process.exitCode ?? node.process.signalCode).toBeNull();
    expect(ca.ws.readyState).toBe(ca.ws.OPEN);
    expect(cb.ws.readyState).toBe(cb.ws.OPEN);
    await ca.close();
    await cb.close();

    // Carol's mail survived both restarts (the first a crash): all of it, once.
    const cc2 = await TestClient.connect(b.wsUrl, carol);
    const carolGot: string[] = [];
    while (carolGot.length < forCarol.length) {
      const f = await cc2.next((x) => x.t === 'envelope', 10_000);
      if (f.t === 'envelope') carolGot.push(hex(f.envelopeId));
    }
    expect(carolGot.sort()).toEqual([...forCarol].sort());
    await cc2.close();

    // Bob's acks that failed while the database was down left those envelopes stored: they come again
    // on his next connection (at least once per device, as designed), and nothing else does.
    const left = await storedFor(db, 'bob');
    const cb2 = await TestClient.connect(b.wsUrl, bob);
    const redelivered: string[] = [];
    while (redelivered.length < left) {
      const f = await cb2.next((x) => x.t === 'envelope', 10_000);
      if (f.t === 'envelope') redelivered.push(hex(f.envelopeId));
    }
    expect(redelivered.filter((id) => !seen.has(id))).toEqual([]);
    await cb2.close();
  }, 240_000);
});
