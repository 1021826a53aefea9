/**
 * The mailbox pump's ordering rule, with a real SQLite store whose mailbox reads can be held open: a mail
 * signal's envelopes are handed on without a read only while the pump is caught up. The connection is a
 * recorder of what the pump sends (the rule under test is the pump's; the socket is not).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerFrame } from '@sotto/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveredEnvelopes } from '../src/modules/relay/delivered.js';
import { MailboxPump } from '../src/modules/relay/pump.js';
import type { RelayService } from '../src/modules/relay/relay.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { DeviceAddress, Store, StoredEnvelope } from '../src/store/store.js';
import type { Connection } from '../src/ws/connection.js';

const bob: DeviceAddress = { account: 'bob', deviceId: 1 };
const alice: DeviceAddress = { account: 'alice', deviceId: 1 };

/** Records what the pump sends; `congested` is set by the test. */
class Recorder {
  readonly device = bob;
  open = true;
  congested = false;
  readonly sent: string[] = [];
  send(frame: ServerFrame): void {
    if (frame.t === 'envelope') this.sent.push(Buffer.from(frame.body).toString());
  }
  async drained(): Promise<void> {}
}

/** A real store whose mailbox reads wait for `release()` while `hold()` is in force; counts the reads. */
function gated(store: Store) {
  let gate: Promise<void> | undefined;
  let open: () => void = () => {};
  let reads = 0;
  const fetchMailbox: Store['fetchMailbox'] = async (...args) => {
    reads++;
    if (gate !== undefined) await gate;
    return store.fetchMailbox(...args);
  };
  return {
    store: new Proxy(store, {
      get: (target, prop, receiver) =>
        prop === 'fetchMailbox' ? fetchMailbox : Reflect.get(target, prop, receiver),
    }),
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open();
    },
    reads: () => reads,
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

let dir: string;
let store: Store;
let n = 0;

/** Stores envelope `label` for bob and returns it as stored (what the relay signals). */
async function enqueue(label: string): Promise<StoredEnvelope> {
  const e = {
    id: new Uint8Array(16).fill(++n),
    sender: alice,
    recipient: bob,
    body: new Uint8Array(Buffer.from(label)),
    receivedAt: 1_000,
  };
  const r = await store.enqueue([e], 1_000);
  if (!r.ok || r.seqs[0] === undefined) throw new Error('not stored');
  return { ...e, seq: r.seqs[0] };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sotto-pump-'));
  store = openSqliteStore(join(dir, 'sotto.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('mailbox pump', () => {
  it('never hands on a signalled envelope ahead of a read under way, and then hands on without reads', async () => {
    const g = gated(store);
    const conn = new Recorder();
    const relay = { oldestDeliverable: () => 0 } as unknown as RelayService;
    const pump = new MailboxPump(conn as unknown as Connection, g.store, relay, (err) => {
      throw err;
    });
    await enqueue('e1');
    await enqueue('e2');
    g.hold();
    pump.kick();
    // Committed and signalled while the first read is held: it must wait for that read.
    const e3 = await enqueue('e3');
    pump.signal({ ...bob, envelopes: [e3] });
    await settle();
    expect(conn.sent).toEqual([]);
    g.release();
    await settle();
    await settle();
    expect(conn.sent).toEqual(['e1', 'e2', 'e3']);
    const reads = g.reads();

    // Caught up: a signal's envelopes go out as they are, with no read; one already sent is not resent.
    const e4 = await enqueue('e4');
    pump.signal({ ...bob, envelopes: [e3, e4] });
    expect(conn.sent).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(g.reads()).toBe(reads);

    // A congested socket, or a signal without envelopes (another node's), asks for a read instead.
    conn.congested = true;
    const e5 = await enqueue('e5');
    pump.signal({ ...bob, envelopes: [e5] });
    await settle();
    expect(g.reads()).toBe(reads + 1);
    expect(conn.sent).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    conn.congested = false;
    await enqueue('e6');
    pump.signal({ ...bob });
    await settle();
    expect(g.reads()).toBe(reads + 2);
    expect(conn.sent).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);

    // Acks name what this connection was sent, once each; ids it was not sent are ignored.
    const acked = pump.acknowledged([e4.id, new Uint8Array(16).fill(99), e4.id, e3.id]);
    expect(acked).toEqual([
      { seq: e4.seq, id: e4.id },
      { seq: e3.seq, id: e3.id },
    ]);
    expect(pump.acknowledged([e4.id])).toEqual([]);
    expect(await store.ackEnvelopes(bob, acked)).toBe(2);
  });
});

describe('mailbox pump with signals from several nodes (prev)', () => {
  it('hands an envelope on only when everything before it was, else reads; keeps signals during a read', async () => {
    const g = gated(store);
    const conn = new Recorder();
    const relay = { oldestDeliverable: () => 0 } as unknown as RelayService;
    const pump = new MailboxPump(conn as unknown as Connection, g.store, relay, (err) => {
      throw err;
    });
    const e1 = await enqueue('e1');
    pump.kick();
    await settle();
    expect(conn.sent).toEqual(['e1']);
    let reads = g.reads();

    // e2's signal is still on its way from another node when e3's arrives: e3 must not overtake it.
    const e2 = await enqueue('e2');
    const e3 = await enqueue('e3');
    g.hold();
    pump.signal({ ...bob, envelopes: [e3], prev: e2.seq });
    await settle();
    expect(conn.sent).toEqual(['e1']);
    expect(g.reads()).toBe(reads + 1);
    // Signals arriving during that read are kept, not turned into more reads: e4 directly follows e3.
    const e4 = await enqueue('e4');
    const e5 = await enqueue('e5');
    pump.signal({ ...bob, envelopes: [e2], prev: e1.seq });
    g.release();
    await settle();
    pump.signal({ ...bob, envelopes: [e4], prev: e3.seq });
    await settle();
    await settle();
    expect(conn.sent).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(g.reads()).toBe(reads + 1);
    // The read found e4 and e5 (stored before it), so nothing is sent twice and no read follows.
    reads = g.reads();
    const e6 = await enqueue('e6');
    pump.signal({ ...bob, envelopes: [e5], prev: e4.seq });
    pump.signal({ ...bob, envelopes: [e6], prev: e5.seq });
    expect(conn.sent).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
    expect(g.reads()).toBe(reads);
  });
});

describe('delivered envelopes', () => {
  it('tells ids apart that share a slot, and forgets each once acknowledged', () => {
    const delivered = new DeliveredEnvelopes();
    // The same first four bytes: one slot, three envelopes.
    const ids = [1, 2, 3].map((n) => Uint8Array.from([7, 7, 7, 7, ...new Array(12).fill(n)]));
    ids.forEach((id, i) => {
      delivered.add(i + 10, id);
    });
    expect(delivered.size).toBe(3);
    expect(delivered.take([ids[1] as Uint8Array])).toEqual([{ seq: 11, id: ids[1] }]);
    expect(delivered.take([ids[1] as Uint8Array])).toEqual([]);
    expect(delivered.take([Uint8Array.from([7, 7, 7, 7, ...new Array(12).fill(9)])])).toEqual([]);
    expect(delivered.take([ids[2] as Uint8Array, ids[0] as Uint8Array]).map((r) => r.seq)).toEqual([12, 10]);
    expect(delivered.size).toBe(0);
  });
});
