import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SottoError } from '../src/index.js';
import { client, next, STRONG, startTestServer, type TestServer } from './helpers/world.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

describe('basic', () => {
  it('registers two accounts, makes them contacts and exchanges a message', async () => {
    const alice = client(t.url);
    const bob = client(t.url);
    await alice.register({ name: 'alice', password: STRONG });
    await bob.register({ name: 'bob', password: STRONG });
    const req = next(bob, 'contact-request');
    await alice.requestContact('bob');
    expect((await req).account).toBe('alice');
    const accepted = next(alice, 'contact-event', (e) => e.kind === 'accept');
    await bob.acceptContact('alice');
    await accepted;
    const got = next(bob, 'message');
    const { messageId } = await alice.send('bob', 'hello bob');
    const m = await got;
    expect(m.text).toBe('hello bob');
    expect(m.id).toBe(messageId);
    const delivered = next(alice, 'receipt', (r) => r.kind === 'delivered');
    expect((await delivered).messageIds).toContain(messageId);
    const reply = next(alice, 'message');
    await bob.send('alice', 'hi alice');
    expect((await reply).text).toBe('hi alice');
    expect((await alice.history('bob')).map((x) => x.text)).toEqual(['hello bob', 'hi alice']);
    await alice.close();
    await bob.close();
  });

  it('refuses a weak password', async () => {
    const c = client(t.url);
    await expect(c.register({ name: 'weakling', password: 'password1' })).rejects.toSatisfy((e) =>
      SottoError.is(e, 'WEAK_PASSWORD'),
    );
  });
});
