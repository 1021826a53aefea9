/**
 * The relay's checks of a send answer the same whether the store reads at once (SQLite's `immediate`
 * reads, no turn of the event loop) or asynchronously (every other adapter): the same real SQLite store is
 * used both ways, once with its immediate reads hidden.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FrameOf } from '@sotto/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../src/bus/memory.js';
import { ApiError } from '../src/errors.js';
import { createServerMetrics } from '../src/modules/metrics/server-metrics.js';
import { RelayService } from '../src/modules/relay/relay.js';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';
import { testAccount as account, testDevice as dev } from './helpers/stores.js';

const alice = { account: 'alice', deviceId: 1 };
const body = new Uint8Array([1]);
const send = (to: string, devices: [string, number][]): FrameOf<'send'> => ({
  t: 'send',
  id: 1,
  to,
  messages: devices.map(([a, d]) => ({ account: a, deviceId: d, body })),
});

let dir: string;
let sqlite: SqliteStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sotto-relay-checks-'));
  sqlite = openSqliteStore(join(dir, 'sotto.db'));
  await sqlite.createAccount(account('alice'), [dev(1), dev(2)]);
  for (const name of ['bob', 'carol', 'dave']) await sqlite.createAccount(account(name), [dev(1)]);
  await sqlite.requestContact('alice', 'bob');
  await sqlite.acceptContact('bob', 'alice');
  await sqlite.requestContact('alice', 'dave');
  await sqlite.acceptContact('dave', 'alice');
  await sqlite.block('dave', 'alice');
});
afterAll(async () => {
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The same store without immediate reads: the relay must take its asynchronous path. */
const asynchronous = (store: Store): Store =>
  new Proxy(store, {
    get: (target, prop) => {
      if (prop === 'immediate') return undefined;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });

const codeOf = async (p: () => Promise<unknown>) => {
  try {
    await p();
    return 'accepted';
  } catch (err) {
    return err instanceof ApiError ? err.code : String(err);
  }
};

describe.each([
  ['immediate reads', (s: Store) => s],
  ['asynchronous reads', asynchronous],
])('relay checks with %s', (_name, wrap) => {
  const relay = () =>
    new RelayService(
      wrap(sqlite),
      new MemoryBus(),
      { now: () => 1_000 },
      createServerMetrics({ connections: () => 0, mailboxDepth: () => 0 }),
      { mailboxMaxEnvelopes: 100, mailboxMaxAgeMs: 60_000, maxMessagesPerSend: 3 },
    );

  it('refuses an unknown account, a block, a non-contact, a wrong device set and too many messages', async () => {
    const r = relay();
    const cases: [FrameOf<'send'>, string][] = [
      [send('zed', [['zed', 1]]), 'ACCOUNT_NOT_FOUND'],
      [
        send('dave', [
          ['dave', 1],
          ['alice', 2],
        ]),
        'BLOCKED',
      ],
      [
        send('carol', [
          ['carol', 1],
          ['alice', 2],
        ]),
        'NOT_A_CONTACT',
      ],
      [send('bob', [['bob', 1]]), 'DEVICE_MISMATCH'],
      [
        send('bob', [
          ['bob', 1],
          ['alice', 2],
          ['bob', 2],
          ['bob', 3],
        ]),
        'INVALID_ARGUMENT',
      ],
    ];
    for (const [frame, code] of cases) expect(await codeOf(() => r.accept(alice, frame))).toBe(code);
  });

  it('stores a send to a contact and one to the sender’s own other devices', async () => {
    const r = relay();
    const sent = await r.send(
      alice,
      send('bob', [
        ['bob', 1],
        ['alice', 2],
      ]),
    );
    expect(sent.envelopeIds).toHaveLength(2);
    const self = await r.send(alice, send('alice', [['alice', 2]]));
    expect(self.envelopeIds).toHaveLength(1);
    expect(await codeOf(() => r.accept(alice, send('alice', [['alice', 1]])))).toBe('DEVICE_MISMATCH');
  });
});
