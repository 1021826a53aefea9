/**
 * Files between a browser user (alice, Chromium behind a proxy that can slow the network) and a user of
 * the SDK in Node (bob, as a terminal client runs it): a 50 MiB file each way, byte for byte (the browser's
 * save is compared with the original); a file tampered with on the server shows an integrity error and
 * offers nothing to save, also after a reload; an upload cancelled halfway shows as not sent, and its
 * retry delivers the file; a download cancelled halfway can be started again; a file over the server's
 * limit shows as not sent with the reason, cannot be retried once the page was reloaded (the browser no
 * longer has it), and goes for good with Delete.
 */
import { closeSync, mkdirSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileFromBytes, fileFromPath, fileSinkAt, type Message, type SottoClient } from '@sotto/client';
import { fileCipherSize } from '@sotto/crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attachAndSend,
  downloadedBytes,
  randomFile,
  sha256,
  sha256File,
  storedCopy,
} from './helpers/files.js';
import { HAS_CHROMIUM, IN_CI, type World } from './helpers/harness.js';
import type { NetProxy } from './helpers/proxy.js';
import { browserAliceNodeBob } from './helpers/seed.js';
import { openChat, shot } from './helpers/ui.js';

const T = { timeout: 60_000 };
const MIB = 1 << 20;
const BIG = 50 * MIB;
/** The server's file limit: the 50 MiB files fit (with their encryption's overhead), a little more not. */
const LIMIT = BIG + 64 * 1024;

