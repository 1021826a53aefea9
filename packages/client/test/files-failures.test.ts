/**
 * When a file transfer goes wrong: a cancelled upload (the message fails with CANCELLED, the server copy
 * is deleted) and a cancelled download (nothing kept, the file can be downloaded again); a ciphertext
 * tampered with on the server, or a digest that does not match, fails with FILE_INTEGRITY and leaves
 * nothing under the target name; a file the server no longer has is FILE_NOT_FOUND; a file over the
 * server's limit is FILE_TOO_LARGE; a caption and thumbnail too large for one message are refused before
 * anything is stored.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileRecordOp, loadFileRecord } from '../src/files/record.js';
import {
  type FileSource,
  fileFromBytes,
  fileFromPath,
  fileSinkAt,
  type Message,
  memorySink,
  type SottoClient,
  SottoError,
} from '../src/index.js';
import {
  aliceAndBob,
  befriend,
  closeAll,
  type FilesWorld,
  randomFile,
  startFilesWorld,
  storedCiphertext,
  storesFile,
} from './helpers/files-world.js';
import { next, until } from './helpers/world.js';

const MiB = 1024 * 1024;
let w: FilesWorld;
let dir: string;
beforeEach(async () => {
  w = await startFilesWorld();
  dir = mkdtempSync(join(tmpdir(), 'sotto-files-fail-'));
});
afterEach(async () => {
  await closeAll();
  await w.stop();
  rmSync(dir, { recursive: true, force: true });
});

const code = (err: unknown) => (SottoError.is(err) ? err.code : String(err));

/** alice sends bob `plain`; returns bob's copy of the message. */
async function delivered(alice: SottoClient, bob: SottoClient, plain: Uint8Array): Promise<Message> {
  const got = next(bob, 'message', () => true, 30_000);
  await alice.sendFile('bob', fileFromBytes(plain, 'file.bin'));
  return got;
}

describe('cancelling', () => {
  it('cancels an upload: the send rejects with CANCELLED, the message stays failed, the server copy goes', async () => {
    const { alice, bob } = await aliceAndBob(w);
    w.proxy.http.stall = (req) => (req.method === 'PATCH' ? 2 * MiB : undefined);
    const started = next(alice, 'file-progress', (e) => e.bytes === 0);
    const sending = alice.sendFile('bob', fileFromBytes(randomFile(20 * MiB), 'movie.mp4')).catch((e) => e);
    const { messageId } = await started;
    await until(() => w.proxy.requests.some((r) => r.method === 'PATCH'));
    await new Promise((r) => setTimeout(r, 200));
    const record = await loadFileRecord(alice.options.store, messageId);
    expect(record?.fileId).toMatch(/^[0-9a-f]{32}$/);
    expect(storesFile(w, record?.fileId ?? '')).toBe(true);
    await alice.cancelFile(messageId);
    expect(code(await sending)).toBe('CANCELLED');
    expect((await alice.history('bob'))[0]).toMatchObject({
      id: messageId,
      status: 'failed',
      error: 'CANCELLED',
      file: { state: 'failed' },
    });
    await until(() => !storesFile(w, record?.fileId ?? ''));
    // Nothing went to bob.
    await new Promise((r) => setTimeout(r, 200));
    expect(await bob.history('alice')).toEqual([]);
  }, 60_000);

  it('cancels a download: it rejects with CANCELLED, nothing is kept, and it can be downloaded later', async () => {
    const { alice, bob } = await aliceAndBob(w);
    const plain = randomFile(24 * MiB);
    const m = await delivered(alice, bob, plain);
    const target = join(dir, 'out.bin');
    bob.once('file-progress', (e) => {
      if (e.direction === 'down') void bob.cancelFile(m.id);
    });
    const err = await bob.downloadFile(m.id, fileSinkAt(target)).catch((e) => e);
    expect(code(err)).toBe('CANCELLED');
    expect(existsSync(target) || existsSync(`${target}.partial`)).toBe(false);
    expect((await bob.history('alice'))[0]?.file?.state).toBe('available');
    await bob.downloadFile(m.id, fileSinkAt(target));
    expect(readFileSync(target).equals(plain)).toBe(true);
    expect((await bob.history('alice'))[0]?.file?.state).toBe('downloaded');
  }, 60_000);
});

