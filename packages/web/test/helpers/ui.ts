/** What a person does in the web client, as playwright steps (waits on selectors, never on time). */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SCREENSHOTS } from './harness.js';

/** A password zxcvbn rates strong. */
export const PASSWORD = 'violet tangerine kayak 42 orbit';
const T = { timeout: 20_000 };

/** Saves a screenshot of the page as `name`.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Registers `name` on the sign-in screen; `screenshot` names a picture of the filled form. */
export async function register(page: Page, name: string, screenshot?: string): Promise<void> {
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByTestId('strength').waitFor(T);
  if (screenshot !== undefined) await shot(page, screenshot);
  await page.getByRole('button', { name: 'Create account' }).last().click();
  await page.getByTestId('me').getByText(name, { exact: true }).waitFor({ timeout: 60_000 });
  await page.getByTestId('connection').getByText('Connected').waitFor(T);
}

/** Sends a contact request to `name`. */
export async function addContact(page: Page, name: string): Promise<void> {
  await page.getByLabel('Contact name').fill(name);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByRole('status').getByText(`Request sent to ${name}.`).waitFor(T);
}

/** Accepts `name`'s request once it shows. */
export async function acceptContact(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: `Accept ${name}` }).click(T);
  await page.locator(`[data-contact="${name}"]`).waitFor(T);
}

/** Opens the conversation with `name`. */
export async function openChat(page: Page, name: string): Promise<void> {
  await page.locator(`[data-contact="${name}"]`).click(T);
  await page.getByLabel(`Message to ${name}`).waitFor(T);
}

/** Types and sends `text` in the open conversation with `name` (Enter). */
export async function send(page: Page, name: string, text: string): Promise<void> {
  // An Enter while the previous send is in flight is ignored on purpose: wait until the composer is idle.
  await page.locator('form.composer[aria-busy="false"]').waitFor(T);
  const box = page.getByLabel(`Message to ${name}`);
  await box.fill(text);
  await box.press('Enter');
  await page.locator('li.bubble.out', { hasText: text }).waitFor(T);
}

/** Waits until a message with `text` is shown in the open conversation. */
export async function seeMessage(page: Page, text: string): Promise<void> {
  await page.locator('li.bubble', { hasText: text }).waitFor(T);
}

/** The safety number shown for `name` (digits only). */
export async function safetyNumber(page: Page, name: string): Promise<string> {
  await page.getByRole('button', { name: 'Safety number' }).click(T);
  await page.getByRole('heading', { name: `Safety number with ${name}` }).waitFor(T);
  const el = page.getByTestId('safety-number');
  await el.waitFor(T);
  return ((await el.textContent()) ?? '').replace(/\D/g, '');
}
