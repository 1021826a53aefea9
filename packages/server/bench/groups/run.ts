/**
 * `npm run bench:groups -w @sotto/server` (`node --conditions=source --import tsx bench/groups/run.ts`):
 * what one group message costs the server on SQLite, next to the same message sent 1:1 to every device.
 * A real server (SQLite file, in-process bus) and a real WebSocket; the sender's group holds `--devices`
 * devices (1,000: the sender plus 63 accounts of up to 16 devices, all its contacts, seeded straight into
 * the store like the relay benchmark's accounts). Nobody else is connected, so every envelope stays stored.
 *
 * Measured in one run: the time to accept one `groups.send` (frame out to `groups.sent` back, durable) and
 * the database bytes it adds (SQLite `dbstat`: pages of tables and indexes), against a 1:1 fan-out of the
 * same body to the same devices (one `send` per account, all in flight at once, until the last `sent`).
 * Flags: --devices N (1000), --size B (1024-byte bodies), --messages K (50), --rounds R (10 1:1 fan-outs).
 * Prints human lines, then one JSON object as the last line. Never part of `npm test`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { DATABASE_FILE, DEFAULT_SERVER_LIMITS, defaultConfig, startServer } from '../../src/index.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { TestAccount } from '../../test/helpers/account.js';
import { TestClient } from '../../test/helpers/client.js';

const flags = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  flags.set((process.argv[i] ?? '').replace(/^--/, ''), process.argv[i + 1] ?? '');
const num = (name: string, dflt: number) => Number(flags.get(name) ?? dflt);
const DEVICES = num('devices', 1000);
const SIZE = num('size', 1024);
const MESSAGES = num('messages', 50);
const ROUNDS = num('rounds', 10);
const PER_ACCOUNT = 16;

const out = (line: string) => process.stdout.write(`${line}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};
const r = (x: number, d = 2) => Number(x.toFixed(d));

async function insert(store: Store, a: TestAccount): Promise<void> {
  const devices = a.devices.map((d) => ({ deviceId: d.deviceId, signingKey: d.signing.publicKey }));
  const ok = await store.createAccount(
    {
      name: a.name,
      opaqueRecord: 'bench-account-without-password',
      identityKey: a.identity.publicKey,
      deviceList: await a.deviceList(),
      deviceListVersion: a.version,
      backup: new Uint8Array([0]),
      createdAt: Date.now(),
    },
    devices,
  );
  if (!ok) throw new Error(`account ${a.name} exists`);
}

/** Bytes of every table and index in the database file (its pages), by SQLite's `dbstat`. */
function databaseBytes(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return Number((db.prepare('SELECT SUM(pgsize) AS n FROM dbstat').get() as { n: number }).n);
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sotto-bench-groups-'));
  const path = join(dir, DATABASE_FILE);
  const limits = { ...DEFAULT_SERVER_LIMITS, sendsPerDevicePerSecond: 1_000_000, maxGroupDevices: DEVICES };
  const server = await startServer(
    defaultConfig({ port: 0, host: '127.0.0.1', dataDir: dir, logLevel: 'warn', limits }),
  );
  // Seeded over a second connection to the server's file (the server sees other connections' commits).
  const store = openSqliteStore(path);
  const sender = await TestAccount.create('sender', 'unused', 1);
  const members: TestAccount[] = [];
  try {
    await insert(store, sender);
    for (let left = DEVICES - 1, i = 0; left > 0; left -= PER_ACCOUNT, i++) {
      const a = await TestAccount.create(`member${i}`, 'unused', Math.min(PER_ACCOUNT, left));
      await insert(store, a);
      await store.requestContact(sender.name, a.name);
      await store.acceptContact(a.name, sender.name);
      members.push(a);
    }
  } finally {
    await store.close();
  }
  try {
    const ws = `${server.url.replace(/^http/, 'ws')}/v1/ws`;
    const c = await TestClient.connect(ws, sender, 1);
    const groupId = crypto.getRandomValues(new Uint8Array(16));
    await c.request({ t: 'groups.create', groupId, suite: 1 });
    const added = members.flatMap((m) => m.devices.map((d) => ({ account: m.name, deviceId: d.deviceId })));
    let t0 = performance.now();
    const committed = await c.request({
      t: 'groups.commit',
      groupId,
      epoch: 0,
      commit: new Uint8Array(2048).fill(1),
      welcome: new Uint8Array(1400 * DEVICES).fill(2),
      added,
      removed: [],
    });
    const commitMs = performance.now() - t0;
    if (committed.t !== 'groups.commit.result') throw new Error(`commit: ${JSON.stringify(committed)}`);
    out(
      `group of ${DEVICES} devices; adding ${added.length} with a ${1400 * DEVICES}-byte Welcome: ${r(commitMs)} ms`,
    );

    const body = new Uint8Array(SIZE).fill(3);
    for (let i = 0; i < 5; i++) await c.request({ t: 'groups.send', groupId, epoch: 1, body });
    const before = databaseBytes(path);
    const groupMs: number[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      t0 = performance.now();
      const sent = await c.request({ t: 'groups.send', groupId, epoch: 1, body });
      groupMs.push(performance.now() - t0);
      if (sent.t !== 'groups.sent') throw new Error(`send: ${JSON.stringify(sent)}`);
    }
    const groupBytes = (databaseBytes(path) - before) / MESSAGES;

    const pairwise = () =>
      Promise.all(
        members.map((m) =>
          c.request({
            t: 'send',
            to: m.name,
            messages: m.devices.map((d) => ({ account: m.name, deviceId: d.deviceId, body })),
          }),
        ),
      );
    await pairwise();
    const beforePairwise = databaseBytes(path);
    const pairwiseMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      t0 = performance.now();
      const answers = await pairwise();
      pairwiseMs.push(performance.now() - t0);
      if (answers.some((a) => a.t !== 'sent')) throw new Error('a 1:1 send failed');
    }
    const pairwiseBytes = (databaseBytes(path) - beforePairwise) / ROUNDS;
    await c.close();

    const g = median(groupMs);
    const p = median(pairwiseMs);
    out(
      `groups.send to ${DEVICES - 1} devices (${SIZE}-byte body): ${r(g)} ms median, ${Math.round(groupBytes)} bytes stored`,
    );
    out(
      `1:1 fan-out to the same devices (${members.length} sends): ${r(p)} ms median, ${Math.round(pairwiseBytes)} bytes stored`,
    );
    out(
      `per recipient device: group ${r(groupBytes / (DEVICES - 1), 1)} B, 1:1 ${r(pairwiseBytes / (DEVICES - 1), 1)} B`,
    );
    out(
      JSON.stringify({
        bench: 'groups',
        devices: DEVICES,
        body_bytes: SIZE,
        commit_add_ms: r(commitMs),
        group_send_ms: r(g),
        pairwise_send_ms: r(p),
        time_vs_pairwise: r(g / p, 3),
        group_bytes_per_message: Math.round(groupBytes),
        pairwise_bytes_per_message: Math.round(pairwiseBytes),
        bytes_vs_pairwise: r(groupBytes / pairwiseBytes, 3),
        group_bytes_per_recipient: r(groupBytes / (DEVICES - 1), 1),
      }),
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
