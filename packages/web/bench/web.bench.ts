/**
 * Browser benchmark of the web client (real server, Debian's Chromium).
 *
 * 1. The register screen's cost on the wire: a fresh context loads the page (cache disabled) and the
 *    bytes Chromium received are summed, for scripts and in total.
 * 2. Send-to-display latency with a short and a long conversation, measured in the same run under the
 *    same load: two pairs of browser contexts, carol → dave (the conversation starts empty) and alice → bob
 *    (`seed` more messages, default 1,000, are added first by alice's and bob's second devices running the
 *    SDK in Node, while their browsers are closed; the browsers then fetch them from their mailboxes).
 *    The pairs take turns, sample by sample. A sample is the time from the sender's Enter to the text in
 *    the receiver's message list (and in the sender's own). Every account has a second device, so every
 *    send fans out alike.
 *
 * Progress goes to stderr; the last stdout line is one JSON object.
 * Run: npm run bench:web [-- samples [seed]]   (default 20 samples after 3 warm-up sends, seed 1000)
 */
import type { SottoClient } from '@sotto/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startWorld } from '../test/helpers/harness.js';
import { nodeDevice, seedMessages, waitStored } from '../test/helpers/seed.js';
import { acceptContact, addContact, openChat, register } from '../test/helpers/ui.js';
import { firstScreen } from '../test/helpers/wire.js';
import { measure, type Stats } from './latency.js';

const SAMPLES = Number(process.argv[2] ?? 20);
const SEED = Number(process.argv[3] ?? 1000);
const WARMUP = 3;
const log = (s: string) => process.stderr.write(`bench:web ${s}\n`);

interface Person {
  readonly name: string;
  readonly context: BrowserContext;
  page: Page;
  second?: SottoClient;
}

async function person(browser: Browser, url: string, name: string): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  await page.goto(url);
  await register(page, name);
  return { name, context, page };
}

async function befriend(a: Person, b: Person): Promise<void> {
  await addContact(a.page, b.name);
  await acceptContact(b.page, a.name);
  await a.page.locator(`[data-contact="${b.name}"]`).getByText('Request sent').waitFor({ state: 'detached' });
}

async function reopen(p: Person, url: string): Promise<void> {
  p.page = await p.context.newPage();
  await p.page.goto(url);
  await p.page.getByTestId('connection').getByText('Connected').waitFor({ timeout: 60_000 });
}

const ratio = (long: Stats, empty: Stats) => Math.round((long.median_ms / empty.median_ms) * 100) / 100;

async function main(): Promise<void> {
  const world = await startWorld('bench', { limits: { sendsPerDevicePerSecond: 10_000 } });
  try {
    log('first screen');
    const wire = await firstScreen(world.browser, world.url);
    log(JSON.stringify(wire));

    log('register four people');
    const [alice, bob, carol, dave] = await Promise.all(
      ['alice', 'bob', 'carol', 'dave'].map((n) => person(world.browser, world.url, n)),
    );
    if (alice === undefined || bob === undefined || carol === undefined || dave === undefined) return;
    await Promise.all([befriend(alice, bob), befriend(carol, dave)]);
    const everyone = [alice, bob, carol, dave];
    for (const p of everyone) p.second = await nodeDevice(world.url, p.name);

    log(`seeding ${SEED} messages between alice and bob (their browsers closed)`);
    await Promise.all([alice.page.close(), bob.page.close()]);
    const started = Date.now();
    const [a2, b2] = [alice.second, bob.second];
    if (a2 === undefined || b2 === undefined) return;
    await Promise.all([
      seedMessages(a2, 'bob', Math.ceil(SEED / 2), (i) => `seeded from alice ${i}`),
      seedMessages(b2, 'alice', Math.floor(SEED / 2), (i) => `seeded from bob ${i}`),
    ]);
    const seedMs = Date.now() - started;
    await Promise.all([reopen(alice, world.url), reopen(bob, world.url)]);
    await Promise.all([waitStored(alice.page, 'bob', SEED), waitStored(bob.page, 'alice', SEED)]);
    const fetchMs = Date.now() - started - seedMs;
    for (const [p, other] of [
      [alice, 'bob'],
      [bob, 'alice'],
      [carol, 'dave'],
      [dave, 'carol'],
    ] as const)
      await openChat(p.page, other);

    log(`measuring: carol → dave (empty) and alice → bob (${SEED} messages), taking turns`);
    const r = await measure(
      [
        { tag: 'empty', sender: carol.page, receiver: dave.page, receiverName: 'dave' },
        { tag: 'long', sender: alice.page, receiver: bob.page, receiverName: 'bob' },
      ],
      SAMPLES,
      WARMUP,
    );
    log(JSON.stringify(r));
    const empty = r.empty;
    const long = r.long;
    if (empty === undefined || long === undefined) throw new Error('missing results');
    for (const p of everyone) await p.second?.close();

    const result = {
      bench: 'web',
      first_screen: wire,
      seeded_messages: SEED,
      seed_ms: seedMs,
      browser_fetch_ms: fetchMs,
      to_receiver: {
        empty: empty.toReceiver,
        long: long.toReceiver,
        ratio: ratio(long.toReceiver, empty.toReceiver),
      },
      to_sender: { empty: empty.toSender, long: long.toSender, ratio: ratio(long.toSender, empty.toSender) },
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
