/**
 * Durability: the server runs as a child process (the real CLI) on a real SQLite data dir. Five sender
 * accounts send 5,000 envelopes to one offline receiver, pipelined with a bounded window; the server is
 * SIGKILLed and restarted on the same port and data dir after about a third and two thirds of the sends
 * were acknowledged. Senders reconnect and resend whatever was not acknowledged, as a real client does.
 * Then the receiver connects and drains its mailbox with acks.
 *
 * What a user would notice, and what is asserted:
 * - every envelope whose `sent` the sender saw is delivered (by its envelope id), intact;
 * - after de-duplication, each message reaches the application exactly once;
 * - duplicates are only ever resends whose `sent` was lost with the server (never more than those);
 * - an acknowledged envelope is gone for good: a fresh connection gets nothing again.
 *
 * De-duplication: the client drops duplicates by envelope id. A resend after a lost `sent` is a new send,
 * and envelope ids are assigned by the server, so the resend gets a new envelope id even though the first
 * copy may have been stored. The real client catches that copy in its ratchet (same message counter); this
 * test stands in for it with a per-message id carried inside the body.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerFrame } from '@sotto/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { TestAccount } from './helpers/account.js';
import { type ChildServer, freePort, killAllChildren, startChildServer } from './helpers/child-server.js';
import { TestClient } from './helpers/client.js';
import { befriend } from './helpers/world.js';

/**
 * Five senders of 1,000 each: the server's default send limit (20 per device per second, bursts of
 * 1,200) stays out of the way without reconfiguring the real CLI.
 */
const SENDERS = 5;
const PER_SENDER = 1_000;
const TOTAL = SENDERS * PER_SENDER;
/** Sends in flight per sender connection (5 × 16 = 80 in flight overall). */
const WINDOW = 16;
const BODY_BYTES = 256;

