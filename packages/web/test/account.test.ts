/**
 * Account controls in Chromium: this browser's device gets a readable default name that can be changed
 * and that the account's other device (the SDK in Node) learns; logging out explains what will happen
 * and then revokes this device when another one remains, or says the device stays listed when it is the
 * only one; a blocked contact can be unblocked.
 */
import type { SottoClient } from '@sotto/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, IN_CI, startWorld, type World } from './helpers/harness.js';
import { nodeAccount, nodeDevice, profileRecords } from './helpers/seed.js';
import { acceptContact, openChat, register } from './helpers/ui.js';

const T = { timeout: 20_000 };

async function browserUser(browser: Browser, url: string, name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  await page.goto(url);
  await register(page, name);
  return page;
}

/** Opens the devices panel (from a fresh page load, so it lists what the profile knows now). */
async function devicesPanel(page: Page): Promise<void> {
  await page.reload();
  await page.getByRole('button', { name: 'Devices' }).click(T);
  await page.getByText('this browser').waitFor(T);
}

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('account controls', () => {
  let world: World;
  const nodes: SottoClient[] = [];

  beforeAll(async () => {
    world = await startWorld('account');
  }, 90_000);

  afterAll(async () => {
    for (const n of nodes) await n.close().catch(() => undefined);
    await world?.close();
  });

  it('names this browser’s device, renames it, and the other device learns the name', async () => {
    const alice = await browserUser(world.browser, world.url, 'alice');
    await devicesPanel(alice);
    const mine = alice.locator('[data-device="1"] .device-name');
    expect(await mine.textContent()).toBe('Chromium on Linux');

    const other = await nodeDevice(world.url, 'alice'); // names itself "seeder"
    nodes.push(other);
    for (
      let i = 0;
      (await alice.locator('[data-device="2"] .device-name').textContent(T)) !== 'seeder';
      i++
    ) {
      expect(i, 'the other device’s name arrives').toBeLessThan(50);
      await devicesPanel(alice);
    }

    await alice.getByLabel('Name of this device').fill('Work laptop');
    await alice.getByRole('button', { name: 'Rename' }).click();
    await alice.getByRole('status').getByText('Saved.').waitFor(T);
    await mine.getByText('Work laptop').waitFor(T);
    for (let i = 0; ; i++) {
      const names = (await other.listDevices()).map((d) => [d.deviceId, d.name]);
      if (names.some(([id, n]) => id === 1 && n === 'Work laptop')) break;
      expect(i, 'the rename reaches the other device').toBeLessThan(100);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('logging out with another device revokes this one, after saying so', async () => {
    const alice = await browserUser(world.browser, world.url, 'erin');
    const other = await nodeDevice(world.url, 'erin');
    nodes.push(other);
    await alice.getByRole('button', { name: 'Log out' }).click();
    const dialog = alice.getByRole('dialog', { name: 'Log out of this browser?' });
    await dialog.getByText('Your other device keeps working.').waitFor(T);
    expect(await dialog.textContent()).toContain('will be revoked');
    await dialog.getByRole('button', { name: 'Log out of this browser' }).click();
    await alice.getByRole('tab', { name: 'Create account' }).waitFor(T);
    expect(await profileRecords(alice)).toBe(0); // the old profile was deleted
    const left = (await other.listDevices()).map((d) => d.deviceId);
    expect(left).toEqual([2]);
  });

  it('logging out of the only device says it stays listed, and it does', async () => {
    const carol = await browserUser(world.browser, world.url, 'carol');
    await carol.getByRole('button', { name: 'Log out' }).click();
    const dialog = carol.getByRole('dialog', { name: 'Log out of this browser?' });
    await dialog.getByText('only device', { exact: false }).waitFor(T);
    expect(await dialog.textContent()).toContain('stays listed');
    // Cancel keeps everything.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden', ...T });
    await carol.getByTestId('me').getByText('carol', { exact: true }).waitFor(T);
    await carol.getByRole('button', { name: 'Log out' }).click();
    await dialog.getByRole('button', { name: 'Log out of this browser' }).click();
    await carol.getByRole('tab', { name: 'Create account' }).waitFor(T);
    const later = await nodeDevice(world.url, 'carol');
    nodes.push(later);
    expect((await later.listDevices()).map((d) => d.deviceId)).toEqual([1, 2]);
  });

  it('unblocks a blocked contact', async () => {
    const bob = await browserUser(world.browser, world.url, 'bob');
    const dave = await nodeAccount(world.url, 'dave');
    nodes.push(dave);
    await dave.requestContact('bob');
    await acceptContact(bob, 'dave');
    await openChat(bob, 'dave');
    bob.once('dialog', (d) => void d.accept());
    await bob.getByRole('button', { name: 'Block', exact: true }).click();
    await bob.locator('[data-contact="dave"]').getByText('Blocked').waitFor(T);
    await expect(dave.requestContact('bob')).rejects.toMatchObject({ code: 'BLOCKED' });

    await bob.getByRole('button', { name: 'Unblock', exact: true }).click();
    await bob.getByRole('status').getByText('You unblocked dave. Add them again to talk.').waitFor(T);
    await dave.requestContact('bob'); // no longer refused: bob sees the request

    await bob.getByRole('button', { name: 'Accept dave' }).waitFor(T);
  });
});