/** The next file message named `name` that `client` stores. */
function nextFile(client: SottoClient, name: string): Promise<Message> {
  return new Promise((resolve) => {
    const off = client.on('message', (m) => {
      if (m.file?.name !== name) return;
      off();
      resolve(m);
    });
  });
}

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('files between a browser and a Node user', () => {
  let world: World;
  let proxy: NetProxy;
  let alice: Page;
  let bob: SottoClient;
  let dir: string;
  const downloads: string[] = [];

  beforeAll(async () => {
    ({ world, proxy, alice, bob } = await browserAliceNodeBob('files-cli', {
      limits: { maxFileBytes: LIMIT },
    }));
    dir = join(world.root, 'files');
    mkdirSync(dir);
    alice.on('download', (d) => downloads.push(d.suggestedFilename()));
  }, 120_000);

  afterAll(async () => {
    await bob?.close();
    await world?.close();
  });

  it('50 MiB from the browser to the Node user, byte for byte', async () => {
    const path = join(dir, 'holiday.bin');
    const digest = await randomFile(path, BIG);
    const arrived = nextFile(bob, 'holiday.bin');
    await attachAndSend(alice, 'bob', path);
    await alice.getByRole('progressbar', { name: 'Uploading holiday.bin' }).waitFor(T);
    await shot(alice, 'file-uploading');
    const m = await arrived;
    expect(m.file?.size).toBe(BIG);
    const target = join(dir, 'received-by-bob.bin');
    await bob.downloadFile(m.id, fileSinkAt(target));
    expect(await sha256File(target)).toBe(digest);
    await alice.locator('li.bubble.out[data-status="delivered"]', { hasText: 'holiday.bin' }).waitFor(T);
  }, 180_000);

  it('50 MiB from the Node user to the browser, saved byte for byte', async () => {
    const path = join(dir, 'archive.tar');
    const digest = await randomFile(path, BIG);
    await bob.sendFile('alice', await fileFromPath(path));
    const card = alice.locator('li.bubble.in .file-card', { hasText: 'archive.tar' });
    await card.getByText('50 MB · TAR').waitFor(T);
    const [saved] = await Promise.all([
      alice.waitForEvent('download', T),
      (async () => {
        await card.getByRole('button', { name: 'Download archive.tar' }).click();
        await alice.getByRole('progressbar', { name: 'Downloading archive.tar' }).waitFor(T);
      })(),
    ]);
    expect(saved.suggestedFilename()).toBe('archive.tar');
    expect(sha256(await downloadedBytes(saved))).toBe(digest);
    await card.getByRole('button', { name: 'Save archive.tar' }).waitFor(T);
  }, 180_000);

  it('a file tampered with on the server shows an integrity error and offers nothing to save', async () => {
    const bytes = new Uint8Array(300 * 1024).map((_, i) => (i * 31) & 0xff);
    await bob.sendFile('alice', fileFromBytes(bytes, 'report.pdf', 'application/pdf'));
    const stored = storedCopy(join(world.root, 'server'), fileCipherSize(bytes.length));
    const fd = openSync(stored, 'r+');
    const one = Buffer.alloc(1);
    readSync(fd, one, 0, 1, 150_000);
    one[0] = (one[0] ?? 0) ^ 0x01;
    writeSync(fd, one, 0, 1, 150_000);
    closeSync(fd);

    const file = alice.locator('li.bubble.in .file', { hasText: 'report.pdf' });
    const before = downloads.length;
    await file.getByRole('button', { name: 'Download report.pdf' }).click();
    const error = file.getByTestId('file-error');
    await error.getByText('failed its integrity check').waitFor(T);
    await shot(alice, 'file-integrity');
    expect(await file.getAttribute('data-file-state')).toBe('failed');
    expect(await file.getAttribute('data-verified')).toBe('false');
    expect(await file.getByRole('button').count()).toBe(0); // neither Download nor Save
    expect(downloads.length).toBe(before);

    await alice.reload();
    await openChat(alice, 'bob');
    const again = alice.locator('li.bubble.in .file', { hasText: 'report.pdf' });
    await again.getByTestId('file-error').waitFor(T);
    expect(await again.getByRole('button').count()).toBe(0);
    expect(downloads.length).toBe(before);
  }, 60_000);

  it('an upload cancelled halfway shows as not sent; its retry delivers the file', async () => {
    const path = join(dir, 'slides.bin');
    const digest = await randomFile(path, 12 * MIB); // three requests of 4 MiB
    proxy.delayMs = 1_500; // every answer of the server comes 1.5 s late
    await attachAndSend(alice, 'bob', path);
    const bubble = alice.locator('li.bubble.out', { hasText: 'slides.bin' });
    const bar = bubble.getByRole('progressbar', { name: 'Uploading slides.bin' });
    await expect.poll(() => bar.getAttribute('value'), T).not.toBe('0');
    await bubble.getByRole('button', { name: 'Cancel upload' }).click();
    await alice.locator('li.bubble.out[data-status="failed"]', { hasText: 'slides.bin' }).waitFor(T);
    expect(await bubble.textContent()).toContain('Not sent: Cancelled.');
    expect(await bubble.getByTestId('file-error').count()).toBe(0); // not sent, not a broken file
    expect(await bar.count()).toBe(0);
    await shot(alice, 'file-cancelled');

    proxy.delayMs = 0;
    const arrived = nextFile(bob, 'slides.bin');
    await bubble.getByRole('button', { name: 'Retry' }).click();
    const m = await arrived;
    const target = join(dir, 'slides-received.bin');
    await bob.downloadFile(m.id, fileSinkAt(target));
    expect(await sha256File(target)).toBe(digest);
    await alice.locator('li.bubble.out[data-status="delivered"]', { hasText: 'slides.bin' }).waitFor(T);
    expect(await alice.locator('li.bubble.out', { hasText: 'slides.bin' }).count()).toBe(1);
  }, 90_000);

  it('a download cancelled halfway leaves the file to download again', async () => {
    const bytes = new Uint8Array(6 * MIB).map((_, i) => (i * 7) & 0xff);
    await bob.sendFile('alice', fileFromBytes(bytes, 'film.mkv', 'video/x-matroska'));
    const file = alice.locator('li.bubble.in .file', { hasText: 'film.mkv' });
    await file.getByRole('button', { name: 'Play film.mkv' }).waitFor(T);
    proxy.delayMs = 2_000;
    const before = downloads.length;
    await file.getByRole('button', { name: 'Play film.mkv' }).click();
    await file.getByRole('progressbar', { name: 'Downloading film.mkv' }).waitFor(T);
    await file.getByRole('button', { name: 'Cancel download' }).click();
    await file.getByRole('progressbar').waitFor({ state: 'detached', ...T });
    expect(await file.getAttribute('data-file-state')).toBe('available');
    expect(await file.locator('video').count()).toBe(0);
    proxy.delayMs = 0;
    await file.getByRole('button', { name: 'Play film.mkv' }).click();
    await file.locator('video').waitFor(T);
    expect(await file.getAttribute('data-file-state')).toBe('downloaded');
    expect(downloads.length).toBe(before); // played here, not saved
  }, 60_000);

  it('a file over the server’s limit shows as not sent, with the reason; Delete removes it', async () => {
    const path = join(dir, 'too big.iso');
    writeFileSync(path, Buffer.alloc(LIMIT));
    await attachAndSend(alice, 'bob', path);
    const failed = () => alice.locator('li.bubble.out[data-status="failed"]', { hasText: 'too big.iso' });
    await failed().waitFor(T);
    expect(await failed().textContent()).toContain('Not sent: The file is larger than the server accepts.');

    // after a reload the browser no longer has the file: Retry says so; Delete removes the message
    await alice.reload();
    await openChat(alice, 'bob');
    await failed().getByRole('button', { name: 'Retry' }).click();
    await alice.getByRole('alert').getByText('attach it again').waitFor(T);
    await failed().getByRole('button', { name: 'Delete' }).click();
    await failed().waitFor({ state: 'detached', ...T });
    await alice.reload();
    await openChat(alice, 'bob');
    await alice.locator('li.bubble', { hasText: 'slides.bin' }).waitFor(T);
    expect(await alice.locator('li.bubble', { hasText: 'too big.iso' }).count()).toBe(0);
  }, 60_000);
});
