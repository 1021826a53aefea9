/**
 * Registering in Chromium on a server that registers only with an invite: without one the form says so
 * (INVITE_INVALID, in words), with the operator's invite (`sotto-server admin tokens create` on the
 * server's database) the account is created.
 */
import { join } from 'node:path';
import { runAdmin } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, IN_CI, startWorld, type World } from './helpers/harness.js';
import { PASSWORD, shot } from './helpers/ui.js';

const T = { timeout: 20_000 };

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('registration with an invite', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld('invite', { registration: 'token' });
  }, 90_000);
  afterAll(async () => {
    await world?.close();
  });

  it('asks for an invite, then registers with one', async () => {
    const page = await (await world.browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(world.url);
    await page.getByLabel('Name', { exact: true }).fill('ines');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByTestId('strength').waitFor(T);
    await page.getByRole('button', { name: 'Create account' }).last().click();
    await page.getByRole('alert').getByText('This server needs an invite').waitFor(T);
    await shot(page, 'invite-needed');

    let out = '';
    const code = await runAdmin(
      ['--data', join(world.root, 'server'), 'tokens', 'create', '--json'],
      {},
      {
        stdout: { write: (s: string) => (out += s) },
        stderr: { write: () => {} },
      },
    );
    expect(code).toBe(0);
    const { token } = JSON.parse(out) as { token: string };
    await page.getByLabel('Invite (only if the server asks for one)').fill(token);
    await page.getByRole('button', { name: 'Create account' }).last().click();
    await page.getByTestId('me').getByText('ines', { exact: true }).waitFor({ timeout: 60_000 });
    await page.getByTestId('connection').getByText('Connected').waitFor(T);
  });
});
