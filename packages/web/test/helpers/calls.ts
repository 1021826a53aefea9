/** Call steps in the web client, as playwright steps (waits on selectors and attributes, never on time). */
import type { Browser, BrowserContext, Page } from 'playwright-core';

const T = { timeout: 30_000 };

/** Records every desktop notification the page creates, in `window.__notifications` (a page script). */
const RECORD_NOTIFICATIONS = `(() => {
  const Real = window.Notification;
  if (Real === undefined) return;
  window.__notifications = [];
  class Recorded extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notifications.push({ title, body: (options && options.body) || '' });
    }
  }
  Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
  Recorded.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recorded;
})();`;

/** The desktop notifications a page of a context made with `notifications: true` has shown. */
export function notificationsShown(page: Page): Promise<{ title: string; body: string }[]> {
  return page.evaluate(
    () => (window as unknown as { __notifications: { title: string; body: string }[] }).__notifications,
  );
}

/**
 * A browser context for calls: camera and microphone allowed, calls ring for `ringMs`; `relay` on or off;
 * with `notifications`, desktop notifications allowed and recorded (see {@link notificationsShown}).
 */
export async function callContext(
  browser: Browser,
  options: { readonly ringMs?: number; readonly relay?: boolean; readonly notifications?: boolean } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 1100, height: 760 },
    permissions: ['camera', 'microphone', ...(options.notifications === true ? ['notifications'] : [])],
  });
  if (options.notifications === true) await context.addInitScript({ content: RECORD_NOTIFICATIONS });
  context.setDefaultTimeout(20_000);
  await context.addInitScript(
    ([ring, relay]) => {
      if (ring !== '') localStorage.setItem('sotto.calls.ringTimeoutMs', ring);
      if (relay) localStorage.setItem('sotto.calls.relay', 'true');
    },
    [String(options.ringMs ?? ''), options.relay === true] as const,
  );
  return context;
}

/** Starts a call with `peer` from the open conversation. */
export async function startCall(page: Page, peer: string, media: 'voice' | 'video'): Promise<void> {
  await page
    .getByRole('button', { name: `${media === 'video' ? 'Video' : 'Voice'} call with ${peer}` })
    .click(T);
}

/** Waits for `caller`'s call to ring and clicks `button` ("Accept with video", "Decline"…). */
export async function answer(page: Page, caller: string, button: string): Promise<void> {
  const dialog = page.getByRole('alertdialog', { name: `${caller} is calling` });
  await dialog.waitFor(T);
  await dialog.getByRole('button', { name: button, exact: true }).click(T);
}

/** The call screen's status line. */
export function callStatus(page: Page) {
  return page.getByTestId('call-status');
}

/** Waits until the call shows `text` in its status line. */
export async function seeStatus(page: Page, text: string | RegExp): Promise<void> {
  await callStatus(page).filter({ hasText: text }).waitFor(T);
}

/** Waits until getStats (shown by the call screen) counts media bytes received; returns them. */
export async function waitBytesReceived(page: Page): Promise<number> {
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="call-net"]')?.getAttribute('data-bytes-received')) > 0,
    undefined,
    T,
  );
  return Number(await page.getByTestId('call-net').getAttribute('data-bytes-received'));
}

/** The candidate type of the pair in use (from getStats), once there is one. */
export async function route(page: Page): Promise<string> {
  await page.waitForFunction(
    () => (document.querySelector('[data-testid="call-net"]')?.getAttribute('data-route') ?? '') !== '',
    undefined,
    T,
  );
  return (await page.getByTestId('call-net').getAttribute('data-route')) ?? '';
}

/** Waits until the call screen has closed. */
export async function screenClosed(page: Page): Promise<void> {
  await page.locator('.call-overlay').waitFor({ state: 'detached', ...T });
}
