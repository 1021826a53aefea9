import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerFrame } from '@sotto/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAccount } from './helpers/account.js';
import { TestClient } from './helpers/client.js';
import { buildServer, spawnServer } from './helpers/process.js';
import { befriend } from './helpers/world.js';

let dataDir: string;
beforeAll(() => {
  buildServer();
  dataDir = mkdtempSync(join(tmpdir(), 'sotto-life-'));
}, 120_000);
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('server process', () => {
  it('drains connections on SIGTERM and exits 0', async () => {
    const p = await spawnServer(join(dataDir, 'term'));
    const a = await TestAccount.create('alice');
    expect(await a.register(p.url)).toBe(201);
    const c = await TestClient.connect(p.wsUrl, a);
    p.child.kill('SIGTERM');
    expect(await c.closed).toBe(1001);
    expect(await p.exited).toBe(0);
  });

  it('delivers every acknowledged envelope after SIGKILL and restart, twice', async () => {
    const dir = join(dataDir, 'kill');
    let p = await spawnServer(dir);
    const alice = await TestAccount.create('alice');
    const bob = await TestAccount.create('bob');
    expect(await alice.register(p.url)).toBe(201);
    expect(await bob.register(p.url)).toBe(201);
    let ca = await TestClient.connect(p.wsUrl, alice);
    const cb = await TestClient.connect(p.wsUrl, bob);
    await befriend(alice, ca, bob, cb);
    await cb.close();

    const acked = new Set<string>();
    let n = 0;
    for (let round = 0; round < 2; round++) {
      // Fire sends without waiting, kill the server mid-stream, and keep only what was acknowledged.
      const answers: Promise<void>[] = [];
      let firstAck = () => {};
      const someAcked = new Promise<void>((resolve) => {
        firstAck = resolve;
      });
      for (let i = 0; i < 300; i++) {
        const text = `m${n++}`;
        answers.push(
          ca
            .request({
              t: 'send',
              to: 'bob',
              messages: [{ account: 'bob', deviceId: 1, body: new Uint8Array(Buffer.from(text)) }],
            })
            .then(
              (f) => {
                if (f.t === 'sent') {
                  acked.add(text);
                  firstAck();
                }
              },
              () => {},
            ),
        );
        if (i === 150) {
          await someAcked;
          p.child.kill('SIGKILL');
        }
      }
      await p.exited;
      await Promise.all(answers);
      p = await spawnServer(dir);
      ca = await TestClient.connect(p.wsUrl, alice);
    }
    expect(acked.size).toBeGreaterThan(0);

    const bob2 = await TestClient.connect(p.wsUrl, bob);
    const got = new Set<string>();
    while ([...acked].some((m) => !got.has(m))) {
      const e: ServerFrame = await bob2.next((f) => f.t === 'envelope', 10_000);
      if (e.t === 'envelope') got.add(Buffer.from(e.body).toString());
    }
    for (const m of acked) expect(got.has(m)).toBe(true);
    await bob2.close();
    await ca.close();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});
