/**
 * Encrypted file transfer between SDK clients (issue 11): a 50 MiB file from disk to disk with progress
 * events, read and written in bounded pieces, and nothing of it (nor its name, caption, key or digest)
 * anywhere in the server's data dir; own other devices get the file message and can download it; a file
 * sent offline waits and goes out after the next connect.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadFileRecord } from '../src/files/record.js';
import {
  blobSink,
  type FileProgressEvent,
  type FileSink,
  type FileSource,
  fileFromBlob,
  fileFromBytes,
  fileFromPath,
  fileSinkAt,
  type Message,
  memorySink,
} from '../src/index.js';
import {
  aliceAndBob,
  befriend,
  closeAll,
  containsPieceOf,
  type FilesWorld,
  person,
  randomFile,
  startFilesWorld,
} from './helpers/files-world.js';
import { collect, next, STRONG, until } from './helpers/world.js';

const MiB = 1024 * 1024;
let w: FilesWorld;
let dir: string;
beforeEach(async () => {
  w = await startFilesWorld();
  dir = mkdtempSync(join(tmpdir(), 'sotto-files-'));
});
afterEach(async () => {
  await closeAll();
  await w.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Wraps a source, recording the length of every read. */
function spySource(source: FileSource, reads: number[]): FileSource {
  return {
    size: source.size,
    name: source.name,
    mediaType: source.mediaType,
    read: (offset, length) => {
      reads.push(length);
      return source.read(offset, length);
    },
  };
}

/** Wraps a sink, recording the length of every write. */
function spySink(sink: FileSink, writes: number[]): FileSink {
  return {
    write: (b) => {
      writes.push(b.length);
      return sink.write(b);
    },
    close: () => sink.close(),
    abort: () => sink.abort(),
  };
}

/** Progress events are in order, start at 0 and end at the total. */
function expectOrderedProgress(events: FileProgressEvent[], total: number): void {
  expect(events.length).toBeGreaterThan(3);
  expect(events[0]?.bytes).toBe(0);
  expect(events.at(-1)?.bytes).toBe(total);
  for (const [i, e] of events.entries()) {
    expect(e.total).toBe(total);
    if (i > 0) expect(e.bytes).toBeGreaterThanOrEqual(events[i - 1]?.bytes ?? 0);
  }
}

