/**
 * A call with "Relay calls (hide my IP)" on both sides, through a real coturn that the server hands out
 * credentials for (`calls.ice`): it connects, media flows both ways, and the candidate pair in use is a
 * relay pair on both sides (from getStats). With relay-only on and a server that offers no TURN, the
 * call is refused up front with a reason instead of ringing for nothing.
 */
import { TurnSecret } from '@sotto/server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCoturn, TestCoturn } from '../../server/test/helpers/coturn.js';
import {
  answer,
  callContext,
  route,
  screenClosed,
  seeStatus,
  startCall,
  waitBytesReceived,
} from './helpers/calls.js';
import { HAS_CHROMIUM, IN_CI, startWorld, type World } from './helpers/harness.js';
import { acceptContact, addContact, openChat, register } from './helpers/ui.js';

const T = { timeout: 30_000 };

async function pair(world: World, relay: boolean): Promise<[Page, Page, BrowserContext[]]> {
  const contexts = await Promise.all([
    callContext(world.browser, { relay }),
    callContext(world.browser, { relay }),
  ]);
  const [alice, bob] = (await Promise.all(contexts.map((c) => c.newPage()))) as [Page, Page];
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
  return [alice, bob, contexts];
}

describe.skipIf((!HAS_CHROMIUM || !hasCoturn()) && !IN_CI)('relay-only calls through coturn', () => {
  let coturn: TestCoturn;
  let world: World;

  beforeAll(async () => {
    coturn = await TestCoturn.start();
    world = await startWorld('calls-relay', {
      media: true,
      config: {
        turn: {
          stunUrls: [],
          turnUrls: [coturn.turnUrl('udp')],
          secret: new TurnSecret(coturn.secret),
          ttlSeconds: 600,
        },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await world?.close();
    await coturn?.stop();
  });

  it('connects through the relay only, with media both ways', async () => {
    const [alice, bob] = await pair(world, true);
    await startCall(alice, 'bob', 'video');
    await answer(bob, 'alice', 'Accept with video');
    await Promise.all([seeStatus(alice, 'Connected'), seeStatus(bob, 'Connected')]);
    const [a, b] = await Promise.all([waitBytesReceived(alice), waitBytesReceived(bob)]);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(await route(alice)).toBe('relay');
    expect(await route(bob)).toBe('relay');
    await alice.getByTestId('call-net').getByText('Relayed connection').waitFor(T);
    // And through this coturn: its log (written with a delay) records the allocations.
    for (let i = 0; i < 100 && !/allocation/i.test(coturn.log()); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(coturn.log()).toMatch(/allocation/i);
    await alice.getByRole('button', { name: 'Hang up' }).click();
    await Promise.all([seeStatus(alice, 'Call ended'), seeStatus(bob, 'Call ended')]);
    await Promise.all([screenClosed(alice), screenClosed(bob)]);
  }, 180_000);
});

describe.skipIf(!HAS_CHROMIUM && !IN_CI)('relay-only calls without TURN', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld('calls-norelay', { media: true });
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  it('are refused up front with a reason, and nothing rings', async () => {
    const [alice, bob] = await pair(world, true);
    await startCall(alice, 'bob', 'voice');
    await seeStatus(alice, 'this server offers no relay');
    await screenClosed(alice);
    expect(await bob.getByRole('alertdialog').count()).toBe(0);
  }, 120_000);
});
