/**
 * Browser benchmark of the web client (real server, Debian's Chromium): the bytes the register screen
 * costs on the wire, and send-to-display latency between two browser contexts with an (almost) empty
 * conversation and again after `seed` more messages (default 1,000) were added to it by each person's
 * second device running the SDK in Node. Progress goes to stderr; the last stdout line is one JSON object.
 *
 * Run: npm run bench:web [-- samples [seed]]   (default 20 samples after 3 warm-up sends, seed 1000)
 */
import type { BrowserContext, Page } from 'playwright-core';
import { startWorld } from '../test/helpers/harness.js';
import { nodeDevice, seedMessages, waitStored } from '../test/helpers/seed.js';
import { acceptContact, addContact, openChat, register } from '../test/helpers/ui.js';
import { firstScreen } from '../test/helpers/wire.js';
import { measure, type Stats } from './latency.js';

const SAMPLES = Number(process.argv[2] ?? 20);
const SEED = Number(process.argv[3] ?? 1000);
const WARMUP = 3;
const log = (s: string) => process.stderr.write(`bench:web ${s}\n`);

async function openPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

async function connected(page: Page): Promise<void> {
  await page.getByTestId('connection').getByText('Connected').waitFor({ timeout: 60_000 });
}

const ratio = (long: Stats, empty: Stats) => Math.round((long.median_ms / empty.median_ms) * 100) / 100;

async function main(): Promise<void> {
  const world = await startWorld('bench', { limits: { sendsPerDevicePerSecond: 10_000 } });
  try {
    log('first screen');
    const wire = await firstScreen(world.browser, world.url);
    log(JSON.stringify(wire));

    const aliceCtx = await world.browser.newContext({ viewport: { width: 1100, height: 760 } });
    const bobCtx = await world.browser.newContext({ viewport: { width: 1100, height: 760 } });
    let alice = await openPage(aliceCtx, world.url);
    let bob = await openPage(bobCtx, world.url);
    log('register');
    await Promise.all([register(alice, 'alice'), register(bob, 'bob')]);
    await addContact(alice, 'bob');
    await acceptContact(bob, 'alice');
    await alice.locator('[data-contact="bob"]').getByText('Request sent').waitFor({ state: 'detached' });
    // Both second devices exist for both phases, so every send fans out to the same devices.
    const [alice2, bob2] = await Promise.all([nodeDevice(world.url, 'alice'), nodeDevice(world.url, 'bob')]);
    await Promise.all([openChat(alice, 'bob'), openChat(bob, 'alice')]);

    log('empty conversation');
    const empty = await measure(alice, bob, 'bob', 'empty', SAMPLES, WARMUP);
    log(JSON.stringify(empty));

    log(`seeding ${SEED} messages (browsers closed, they fetch them from their mailboxes)`);
    await Promise.all([alice.close(), bob.close()]);
    const started = Date.now();
    await Promise.all([
      seedMessages(alice2, 'bob', Math.ceil(SEED / 2), (i) => `seeded from alice ${i}`),
      seedMessages(bob2, 'alice', Math.floor(SEED / 2), (i) => `seeded from bob ${i}`),
    ]);
    const seedMs = Date.now() - started;
    await Promise.all([alice2.close(), bob2.close()]);
    alice = await openPage(aliceCtx, world.url);
    bob = await openPage(bobCtx, world.url);
    const total = SEED + SAMPLES + WARMUP;
    await Promise.all([waitStored(alice, 'bob', total), waitStored(bob, 'alice', total)]);
    const fetchMs = Date.now() - started - seedMs;
    await Promise.all([connected(alice), connected(bob)]);
    await Promise.all([openChat(alice, 'bob'), openChat(bob, 'alice')]);

    log(`conversation of ${total} messages`);
    const long = await measure(alice, bob, 'bob', 'long', SAMPLES, WARMUP);
    log(JSON.stringify(long));

    const result = {
      bench: 'web',
      first_screen: wire,
      seeded_messages: SEED,
      seed_ms: seedMs,
      browser_fetch_ms: fetchMs,
      to_bob: { empty: empty.toBob, long: long.toBob, ratio: ratio(long.toBob, empty.toBob) },
      to_alice: { empty: empty.toAlice, long: long.toAlice, ratio: ratio(long.toAlice, empty.toAlice) },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await world.close();
  }
}

main().catch((err) => {
  console.error('bench:web failed:', (err as Error).message);
  process.exit(1);
});
