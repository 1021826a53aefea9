import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAccount } from './helpers/account.js';
import { killAllChildren, startChildServer } from './helpers/child-server.js';
import { TestClient } from './helpers/client.js';
import { startTestServer } from './helpers/server.js';

// Crash safety (SIGKILL while 5,000 envelopes are in flight) is covered by durability.test.ts.
let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'sotto-life-'));
});
afterAll(async () => {
  await killAllChildren();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('server process', () => {
  it('drains connections on SIGTERM and exits 0', async () => {
    const server = await startChildServer({ dataDir: join(dataDir, 'term') });
    const alice = await TestAccount.create('alice');
    expect(await alice.register(server.url)).toBe(201);
    const client = await TestClient.connect(server.wsUrl, alice);
    server.process.kill('SIGTERM');
    expect(await client.closed).toBe(1001);
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });
});

describe('server close', () => {
  it('closes a connection that never sent a request (browsers open them ahead of need) when the drain time is up, not a minute later', async () => {
    const t = await startTestServer();
    const { port } = new URL(t.url);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    const socketClosed = once(socket, 'close');
    socket.on('error', () => {});
    // Without closing it, Node 20 waits for headersTimeout (60 s) and this test times out.
    await t.stop();
    await socketClosed;
    expect(socket.destroyed).toBe(true);
  });
});
