/**
 * An upload interrupted by a crash: the server (the real CLI in a child process, file store in its data
 * directory) is SIGKILLed while a PATCH body is arriving, restarted on the same port and data directory,
 * and the client resumes from the offset the restarted server reports (not from zero, not from what the
 * client sent) and completes; the download is byte for byte the upload. And an upload whose last byte
 * was stored but not yet recorded as finished when the server stopped is recorded by the client's next
 * `HEAD`, or by the sweep once its token expired, instead of being lost.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROUTES } from '@sotto/protocol';
import { DATABASE_FILE } from '@sotto/server';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { TestAccount } from './helpers/account.js';
import { killAllChildren, startChildServer } from './helpers/child-server.js';
import { TestClient } from './helpers/client.js';
import { authorize, ciphertext, createUpload, download, head, patch, upload } from './helpers/files.js';
import { startTestServer, TestClock } from './helpers/server.js';
import { connect, registered } from './helpers/world.js';

const dataDir = mkdtempSync(join(tmpdir(), 'sotto-files-crash-'));
afterAll(async () => {
  await killAllChildren();
  rmSync(dataDir, { recursive: true, force: true });
});

const MiB = 1024 * 1024;

/** Resolves once the upload's data file holds at least `n` bytes (the server is writing the body). */
async function receivedAtLeast(path: string, n: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (((await stat(path).catch(() => undefined))?.size ?? 0) < n) {
    if (Date.now() > deadline) throw new Error(`the server did not receive ${n} bytes in time`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('files: an upload across a server crash', () => {
  it('resumes from the restarted server’s offset after SIGKILL mid-PATCH, and completes', async () => {
    let server = await startChildServer({ dataDir });
    const alice = await TestAccount.create('alice');
    expect(await alice.register(server.url)).toBe(201);
    const ws = await TestClient.connect(server.wsUrl, alice);
    const bytes = ciphertext(8 * MiB);
    const { token } = await authorize(ws, bytes.length);
    await ws.close();
    const id = await createUpload(server.url, token, bytes.length);

    // Send 3 MiB of an 8 MiB PATCH, wait until the server has taken them in, then kill it mid-body.
    const sent = 3 * MiB;
    const cut = new Promise<void>((resolve) => {
      const req = request(`${server.url}${ROUTES.files}/${id}`, {
        method: 'PATCH',
        headers: {
          'tus-resumable': '1.0.0',
          authorization: `Bearer ${token}`,
          'content-type': 'application/offset+octet-stream',
          'upload-offset': '0',
          'content-length': String(bytes.length),
        },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(bytes.subarray(0, sent));
    });
    await receivedAtLeast(join(dataDir, 'files', id), MiB);
    const status = await server.kill('SIGKILL');
    expect(status.signal).toBe('SIGKILL');
    await cut;

    server = await startChildServer({ dataDir, port: server.port });
    const state = await head(server.url, token, id);
    expect(state.status).toBe(200);
    expect(state.length).toBe(bytes.length);
    expect(state.offset).toBeGreaterThan(0);
    expect(state.offset).toBeLessThanOrEqual(sent);
    expect((await download(server.url, id)).status).toBe(404);

    expect(await patch(server.url, token, id, state.offset, bytes.subarray(state.offset))).toEqual({
      status: 204,
      offset: bytes.length,
    });
    const got = await download(server.url, id);
    expect(got.status).toBe(200);
    expect(Buffer.from(got.body).equals(Buffer.from(bytes))).toBe(true);
    await server.kill('SIGTERM');
  });

  it('records an upload whose last byte arrived before a crash as finished: at the next HEAD, or at expiry', async () => {
    const clock = new TestClock();
    const t = await startTestServer({ clock });
    const alice = await connect(t, await registered(t, 'alice'));
    const bytes = ciphertext(50_000);
    const { token } = await authorize(alice, bytes.length);
    const healedByHead = await createUpload(t.url, token, bytes.length);
    await patch(t.url, token, healedByHead, 0, bytes);
    const healedBySweep = await upload(t.url, alice, bytes);
    // What a crash between the store's last write and the record's update leaves behind.
    const db = new Database(join(t.dataDir, DATABASE_FILE));
    const unrecord = db.prepare(
      "UPDATE files SET state = 'uploading', completed_at = NULL, expires_at = token_expires_at WHERE id = ?",
    );
    for (const id of [healedByHead, healedBySweep]) unrecord.run(id);
    db.close();
    expect((await download(t.url, healedByHead)).status).toBe(404);
    expect(await head(t.url, token, healedByHead)).toEqual({
      status: 200,
      offset: bytes.length,
      length: bytes.length,
    });
    expect((await download(t.url, healedByHead)).status).toBe(200);
    clock.advance(24 * 3_600_000 + 1);
    expect(await t.server.sweepFilesNow(false)).toMatchObject({ expired: 0, completed: 1 });
    const got = await download(t.url, healedBySweep);
    expect(Buffer.from(got.body).equals(Buffer.from(bytes))).toBe(true);
    await alice.close();
    await t.stop();
  });
});
