/**
 * Resuming file transfers: an upload whose connection drops part-way goes on from the server's offset
 * (HEAD) in the same upload; a download whose connection drops goes on with a Range request; a sending
 * process killed mid-upload resumes its upload of a file on disk after a restart, from the offset the
 * server has, with the upload state kept (encrypted) in the profile's store.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileFromBytes, memorySink, openSqliteStore } from '../src/index.js';
import {
  aliceAndBob,
  closeAll,
  type FilesWorld,
  person,
  randomFile,
  startFilesWorld,
} from './helpers/files-world.js';
import { collect, next, provider } from './helpers/world.js';

const MiB = 1024 * 1024;
let w: FilesWorld;
let dir: string;
beforeEach(async () => {
  w = await startFilesWorld();
  dir = mkdtempSync(join(tmpdir(), 'sotto-files-resume-'));
});
afterEach(async () => {
  await closeAll();
  await w.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const uploadOffset = (req: { headers: Record<string, unknown> }) =>
  Number(req.headers['upload-offset'] ?? -1);

describe('resuming file transfers', () => {
  it('resumes an upload whose connection dropped, in the same upload, from the server offset', async () => {
    const { alice, bob } = await aliceAndBob(w);
    const plain = randomFile(20 * MiB);
    // Cut the first PATCH after 7 MiB of it reached the server.
    w.proxy.http.cut = (req) => (req.method === 'PATCH' && w.proxy.cuts === 0 ? 7 * MiB : undefined);
    const got = next(bob, 'message', () => true, 30_000);
    const sent = await alice.sendFile('bob', fileFromBytes(plain, 'big.bin'));
    expect(sent.queued).toBe(false);
    expect(w.proxy.cuts).toBe(1);
    const tus = w.proxy.requests.filter((r) => r.path.startsWith('/v1/files') && r.method !== 'GET');
    expect(tus.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(tus.filter((r) => r.method === 'HEAD').length).toBeGreaterThanOrEqual(1);
    const m = await got;
    const sink = memorySink();
    await bob.downloadFile(m.id, sink);
    expect(sha(sink.bytes())).toBe(sha(plain));
  }, 60_000);

  it('resumes a download whose connection dropped with a Range request', async () => {
    const { alice, bob } = await aliceAndBob(w);
    const plain = randomFile(12 * MiB + 3);
    const got = next(bob, 'message', () => true, 30_000);
    await alice.sendFile('bob', fileFromBytes(plain, 'big.bin'));
    const m = await got;
    w.proxy.http.cut = (req) => (req.method === 'GET' && w.proxy.cuts === 0 ? 5 * MiB : undefined);
    const sink = memorySink();
    const progress = collect(bob, 'file-progress');
    await bob.downloadFile(m.id, sink);
    expect(sha(sink.bytes())).toBe(sha(plain));
    expect(w.proxy.cuts).toBe(1);
    const gets = w.proxy.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/files/'));
    expect(gets).toHaveLength(2);
    expect(gets[1]?.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(gets[1]?.range ?? '')?.[0])).toBeGreaterThan(MiB);
    expect(progress.at(-1)?.bytes).toBe(12 * MiB + 3);
  }, 60_000);

  it('resumes the upload of a file on disk after the sending process was killed', async () => {
    const storePath = join(dir, 'alice', 'sotto.db');
    const aliceStore = await openSqliteStore({ path: storePath, provider });
    const { alice, bob } = await aliceAndBob(w, aliceStore);
    await alice.close();
    await aliceStore.close();
    const plain = randomFile(40 * MiB);
    const path = join(dir, 'report final.bin');
    writeFileSync(path, plain);
    // The upload hangs once 11 MiB reached the server: the process dies there.
    w.proxy.http.stall = (req) => (req.method === 'PATCH' && uploadOffset(req) === 0 ? 11 * MiB : undefined);
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        fileURLToPath(new URL('./helpers/file-sender.ts', import.meta.url)),
        storePath,
        w.url,
        path,
        'bob',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines: Array<{ progress?: number; done?: string }> = [];
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the sender made no progress')), 30_000);
      let buffered = '';
      child.stdout?.on('data', (d: Buffer) => {
        buffered += d.toString();
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          lines.push(JSON.parse(buffered.slice(0, nl)));
          buffered = buffered.slice(nl + 1);
        }
        if (lines.some((l) => (l.progress ?? 0) >= 8 * MiB - 64 * 1024)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await new Promise((r) => setTimeout(r, 500)); // the 3 MiB reach the server
    child.kill('SIGKILL');
    await exited;
    expect(lines.some((l) => l.done !== undefined)).toBe(false);
    w.proxy.http.stall = undefined;

    // The upload state is in the store, encrypted like every record: the path is nowhere in the file.
    const raw = Buffer.concat(
      [storePath, `${storePath}-wal`].flatMap((f) => {
        try {
          return [readFileSync(f)];
        } catch {
          return [];
        }
      }),
    );
    expect(raw.includes(Buffer.from('report final'))).toBe(false);

    const reopened = await openSqliteStore({ path: storePath, provider });
    const alice2 = person(w, reopened);
    const progress = collect(alice2, 'file-progress');
    const got = next(bob, 'message', () => true, 60_000);
    await alice2.connect();
    const m = await got;
    // Resumed, not restarted: the first progress after the restart is past what the first PATCH sent, and
    // there was only ever one upload.
    expect(progress[0]?.bytes).toBeGreaterThan(8 * MiB);
    expect(
      w.proxy.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/files')),
    ).toHaveLength(1);
    expect(m.file).toMatchObject({ name: 'report final.bin', size: 40 * MiB });
    const sink = memorySink();
    await bob.downloadFile(m.id, sink);
    expect(sha(sink.bytes())).toBe(sha(plain));
    await alice2.close();
    await reopened.close();
  }, 120_000);
});
