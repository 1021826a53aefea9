/**
 * Notification emails and the busy notice through the SDK, against a real server that mails through a
 * real SMTP server in this process: the address is set, verified with the code from the email, read and
 * removed; a send to a contact who shows as busy says so. A server without a mail server says
 * notifications are unavailable.
 */
import type { SmtpSettings } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeIn, SMTP_PASS, SMTP_USER, TestSmtp } from '../../server/test/helpers/smtp.js';
import { MemoryStore, type SottoClient } from '../src/index.js';
import { client, next, STRONG, startTestServer, type TestServer } from './helpers/world.js';

const clients: SottoClient[] = [];
afterAll(async () => {
  for (const c of clients) await c.close();
});

async function make(t: TestServer, name: string): Promise<SottoClient> {
  const c = client(t.url, new MemoryStore());
  clients.push(c);
  await c.register({ name, password: STRONG });
  return c;
}

describe('notification email through the SDK', () => {
  let smtp: TestSmtp;
  let t: TestServer;
  beforeAll(async () => {
    smtp = await TestSmtp.start();
    const settings: SmtpSettings = {
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      requireTls: false,
      auth: { user: SMTP_USER, pass: SMTP_PASS },
      from: 'sotto@example.org',
    };
    t = await startTestServer({ smtp: settings });
  });
  afterAll(async () => {
    await t?.stop();
    await smtp?.stop();
  });

  it('set an address, verify it with the emailed code, read it and remove it', async () => {
    const bob = await make(t, 'bob');
    expect(await bob.notificationEmail()).toEqual({ available: true, verified: false });
    await expect(bob.setNotificationEmail('not an address')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(await bob.setNotificationEmail('  bob@example.org ')).toEqual({
      available: true,
      address: 'bob@example.org',
      verified: false,
    });
    const code = codeIn(await smtp.next((m) => m.to.includes('bob@example.org')));
    await expect(bob.verifyNotificationEmail('12')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const wrong = code === '000000' ? '000001' : '000000';
    await expect(bob.verifyNotificationEmail(wrong)).rejects.toMatchObject({ code: 'VERIFICATION_FAILED' });
    expect(await bob.verifyNotificationEmail(`${code.slice(0, 3)} ${code.slice(3)}`)).toEqual({
      available: true,
      address: 'bob@example.org',
      verified: true,
    });
    expect(await bob.notificationEmail()).toMatchObject({ verified: true });
    expect(await bob.removeNotificationEmail()).toEqual({ available: true, verified: false });
  });

  it('tell the sender when the contact shows as busy', async () => {
    const ann = await make(t, 'ann');
    const cy = await make(t, 'cyd');
    const asked = next(cy, 'contact-request');
    await ann.requestContact('cyd');
    await asked;
    const accepted = next(ann, 'contact-event', (e) => e.kind === 'accept');
    await cy.acceptContact('ann');
    await accepted;
    const first = await ann.send('cyd', 'hello');
    expect(first.queued).toBe(false);
    expect(first).not.toHaveProperty('recipientBusy');
    await cy.setPresence('busy', 'writing');
    expect(await ann.send('cyd', 'are you there?')).toMatchObject({ queued: false, recipientBusy: true });
    await cy.setPresence('online');
    expect(await ann.send('cyd', 'ok')).not.toHaveProperty('recipientBusy');
  });
});

describe('a server without a mail server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('reports notifications as unavailable', async () => {
    const dee = await make(t, 'dee');
    expect(await dee.notificationEmail()).toEqual({ available: false, verified: false });
    await expect(dee.setNotificationEmail('dee@example.org')).rejects.toMatchObject({
      code: 'NOTIFICATIONS_UNAVAILABLE',
    });
  });
});