describe('integrity', () => {
  it('refuses a ciphertext tampered with on the server (FILE_INTEGRITY) and keeps nothing of it', async () => {
    const { alice, bob } = await aliceAndBob(w);
    const plain = randomFile(3 * MiB + 100);
    const m = await delivered(alice, bob, plain);
    const record = await loadFileRecord(bob.options.store, m.id);
    const stored = storedCiphertext(w, record?.fileId ?? '');
    const bytes = readFileSync(stored);
    expect(bytes.length).toBe(record?.cipherSize);
    bytes[2 * MiB] = (bytes[2 * MiB] as number) ^ 0x01; // one bit, in the middle of a chunk
    writeFileSync(stored, bytes);
    const target = join(dir, 'tampered.bin');
    const errors: string[] = [];
    bob.on('message-updated', (u) => {
      if (u.id === m.id && u.error !== undefined) errors.push(u.error);
    });
    const err = await bob.downloadFile(m.id, fileSinkAt(target)).catch((e) => e);
    expect(code(err)).toBe('FILE_INTEGRITY');
    expect(existsSync(target) || existsSync(`${target}.partial`)).toBe(false);
    expect((await bob.history('alice'))[0]).toMatchObject({
      file: { state: 'failed' },
      error: 'FILE_INTEGRITY',
    });
    expect(errors).toEqual(['FILE_INTEGRITY']);
    expect(String((err as Error).message)).not.toContain(record?.fileId ?? '-');
  }, 60_000);

  it('refuses a file whose ciphertext does not match the digest its sender stated', async () => {
    const { alice, bob } = await aliceAndBob(w);
    const m = await delivered(alice, bob, randomFile(MiB));
    const record = await loadFileRecord(bob.options.store, m.id);
    if (record?.digest === undefined) throw new Error('no record');
    const digest = record.digest.slice();
    digest[0] = (digest[0] as number) ^ 0x80;
    await bob.options.store.write([fileRecordOp(m.id, { ...record, digest })]);
    const sink = memorySink();
    expect(code(await bob.downloadFile(m.id, sink).catch((e) => e))).toBe('FILE_INTEGRITY');
    expect(() => sink.bytes()).toThrow(SottoError);
  }, 60_000);

  it('says FILE_NOT_FOUND when the server no longer has the file', async () => {
    const { alice, bob } = await aliceAndBob(w);
    const m = await delivered(alice, bob, randomFile(1000));
    w.proxy.http.answer = (req) => (req.method === 'GET' ? 404 : undefined);
    expect(code(await bob.downloadFile(m.id, memorySink()).catch((e) => e))).toBe('FILE_NOT_FOUND');
    expect((await bob.history('alice'))[0]).toMatchObject({
      file: { state: 'failed' },
      error: 'FILE_NOT_FOUND',
    });
  }, 60_000);
});

