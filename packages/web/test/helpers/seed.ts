/**
 * Seeds long conversations quickly: an account's second device runs in Node (the real SDK, in memory)
 * and sends through the real server, so the browser devices of both people receive and store every
 * message as they would from a person (bob's browser as incoming, alice's as her own other device's).
 */
import { createClient, MemoryStore, type SottoClient } from '@sotto/client';
import { createNodeProvider } from '@sotto/crypto';
import type { Page } from 'playwright-core';
import { startWorld, type World, type WorldOptions } from './harness.js';
import type { NetProxy } from './proxy.js';
import { addContact, openChat, PASSWORD, register, send } from './ui.js';

/** Registers `name` (the tests' password) with the SDK in Node, and connects. */
export async function nodeAccount(url: string, name: string): Promise<SottoClient> {
  const client = createClient({ server: url, store: new MemoryStore(), provider: createNodeProvider() });
  await client.register({ name, password: PASSWORD, deviceName: `${name} in Node` });
  await client.connect();
  return client;
}

/** Accepts `from`'s contact request on `client` as soon as it arrives (once). */
export function acceptWhenAsked(client: SottoClient, from: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const off = client.on('contact-request', (e) => {
      if (e.account !== from) return;
      off();
      client.acceptContact(from).then(resolve, reject);
    });
  });
}

/** Logs `name` in as a new device in Node, connects it and syncs its contacts. */
export async function nodeDevice(url: string, name: string): Promise<SottoClient> {
  const client = createClient({ server: url, store: new MemoryStore(), provider: createNodeProvider() });
  await client.login({ name, password: PASSWORD, deviceName: 'seeder' });
  await client.connect();
  await client.listContacts(); // syncs the contact list from the server, so sending is allowed
  return client;
}

/** Sends `count` messages from `from` to `to`, one after another, with texts `text(i)`. */
export async function seedMessages(
  from: SottoClient,
  to: string,
  count: number,
  text: (i: number) => string,
): Promise<void> {
  for (let i = 0; i < count; i++) await from.send(to, text(i));
}

/** How many records the page's browser profile holds (0 for a fresh one). */
export function profileRecords(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('sotto-profile');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    try {
      return await new Promise<number>((resolve, reject) => {
        const req = db.transaction('kv', 'readonly').objectStore('kv').count();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    } finally {
      db.close();
    }
  });
}

/** How many messages of the conversation with `with_` the page's browser profile has stored. */
export function storedCount(page: Page, with_: string): Promise<number> {
  return page.evaluate(async (conversation) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('sotto-profile');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    try {
      // Record keys are [table, key]; a conversation's keys start with its name and \u0001.
      const range = IDBKeyRange.bound(
        ['messages', `${conversation}\u0001`],
        ['messages', `${conversation}\u0002`],
      );
      return await new Promise<number>((resolve, reject) => {
        const req = db.transaction('kv', 'readonly').objectStore('kv').count(range);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    } finally {
      db.close();
    }
  }, with_);
}

/** Waits until the page's profile stores at least `count` messages with `with_` (polling IndexedDB). */
export async function waitStored(
  page: Page,
  with_: string,
  count: number,
  timeoutMs = 300_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const n = await storedCount(page, with_);
    if (n >= count) return;
    if (Date.now() > end) throw new Error(`only ${n} of ${count} messages with ${with_} arrived`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What {@link browserAliceNodeBob} set up. */
export interface AliceAndBob {
  readonly world: World;
  readonly proxy: NetProxy;
  readonly alice: Page;
  readonly bob: SottoClient;
}

/**
 * A world with a proxy in front of the server; alice registers in a browser behind the proxy, bob in Node;
 * they become contacts and alice's conversation with bob is open with one message sent (so sessions exist).
 */
export async function browserAliceNodeBob(name: string, options: WorldOptions = {}): Promise<AliceAndBob> {
  const world = await startWorld(name, { ...options, proxy: true });
  if (world.proxy === undefined) throw new Error('no proxy');
  const proxy = world.proxy;
  const context = await world.browser.newContext({ viewport: { width: 1000, height: 700 } });
  context.setDefaultTimeout(20_000);
  const alice = await context.newPage();
  await alice.goto(proxy.url);
  await register(alice, 'alice');
  const bob = await nodeAccount(world.url, 'bob');
  const accepted = acceptWhenAsked(bob, 'alice');
  await addContact(alice, 'bob');
  await accepted;
  await alice
    .locator('[data-contact="bob"]')
    .getByText('Request sent')
    .waitFor({ state: 'detached', timeout: 30_000 });
  await openChat(alice, 'bob');
  await send(alice, 'bob', 'hello');
  return { world, proxy, alice, bob };
}
