/** Shortcuts over accounts and clients that most tests need. */
import { expect } from 'vitest';
import { TestAccount } from './account.js';
import { TestClient } from './client.js';
import type { TestServer } from './server.js';

/** Registers `name` (with `devices` devices, all listed) and connects its first device. */
export async function registered(t: TestServer, name: string, devices = 1): Promise<TestAccount> {
  const a = await TestAccount.create(name, `pw-${name}`, devices);
  expect(await a.register(t.url)).toBe(201);
  return a;
}

/** Makes `a` and `b` accepted contacts over their connections. */
export async function befriend(a: { name: string }, ca: TestClient, b: { name: string }, cb: TestClient) {
  expect(await ca.request({ t: 'contacts.request', account: b.name })).toMatchObject({ t: 'ok' });
  await cb.next((f) => f.t === 'contacts.event' && f.kind === 'request');
  expect(await cb.request({ t: 'contacts.accept', account: a.name })).toMatchObject({ t: 'ok' });
  await ca.next((f) => f.t === 'contacts.event' && f.kind === 'accept');
}

/** Connects device `deviceId` of `a`. */
export function connect(t: TestServer, a: TestAccount, deviceId = 1): Promise<TestClient> {
  return TestClient.connect(t.wsUrl, a, deviceId);
}
