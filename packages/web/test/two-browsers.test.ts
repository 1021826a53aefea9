/**
 * Two people in two separate browser contexts (separate IndexedDB profiles): they register, become
 * contacts, chat both ways with typing indicators, unread counts and read receipts, see the same safety
 * number; alice's IndexedDB holds no message text in the clear and only a non-extractable key; her history
 * and session survive a reload; a second device logs in, is revoked and logs out; the app says when offline
 * and reconnects; and when a server swaps bob's identity key alice sees a banner and cannot send to her
 * verified bob until she acknowledges the change. Screenshots of the main screens are saved to
 * packages/web/test-results/screenshots/.
 */
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, IN_CI, startWorld, type World } from './helpers/harness.js';
import { swapIdentity } from './helpers/swap-identity.js';
import {
  acceptContact,
  addContact,
  openChat,
  PASSWORD,
  register,
  safetyNumber,
  seeMessage,
  send,
  shot,
} from './helpers/ui.js';

const T = { timeout: 20_000 };

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('two browsers', () => {
  let world: World;
  let aliceCtx: BrowserContext;
  let bobCtx: BrowserContext;
  let alice: Page;
  let bob: Page;

  beforeAll(async () => {
    world = await startWorld('two');
    aliceCtx = await world.browser.newContext({ viewport: { width: 1100, height: 760 } });
    bobCtx = await world.browser.newContext({ viewport: { width: 1100, height: 760 } });
    aliceCtx.setDefaultTimeout(15_000);
    bobCtx.setDefaultTimeout(15_000);
    alice = await aliceCtx.newPage();
    bob = await bobCtx.newPage();
    await Promise.all([alice.goto(world.url), bob.goto(world.url)]);
  }, 90_000);

  afterAll(async () => {
    await world?.close();
  });

  it('register both, with the strength meter and key generation', async () => {
    await Promise.all([register(alice, 'alice', 'register'), register(bob, 'bob')]);
  }, 90_000);

  it('become contacts: request, accept', async () => {
    await addContact(alice, 'bob');
    await alice.locator('[data-contact="bob"]').getByText('Request sent').waitFor(T);
    await bob.getByRole('button', { name: 'Accept alice' }).waitFor(T);
    await shot(bob, 'contact-request');
    await acceptContact(bob, 'alice');
    await alice
      .locator('[data-contact="bob"]')
      .getByText('Request sent')
      .waitFor({ state: 'detached', ...T });
    await alice.getByLabel('Presence').selectOption('away');
    await alice.getByLabel('Status text').fill('At the lake');
    await alice.getByRole('button', { name: 'Set', exact: true }).click();
    await bob.locator('[data-contact="alice"]').getByText('At the lake').waitFor(T);
    await bob.locator('[data-contact="alice"] .dot-away').waitFor(T);
    await shot(bob, 'contacts');
  });

  it('chat both ways with typing, unread counts and read receipts', async () => {
    await openChat(alice, 'bob');
    await alice.getByLabel('Message to bob').pressSequentially('hel');
    await bob.locator('[data-contact="alice"] .sub.typing').waitFor(T);

    await send(alice, 'bob', 'hello bob, this is alice');
    await bob.getByTestId('unread-alice').getByText('1').waitFor(T);
    await openChat(bob, 'alice');
    await seeMessage(bob, 'hello bob, this is alice');
    await bob.getByTestId('unread-alice').waitFor({ state: 'detached', ...T });
    await alice.locator('li.bubble.out[data-status="read"]', { hasText: 'hello bob' }).waitFor(T);

    await bob.getByLabel('Message to alice').pressSequentially('hi');
    await alice.getByTestId('typing').getByText('bob is typing…').waitFor(T);
    await send(bob, 'alice', 'hi alice, bob here');
    await seeMessage(alice, 'hi alice, bob here');
    await bob.locator('li.bubble.out[data-status="read"]', { hasText: 'hi alice' }).waitFor(T);
    await shot(alice, 'conversation');
  });

  it('both see the same safety number; alice marks bob verified', async () => {
    const [a, b] = await Promise.all([safetyNumber(alice, 'bob'), safetyNumber(bob, 'alice')]);
    expect(a).toMatch(/^\d{60}$/);
    expect(b).toBe(a);
    await alice.getByRole('img', { name: 'QR code of the safety number with bob' }).waitFor(T);
    await shot(alice, 'verification');
    await alice.getByRole('button', { name: 'Mark as verified' }).click();
    await alice.getByText('You have verified bob.').waitFor(T);
    await alice.locator('[data-contact="bob"] .verified').waitFor(T);
  });

  it('keeps history encrypted at rest under a non-extractable key', async () => {
    const raw = await alice.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('sotto-profile');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const all = <T>(store: string) =>
        new Promise<T[]>((resolve, reject) => {
          const req = db.transaction(store, 'readonly').objectStore(store).getAll();
          req.onsuccess = () => resolve(req.result as T[]);
          req.onerror = () => reject(req.error);
        });
      const rows = await all<{ t: string; k: string; v: Uint8Array }>('kv');
      const keys = await all<CryptoKey>('keys');
      db.close();
      const latin1 = rows.map((r) => Array.from(r.v, (b) => String.fromCharCode(b)).join('')).join('\n');
      return {
        rows: rows.length,
        messages: rows.filter((r) => r.t === 'messages').length,
        leaks: ['hello bob, this is alice', 'hi alice, bob here'].filter((t) => latin1.includes(t)),
        keys: keys.map((k) => ({ extractable: k.extractable, algorithm: k.algorithm.name })),
      };
    });
    expect(raw.messages).toBeGreaterThanOrEqual(2);
    expect(raw.leaks).toEqual([]);
    expect(raw.keys).toEqual([{ extractable: false, algorithm: 'AES-GCM' }]);
  });

  it('a reload keeps alice logged in with her history', async () => {
    await bob.getByRole('button', { name: 'Back to the conversation with alice' }).click();
    await alice.reload();
    await alice.getByTestId('me').getByText('alice', { exact: true }).waitFor(T);
    await openChat(alice, 'bob');
    await seeMessage(alice, 'hello bob, this is alice');
    await seeMessage(alice, 'hi alice, bob here');
    await alice.getByTestId('connection').getByText('Connected').waitFor(T);
    await send(alice, 'bob', 'still here after a reload');
    await seeMessage(bob, 'still here after a reload');
  });

  it('fits a phone-sized window', async () => {
    await alice.setViewportSize({ width: 390, height: 844 });
    await alice.getByRole('button', { name: 'Back to contacts' }).click();
    await alice.locator('[data-contact="bob"]').waitFor(T);
    await shot(alice, 'narrow-contacts');
    await openChat(alice, 'bob');
    await seeMessage(alice, 'still here after a reload');
    await shot(alice, 'narrow-conversation');
    const overflow = await alice.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
  });

  it('bob logs in on a new browser as a second device, revokes it, and logs out', async () => {
    const ctx = await world.browser.newContext({ viewport: { width: 1000, height: 720 } });
    ctx.setDefaultTimeout(15_000);
    const bob2 = await ctx.newPage();
    await bob2.goto(world.url);
    await bob2.getByRole('tab', { name: 'Log in' }).click();
    await bob2.getByLabel('Name', { exact: true }).fill('bob');
    await bob2.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await bob2.getByRole('button', { name: 'Log in', exact: true }).last().click();
    await bob2.getByTestId('me').getByText('bob', { exact: true }).waitFor({ timeout: 60_000 });
    await bob2.locator('[data-contact="alice"]').waitFor(T);

    bob.on('dialog', (d) => void d.accept());
    await bob.getByRole('button', { name: 'Devices' }).click();
    await bob.locator('[data-device]').nth(1).waitFor(T);
    expect(await bob.locator('[data-device]').count()).toBe(2);
    await bob.getByText('this browser').waitFor(T);
    await bob.getByRole('button', { name: /^Revoke .+ \(device \d+\)$/ }).click();
    await bob
      .locator('[data-device]')
      .nth(1)
      .waitFor({ state: 'detached', ...T });

    // Revoked, bob2 can no longer reach the server: logging out can only delete this browser's data.
    await bob2.getByRole('button', { name: 'Log out' }).click();
    const dialog = bob2.getByRole('dialog', { name: 'Log out of this browser?' });
    await dialog.getByRole('button', { name: 'Log out of this browser' }).click();
    await dialog.getByRole('button', { name: 'Delete this browser’s data' }).click();
    await bob2.getByRole('tab', { name: 'Create account' }).waitFor(T);
    await ctx.close();
  }, 90_000);

  it('lists devices', async () => {
    await alice.getByRole('button', { name: 'Back to contacts' }).click();
    await alice.getByRole('button', { name: 'Devices' }).click();
    await alice.getByText('this browser').waitFor(T);
    await shot(alice, 'narrow-devices');
  });

  it('says when offline and reconnects by itself', async () => {
    await world.restartServer(async () => {
      await bob.getByTestId('connection').getByText('Offline — reconnecting…').waitFor(T);
    });
    await bob.getByTestId('connection').getByText('Connected').waitFor(T);
    await openChat(bob, 'alice');
    await alice.getByRole('button', { name: 'Back to contacts' }).click();
    await openChat(alice, 'bob');
    await send(bob, 'alice', 'back after the server restarted');
    await seeMessage(alice, 'back after the server restarted');
  }, 60_000);

  it('warns when a verified contact’s key changes and pauses sending until acknowledged', async () => {
    await world.restartServer(() => swapIdentity(join(world.root, 'server'), 'bob'));
    const banner = alice.getByRole('alert').filter({ hasText: 'bob’s safety number has changed.' });
    await banner.waitFor(T);
    // The list is hidden behind the open conversation in this narrow window, but rendered.
    expect(await alice.locator('[data-contact="bob"] .sub').textContent()).toBe('Safety number changed');
    expect(await alice.locator('[data-contact="bob"] .verified').count()).toBe(0);
    expect(await alice.getByLabel('Message to bob').isDisabled()).toBe(true);
    await shot(alice, 'identity-changed');
    await banner.getByRole('button', { name: 'Accept the new key' }).click();
    await banner.waitFor({ state: 'detached', ...T });
    expect(await alice.getByLabel('Message to bob').isDisabled()).toBe(false);
    await alice.getByRole('button', { name: 'Back to contacts' }).click();
    const bobItem = alice.locator('[data-contact="bob"]');
    await bobItem.waitFor(T);
    expect(await bobItem.locator('.verified').count()).toBe(0);
    expect(await bobItem.textContent()).not.toContain('Safety number changed');
  }, 60_000);
});
