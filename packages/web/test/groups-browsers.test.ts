/**
 * A group on MLS between two browsers (alice, bob: separate contexts and IndexedDB profiles) and a third
 * person running the SDK in Node (carol), on one real server. alice creates the group in the "New group"
 * dialog (X-Wing by default under "Advanced"); messages go every way and show their senders' names;
 * who is typing shows; "read by N of M" fills in and tells who on request; a file goes to the group; bob,
 * not an admin, sees no admin controls until alice makes him one (and again after she revokes it); a
 * rename shows everywhere; a member's garbage group message gives a warning in plain words; alice removes
 * bob, who sees that he was removed, cannot send, and does not get what is sent after (and all of that is
 * still so after a reload); alice leaves after confirming, and the group fits a phone-sized window.
 * Screenshots go to test-results/screenshots/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Message, memorySink, type SottoClient } from '@sotto/client';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachAndSend } from './helpers/files.js';
import { HAS_CHROMIUM, IN_CI, startWorld, type World } from './helpers/harness.js';
import { forgedGroupMessage } from './helpers/mls.js';
import { acceptWhenAsked, nodeAccount } from './helpers/seed.js';
import { acceptContact, addContact, register, seeMessage, send, shot } from './helpers/ui.js';

const T = { timeout: 30_000 };
const NAME = 'Lake trip';
const RENAMED = 'Lake trip 2026';

/** Resolves with the first message `client` stores that `match` accepts. */
function nextMessage(client: SottoClient, match: (m: Message) => boolean): Promise<Message> {
  return new Promise((resolve) => {
    const off = client.on('message', (m) => {
      if (!match(m)) return;
      off();
      resolve(m);
    });
  });
}

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('a group of two browsers and a Node client', () => {
  let world: World;
  let contexts: BrowserContext[];
  let alice: Page;
  let bob: Page;
  let carol: SottoClient;
  let id = '';
  const confirms: string[] = [];

  const bubble = (page: Page, text: string) => page.locator('li.bubble', { hasText: text });
  const openGroup = async (page: Page, name: string) => {
    await page.locator(`[data-group-name="${name}"]`).click(T);
    await page.getByTestId('group-title').getByText(name, { exact: true }).waitFor(T);
  };
  const members = (page: Page) => page.getByRole('button', { name: 'Members', exact: true }).click(T);
  const backToChat = (page: Page, name: string) =>
    page.getByRole('button', { name: `Back to the conversation in ${name}` }).click(T);

  beforeAll(async () => {
    world = await startWorld('groups');
    contexts = await Promise.all(
      [0, 1].map(() => world.browser.newContext({ viewport: { width: 1100, height: 760 } })),
    );
    for (const c of contexts) c.setDefaultTimeout(20_000);
    [alice, bob] = (await Promise.all(contexts.map((c) => c.newPage()))) as [Page, Page];
    for (const p of [alice, bob])
      p.on('dialog', (d) => {
        confirms.push(d.message());
        void d.accept();
      });
    await Promise.all([alice.goto(world.url), bob.goto(world.url)]);
    [carol] = await Promise.all([
      nodeAccount(world.url, 'carol'),
      register(alice, 'alice'),
      register(bob, 'bob'),
    ]);
    const carolAccepts = acceptWhenAsked(carol, 'alice');
    await addContact(alice, 'bob');
    await acceptContact(bob, 'alice');
    await addContact(alice, 'carol');
    await carolAccepts;
    for (const name of ['bob', 'carol'])
      await alice
        .locator(`[data-contact="${name}"]`)
        .getByText('Request sent')
        .waitFor({ state: 'detached', ...T });
  }, 120_000);

  afterAll(async () => {
    await carol?.close();
    await world?.close();
  });

  it('alice creates a group in the dialog, post-quantum by default; bob and carol join', async () => {
    const carolJoined = new Promise<string>((resolve) => {
      const off = carol.on('group', (e) => {
        if (e.kind !== 'joined') return;
        off();
        resolve(e.id);
      });
    });
    await alice.getByRole('button', { name: 'New group' }).click();
    const dialog = alice.getByRole('dialog', { name: 'New group' });
    await dialog.getByLabel('Group name').fill(NAME);
    await dialog.getByRole('checkbox', { name: 'bob' }).check();
    await dialog.getByRole('checkbox', { name: 'carol' }).check();
    await dialog.getByText('Advanced').click();
    expect(await dialog.getByRole('radio', { name: /Post-quantum \(X-Wing\)/ }).isChecked()).toBe(true);
    const classic = dialog.getByRole('radio', { name: /Classic \(X25519\)/ });
    expect(await classic.isChecked()).toBe(false);
    // Offered: devices publish KeyPackages of both suites (sdk-group-gaps.test.ts makes a classic group).
    expect(await classic.isDisabled()).toBe(false);
    await shot(alice, 'group-new');
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await alice.getByTestId('group-title').getByText(NAME).waitFor({ timeout: 60_000 });
    await alice.getByText(`You created the group “${NAME}”.`).waitFor(T);
    await alice.getByText('3 members · post-quantum encryption').waitFor(T);
    id = (await alice.locator(`[data-group-name="${NAME}"]`).getAttribute('data-group')) ?? '';
    expect(id).toMatch(/^#[0-9a-f]{32}$/);

    expect(await carolJoined).toBe(id);
    const info = await carol.getGroup(id);
    expect(info).toMatchObject({ name: NAME, suite: 'xwing', status: 'active', admins: ['alice'] });
    await openGroup(bob, NAME);
    await bob.getByText('alice added you to the group.').waitFor(T);
  }, 90_000);

  it('messages go every way and show who sent them; unread counts; read by N of M', async () => {
    await bob.locator('[data-contact="alice"]').click(); // away from the group, to see its unread count
    const carolGets = nextMessage(carol, (m) => m.text === 'hello everyone');
    await send(alice, NAME, 'hello everyone');
    const got = await carolGets;
    expect(got).toMatchObject({ conversation: id, direction: 'in', from: { account: 'alice' } });
    await bob.getByTestId(`unread-${id}`).getByText('1').waitFor(T);
    await openGroup(bob, NAME);
    await seeMessage(bob, 'hello everyone');
    await bubble(bob, 'hello everyone').locator('.sender').getByText('alice').waitFor(T);
    await bob.getByTestId(`unread-${id}`).waitFor({ state: 'detached', ...T });
    await bob.locator(`[data-group="${id}"]`).getByText('alice: hello everyone').waitFor(T);

    await alice.locator('li.bubble.out', { hasText: 'hello everyone' }).getByText(/of 2$/).waitFor(T);
    await carol.markRead(id, [got.id]);
    const summary = alice.locator('li.bubble.out', { hasText: 'hello everyone' }).getByTestId('receipts');
    await summary.getByRole('button', { name: 'Read by 2 of 2' }).waitFor(T);
    await summary.getByRole('button', { name: 'Read by 2 of 2' }).click();
    await summary.getByText('bob: read').waitFor(T);
    await summary.getByText('carol: read').waitFor(T);

    await carol.send(id, 'hi from carol, in Node');
    await seeMessage(alice, 'hi from carol, in Node');
    await seeMessage(bob, 'hi from carol, in Node');
    for (const p of [alice, bob])
      expect(await bubble(p, 'hi from carol').locator('.sender').textContent()).toBe('carol');

    const carolGetsBob = nextMessage(carol, (m) => m.text === 'bob here');
    await send(bob, NAME, 'bob here');
    await seeMessage(alice, 'bob here');
    expect(await bubble(alice, 'bob here').locator('.sender').textContent()).toBe('bob');
    expect((await carolGetsBob).from.account).toBe('bob');
    await shot(alice, 'group-conversation');
  }, 60_000);

  it('shows who is typing', async () => {
    const line = alice.getByTestId('typing');
    await bob.getByLabel(`Message to ${NAME}`).pressSequentially('typ');
    await line.getByText('bob is typing…').waitFor(T);
    await alice.locator(`[data-group="${id}"]`).getByText('bob is typing…').waitFor(T);
    await carol.sendTyping(id, true);
    await line.getByText('bob and carol are typing…').waitFor(T);
    await bob.getByLabel(`Message to ${NAME}`).fill(''); // stops at once
    await line.getByText('carol is typing…').waitFor(T);
    await carol.sendTyping(id, false);
    await line.getByText('carol is typing…').waitFor({ state: 'detached', ...T });
    expect(await line.textContent()).toBe('');
  });

  it('a file goes to the group as in a 1:1 chat', async () => {
    const path = join(world.root, 'plan.txt');
    writeFileSync(path, 'day 1: walk around the lake\n');
    const carolGets = nextMessage(carol, (m) => m.file?.name === 'plan.txt');
    await attachAndSend(alice, NAME, path);
    const card = bob.locator('li.bubble.in', { hasText: 'plan.txt' });
    await card.waitFor(T);
    expect(await card.locator('.sender').textContent()).toBe('alice');
    const m = await carolGets;
    expect(m.file).toMatchObject({ name: 'plan.txt', size: 28 });
    const sink = memorySink();
    await carol.downloadFile(m.id, sink);
    expect(new TextDecoder().decode(sink.bytes())).toBe('day 1: walk around the lake\n');
  }, 60_000);

  it('bob, not an admin, sees no admin controls; alice makes him one and revokes it', async () => {
    await members(bob);
    const bobMembers = bob.getByRole('list', { name: 'Members' });
    await bobMembers.locator('[data-member="alice"] .admin-badge').waitFor(T);
    await bobMembers.locator('[data-member="carol"]').waitFor(T);
    expect(await bob.getByRole('button', { name: /^Remove / }).count()).toBe(0);
    expect(await bob.getByRole('button', { name: /^Make .+ an admin$/ }).count()).toBe(0);
    expect(await bob.getByRole('button', { name: 'Rename' }).count()).toBe(0);
    expect(await bob.getByRole('form', { name: 'Add members' }).count()).toBe(0);
    await bob.getByRole('button', { name: 'Leave group' }).waitFor(T);
    await shot(bob, 'group-members-not-admin');

    await members(alice);
    await alice.getByRole('button', { name: 'Remove carol from the group' }).waitFor(T);
    await alice.getByRole('button', { name: 'Make bob an admin' }).click();
    await alice.getByText('bob is now an admin.').waitFor(T);
    await bob.getByRole('button', { name: 'Remove carol from the group' }).waitFor(T);
    await bobMembers.locator('[data-member="bob"] .admin-badge').waitFor(T);
    await shot(alice, 'group-members-admin');
    await alice.getByRole('button', { name: 'Revoke admin from bob' }).click();
    await alice.getByText('bob is no longer an admin.').waitFor(T);
    await bob
      .getByRole('button', { name: 'Remove carol from the group' })
      .waitFor({ state: 'detached', ...T });
    await backToChat(bob, NAME);
    await bob.getByText('You are now an admin.').waitFor(T);
    await bob.getByText('You are no longer an admin.').waitFor(T);
  }, 60_000);

  it('a rename shows everywhere', async () => {
    const renamed = new Promise<void>((resolve) => {
      const off = carol.on('group', (e) => {
        if (e.kind !== 'renamed') return;
        off();
        resolve();
      });
    });
    await alice.getByLabel('Group name').fill(RENAMED);
    await alice.getByRole('button', { name: 'Rename' }).click();
    await alice.getByText(`Renamed to “${RENAMED}”.`).waitFor(T);
    await bob.getByTestId('group-title').getByText(RENAMED, { exact: true }).waitFor(T);
    await bob.locator(`[data-group-name="${RENAMED}"]`).waitFor(T);
    await bob.getByText(`alice renamed the group to “${RENAMED}”.`).waitFor(T);
    await renamed;
    expect((await carol.getGroup(id)).name).toBe(RENAMED);
    await backToChat(alice, RENAMED);
  }, 60_000);

  it('a garbage group message is refused, with a warning in plain words', async () => {
    const info = await carol.getGroup(id);
    await forgedGroupMessage(carol, id, info.epoch);
    for (const p of [alice, bob]) {
      const warning = p.getByRole('alert').filter({ hasText: 'could not be verified, so it was ignored' });
      await warning.waitFor(T);
    }
    await shot(bob, 'group-warning');
    for (const p of [alice, bob]) {
      const warning = p.getByRole('alert').filter({ hasText: 'could not be verified' });
      await warning.getByRole('button', { name: 'Dismiss' }).click();
      await warning.waitFor({ state: 'detached', ...T });
    }
    // The group goes on.
    await send(alice, RENAMED, 'still fine after that');
    await seeMessage(bob, 'still fine after that');
  }, 60_000);

  it('alice removes bob: bob sees it, cannot send, and gets nothing sent afterwards', async () => {
    await members(alice);
    await alice.getByRole('button', { name: 'Remove bob from the group' }).click();
    await alice.getByText('Removed bob.').waitFor({ timeout: 60_000 });
    expect(confirms.at(-1)).toContain(`Remove bob from “${RENAMED}”?`);
    await bob.getByText('alice removed you from the group.').waitFor(T);
    await bob.getByTestId('group-closed').getByText('alice removed you from this group.').waitFor(T);
    expect(await bob.getByLabel(`Message to ${RENAMED}`).isDisabled()).toBe(true);
    expect(await bob.getByRole('button', { name: 'Attach files' }).isDisabled()).toBe(true);
    await bob.locator(`[data-group="${id}"]`).getByText('You were removed').waitFor(T);
    await shot(bob, 'group-removed');

    await backToChat(alice, RENAMED);
    await alice.getByText('You removed bob.').waitFor(T);
    const carolGets = nextMessage(carol, (m) => m.text === 'after bob left');
    await send(alice, RENAMED, 'after bob left');
    await carolGets;
    // Delivery to a device is in order: once alice's next 1:1 message reached bob, the group message
    // would have too, had it been sent to him.
    await alice.locator('[data-contact="bob"]').click();
    await send(alice, 'bob', 'ping after the removal');
    await bob.locator(`[data-contact="alice"]`).click();
    await seeMessage(bob, 'ping after the removal');
    await openGroup(bob, RENAMED);
    await seeMessage(bob, 'still fine after that');
    expect(await bubble(bob, 'after bob left').count()).toBe(0);

    // After a reload the history, the group's lines and the closed composer are still there.
    await bob.reload();
    await bob.getByTestId('connection').getByText('Connected').waitFor(T);
    await openGroup(bob, RENAMED);
    await seeMessage(bob, 'hello everyone');
    await bob.getByText(`alice renamed the group to “${RENAMED}”.`).waitFor(T);
    await bob.getByText('alice removed you from the group.').waitFor(T);
    await bob.getByTestId('group-closed').getByText('alice removed you from this group.').waitFor(T);
    expect(await bob.getByLabel(`Message to ${RENAMED}`).isDisabled()).toBe(true);
    expect(await bubble(bob, 'after bob left').count()).toBe(0);
  }, 90_000);

  it('alice leaves after confirming; carol stays and sees it', async () => {
    const carolSees = new Promise<readonly string[] | undefined>((resolve) => {
      const off = carol.on('group', (e) => {
        if (e.kind !== 'members') return;
        off();
        resolve(e.removed);
      });
    });
    await openGroup(alice, RENAMED);
    await members(alice);
    await alice.getByRole('button', { name: 'Leave group' }).click();
    expect(confirms.at(-1)).toContain(`Leave “${RENAMED}”?`);
    await alice.getByText('You left this group.').waitFor({ timeout: 60_000 });
    await backToChat(alice, RENAMED);
    await alice
      .getByTestId('group-closed')
      .getByText(/^You left this group\./)
      .waitFor(T);
    expect(await alice.getByLabel(`Message to ${RENAMED}`).isDisabled()).toBe(true);
    expect(await carolSees).toEqual(['alice']);
    await alice.setViewportSize({ width: 390, height: 844 });
    await alice.getByRole('button', { name: 'Back to contacts' }).click();
    await alice.locator(`[data-group="${id}"]`).getByText('You left').waitFor(T);
    await shot(alice, 'group-narrow-list');
    await openGroup(alice, RENAMED);
    await shot(alice, 'group-narrow-left');
    expect(await alice.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)).toBe(false);
    const left = await carol.getGroup(id);
    expect(left.members.map((m) => m.account)).toEqual(['carol']);
    expect(left.admins).toEqual(['carol']);
  }, 90_000);
});