describe('refusals', () => {
  it('keeps a refused file message failed, deletes its server copy, and resend uploads it again', async () => {
    const { alice, bob } = await aliceAndBob(w);
    const plain = randomFile(MiB + 7);
    const path = join(dir, 'again.bin');
    writeFileSync(path, plain);
    const removed = next(alice, 'contact-event', (e) => e.kind === 'remove');
    await bob.removeContact('alice');
    await removed;
    const err = await alice.sendFile('bob', await fileFromPath(path)).catch((e) => e);
    expect(code(err)).toBe('NOT_A_CONTACT');
    const [failed] = await alice.history('bob');
    expect(failed).toMatchObject({ status: 'failed', error: 'NOT_A_CONTACT', file: { state: 'failed' } });
    const record = await loadFileRecord(alice.options.store, failed?.id ?? '');
    expect(record?.fileId).toMatch(/^[0-9a-f]{32}$/);
    await until(() => !storesFile(w, record?.fileId ?? ''));
    // A failed file from memory cannot be resent once the process let go of it.
    const lost = await alice.sendFile('bob', fileFromBytes(plain, 'mem.bin')).catch((e) => e);
    expect(code(lost)).toBe('NOT_A_CONTACT');
    const fromMemory = (await alice.history('bob')).at(-1);
    expect(fromMemory).toMatchObject({ status: 'failed', file: { name: 'mem.bin' } });
    expect(code(await alice.resend(fromMemory?.id ?? '').catch((e) => e))).toBe('INVALID_ARGUMENT');
    // From a path it can: contacts again, resend uploads it anew.
    await befriend(alice, 'alice', bob, 'bob');
    const got = next(bob, 'message', () => true, 20_000);
    const again = await alice.resend(failed?.id ?? '');
    expect(again).toMatchObject({ messageId: failed?.id, queued: false });
    const m = await got;
    const sink = memorySink();
    await bob.downloadFile(m.id, sink);
    expect(Buffer.from(sink.bytes()).equals(plain)).toBe(true);
    expect((await alice.history('bob')).find((x) => x.id === m.id)).toMatchObject({
      status: expect.stringMatching(/sent|delivered/),
      file: { state: 'uploaded' },
    });
  }, 60_000);

  it('fails a file over the server limit with FILE_TOO_LARGE before reading a byte of it', async () => {
    const { alice } = await aliceAndBob(w);
    let reads = 0;
    const huge: FileSource = {
      size: 101 * MiB,
      name: 'huge.iso',
      mediaType: 'application/octet-stream',
      read: async (_o, n) => {
        reads++;
        return new Uint8Array(n);
      },
    };
    expect(code(await alice.sendFile('bob', huge).catch((e) => e))).toBe('FILE_TOO_LARGE');
    expect(reads).toBe(0);
    expect((await alice.history('bob'))[0]).toMatchObject({ status: 'failed', error: 'FILE_TOO_LARGE' });
    expect(w.proxy.requests.filter((r) => r.path.startsWith('/v1/files'))).toEqual([]);
  }, 60_000);

  it('refuses a caption and thumbnail too large for one message, and bad thumbnails, storing nothing', async () => {
    const { alice } = await aliceAndBob(w);
    const file = fileFromBytes(new Uint8Array(10), 'a.txt');
    const thumbnail = {
      bytes: new Uint8Array(16 * 1024),
      mediaType: 'image/png' as const,
      width: 10,
      height: 10,
    };
    const bad = [
      () => alice.sendFile('bob', file, { caption: 'é'.repeat(16_000), thumbnail }),
      () =>
        alice.sendFile('bob', file, { thumbnail: { ...thumbnail, bytes: new Uint8Array(16 * 1024 + 1) } }),
      () =>
        alice.sendFile('bob', file, { thumbnail: { ...thumbnail, mediaType: 'image/gif' as 'image/png' } }),
      () => alice.sendFile('bob', file, { thumbnail: { ...thumbnail, width: 0 } }),
      () => alice.sendFile('bob', file, { caption: 'x'.repeat(16_001) }),
      () => alice.sendFile('bob', file, { durationMs: -1 }),
      () => alice.sendFile('bob', { ...file, size: -1 }),
    ];
    for (const send of bad) expect(code(await send().catch((e) => e))).toBe('INVALID_ARGUMENT');
    expect(await alice.history('bob')).toEqual([]);
    // Within bounds it goes (a 16 KiB thumbnail and a long caption).
    const ok = await alice.sendFile('bob', file, { caption: 'x'.repeat(16_000), thumbnail });
    expect(ok.queued).toBe(false);
  }, 60_000);
});
