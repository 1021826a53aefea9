/**
 * The offline outbox in the browser. alice (Chromium, behind a proxy that can cut her WebSocket while
 * pages still load) writes while offline: her messages show as pending, are still there after a reload,
 * and go out by themselves when she is back. Messages the server refuses (bob's device mailbox is full)
 * show as not sent, with a retry that sends them once bob has room, and a delete that removes them for
 * good. bob is the SDK in Node.
 */
import type { SottoClient } from '@sotto/client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, IN_CI, type World } from './helpers/harness.js';
import type { NetProxy } from './helpers/proxy.js';
import { browserAliceNodeBob } from './helpers/seed.js';
import { openChat } from './helpers/ui.js';

const T = { timeout: 30_000 };
const MAILBOX = 3;

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('the offline outbox', () => {
  let world: World;
  let proxy: NetProxy;
  let alice: Page;
  let bob: SottoClient;

  const bubble = (text: string) => alice.locator('li.bubble.out', { hasText: text });
  const status = (text: string) => bubble(text).getAttribute('data-status');
  const connection = () => alice.getByTestId('connection');
  /**
   * Writes `text` and presses Enter once the composer is idle (an Enter while a send is still in flight is
   * ignored on purpose), then waits for its bubble.
   */
  const write = async (text: string) => {
    await alice.locator('form.composer[aria-busy="false"]').waitFor(T);
    const box = alice.getByLabel('Message to bob');
    await box.fill(text);
    await box.press('Enter');
    await bubble(text).waitFor(T);
  };
  /** bob's history texts, after `text` arrived. */
  const bobHas = async (text: string): Promise<string[]> => {
    for (let i = 0; i < 300; i++) {
      const texts = (await bob.history('alice', { limit: 100 })).map((m) => m.text);
      if (texts.includes(text)) return texts;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`bob never got “${text}”`);
  };

  beforeAll(async () => {
    ({ world, proxy, alice, bob } = await browserAliceNodeBob('outbox', {
      limits: { mailboxMaxEnvelopes: MAILBOX },
    }));
  }, 120_000);

  afterAll(async () => {
    await bob?.close();
    await world?.close();
  });

  it('keeps messages written offline as pending, across a reload, and sends them when back', async () => {
    proxy.cutWebSockets(true);
    await connection().getByText('Offline — reconnecting…').waitFor(T);
    await alice
      .getByRole('status')
      .filter({ hasText: 'Messages you write now are sent when the connection is back.' })
      .waitFor(T);
    await write('written offline 1');
    await write('written offline 2');
    expect(await status('written offline 1')).toBe('pending');
    expect(await status('written offline 2')).toBe('pending');
    expect(await alice.getByLabel('Message to bob').inputValue()).toBe('');

    await alice.reload();
    await openChat(alice, 'bob');
    await bubble('written offline 2').waitFor(T);
    expect(await status('written offline 1')).toBe('pending');
    expect(await status('written offline 2')).toBe('pending');
    expect(await connection().textContent()).toContain('Offline');

    proxy.cutWebSockets(false);
    await connection().getByText('Connected').waitFor(T);
    await alice
      .locator('li.bubble.out[data-status="delivered"]', { hasText: 'written offline 2' })
      .waitFor(T);
    const texts = await bobHas('written offline 2');
    expect(texts.filter((t) => t.startsWith('written offline'))).toEqual([
      'written offline 1',
      'written offline 2',
    ]);
  }, 90_000);

  it('shows a refused message as not sent, with retry and delete', async () => {
    await bob.close(); // bob's mailbox fills up while he is away
    for (let i = 1; i <= MAILBOX; i++) {
      await write(`while bob is away ${i}`);
      await alice
        .locator('li.bubble.out[data-status="sent"]', { hasText: `while bob is away ${i}` })
        .waitFor(T);
    }
    await write('refused, then retried');
    await write('refused, then deleted');
    for (const text of ['refused, then retried', 'refused, then deleted']) {
      await alice.locator('li.bubble.out[data-status="failed"]', { hasText: text }).waitFor(T);
      expect(await bubble(text).textContent()).toContain('too many waiting messages');
    }

    await bob.connect(); // bob reads his mailbox: there is room again
    await bobHas(`while bob is away ${MAILBOX}`);
    await bubble('refused, then retried').getByRole('button', { name: 'Retry' }).click();
    await alice
      .locator('li.bubble.out[data-status="delivered"]', { hasText: 'refused, then retried' })
      .waitFor(T);
    await bubble('refused, then deleted').getByRole('button', { name: 'Delete' }).click();
    await bubble('refused, then deleted').waitFor({ state: 'detached', ...T });

    const texts = await bobHas('refused, then retried');
    expect(texts.filter((t) => t === 'refused, then retried')).toHaveLength(1);
    expect(texts).not.toContain('refused, then deleted');
    await alice.reload();
    await openChat(alice, 'bob');
    await bubble('refused, then retried').waitFor(T);
    expect(await bubble('refused, then deleted').count()).toBe(0);
  }, 90_000);
});
