/**
 * What the first visit costs, measured in Chromium on the wire: the register screen's JavaScript comes
 * Brotli-compressed from the build's precompressed copies and stays under 300 KiB; the password checker's
 * dictionaries load only once the person starts filling the form, the files and group UI not at all; a second
 * visit revalidates the page (304) and takes the content-hashed scripts from the cache without asking.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, IN_CI, startWorld, type World } from './helpers/harness.js';
import { PASSWORD } from './helpers/ui.js';
import { firstScreen } from './helpers/wire.js';

const KIB = 1024;

/**
 * What `cdp` sees from now on: URL path → the status the server sent on the wire (a revalidated response
 * shows as 200 to the page; the raw 304 is in the extra info), and the paths served from the cache.
 */
function watchResponses(cdp: CDPSession): { wire: Map<string, number>; cached: Set<string> } {
  const wire = new Map<string, number>();
  const cached = new Set<string>();
  const urls = new Map<string, string>();
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, new URL(e.request.url).pathname));
  cdp.on('Network.requestServedFromCache', (e) => cached.add(urls.get(e.requestId) ?? ''));
  cdp.on('Network.responseReceivedExtraInfo', (e) => wire.set(urls.get(e.requestId) ?? '', e.statusCode));
  cdp.on('Network.responseReceived', (e) => {
    if (e.response.fromDiskCache === true) cached.add(new URL(e.response.url).pathname);
  });
  return { wire, cached };
}

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('first load', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld('first-load');
  }, 90_000);

  afterAll(async () => {
    await world?.close();
  });

  it("the register screen's JavaScript arrives Brotli-compressed, under 300 KiB on the wire", async () => {
    const s = await firstScreen(world.browser, world.url);
    expect(s.js_encodings).toEqual(['br']);
    expect(s.js_bytes).toBeLessThan(300 * KIB);
    expect(s.js_decoded_bytes).toBeGreaterThan(3 * s.js_bytes);
    expect(s.total_bytes).toBeLessThan(320 * KIB);
  });

  it('loads the password checker when the person starts filling the form, never the files or group UI', async () => {
    const assets = join(world.root, 'web', 'assets');
    const chunkWith = (text: string) =>
      readdirSync(assets).filter(
        (f) => f.endsWith('.js') && readFileSync(join(assets, f), 'utf8').includes(text),
      );
    const filesUi = chunkWith('it is not the file that was sent');
    const groupUi = chunkWith('Its history stays on this device');
    expect(filesUi).toHaveLength(1);
    expect(groupUi).toHaveLength(1);
    const context = await world.browser.newContext();
    try {
      const page = await context.newPage();
      const scripts: string[] = [];
      page.on('response', (r) => {
        if (r.request().resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
      });
      await page.goto(world.url);
      await page.getByRole('button', { name: 'Create account' }).last().waitFor();
      await page.waitForLoadState('networkidle');
      const before = scripts.length;
      await page.getByLabel('Name', { exact: true }).fill('carol');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByTestId('strength').waitFor();
      expect(scripts.length).toBeGreaterThan(before);
      await page.waitForLoadState('networkidle');
      expect(scripts).not.toContain(`/assets/${filesUi[0]}`);
      expect(scripts).not.toContain(`/assets/${groupUi[0]}`);
    } finally {
      await context.close();
    }
  });

  it('a second visit revalidates the page (304) and takes the hashed scripts from the cache', async () => {
    const context = await world.browser.newContext();
    try {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await page.goto(world.url);
      await page.getByRole('button', { name: 'Create account' }).last().waitFor();
      await page.waitForLoadState('networkidle');
      const seen = watchResponses(cdp);
      await page.goto(world.url);
      await page.getByRole('button', { name: 'Create account' }).last().waitFor();
      await page.waitForLoadState('networkidle');
      expect(seen.wire.get('/')).toBe(304);
      const scripts = [...seen.wire.keys(), ...seen.cached].filter((p) => p.endsWith('.js'));
      expect(scripts.length).toBeGreaterThan(0);
      for (const s of scripts) expect(seen.cached, s).toContain(s);
    } finally {
      await context.close();
    }
  });
});
