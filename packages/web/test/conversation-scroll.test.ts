/**
 * A long conversation in the browser: bob (Chromium) has 300 messages from alice (the SDK in Node). It
 * opens at the newest message with only a page of them rendered; scrolling up pages older ones in above
 * without moving what bob is reading, down to the first message. A message arriving while bob reads
 * history leaves him where he is and shows a "new messages" control that jumps down; at the bottom a new
 * message scrolls into view by itself.
 */
import type { SottoClient } from '@sotto/client';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, IN_CI, startWorld, type World } from './helpers/harness.js';
import { bubbleAt, listState, scrollToTop } from './helpers/scroll.js';
import { nodeAccount, seedMessages, waitStored } from './helpers/seed.js';
import { acceptContact, openChat, register } from './helpers/ui.js';

const SEEDED = 300;
const T = { timeout: 20_000 };
const text = (i: number) => `old message ${String(i).padStart(3, '0')}`;

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('a long conversation', () => {
  let world: World;
  let context: BrowserContext;
  let bob: Page;
  let alice: SottoClient;

  beforeAll(async () => {
    world = await startWorld('scroll', { limits: { sendsPerDevicePerSecond: 10_000 } });
    context = await world.browser.newContext({ viewport: { width: 1000, height: 700 } });
    context.setDefaultTimeout(20_000);
    bob = await context.newPage();
    await bob.goto(world.url);
    await register(bob, 'bob');
    alice = await nodeAccount(world.url, 'alice');
    await alice.requestContact('bob');
    await acceptContact(bob, 'alice');
    await seedMessages(alice, 'bob', SEEDED, text);
    await waitStored(bob, 'alice', SEEDED, 120_000);
  }, 180_000);

  afterAll(async () => {
    await alice?.close();
    await world?.close();
  });

  it('opens at the newest message with one page rendered', async () => {
    await openChat(bob, 'alice');
    await expect.poll(async () => (await bubbleAt(bob, text(SEEDED - 1)))?.visible, T).toBe(true);
    const s = await listState(bob);
    expect(s.fromBottom).toBeLessThanOrEqual(2);
    expect(s.bubbles).toBeLessThanOrEqual(100);
    expect(await bubbleAt(bob, text(0))).toBeUndefined();
  });

  it('pages older messages in as bob scrolls up, keeping his place, down to the first one', async () => {
    for (let page = 0; (await bubbleAt(bob, text(0))) === undefined; page++) {
      expect(page, 'pages needed').toBeLessThan(10);
      const before = (await listState(bob)).bubbles;
      const mark = await scrollToTop(bob);
      await expect.poll(async () => (await listState(bob)).bubbles, T).toBeGreaterThan(before);
      const now = await bubbleAt(bob, mark.text);
      expect(now?.top, `${mark.text} stays where bob was reading`).toBeCloseTo(mark.top, 0);
    }
    expect((await listState(bob)).bubbles).toBe(SEEDED);
  }, 60_000);

  it('a new message while bob reads history keeps his place and offers a jump down', async () => {
    const mark = await scrollToTop(bob);
    await alice.send('bob', 'new while reading');
    const jump = bob.getByRole('button', { name: '↓ 1 new message' });
    await jump.waitFor(T);
    expect((await bubbleAt(bob, mark.text))?.top).toBeCloseTo(mark.top, 0);
    expect((await bubbleAt(bob, 'new while reading'))?.visible).toBe(false);
    await jump.click();
    await expect.poll(async () => (await bubbleAt(bob, 'new while reading'))?.visible, T).toBe(true);
    await jump.waitFor({ state: 'detached', ...T });
  });

  it('at the bottom a new message scrolls into view, and the page holds a bounded window', async () => {
    await alice.send('bob', 'new at the bottom');
    await expect.poll(async () => (await bubbleAt(bob, 'new at the bottom'))?.visible, T).toBe(true);
    expect((await listState(bob)).fromBottom).toBeLessThanOrEqual(2);
    await expect.poll(async () => (await listState(bob)).bubbles, T).toBeLessThanOrEqual(200);
  });

  it('opens again at the newest message', async () => {
    await bob.reload();
    await openChat(bob, 'alice');
    await expect.poll(async () => (await bubbleAt(bob, 'new at the bottom'))?.visible, T).toBe(true);
    expect((await listState(bob)).bubbles).toBeLessThanOrEqual(100);
  });
});
