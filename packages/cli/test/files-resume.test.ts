/**
 * Interrupted sends, with a proxy in front of the server that slows uploads down so they can be
 * interrupted on purpose: a `sotto send-file` killed with SIGKILL mid-upload is resumed (from the
 * server's offset, not from the start) by the next `sotto send-file`, or by `sotto receive`, and bob
 * gets the file once; Ctrl-C cancels a send-file (exit 130): the message stays failed (CANCELLED), the
 * server's copy is deleted and bob gets nothing.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Of, storedBlobs, writeRandomFile } from './helpers/files.js';
import { okIn, registerPair } from './helpers/pair.js';
import { startTestServer } from './helpers/server.js';
import { JsonStream, jsonLines, spawnSotto, tempRoot } from './helpers/sotto.js';
import { startThrottle, type Throttle } from './helpers/throttle.js';

const MiB = 1024 * 1024;
const temp = tempRoot('files-resume');
const root = temp.path;
const dataDir = join(root, 'server');
const A = join(root, 'alice');
const B = join(root, 'bob');
const SLOW = 2 * MiB; // bytes per second while an upload is to be interrupted
let server: RunningServer;
let proxy: Throttle;
const running = new Set<JsonStream>();

const ok = okIn;

function live(profile: string, args: readonly string[]): JsonStream {
  const stream = new JsonStream(spawnSotto([...args, '--json', '--profile', profile]));
  running.add(stream);
  void stream.exited.then(() => running.delete(stream));
  return stream;
}

/** Where bob's receive saved a message's file. */
const savedTo = (m: Record<string, unknown> | undefined) =>
  String((m?.file as { savedTo?: string } | undefined)?.savedTo);

/** Waits until `test` holds (polling), or fails after `ms`. */
async function until(test: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The bytes the server holds of its one unfinished upload (0 before it exists). */
const serverHolds = () => Math.max(0, ...storedBlobs(dataDir).map((b) => b.size));

/** Starts alice's send-file of `path` through the slow proxy and waits until the server holds 3 MiB of it. */
async function startSlowSend(path: string, before: number): Promise<JsonStream> {
  proxy.rate = SLOW;
  const sending = live(A, ['send-file', 'bob', path]);
  await sending.waitFor((r) => r.type === 'progress' && (r.bytes as number) > 0);
  await until(() => storedBlobs(dataDir).length > before && serverHolds() >= 3 * MiB);
  return sending;
}

/** bob's next messages (waiting for `n` of them), then a check that no further one comes. */
async function bobReceives(n: number): Promise<Record<string, unknown>[]> {
  const got =
    n === 0
      ? []
      : jsonLines((await ok(B, ['receive', '--count', String(n), '--timeout', '60', '--json'])).stdout);
  const more = jsonLines((await ok(B, ['receive', '--timeout', '2', '--json'])).stdout);
  expect(more.filter((r) => r.type === 'message')).toEqual([]);
  return got.filter((r) => r.type === 'message');
}

beforeAll(async () => {
  temp.create();
  proxy = await startThrottle();
  server = await startTestServer(dataDir, 0, { publicOrigins: [proxy.url] });
  proxy.target = server.port;
  await registerPair(proxy.url, A, B, 'harbour quince lantern 27 ochre');
}, 120_000);

afterAll(async () => {
  for (const s of running) s.child.kill('SIGKILL');
  await server?.close(500);
  await proxy?.close();
  rmSync(root, { recursive: true, force: true });
});

describe.sequential('interrupted sends', () => {
  it('a send-file killed mid-upload is resumed by the next send-file; bob gets the file once', {
    timeout: 120_000,
  }, async () => {
    const big = join(root, 'survey.tar');
    writeRandomFile(big, 12 * MiB);
    const killed = await startSlowSend(big, 0);
    killed.child.kill('SIGKILL');
    await killed.exited;
    const held = serverHolds();
    expect(held).toBeLessThan(12 * MiB);

    proxy.rate = Number.POSITIVE_INFINITY;
    const before = proxy.sent;
    const note = join(root, 'note.txt');
    writeRandomFile(note, 1000);
    const r = await ok(A, ['send-file', 'bob', note, '--json']);
    const records = jsonLines(r.stdout);
    expect(records.filter((x) => x.type === 'sent')).toMatchObject([
      { resumed: true, file: { name: 'survey.tar', size: 12 * MiB } },
      { file: { name: 'note.txt' } },
    ]);
    expect(records.at(-1)?.resumed).toBeUndefined(); // the command's own file is the last line
    // Resumed from the server's offset: what was sent afterwards is (about) the rest only.
    expect(proxy.sent - before).toBeLessThan(12 * MiB - held + MiB);

    const messages = await bobReceives(2);
    expect(messages.map((m) => (m.file as { name: string }).name).sort()).toEqual(['note.txt', 'survey.tar']);
    const survey = messages.find((m) => (m.file as { name: string }).name === 'survey.tar');
    expect(sha256Of(savedTo(survey))).toBe(sha256Of(big));
  });

  it('a send-file killed mid-upload is resumed by receive', { timeout: 120_000 }, async () => {
    const big = join(root, 'scan.pdf');
    writeRandomFile(big, 10 * MiB);
    const killed = await startSlowSend(big, storedBlobs(dataDir).length);
    killed.child.kill('SIGKILL');
    await killed.exited;

    proxy.rate = Number.POSITIVE_INFINITY;
    const rx = live(A, ['receive']);
    const done = await rx.waitFor((x) => x.type === 'sent' || x.type === 'failed');
    expect(done).toMatchObject({ type: 'sent', resumed: true, file: { name: 'scan.pdf' } });
    expect(await rx.end()).toBe(0);

    const [message] = await bobReceives(1);
    expect(sha256Of(savedTo(message))).toBe(sha256Of(big));
  });

  it('Ctrl-C cancels a send-file: exit 130, the message stays failed, nothing reaches bob', {
    timeout: 90_000,
  }, async () => {
    const big = join(root, 'draft.mov');
    writeRandomFile(big, 10 * MiB);
    const blobs = storedBlobs(dataDir).length;
    const sending = await startSlowSend(big, blobs);
    sending.child.kill('SIGINT');
    expect(await sending.exited).toBe(130);
    expect(sending.stderr).toMatch(/\[CANCELLED\]/);
    proxy.rate = Number.POSITIVE_INFINITY;

    const last = jsonLines((await ok(A, ['history', 'bob', '--json'])).stdout).at(-1);
    expect(last).toMatchObject({ status: 'failed', error: 'CANCELLED', file: { name: 'draft.mov' } });
    await until(() => storedBlobs(dataDir).length === blobs); // the server's copy is deleted
    expect(await bobReceives(0)).toEqual([]);
    // It is not resumed later either.
    const next = jsonLines((await ok(A, ['receive', '--timeout', '2', '--json'])).stdout);
    expect(next.filter((x) => x.type === 'sent' || x.type === 'progress')).toEqual([]);
  });
});
