/**
 * Notifications in the browser, in real Chromium against a real server that mails through a real SMTP
 * server in this process: bob sets his notification email in Settings and verifies it with the code from
 * the email, then removes it; he turns on desktop notifications, and a message that arrives while his tab
 * is behind another one shows a notification that says only "New message" (or, once he allows it, who
 * wrote and what); the tab title counts unread messages; alice is told when bob is busy.
 *
 * Desktop notifications are observed, not faked: bob's browser context is granted the notifications
 * permission, and an init script wraps `window.Notification` so every notification the page really
 * creates is also recorded. Playwright emulates focus for every page; it is turned off for bob's page
 * while another of his tabs is in front, so his Sotto tab really loses focus, as a background tab does.
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeIn, SMTP_PASS, SMTP_USER, TestSmtp } from '../../server/test/helpers/smtp.js';
import { HAS_CHROMIUM, IN_CI, startWorld, type World } from './helpers/harness.js';
import { acceptContact, addContact, openChat, register, send, shot } from './helpers/ui.js';

const T = { timeout: 20_000 };

/** Records every notification the page creates, and still creates it (a page script, as a string). */
const RECORD_NOTIFICATIONS = `(() => {
  const Real = window.Notification;
  if (Real === undefined) return;
  window.__notifications = [];
  class Recorded extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notifications.push({ title, body: (options && options.body) || '', tag: options && options.tag });
    }
  }
  Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
  Recorded.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recorded;
})();`;