const dataDir = mkdtempSync(join(tmpdir(), 'sotto-durability-'));
afterAll(async () => {
  await killAllChildren();
  rmSync(dataDir, { recursive: true, force: true });
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The 256-byte body of message `seq` of sender `s`: a readable message id, then filler derived from it. */
function bodyOf(s: number, seq: number): Uint8Array {
  const b = Buffer.alloc(BODY_BYTES);
  const head = `m:${s}:${seq};`;
  b.write(head, 'latin1');
  for (let i = head.length; i < BODY_BYTES; i++) b[i] = (seq * 31 + s * 7 + i) & 0xff;
  return new Uint8Array(b);
}

/** The message id in a body, or undefined when the body is not one this test sent intact. */
function messageIdOf(body: Uint8Array): { s: number; seq: number } | undefined {
  const m = /^m:(\d+):(\d+);/.exec(Buffer.from(body.subarray(0, 24)).toString('latin1'));
  if (!m) return undefined;
  const s = Number(m[1]);
  const seq = Number(m[2]);
  return Buffer.from(bodyOf(s, seq)).equals(Buffer.from(body)) ? { s, seq } : undefined;
}

/** Connects, retrying while the server is down (a client's reconnect loop, without backoff growth). */
async function connectRetrying(harness: { server: ChildServer }, account: TestAccount): Promise<TestClient> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await TestClient.connect(harness.server.wsUrl, account);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** One sender account and what it knows about its messages. */
interface Sender {
  readonly index: number;
  readonly account: TestAccount;
  /** seq → the envelope id from `sent`. */
  readonly acked: Map<number, string>;
  /** How often each seq was sent (more than once after a lost answer). */
  readonly attempts: Map<number, number>;
}

describe('durability across SIGKILL', () => {
  it('delivers every acknowledged envelope exactly once to the application after two kills', async () => {
    const harness = { server: await startChildServer({ dataDir, port: await freePort() }) };
    const receiver = await TestAccount.create('receiver');
    expect(await receiver.register(harness.server.url)).toBe(201);
    const senders: Sender[] = [];
    const cr = await TestClient.connect(harness.server.wsUrl, receiver);
    for (let s = 0; s < SENDERS; s++) {
      const account = await TestAccount.create(`sender${s}`);
      expect(await account.register(harness.server.url)).toBe(201);
      const c = await TestClient.connect(harness.server.wsUrl, account);
      await befriend(account, c, receiver, cr);
      await c.close();
      senders.push({ index: s, account, acked: new Map(), attempts: new Map() });
    }
    // The receiver stays offline until the end: everything goes through the durable mailbox.
    await cr.close();

    const sendFrame = (s: number, seq: number) => ({
      t: 'send' as const,
      to: receiver.name,
      messages: [{ account: receiver.name, deviceId: 1, body: bodyOf(s, seq) }],
    });
    const errors: string[] = [];
    const killAt = [Math.round(TOTAL / 3), Math.round((2 * TOTAL) / 3)];
    let ackedTotal = 0;
    let kills = 0;
    let restarting: Promise<void> | undefined;
    const onAck = () => {
      ackedTotal++;
      if (restarting === undefined && kills < killAt.length && ackedTotal >= (killAt[kills] ?? TOTAL)) {
        kills++;
        const { dataDir: dir, port } = harness.server;
        restarting = harness.server.kill('SIGKILL').then(async (status) => {
          expect(status.signal).toBe('SIGKILL');
          harness.server = await startChildServer({ dataDir: dir, port });
          restarting = undefined;
        });
      }
    };

    /** Sends every unacknowledged message over one connection until done or the connection drops. */
    const pump = (sender: Sender, client: TestClient) =>
      new Promise<void>((resolve) => {
        const queue = [...Array(PER_SENDER).keys()].filter((seq) => !sender.acked.has(seq));
        let inFlight = 0;
        let dead = false;
        const lost = client.closed.then(() => {
          dead = true;
          resolve();
        });
        const fill = () => {
          if (dead) return;
          if (queue.length === 0 && inFlight === 0) return resolve();
          while (inFlight < WINDOW && queue.length > 0) {
            const seq = queue.shift() as number;
            inFlight++;
            sender.attempts.set(seq, (sender.attempts.get(seq) ?? 0) + 1);
            Promise.race([client.request(sendFrame(sender.index, seq)), lost.then(() => undefined)]).then(
              (f: ServerFrame | undefined) => {
                inFlight--;
                if (f?.t === 'sent' && f.envelopeIds[0]) {
                  sender.acked.set(seq, hex(f.envelopeIds[0]));
                  onAck();
                } else if (f !== undefined) {
                  errors.push(f.t === 'error' ? f.code : f.t);
                  queue.push(seq);
                }
                fill();
              },
              () => {
                // No answer in time: treat as not acknowledged, resend.
                inFlight--;
                queue.push(seq);
                fill();
              },
            );
          }
        };
        fill();
      });

    await Promise.all(
      senders.map(async (sender) => {
        while (sender.acked.size < PER_SENDER) {
          const client = await connectRetrying(harness, sender.account);
          await pump(sender, client);
          await client.close();
        }
      }),
    );
    await restarting;
    expect(kills).toBe(2);
    expect(errors).toEqual([]);

    // A sentinel sent after every other send was acknowledged is stored last; pushes come oldest first,
    // so once it arrives the receiver has seen its whole mailbox.
    const firstSender = senders[0];
    if (firstSender === undefined) throw new Error('no sender');
    const sentinelSender = await TestClient.connect(harness.server.wsUrl, firstSender.account);
    const sentinel = async (text: string) => {
      const f = await sentinelSender.request({
        t: 'send',
        to: receiver.name,
        messages: [{ account: receiver.name, deviceId: 1, body: new Uint8Array(Buffer.from(text)) }],
      });
      if (f.t !== 'sent' || !f.envelopeIds[0]) throw new Error(`sentinel not sent: ${JSON.stringify(f)}`);
      return hex(f.envelopeIds[0]);
    };
    const end = await sentinel('end-of-run');

    const rc = await TestClient.connect(harness.server.wsUrl, receiver);
    const envelopeIds = new Set<string>();
    const application = new Set<string>();
    let delivered = 0;
    let pushedTwice = 0;
    let corrupt = 0;
    let wrongSender = 0;
    let batch: Uint8Array[] = [];
    const flushAcks = () => {
      if (batch.length > 0) rc.sendFrame({ t: 'ack', envelopeIds: batch });
      batch = [];
    };
    for (;;) {
      const f = await rc.next((x) => x.t === 'envelope', 15_000);
      if (f.t !== 'envelope') continue;
      const id = hex(f.envelopeId);
      batch.push(f.envelopeId);
      if (batch.length === 256) flushAcks();
      if (id === end) break;
      delivered++;
      if (envelopeIds.has(id)) pushedTwice++;
      envelopeIds.add(id);
      const msg = messageIdOf(f.body);
      if (msg === undefined) {
        corrupt++;
        continue;
      }
      if (f.from.account !== `sender${msg.s}`) wrongSender++;
      application.add(`${msg.s}:${msg.seq}`);
    }
    flushAcks();
    // Frames are handled in order: the pong means the acks before it are done.
    expect(await rc.request({ t: 'ping' })).toMatchObject({ t: 'pong' });
    await rc.close();

    const acked = senders.flatMap((s) => [...s.acked.values()]);
    const missing = acked.filter((id) => !envelopeIds.has(id));
    const resends = senders.reduce((n, s) => n + [...s.attempts.values()].reduce((a, k) => a + k - 1, 0), 0);
    console.error(
      `durability: ${TOTAL} messages, ${kills} SIGKILLs, ${acked.length} acknowledged sends, ${resends} resends, ` +
        `${delivered} envelopes delivered, ${application.size} unique messages, ` +
        `${delivered - application.size} duplicates dropped by the client`,
    );
    expect(acked.length).toBe(TOTAL);
    expect(missing).toEqual([]);
    expect(corrupt).toBe(0);
    expect(wrongSender).toBe(0);
    expect(pushedTwice).toBe(0);
    expect(application.size).toBe(TOTAL);
    // Extra copies can only come from resends whose first copy was stored before the kill.
    expect(delivered - application.size).toBeLessThanOrEqual(resends);

    // Acknowledged envelopes are deleted: a new connection sees only what was sent after the drain.
    const after = await sentinel('after-drain');
    const rc2 = await TestClient.connect(harness.server.wsUrl, receiver);
    const first = await rc2.next((x) => x.t === 'envelope', 15_000);
    expect(first.t === 'envelope' ? hex(first.envelopeId) : first.t).toBe(after);
    await rc2.close();
    await sentinelSender.close();

    await harness.server.kill('SIGTERM');
  }, 90_000);
});
