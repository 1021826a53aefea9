/**
 * A browser user (carol) and a terminal user (dave, the real `sotto` binary from source) become contacts
 * and exchange messages both ways; the browser shows dave's reply live and dave's read receipt; a 50 MiB
 * file goes each way, byte for byte (`sotto receive --files`, `sotto send-file`). When a server swaps
 * dave's (unverified) identity key, carol gets a notice but may go on sending.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, sottoOk } from './helpers/cli.js';
import { attachAndSend, downloadedBytes, randomFile, sha256, sha256File } from './helpers/files.js';
import { HAS_CHROMIUM, IN_CI, startWorld, type World } from './helpers/harness.js';
import { swapIdentity } from './helpers/swap-identity.js';
import { addContact, openChat, PASSWORD, register, seeMessage, send, shot } from './helpers/ui.js';

const T = { timeout: 20_000 };
const BIG_T = { timeout: 90_000 };
const MIB = 1 << 20;

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('a browser user and a terminal user', () => {
  let world: World;
  let carol: Page;
  let dave: string[];

  beforeAll(async () => {
    world = await startWorld('cli');
    const passwordFile = join(world.root, 'password');
    writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    dave = ['--profile', join(world.root, 'dave'), '--server', world.url, '--password-file', passwordFile];
    const ctx = await world.browser.newContext({ viewport: { width: 1000, height: 720 } });
    ctx.setDefaultTimeout(15_000);
    carol = await ctx.newPage();
    await carol.goto(world.url);
  }, 90_000);

  afterAll(async () => {
    await world?.close();
  });

  it('carol (browser) and dave (terminal) register and become contacts', async () => {
    await Promise.all([register(carol, 'carol'), sottoOk(['register', '--name', 'dave', ...dave])]);
    await addContact(carol, 'dave');
    await sottoOk(['contacts', 'accept', 'carol', ...dave]);
    await carol
      .locator('[data-contact="dave"]')
      .getByText('Request sent')
      .waitFor({ state: 'detached', ...T });
  }, 60_000);

  it('browser → terminal', async () => {
    await openChat(carol, 'dave');
    await send(carol, 'dave', 'hello dave, from a browser');
    const r = await sottoOk(['receive', '--json', '--count', '1', '--timeout', '20', '--mark-read', ...dave]);
    const messages = jsonLines(r.stdout).filter((l) => l.type === 'message');
    expect(messages.map((m) => [m.from, m.text])).toContainEqual(['carol', 'hello dave, from a browser']);
    await carol.locator('li.bubble.out[data-status="read"]', { hasText: 'hello dave' }).waitFor(T);
  }, 60_000);

  it('terminal → browser, arriving live', async () => {
    await sottoOk(['send', 'carol', 'hi carol, from a terminal', ...dave]);
    await seeMessage(carol, 'hi carol, from a terminal');
  }, 60_000);

  it('a 50 MiB file from the browser to the terminal, saved byte for byte', async () => {
    const path = join(world.root, 'film.bin');
    const digest = await randomFile(path, 50 * MIB);
    await attachAndSend(carol, 'dave', path);
    const files = join(world.root, 'dave-files');
    const r = await sottoOk([
      'receive',
      '--json',
      '--count',
      '1',
      '--timeout',
      '120',
      '--files',
      files,
      ...dave,
    ]);
    const [m] = jsonLines(r.stdout).filter((l) => l.type === 'message' && l.from === 'carol');
    const file = m?.file as { name: string; size: number; savedTo: string } | undefined;
    expect(file).toMatchObject({ name: 'film.bin', size: 50 * MIB });
    expect(await sha256File(file?.savedTo ?? '')).toBe(digest);
    await carol.locator('li.bubble.out[data-status="delivered"]', { hasText: 'film.bin' }).waitFor(BIG_T);
  }, 180_000);

  it('a 50 MiB file from the terminal to the browser, saved byte for byte', async () => {
    const path = join(world.root, 'dump.tar');
    const digest = await randomFile(path, 50 * MIB);
    await sottoOk(['send-file', 'carol', path, ...dave]);
    const card = carol.locator('li.bubble.in .file-card', { hasText: 'dump.tar' });
    const [saved] = await Promise.all([
      carol.waitForEvent('download', BIG_T),
      card.getByRole('button', { name: 'Download dump.tar' }).click(BIG_T),
    ]);
    expect(sha256(await downloadedBytes(saved))).toBe(digest);
  }, 180_000);

  it('tells carol when dave’s (unverified) key changes, without pausing her', async () => {
    await world.restartServer(() => swapIdentity(join(world.root, 'server'), 'dave'));
    const notice = carol.getByRole('status').filter({ hasText: 'dave’s safety number has changed.' });
    await notice.waitFor(T);
    expect(await carol.getByLabel('Message to dave').isDisabled()).toBe(false);
    await shot(carol, 'identity-notice');
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await notice.waitFor({ state: 'detached', ...T });
  }, 60_000);
});