type Shown = { title: string; body: string; tag?: string };

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('notifications in the browser', () => {
  let smtp: TestSmtp;
  let world: World;
  let aliceCtx: BrowserContext;
  let bobCtx: BrowserContext;
  let alice: Page;
  let bob: Page;
  let bobCdp: CDPSession;
  let other: Page | undefined;

  beforeAll(async () => {
    smtp = await TestSmtp.start();
    world = await startWorld('notify', {
      config: {
        smtp: {
          host: '127.0.0.1',
          port: smtp.port,
          secure: false,
          requireTls: false,
          auth: { user: SMTP_USER, pass: SMTP_PASS },
          from: 'Sotto <sotto@example.org>',
        },
      },
    });
    aliceCtx = await world.browser.newContext({ viewport: { width: 1100, height: 760 } });
    bobCtx = await world.browser.newContext({
      viewport: { width: 1100, height: 760 },
      permissions: ['notifications'],
    });
    await bobCtx.addInitScript({ content: RECORD_NOTIFICATIONS });
    aliceCtx.setDefaultTimeout(15_000);
    bobCtx.setDefaultTimeout(15_000);
    alice = await aliceCtx.newPage();
    bob = await bobCtx.newPage();
    await Promise.all([alice.goto(world.url), bob.goto(world.url)]);
    bobCdp = await bobCtx.newCDPSession(bob);
  }, 120_000);

  afterAll(async () => {
    await world?.close();
    await smtp?.stop();
  });

  /** What bob's page has shown so far. */
  const shown = () => bob.evaluate(() => (window as unknown as { __notifications: Shown[] }).__notifications);
  /** Puts another tab of bob's browser in front: his Sotto tab is in the background. */
  const bobAway = async () => {
    await bobCdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
    other = await bobCtx.newPage();
    await other.bringToFront();
    expect(await bob.evaluate(() => document.hasFocus())).toBe(false);
  };
  /** Brings bob's Sotto tab back to the front. */
  const bobBack = async () => {
    await other?.close();
    other = undefined;
    await bob.bringToFront();
    await bobCdp.send('Emulation.setFocusEmulationEnabled', { enabled: true });
  };

  it('register both and become contacts', async () => {
    await Promise.all([register(alice, 'alice'), register(bob, 'bob')]);
    await addContact(alice, 'bob');
    await acceptContact(bob, 'alice');
    await alice.locator('[data-contact="bob"]').waitFor(T);
  }, 120_000);

  it('sets, verifies and removes the notification email in Settings', async () => {
    await bob.getByRole('button', { name: 'Settings' }).click();
    await bob.getByRole('heading', { name: 'Email notifications' }).waitFor(T);
    await bob.getByLabel('Email address').fill('bob@example.org');
    await bob.getByRole('button', { name: 'Send code' }).click();
    await bob.getByRole('status').getByText('We emailed a code to bob@example.org.').waitFor(T);
    const code = codeIn(await smtp.next((m) => m.to.includes('bob@example.org')));

    await bob.getByLabel('Code from the email').fill(code === '000000' ? '000001' : '000000');
    await bob.getByRole('button', { name: 'Verify' }).click();
    await bob.getByRole('alert').getByText('That code is wrong or no longer valid').waitFor(T);
    await bob.getByLabel('Code from the email').fill(code);
    await bob.getByRole('button', { name: 'Verify' }).click();
    await bob.getByTestId('notify-address').getByText('Notices go to').waitFor(T);
    expect(await bob.getByTestId('notify-address').textContent()).toBe('Notices go to bob@example.org.');
    await shot(bob, 'settings-notifications');

    await bob.getByRole('button', { name: 'Remove' }).click();
    await bob.getByRole('status').getByText('Removed: no more notices by email.').waitFor(T);
    await bob.getByLabel('Email address').waitFor(T);
  });

  it('shows "New message" and nothing else for a message while the tab is in the background', async () => {
    await bob.getByRole('button', { name: 'Turn on desktop notifications' }).click();
    await bob.getByTestId('desktop-state').getByText('On:').waitFor(T);

    // In front: no notification (the unread count shows instead).
    await openChat(alice, 'bob');
    await send(alice, 'bob', 'while you look');
    await bob.getByTestId('unread-alice').getByText('1').waitFor(T);
    expect(await bob.title()).toBe('(1) Sotto');
    expect(await shown()).toEqual([]);

    await bobAway();
    await send(alice, 'bob', 'the plan is on the table');
    await bob.waitForFunction(
      () => (window as unknown as { __notifications: Shown[] }).__notifications.length > 0,
    );
    expect(await shown()).toEqual([{ title: 'New message', body: '', tag: 'sotto:alice' }]);
    await bob.waitForFunction(() => document.title === '(2) Sotto');
    await bobBack();
  });

  it('names the sender and shows the text once bob allows it', async () => {
    await bob.getByLabel('Show who wrote and the message text in notifications').check();
    await bobAway();
    await send(alice, 'bob', 'lunch at noon?');
    await bob.waitForFunction(
      () => (window as unknown as { __notifications: Shown[] }).__notifications.length > 1,
    );
    expect((await shown())[1]).toEqual({ title: 'alice', body: 'lunch at noon?', tag: 'sotto:alice' });
    await bobBack();

    // Reading the conversation clears the count in the title.
    await openChat(bob, 'alice');
    await bob.waitForFunction(() => document.title === 'Sotto');
  });

  it('tells alice when bob is busy', async () => {
    await bob.getByLabel('Presence').selectOption('busy');
    await bob.getByRole('button', { name: 'Set', exact: true }).click();
    await alice.locator('[data-contact="bob"] .dot-busy').waitFor(T);
    await send(alice, 'bob', 'are you free?');
    await alice
      .getByRole('status')
      .getByText('bob is busy: your message is delivered and waits for them.')
      .waitFor(T);
    await shot(alice, 'busy-notice');
    await bob.getByLabel('Presence').selectOption('online');
    await bob.getByRole('button', { name: 'Set', exact: true }).click();
    await alice.locator('[data-contact="bob"] .dot-online').waitFor(T);
    await send(alice, 'bob', 'ok, later');
    await alice
      .getByText('bob is busy: your message is delivered and waits for them.')
      .waitFor({ state: 'detached', ...T });
  });
});
