/**
 * Calls between two browsers (separate contexts, Chromium's fake camera and microphone): a video call
 * connects and media flows both ways (bytes received, from getStats), the callee hangs up, then in a
 * second call the caller does; a declined call says so to the caller; a call nobody answers leaves
 * "Missed call" in the callee's conversation; when both call at once, one call survives and connects; in
 * the background, the ringing and the missed call raise desktop notifications.
 * Signaling goes through the SDK end to end; with no TURN
 * server configured, the media takes host candidates on this machine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answer,
  callContext,
  notificationsShown,
  screenClosed,
  seeStatus,
  startCall,
  waitBytesReceived,
} from './helpers/calls.js';
import { HAS_CHROMIUM, IN_CI, startWorld, type World } from './helpers/harness.js';
import { acceptContact, addContact, openChat, register, shot } from './helpers/ui.js';

const T = { timeout: 30_000 };
/** How long calls ring in this test (the SDK's default is 45 s). */
const RING_MS = 6_000;

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('calls in two browsers', () => {
  let world: World;
  let contexts: BrowserContext[];
  let alice: Page;
  let bob: Page;
  /** The scripts alice's page fetched. */
  const scripts: string[] = [];

  beforeAll(async () => {
    world = await startWorld('calls', { media: true });
    contexts = await Promise.all([
      callContext(world.browser, { ringMs: RING_MS }),
      callContext(world.browser, { ringMs: RING_MS, notifications: true }),
    ]);
    [alice, bob] = (await Promise.all(contexts.map((c) => c.newPage()))) as [Page, Page];
    alice.on('response', (r) => {
      if (r.request().resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
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

  it('a video call connects, media flows both ways, and the callee hangs up', async () => {
    // The call screen is a lazy chunk: not fetched until the first call.
    const assets = join(world.root, 'web', 'assets');
    const callUi = readdirSync(assets).filter(
      (f) => f.endsWith('.js') && readFileSync(join(assets, f), 'utf8').includes('Accept with audio only'),
    );
    expect(callUi).toHaveLength(1);
    expect(scripts).not.toContain(`/assets/${callUi[0]}`);
    await startCall(alice, 'bob', 'video');
    await seeStatus(alice, 'Calling…');
    expect(scripts).toContain(`/assets/${callUi[0]}`);
    await answer(bob, 'alice', 'Accept with video');
    await Promise.all([seeStatus(alice, 'Connected'), seeStatus(bob, 'Connected')]);
    const [a, b] = await Promise.all([waitBytesReceived(alice), waitBytesReceived(bob)]);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    await alice.getByTestId('call-duration').waitFor(T);
    await shot(alice, 'call-video');
    await bob
      .getByRole('dialog', { name: 'Call with alice' })
      .getByRole('button', { name: 'Hang up' })
      .click();
    await Promise.all([seeStatus(alice, 'Call ended'), seeStatus(bob, 'Call ended')]);
    await Promise.all([screenClosed(alice), screenClosed(bob)]);
    await alice.locator('li.call-line', { hasText: /Call ended \(video, \d+:\d\d\)/ }).waitFor(T);
    await bob.locator('li.call-line', { hasText: /Call ended \(video, \d+:\d\d\)/ }).waitFor(T);
  }, 120_000);

  it('a voice call: the caller hangs up', async () => {
    await startCall(alice, 'bob', 'voice');
    await answer(bob, 'alice', 'Accept');
    await Promise.all([seeStatus(alice, 'Connected'), seeStatus(bob, 'Connected')]);
    await Promise.all([waitBytesReceived(alice), waitBytesReceived(bob)]);
    await alice.getByRole('button', { name: 'Hang up' }).click();
    await Promise.all([seeStatus(alice, 'Call ended'), seeStatus(bob, 'Call ended')]);
    await Promise.all([screenClosed(alice), screenClosed(bob)]);
  }, 120_000);

  it('a declined call shows as declined to the caller', async () => {
    await startCall(alice, 'bob', 'video');
    await answer(bob, 'alice', 'Decline');
    await seeStatus(alice, 'Call declined');
    await shot(alice, 'call-declined');
    await Promise.all([screenClosed(alice), screenClosed(bob)]);
    await alice.locator('li.call-line', { hasText: 'Declined call (video)' }).waitFor(T);
  }, 60_000);

  it('a call nobody answers shows "Missed call" to the callee', async () => {
    await startCall(alice, 'bob', 'voice');
    await bob.getByRole('alertdialog', { name: 'alice is calling' }).waitFor(T);
    await shot(bob, 'call-ringing');
    await seeStatus(alice, 'No answer from bob');
    const line = bob.locator('li.call-line.missed', { hasText: 'Missed call' });
    await line.waitFor(T);
    await Promise.all([screenClosed(alice), screenClosed(bob)]);
    await shot(bob, 'call-missed');
  }, 60_000);

  it('both call at once: one call survives and connects, the other is dropped on both sides', async () => {
    await Promise.all([startCall(alice, 'bob', 'video'), startCall(bob, 'alice', 'video')]);
    await Promise.all([seeStatus(alice, 'Connected'), seeStatus(bob, 'Connected')]);
    await Promise.all([waitBytesReceived(alice), waitBytesReceived(bob)]);
    await bob.getByRole('button', { name: 'Hang up' }).click();
    await Promise.all([seeStatus(alice, 'Call ended'), seeStatus(bob, 'Call ended')]);
    await Promise.all([screenClosed(alice), screenClosed(bob)]);
  }, 120_000);

  it('in the background, a ringing call and then the missed call raise desktop notifications', async () => {
    await bob.getByRole('button', { name: 'Settings' }).click();
    await bob.getByRole('button', { name: 'Turn on desktop notifications' }).click();
    await bob.getByTestId('desktop-state').getByText('On:').waitFor(T);
    await openChat(bob, 'alice');
    // Another tab of bob's browser in front: his Sotto tab is in the background.
    const cdp = await contexts[1]?.newCDPSession(bob);
    await cdp?.send('Emulation.setFocusEmulationEnabled', { enabled: false });
    const other = await contexts[1]?.newPage();
    await other?.bringToFront();
    expect(await bob.evaluate(() => document.hasFocus())).toBe(false);
    try {
      await startCall(alice, 'bob', 'video');
      await seeStatus(alice, 'No answer from bob');
      await bob.waitForFunction(
        () =>
          (window as unknown as { __notifications: { title: string }[] }).__notifications.some(
            (n) => n.title === 'Missed call',
          ),
        undefined,
        T,
      );
      // Nobody's name or words: "show who wrote" is off.
      expect(await notificationsShown(bob)).toEqual([
        { title: 'Incoming call', body: '' },
        { title: 'Missed call', body: '' },
      ]);
    } finally {
      await other?.close();
      await bob.bringToFront();
      await cdp?.send('Emulation.setFocusEmulationEnabled', { enabled: true });
    }
    await Promise.all([screenClosed(alice), screenClosed(bob)]);
  }, 90_000);
});
