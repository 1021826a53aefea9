/**
 * Notification emails, end to end on a real server (SQLite file) sending through a real SMTP server in
 * this process: an address is verified with the code mailed to it; a message to an offline or busy
 * account yields one content-free email (no sender, no text, no message bytes anywhere in it) after the
 * grace delay, at most one per window, none when a device fetched the messages in time; a mail server that
 * is down is logged and tried again later while the server goes on. The sender is told when a contact is
 * busy. Without a mail server, clients are told notifications are unavailable.
 */
import type { ServerFrame } from '@sotto/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_LIMITS } from '../src/config.js';
import { NOTIFICATION_SUBJECT } from '../src/modules/notify/mails.js';
import { parseSmtp } from '../src/modules/notify/smtp-config.js';
import type { TestAccount } from './helpers/account.js';
import { TestClient } from './helpers/client.js';
import { startTestServer, TestClock, type TestServer } from './helpers/server.js';
import { codeIn, header, type ReceivedMail, TestSmtp } from './helpers/smtp.js';
import { befriend, connect, registered } from './helpers/world.js';

const MINUTE = 60_000;
/** The origin the server with a mail server is reached at (and names in its emails). */
const ORIGIN = 'https://chat.example.org';
const L = DEFAULT_SERVER_LIMITS;
const SECRET = 'the launch code is 0000, tell nobody';
const body = (s: string) => new Uint8Array(Buffer.from(s));

/** A send from `from` (one device) to `to`'s device 1. */
const message = (to: string, text: string) => ({
  t: 'send' as const,
  to,
  messages: [{ account: to, deviceId: 1, body: body(text) }],
});

/** Waits for `c` to be told that `account` is in `state`. */
async function seen(c: TestClient, account: string, state: string): Promise<void> {
  for (;;) {
    const f = await c.next((x) => x.t === 'presence' && x.account === account);
    if (f.t === 'presence' && f.state === state) return;
  }
}

/** Every way the bytes of `text` could appear in a raw email. */
function encodings(text: string): string[] {
  const b = Buffer.from(text);
  return [text, b.toString('base64'), b.toString('hex'), b.toString('base64').slice(0, 16)];
}

