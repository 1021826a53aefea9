/**
 * The composer while a send is in flight (the network holds the server's answers back 1.5 s, through a
 * proxy): a double Enter, a held Enter and a double click on Send each send the message once, and what
 * alice types after pressing Enter stays in the box. bob is the SDK in Node and counts what arrives.
 */
import type { SottoClient } from '@sotto/client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, IN_CI, type World } from './helpers/harness.js';
import type { NetProxy } from './helpers/proxy.js';
import { browserAliceNodeBob } from './helpers/seed.js';
import { send } from './helpers/ui.js';

const T = { timeout: 20_000 };
const IN_FLIGHT_MS = 1_500;

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('the composer during a send', () => {
  let world: World;
  let proxy: NetProxy;
  let alice: Page;
  let bob: SottoClient;

  /** How many times bob received `text`, checked after a later marker message arrived. */
  async function receivedByBob(text: string): Promise<number> {
    proxy.delayMs = 0;
    const marker = `marker ${Math.random()}`;
    const arrived = new Promise<void>((resolve) => {
      const off = bob.on('message', (m) => {
        if (m.text !== marker) return;
        off();
        resolve();
      });
    });
    await send(alice, 'bob', marker);
    await arrived;
    return (await bob.history('alice', { limit: 100 })).filter((m) => m.text === text).length;
  }

  const box = () => alice.getByLabel('Message to bob');
  const bubbles = (text: string) => alice.locator('li.bubble.out', { hasText: text });
  /** Waits until the send of `text` came back from the server (the mark leaves "pending"). */
  const sent = (text: string) =>
    alice.locator('li.bubble.out:not([data-status="pending"])', { hasText: text }).waitFor(T);

  beforeAll(async () => {
    ({ world, proxy, alice, bob } = await browserAliceNodeBob('composer'));
  }, 120_000);

  afterAll(async () => {
    await bob?.close();
    await world?.close();
  });

  it('a double Enter sends once, and text typed meanwhile stays in the box', async () => {
    proxy.delayMs = IN_FLIGHT_MS;
    await box().fill('pressed twice');
    await box().press('Enter');
    await box().press('Enter');
    await box().pressSequentially('typed while sending');
    await box().press('Enter'); // still in flight: nothing more goes
    await sent('pressed twice');
    expect(await box().inputValue()).toBe('typed while sending');
    expect(await bubbles('pressed twice').count()).toBe(1);
    expect(await bubbles('typed while sending').count()).toBe(0);
    proxy.delayMs = 0;
    await box().press('Enter');
    await sent('typed while sending');
    expect(await box().inputValue()).toBe('');
    expect(await receivedByBob('pressed twice')).toBe(1);
  });

  it('a held Enter sends once', async () => {
    proxy.delayMs = IN_FLIGHT_MS;
    await box().fill('held down');
    await box().focus();
    for (let i = 0; i < 4; i++) await alice.keyboard.down('Enter'); // key repeat
    await alice.keyboard.up('Enter');
    await sent('held down');
    expect(await box().inputValue()).toBe('');
    expect(await bubbles('held down').count()).toBe(1);
    expect(await receivedByBob('held down')).toBe(1);
  });

  it('a double click on Send sends once', async () => {
    proxy.delayMs = IN_FLIGHT_MS;
    await box().fill('clicked twice');
    await alice.getByRole('button', { name: 'Send', exact: true }).dblclick();
    await sent('clicked twice');
    expect(await bubbles('clicked twice').count()).toBe(1);
    expect(await receivedByBob('clicked twice')).toBe(1);
  });
});
