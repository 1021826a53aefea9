/**
 * Bytes on the wire for the first screen (register): a fresh browser context with the cache disabled
 * loads the page, waits until the register form shows and the network is idle, and sums what Chromium
 * reports as received per request (Chrome DevTools Protocol `Network.loadingFinished.encodedDataLength`:
 * compressed body plus headers), for scripts and for everything.
 */
import type { Browser } from 'playwright-core';

/** What the first screen cost. */
export interface FirstScreen {
  /** JavaScript received, compressed as sent, with headers. */
  readonly js_bytes: number;
  /** Every response received (page, scripts, styles, icon). */
  readonly total_bytes: number;
  /** JavaScript after decompression (what the browser parses). */
  readonly js_decoded_bytes: number;
  readonly requests: number;
  /** The content-encodings the scripts came with (e.g. `br`), or `identity`. */
  readonly js_encodings: readonly string[];
}

interface Entry {
  type?: string;
  encoding?: string;
  wire?: number;
  decoded: number;
}

/** Loads `url` in a new context and measures the register screen. */
export async function firstScreen(browser: Browser, url: string): Promise<FirstScreen> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const entries = new Map<string, Entry>();
    const entry = (id: string): Entry => {
      let e = entries.get(id);
      if (e === undefined) {
        e = { decoded: 0 };
        entries.set(id, e);
      }
      return e;
    };
    cdp.on('Network.responseReceived', (e) => {
      const x = entry(e.requestId);
      x.type = e.type;
      const headers = e.response.headers as Record<string, string>;
      const enc = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-encoding')?.[1];
      x.encoding = enc ?? 'identity';
    });
    cdp.on('Network.dataReceived', (e) => {
      entry(e.requestId).decoded += e.dataLength;
    });
    cdp.on('Network.loadingFinished', (e) => {
      entry(e.requestId).wire = e.encodedDataLength;
    });
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await page.goto(url, { waitUntil: 'load' });
    await page.getByRole('button', { name: 'Create account' }).last().waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    const done = [...entries.values()].filter((e) => e.wire !== undefined);
    const js = done.filter((e) => e.type === 'Script');
    const sum = (list: Entry[], f: (e: Entry) => number) => list.reduce((n, e) => n + f(e), 0);
    return {
      js_bytes: sum(js, (e) => e.wire ?? 0),
      total_bytes: sum(done, (e) => e.wire ?? 0),
      js_decoded_bytes: sum(js, (e) => e.decoded),
      requests: done.length,
      js_encodings: [...new Set(js.map((e) => e.encoding ?? 'identity'))],
    };
  } finally {
    await context.close();
  }
}
