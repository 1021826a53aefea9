/**
 * Files between two browsers (alice and bob, separate contexts). alice attaches a large photo with the
 * attach button and a caption: bob sees its thumbnail at once (it came inside the encrypted message),
 * downloads the full image on demand, sees the verified image, opens it in the viewer and saves it byte
 * for byte; the image's blob: URLs are revoked once nothing shows them. A small image pasted from the
 * clipboard arrives and shows in full by itself. bob drops a document with a hostile name and a voice
 * note on the conversation: alice sees the name as text, saves the document byte for byte and plays the
 * voice note from its verified copy. No step breaks the page's Content-Security-Policy. Screenshots go to
 * test-results/screenshots/.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canvasPng,
  downloadedBytes,
  dropFiles,
  pasteFiles,
  sha256,
  toneWav,
  watchCsp,
} from './helpers/files.js';
import { HAS_CHROMIUM, IN_CI, startWorld, type World } from './helpers/harness.js';
import { acceptContact, addContact, openChat, register, shot } from './helpers/ui.js';

const T = { timeout: 30_000 };

/** True when an image at `url` loads in `page` (a revoked blob: URL does not). */
function loads(page: Page, url: string): Promise<boolean> {
  return page.evaluate(
    (src) =>
      new Promise<boolean>((resolve) => {
        const img = new Image();
        img.onload = () => resolve(true);
        img.onerror = () => resolve(false);
        img.src = src;
      }),
    url,
  );
}
/** A name a careless page would turn into markup. */
const HOSTILE = '<img src=x onerror=alert(1)> notes.txt';

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('files between two browsers', () => {
  let world: World;
  let contexts: BrowserContext[];
  let alice: Page;
  let bob: Page;
  const violations: string[] = [];
  const dialogs: string[] = [];

  const bubble = (page: Page, text: string) => page.locator('li.bubble', { hasText: text });

  beforeAll(async () => {
    world = await startWorld('files');
    contexts = await Promise.all(
      [0, 1].map(() => world.browser.newContext({ viewport: { width: 1100, height: 800 } })),
    );
    for (const c of contexts) c.setDefaultTimeout(20_000);
    [alice, bob] = (await Promise.all(contexts.map((c) => c.newPage()))) as [Page, Page];
    for (const p of [alice, bob]) {
      const seen = watchCsp(p);
      p.on('close', () => violations.push(...seen));
      p.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
    }
    await Promise.all([alice.goto(world.url), bob.goto(world.url)]);
    await Promise.all([register(alice, 'alice'), register(bob, 'bob')]);
    await addContact(alice, 'bob');
    await acceptContact(bob, 'alice');
    await alice
      .locator('[data-contact="bob"]')
      .getByText('Request sent')
      .waitFor({ state: 'detached', ...T });
    await openChat(alice, 'bob');
    await openChat(bob, 'alice');
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  it('a photo: attach button and caption, thumbnail at once, full image on demand, viewer, save', async () => {
    const photo = await canvasPng(alice, 1600, 1200, true); // noise: ~7 MB, over the automatic limit
    expect(photo.length).toBeGreaterThan(2 << 20);
    const [chooser] = await Promise.all([
      alice.waitForEvent('filechooser'),
      alice.getByRole('button', { name: 'Attach files' }).click(),
    ]);
    expect(chooser.isMultiple()).toBe(true);
    await chooser.setFiles({ name: 'lake.png', mimeType: 'image/png', buffer: photo });
    await alice.getByRole('list', { name: 'Attached files' }).getByText('lake.png').waitFor(T);
    await alice.getByLabel('Message to bob').fill('the lake at dawn');
    await alice.getByLabel('Message to bob').press('Enter');
    // alice sees her own photo at once, and its upload
    const mine = bubble(alice, 'the lake at dawn');
    await mine.locator('img.file-full').waitFor(T);
    await alice
      .locator('li.bubble.out:is([data-status="delivered"], [data-status="read"])', {
        hasText: 'the lake at dawn',
      })
      .waitFor(T);
    expect(await alice.getByRole('list', { name: 'Attached files' }).count()).toBe(0);

    // bob: the thumbnail that came inside the message, nothing of the file itself yet
    const theirs = bubble(bob, 'the lake at dawn');
    const thumb = theirs.locator('img.file-thumb');
    await thumb.waitFor(T);
    await expect.poll(() => thumb.evaluate((i: HTMLImageElement) => i.naturalWidth), T).toBeGreaterThan(0);
    const [w, h] = await thumb.evaluate((i: HTMLImageElement) => [i.naturalWidth, i.naturalHeight]);
    expect(w).toBeLessThanOrEqual(320); // a thumbnail, not the photo
    expect(Math.abs((w ?? 0) / (h ?? 1) - 4 / 3)).toBeLessThan(0.03);
    expect(await theirs.locator('img.file-full').count()).toBe(0);
    expect(await theirs.locator('.file').getAttribute('data-verified')).toBe('false');
    await shot(bob, 'file-thumbnail');

    // on demand: the verified image, in full size
    await theirs.getByRole('button', { name: /^Download lake\.png/ }).click();
    const full = theirs.locator('img.file-full');
    await full.waitFor(T);
    expect(await full.getAttribute('src')).toMatch(/^blob:/);
    await expect.poll(() => full.evaluate((i: HTMLImageElement) => i.naturalWidth), T).toBe(1600);
    expect(await theirs.locator('.file').getAttribute('data-file-state')).toBe('downloaded');

    // the viewer: opens large, saves the same bytes, closes with Escape
    await theirs.getByRole('button', { name: 'Open lake.png' }).click();
    const viewer = bob.getByRole('dialog', { name: 'lake.png' });
    await viewer.waitFor(T);
    await expect
      .poll(() => viewer.locator('img').evaluate((i: HTMLImageElement) => i.naturalWidth), T)
      .toBe(1600);
    await shot(bob, 'file-viewer');
    const [saved] = await Promise.all([
      bob.waitForEvent('download'),
      viewer.getByRole('button', { name: 'Download' }).click(),
    ]);
    expect(saved.suggestedFilename()).toBe('lake.png');
    expect(sha256(await downloadedBytes(saved))).toBe(sha256(photo));
    const viewerUrl = (await viewer.locator('img').getAttribute('src')) ?? '';
    const bubbleUrl = (await full.getAttribute('src')) ?? '';
    expect(await loads(bob, viewerUrl)).toBe(true);
    await bob.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached', ...T });

    // blob: URLs live only while shown: the viewer's goes when it closes, the bubble's with the conversation
    expect(await loads(bob, viewerUrl)).toBe(false);
    expect(await loads(bob, bubbleUrl)).toBe(true);
    await bob.getByRole('button', { name: 'Devices' }).click();
    await theirs.waitFor({ state: 'detached', ...T });
    expect(await loads(bob, bubbleUrl)).toBe(false);
    await openChat(bob, 'alice');
    await expect.poll(() => full.evaluate((i: HTMLImageElement) => i.naturalWidth), T).toBe(1600);
  }, 120_000);

  it('a pasted image is sent and shows in full by itself (small images download automatically)', async () => {
    const small = await canvasPng(alice, 640, 480);
    expect(small.length).toBeLessThan(2 << 20);
    await pasteFiles(alice, 'textarea[aria-label="Message to bob"]', [
      { name: 'image.png', mimeType: 'image/png', buffer: small },
    ]);
    await alice.getByRole('list', { name: 'Attached files' }).getByText('image.png').waitFor(T);
    expect(await alice.getByLabel('Message to bob').inputValue()).toBe('');
    await alice.getByLabel('Message to bob').fill('pasted');
    await alice.getByLabel('Message to bob').press('Enter');
    const theirs = bubble(bob, 'pasted');
    const full = theirs.locator('img.file-full');
    await full.waitFor(T);
    await expect.poll(() => full.evaluate((i: HTMLImageElement) => i.naturalWidth), T).toBe(640);
  }, 60_000);

  it('dropped files: a document with a hostile name and a voice note', async () => {
    const doc = Buffer.from('minutes of the meeting\n'.repeat(200));
    const voice = toneWav(2);
    await dropFiles(bob, '.conversation', [
      { name: HOSTILE, mimeType: 'text/plain', buffer: doc },
      { name: 'voice note.wav', mimeType: 'audio/wav', buffer: voice },
    ]);
    const tray = bob.getByRole('list', { name: 'Attached files' });
    await tray.getByText('voice note.wav').waitFor(T);
    expect(await tray.getByRole('listitem').count()).toBe(2);
    await bob.getByRole('button', { name: 'Send', exact: true }).click();

    // the document: its name as text (no markup made of it), a card, saved byte for byte
    const card = alice.locator('li.bubble .file-card', { hasText: 'notes.txt' });
    await card.waitFor(T);
    expect(await card.locator('.file-name').textContent()).toBe(HOSTILE);
    expect(await alice.locator('li.bubble img[src="x"]').count()).toBe(0);
    const [saved] = await Promise.all([
      alice.waitForEvent('download'),
      card.getByRole('button', { name: `Download ${HOSTILE}` }).click(),
    ]);
    expect(await downloadedBytes(saved)).toEqual(doc);
    await card.getByRole('button', { name: `Save ${HOSTILE}` }).waitFor(T);

    // the voice note: downloaded by itself, its length shown, played from the verified copy
    const note = alice.locator('li.bubble .file-audio', { hasText: 'voice note.wav' });
    await note.getByText('0:02').waitFor(T);
    const audio = note.locator('audio');
    await audio.waitFor(T);
    expect(await audio.getAttribute('src')).toMatch(/^blob:/);
    await expect
      .poll(() => audio.evaluate((a: HTMLAudioElement) => (a.readyState >= 1 ? a.duration : 0)), T)
      .toBeCloseTo(2, 1);
    await shot(alice, 'files-received');
    expect(dialogs).toEqual([]);
  }, 60_000);

  it('breaks no Content-Security-Policy rule', async () => {
    await Promise.all(contexts.map((c) => c.close()));
    expect(violations).toEqual([]);
  });
});
