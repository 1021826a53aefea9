/**
 * Send-to-display latency between two browser pages: alice presses Enter in her composer, and the time
 * until the text appears in bob's message list (and in her own) is taken inside the pages, on the shared
 * wall clock (`performance.timeOrigin + performance.now()`), by a capture-phase keydown listener and a
 * MutationObserver. Each sample then waits until bob has read the message, so samples never overlap.
 */
import type { Page } from 'playwright-core';

/** One sample, in ms. */
export interface Sample {
  readonly toBob: number;
  readonly toAlice: number;
}

/** Median and 95th percentile, in ms (one decimal). */
export interface Stats {
  readonly median_ms: number;
  readonly p95_ms: number;
  readonly samples: number;
}

declare global {
  interface Window {
    __benchSeen?: number;
    __benchEnter?: number;
  }
}

/**
 * Starts watching the page's message list for `text`; on alice's page also notes the Enter keydown. (No
 * named functions inside: tsx would wrap them in a helper the page does not have.)
 */
function watch(page: Page, text: string): Promise<void> {
  return page.evaluate((t) => {
    window.__benchSeen = undefined;
    window.__benchEnter = undefined;
    window.addEventListener(
      'keydown',
      (e) => {
        if (e.key === 'Enter' && window.__benchEnter === undefined)
          window.__benchEnter = performance.timeOrigin + performance.now();
      },
      { capture: true, once: true },
    );
    const obs = new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.type === 'characterData' ? [r.target] : Array.from(r.addedNodes)) {
          const el = n instanceof Element ? n : n.parentElement;
          if (el === null || el.closest('ol.messages') === null) continue;
          if (!(n.textContent ?? '').includes(t)) continue;
          window.__benchSeen = performance.timeOrigin + performance.now();
          obs.disconnect();
          return;
        }
      }
    });
    obs.observe(document.body, { childList: true, subtree: true, characterData: true });
  }, text);
}

async function seenAt(page: Page): Promise<number> {
  await page.waitForFunction(() => window.__benchSeen !== undefined, null, { timeout: 30_000 });
  return page.evaluate(() => window.__benchSeen ?? Number.NaN);
}

/** One send from alice (conversation with `bobName` open) to bob (conversation with `aliceName` open). */
export async function sample(alice: Page, bob: Page, bobName: string, text: string): Promise<Sample> {
  await Promise.all([watch(alice, text), watch(bob, text)]);
  const box = alice.getByLabel(`Message to ${bobName}`);
  await box.fill(text);
  await box.press('Enter');
  const [a, b] = await Promise.all([seenAt(alice), seenAt(bob)]);
  const enter = await alice.evaluate(() => window.__benchEnter ?? Number.NaN);
  await alice.locator('li.bubble.out[data-status="read"]', { hasText: text }).waitFor({ timeout: 30_000 });
  return { toBob: b - enter, toAlice: a - enter };
}

/** Median and p95 of `xs`. */
export function stats(xs: readonly number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
  const r = (n: number) => Math.round(n * 10) / 10;
  const mid = s.length % 2 === 1 ? at(0.5) : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
  return { median_ms: r(mid), p95_ms: r(at(0.95)), samples: s.length };
}

/** A sender's and a receiver's page with the conversation open on both sides. */
export interface Pair {
  readonly tag: string;
  readonly sender: Page;
  readonly receiver: Page;
  /** The receiver's account name (the sender's conversation). */
  readonly receiverName: string;
}

/** Per pair: display latency in the receiver's list and in the sender's own list. */
export type Results = Record<string, { toReceiver: Stats; toSender: Stats }>;

/**
 * `warmup` unrecorded then `n` recorded samples per pair, the pairs taking turns sample by sample, so a
 * busy moment of the machine falls on all of them alike.
 */
export async function measure(pairs: readonly Pair[], n: number, warmup: number): Promise<Results> {
  const raw = new Map(pairs.map((p) => [p.tag, { toReceiver: [] as number[], toSender: [] as number[] }]));
  for (let i = 0; i < warmup + n; i++) {
    for (const p of pairs) {
      const text = `bench ${p.tag} ${i} ${Math.random().toString(36).slice(2, 8)}`;
      const s = await sample(p.sender, p.receiver, p.receiverName, text);
      if (i < warmup) continue;
      raw.get(p.tag)?.toReceiver.push(s.toBob);
      raw.get(p.tag)?.toSender.push(s.toAlice);
    }
  }
  const out: Results = {};
  for (const [tag, r] of raw) out[tag] = { toReceiver: stats(r.toReceiver), toSender: stats(r.toSender) };
  return out;
}