describe('file transfer', () => {
  it('sends a 50 MiB file from disk to disk with progress, in bounded pieces, and the server sees only ciphertext', async () => {
    const { alice, bob } = await aliceAndBob(w);
    const plain = randomFile(50 * MiB);
    const path = join(dir, 'holiday video.mp4');
    writeFileSync(path, plain);
    const reads: number[] = [];
    const up = collect(alice, 'file-progress');
    const got = next(bob, 'message', () => true, 60_000);
    const thumbnail = { bytes: randomFile(2000), mediaType: 'image/jpeg' as const, width: 64, height: 36 };
    const source = spySource(await fileFromPath(path), reads);
    const sent = await alice.sendFile('bob', source, {
      caption: 'the whole beach',
      thumbnail,
      durationMs: 61_000,
    });
    expect(sent.queued).toBe(false);
    expectOrderedProgress(
      up.filter((e) => e.messageId === sent.messageId),
      50 * MiB,
    );
    expect(up.every((e) => e.direction === 'up')).toBe(true);
    // Never the whole file in memory: reads of at most one upload batch (4 MiB, to a whole chunk).
    expect(Math.max(...reads)).toBeLessThanOrEqual(4 * MiB + 64 * 1024);

    const m = await got;
    expect(m).toMatchObject({ id: sent.messageId, direction: 'in', text: 'the whole beach' });
    expect(m.file).toMatchObject({
      name: 'holiday video.mp4',
      mediaType: 'video/mp4',
      size: 50 * MiB,
      caption: 'the whole beach',
      durationMs: 61_000,
      state: 'available',
    });
    expect(m.file?.thumbnail).toEqual(thumbnail);

    const down = collect(bob, 'file-progress');
    const writes: number[] = [];
    const target = join(dir, 'received.mp4');
    await bob.downloadFile(m.id, spySink(fileSinkAt(target), writes));
    expect(sha(readFileSync(target))).toBe(sha(plain));
    expect(Math.max(...writes)).toBeLessThanOrEqual(MiB + 64 * 1024); // verified chunks, gathered per MiB
    expectOrderedProgress(down, 50 * MiB);
    expect(down.every((e) => e.direction === 'down' && e.messageId === m.id)).toBe(true);
    const [mine] = await alice.history('bob');
    expect(mine?.file?.state).toBe('uploaded');
    expect(['sent', 'delivered']).toContain(mine?.status);
    expect((await bob.history('alice'))[0]?.file?.state).toBe('downloaded');

    // The server holds the ciphertext under a random id and its size: no piece of the file, its name,
    // caption or thumbnail, nor the key or digest that travelled end to end.
    const record = await loadFileRecord(
      (bob as unknown as { options: { store: never } }).options.store,
      m.id,
    );
    const data = w.server.dataBytes();
    expect(data.length).toBeGreaterThan(50 * MiB);
    expect(containsPieceOf(data, plain, 64)).toBe(false);
    expect(containsPieceOf(data, thumbnail.bytes)).toBe(false);
    for (const secret of ['holiday video', 'the whole beach'])
      expect(data.includes(Buffer.from(secret))).toBe(false);
    expect(record?.key).toHaveLength(32);
    expect(data.includes(Buffer.from(record?.key ?? []))).toBe(false);
    expect(data.includes(Buffer.from(record?.digest ?? []))).toBe(false);
  }, 120_000);

  it('gives the file message to every device of both accounts; an own other device downloads it', async () => {
    const { alice, bob } = await aliceAndBob(w);
    const alice2 = person(w);
    await alice2.login({ name: 'alice', password: STRONG });
    const bob2 = person(w);
    await bob2.login({ name: 'bob', password: STRONG });
    const plain = randomFile(200_000);
    const arrivals = [bob, bob2, alice2].map((c) => next(c, 'message', (m) => m.file !== undefined, 20_000));
    const sent = await alice.sendFile('bob', fileFromBytes(plain, 'notes.pdf'), {});
    const [atBob, atBob2, atAlice2] = (await Promise.all(arrivals)) as [Message, Message, Message];
    for (const m of [atBob, atBob2])
      expect(m).toMatchObject({ id: sent.messageId, direction: 'in', conversation: 'alice' });
    expect(atAlice2).toMatchObject({ id: sent.messageId, direction: 'out', conversation: 'bob' });
    expect(atAlice2.file).toMatchObject({
      name: 'notes.pdf',
      mediaType: 'application/pdf',
      state: 'available',
    });
    for (const [c, m] of [
      [alice2, atAlice2],
      [bob2, atBob2],
      [bob, atBob],
    ] as const) {
      const sink = memorySink();
      await c.downloadFile(m.id, sink);
      expect(sha(sink.bytes())).toBe(sha(plain));
    }
    expect((await alice2.history('bob'))[0]?.file?.state).toBe('downloaded');
    // The sending device can fetch its own upload too (its state stays `uploaded`).
    const own = memorySink();
    await alice.downloadFile(sent.messageId, own);
    expect(sha(own.bytes())).toBe(sha(plain));
    expect((await alice.history('bob'))[0]?.file?.state).toBe('uploaded');
  }, 60_000);

  it('works over fetch alone, as in a browser: a Blob source and a Blob sink', async () => {
    const calls: string[] = [];
    const fetchSpy: typeof fetch = (input, init) => {
      calls.push(init?.method ?? 'GET');
      return globalThis.fetch(input, init);
    };
    const alice = person(w, undefined, { fetch: fetchSpy, uploadBatchBytes: MiB });
    const bob = person(w, undefined, { fetch: fetchSpy });
    await alice.register({ name: 'alice', password: STRONG });
    await bob.register({ name: 'bob', password: STRONG });
    await befriend(alice, 'alice', bob, 'bob');
    const plain = randomFile(3 * MiB + 1);
    const got = next(bob, 'message', () => true, 20_000);
    await alice.sendFile(
      'bob',
      fileFromBlob(new Blob([plain as Uint8Array<ArrayBuffer>], { type: 'image/webp' }), 'pic.webp'),
    );
    const m = await got;
    expect(m.file).toMatchObject({ name: 'pic.webp', mediaType: 'image/webp' });
    const sink = blobSink('image/webp');
    await bob.downloadFile(m.id, sink);
    expect(sink.blob().type).toBe('image/webp');
    expect(sha(new Uint8Array(await sink.blob().arrayBuffer()))).toBe(sha(plain));
    expect(calls.filter((c) => c === 'PATCH').length).toBeGreaterThanOrEqual(4);
    expect(calls).toContain('POST');
    expect(calls).toContain('GET');
  }, 60_000);

  it('keeps a file sent offline pending and uploads it after the next connect', async () => {
    const { alice, bob } = await aliceAndBob(w);
    await alice.close();
    const plain = randomFile(3 * MiB + 5);
    const sent = await alice.sendFile('bob', fileFromBytes(plain, 'scan.png', 'image/png'));
    expect(sent.queued).toBe(true);
    expect((await alice.history('bob'))[0]).toMatchObject({
      status: 'pending',
      file: { state: 'uploading' },
    });
    const got = next(bob, 'message', () => true, 20_000);
    await alice.connect();
    const m = await got;
    expect(m.id).toBe(sent.messageId);
    await until(async () => (await alice.history('bob'))[0]?.file?.state === 'uploaded');
    const sink = memorySink();
    await bob.downloadFile(m.id, sink);
    expect(sha(sink.bytes())).toBe(sha(plain));
  }, 60_000);
});