describe('notification emails', () => {
  const clock = new TestClock();
  let smtp: TestSmtp;
  let t: TestServer;
  let alice: TestAccount;
  let ca: TestClient;

  beforeAll(async () => {
    smtp = await TestSmtp.start();
    t = await startTestServer({
      clock,
      // Only the test runs the scheduler (notifyNow), so no 30-second sweep takes a notification it counts.
      limits: { notifySweepMs: 3_600_000 },
      config: {
        smtp: parseSmtp(smtp.url, 'Sotto <sotto@chat.example.org>'),
        publicOrigins: [ORIGIN],
      },
    });
    alice = await registered(t, 'alice');
    ca = await join(alice);
  });
  afterAll(async () => {
    await t?.stop();
    await smtp?.stop();
  });

  /** Connects `a`'s device 1, signing the server's public origin. */
  const join = (a: TestAccount) => TestClient.connect(t.wsUrl, a, 1, { origin: ORIGIN });

  /** Registers `name`, befriends alice, and verifies `name@example.org`; `name` stays connected. */
  async function withVerifiedEmail(name: string): Promise<{ account: TestAccount; c: TestClient }> {
    const account = await registered(t, name);
    const c = await join(account);
    await befriend(alice, ca, account, c);
    const address = `${name}@example.org`;
    expect(await c.request({ t: 'notify.email.set', address })).toMatchObject({
      t: 'notify.email.state',
      available: true,
      address,
      verified: false,
    });
    const mail = await smtp.next((m) => m.to.includes(address));
    expect(await c.request({ t: 'notify.email.verify', code: codeIn(mail) })).toMatchObject({
      verified: true,
    });
    return { account, c };
  }

  /** Takes `c` offline and waits until alice sees it. */
  async function offline(name: string, c: TestClient): Promise<void> {
    await c.close();
    await seen(ca, name, 'offline');
  }

  /** The notifications mailed to `address` so far. */
  const notices = (address: string): ReceivedMail[] =>
    smtp.to(address).filter((m) => header(m, 'subject') === NOTIFICATION_SUBJECT);

  it('verify an address with the code mailed to it; a wrong, a used-up or an expired code fails', async () => {
    const bob = await registered(t, 'bob');
    const cb = await join(bob);
    expect(await cb.request({ t: 'notify.email.get' })).toEqual({
      t: 'notify.email.state',
      id: expect.any(Number),
      available: true,
      verified: false,
    });
    await cb.request({ t: 'notify.email.set', address: 'bob@example.org' });
    const mail = await smtp.next((m) => m.to.includes('bob@example.org'));
    expect(mail.from).toBe('sotto@chat.example.org');
    expect(header(mail, 'subject')).toBe('Your Sotto verification code');
    expect(header(mail, 'auto-submitted')).toBe('auto-generated');
    expect(mail.raw).toContain('"bob" on chat.example.org');
    const code = codeIn(mail);
    const wrong = code === '000000' ? '000001' : '000000';
    expect(await cb.request({ t: 'notify.email.verify', code: wrong })).toMatchObject({
      t: 'error',
      code: 'VERIFICATION_FAILED',
    });
    expect(await cb.request({ t: 'notify.email.verify', code })).toMatchObject({
      t: 'notify.email.state',
      address: 'bob@example.org',
      verified: true,
    });
    expect(await cb.request({ t: 'notify.email.verify', code })).toMatchObject({
      code: 'VERIFICATION_FAILED',
    });

    // A new address: five wrong tries use the code up, the right one then fails too.
    await cb.request({ t: 'notify.email.set', address: 'bob2@example.org' });
    const second = codeIn(await smtp.next((m) => m.to.includes('bob2@example.org')));
    const other = second === '000000' ? '000001' : '000000';
    for (let i = 0; i < L.notifyCodeAttempts; i++) {
      expect(await cb.request({ t: 'notify.email.verify', code: other })).toMatchObject({
        code: 'VERIFICATION_FAILED',
      });
    }
    expect(await cb.request({ t: 'notify.email.verify', code: second })).toMatchObject({
      code: 'VERIFICATION_FAILED',
    });
    expect(await cb.request({ t: 'notify.email.get' })).toMatchObject({
      address: 'bob2@example.org',
      verified: false,
    });

    // A fresh code expires after its lifetime.
    await cb.request({ t: 'notify.email.set', address: 'bob3@example.org' });
    const third = codeIn(await smtp.next((m) => m.to.includes('bob3@example.org')));
    clock.advance(L.notifyCodeTtlMs);
    expect(await cb.request({ t: 'notify.email.verify', code: third })).toMatchObject({
      code: 'VERIFICATION_FAILED',
    });

    // Removing forgets the address.
    expect(await cb.request({ t: 'notify.email.remove' })).toEqual({
      t: 'notify.email.state',
      id: expect.any(Number),
      available: true,
      verified: false,
    });
    await cb.close();
  });

  it('mail an offline account one content-free notice after the grace delay, at most one per window', async () => {
    const { c } = await withVerifiedEmail('carol');
    await offline('carol', c);
    const sent = await ca.request(message('carol', SECRET));
    expect(sent).toMatchObject({ t: 'sent' });
    expect(sent).not.toHaveProperty('recipientBusy');

    clock.advance(L.notifyOfflineDelayMs - 1);
    expect(await t.server.notifyNow()).toBe(0);
    clock.advance(1);
    expect(await t.server.notifyNow()).toBe(1);
    const [notice] = notices('carol@example.org');
    if (notice === undefined) throw new Error('no notice');
    expect(header(notice, 'subject')).toBe('New messages on Sotto');
    expect(notice.raw).toContain('You have new messages waiting on chat.example.org.');
    // Content-free: nothing of the sender, the message or how many there are, anywhere in the raw email.
    for (const leak of ['alice', ...encodings(SECRET), ...encodings('launch code')]) {
      expect(notice.raw.toLowerCase()).not.toContain(leak.toLowerCase());
    }
    expect(notice.raw).not.toMatch(/\b1 (new )?message\b/);

    // A second message within the window: no second email, however long it waits inside the window.
    await ca.request(message('carol', 'second'));
    clock.advance(L.notifyOfflineDelayMs);
    expect(await t.server.notifyNow()).toBe(0);
    clock.advance(L.notifyWindowMs - 2 * L.notifyOfflineDelayMs - 1);
    expect(await t.server.notifyNow()).toBe(0);
    expect(notices('carol@example.org')).toHaveLength(1);
    // Once the window is over, messages still waiting get the next one.
    clock.advance(L.notifyOfflineDelayMs + 1);
    expect(await t.server.notifyNow()).toBe(1);
    expect(notices('carol@example.org')).toHaveLength(2);
  });

  it('mail nothing when a device fetched the messages within the grace delay', async () => {
    const { account, c } = await withVerifiedEmail('dave');
    await offline('dave', c);
    await ca.request(message('dave', 'are you there?'));
    clock.advance(MINUTE);
    const back = await join(account);
    const env = await back.next((f) => f.t === 'envelope');
    if (env.t === 'envelope') back.sendFrame({ t: 'ack', envelopeIds: [env.envelopeId] });
    await back.request({ t: 'ping' }); // the ack is handled before this answer
    await back.close();
    await seen(ca, 'dave', 'offline');
    clock.advance(L.notifyOfflineDelayMs);
    expect(await t.server.notifyNow()).toBe(0);
    expect(notices('dave@example.org')).toEqual([]);
  });

  it('tell the sender a contact is busy, and mail the busy contact soon', async () => {
    const { c } = await withVerifiedEmail('erin');
    expect(await c.request({ t: 'presence.set', state: 'busy' })).toMatchObject({ t: 'ok' });
    await seen(ca, 'erin', 'busy');
    const sent = await ca.request(message('erin', SECRET));
    expect(sent).toMatchObject({ t: 'sent', recipientBusy: true });
    // erin's device is connected and gets the message; being busy, she is mailed all the same.
    expect(await c.next((f) => f.t === 'envelope')).toMatchObject({ t: 'envelope' });
    clock.advance(L.notifyBusyDelayMs);
    expect(await t.server.notifyNow()).toBe(1);
    expect(notices('erin@example.org')).toHaveLength(1);

    // Available again: no flag.
    await c.request({ t: 'presence.set', state: 'online' });
    await seen(ca, 'erin', 'online');
    expect(await ca.request(message('erin', 'hi'))).not.toHaveProperty('recipientBusy');
    await c.close();
  });

  it('log a mail server that is down, keep serving, and send once it is back', async () => {
    const { c } = await withVerifiedEmail('frank');
    await offline('frank', c);
    await smtp.stop();
    await ca.request(message('frank', SECRET));
    clock.advance(L.notifyOfflineDelayMs);
    expect(await t.server.notifyNow()).toBe(0);
    const warning = t.logs.find((l) => l.includes('notification email not sent'));
    expect(warning).toContain('"account":"frank"');
    expect(warning).toContain('"code":"ESOCKET"');

    // The server goes on: a code cannot be mailed now, and says so; messages still flow.
    const grace = await registered(t, 'grace');
    const cg = await join(grace);
    expect(await cg.request({ t: 'notify.email.set', address: 'grace@example.org' })).toMatchObject({
      t: 'error',
      code: 'NOTIFICATIONS_UNAVAILABLE',
    });
    expect(await ca.request(message('frank', 'still here'))).toMatchObject({ t: 'sent' });

    await smtp.listen();
    clock.advance(L.notifyRetryMs - 1);
    expect(await t.server.notifyNow()).toBe(0);
    clock.advance(1);
    expect(await t.server.notifyNow()).toBe(1);
    expect(notices('frank@example.org')).toHaveLength(1);
    await cg.close();
  });

  it('limit how many codes an account may ask for, and never log an address', async () => {
    const hank = await registered(t, 'hank');
    const ch = await join(hank);
    for (let i = 0; i < L.notifyCodesPerAccountPerHour; i++) {
      expect(await ch.request({ t: 'notify.email.set', address: `hank${i}@example.org` })).toMatchObject({
        t: 'notify.email.state',
      });
    }
    expect(await ch.request({ t: 'notify.email.set', address: 'hank@example.org' })).toMatchObject({
      code: 'RATE_LIMITED',
    });
    await ch.close();
    expect(t.logs.join('\n')).not.toContain('@example.org');
  });
});

describe('without a mail server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('say notifications are unavailable, and still tell a sender the contact is busy', async () => {
    const alice = await registered(t, 'alice');
    const bob = await registered(t, 'bob');
    const ca = await connect(t, alice);
    const cb = await connect(t, bob);
    await befriend(alice, ca, bob, cb);
    expect(await cb.request({ t: 'notify.email.get' })).toMatchObject({ available: false, verified: false });
    const refused: ServerFrame = await cb.request({ t: 'notify.email.set', address: 'bob@example.org' });
    expect(refused).toMatchObject({ t: 'error', code: 'NOTIFICATIONS_UNAVAILABLE' });
    expect(await cb.request({ t: 'notify.email.get' })).not.toHaveProperty('address');

    await cb.request({ t: 'presence.set', state: 'busy' });
    await seen(ca, 'bob', 'busy');
    expect(await ca.request(message('bob', 'x'))).toMatchObject({ t: 'sent', recipientBusy: true });
    await ca.close();
    await cb.close();
    expect(await t.server.notifyNow()).toBe(0);
  });
});
