/**
 * `sotto notify` and the busy note, with the real binary against a real server in the test process that
 * mails through a real SMTP server: bob sets an address, enters the mailed code (a wrong one is refused
 * with exit 5), sees the status, gets a content-free notice when a message waits while he is offline, and
 * turns it off; alice is told on stderr (and in --json) when bob is busy. A server without a mail server
 * refuses with exit 5.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SERVER_LIMITS, type RunningServer } from '@sotto/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeIn, header, SMTP_PASS, SMTP_USER, TestSmtp } from '../../server/test/helpers/smtp.js';
import { okIn, registerPair } from './helpers/pair.js';
import { startTestServer } from './helpers/server.js';
import { JsonStream, jsonLines, runSotto, spawnSotto, tempRoot } from './helpers/sotto.js';

const temp = tempRoot('notify');
const root = temp.path;
const A = join(root, 'alice');
const B = join(root, 'bob');
const PASSWORD = 'amber walnut trellis 58 comet';
let server: RunningServer;
let smtp: TestSmtp;

const as = (profile: string, args: readonly string[]) => runSotto([...args, '--profile', profile]);
const one = (stdout: string) => jsonLines(stdout)[0];

beforeAll(async () => {
  temp.create();
  smtp = await TestSmtp.start();
  server = await startTestServer(join(root, 'server'), 0, {
    smtp: {
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      requireTls: false,
      auth: { user: SMTP_USER, pass: SMTP_PASS },
      from: 'Sotto <sotto@example.org>',
    },
    limits: { ...DEFAULT_SERVER_LIMITS, notifyOfflineDelayMs: 0 },
  });
  await registerPair(server.url, A, B, PASSWORD);
}, 120_000);

afterAll(async () => {
  await server?.close(500);
  await smtp?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe.sequential('sotto notify', { timeout: 180_000 }, () => {
  it('sets an address, refuses a wrong code with exit 5, verifies the mailed one and shows the status', async () => {
    expect(one((await okIn(B, ['notify', 'status', '--json'])).stdout)).toEqual({
      type: 'notify',
      action: 'status',
      available: true,
      verified: false,
    });
    const set = await okIn(B, ['notify', 'email', 'bob@example.org']);
    expect(set.stdout).toContain('a code was mailed to bob@example.org');
    const code = codeIn(await smtp.next((m) => m.to.includes('bob@example.org')));

    const wrong = await as(B, ['notify', 'verify', code === '000000' ? '000001' : '000000']);
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toContain('[VERIFICATION_FAILED]');
    const verified = await okIn(B, ['notify', 'verify', code, '--json']);
    expect(one(verified.stdout)).toEqual({
      type: 'notify',
      action: 'verify',
      available: true,
      address: 'bob@example.org',
      verified: true,
    });
    expect((await okIn(B, ['notify', 'status'])).stdout).toBe(
      'notification emails: on, to bob@example.org\n',
    );
  });

  it('refuses bad arguments with exit 2', async () => {
    for (const args of [
      ['notify'],
      ['notify', 'email'],
      ['notify', 'verify'],
      ['notify', 'status', 'extra'],
      ['notify', 'sometimes'],
    ]) {
      expect((await as(B, args)).code, args.join(' ')).toBe(2);
    }
    const bad = await as(B, ['notify', 'email', 'bob at example']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('[INVALID_ARGUMENT]');
  });

  it('mails bob a content-free notice for a message that waits while he is offline', async () => {
    await okIn(A, ['send', 'bob', 'the secret plan, for bob only']);
    // Due at once (no grace delay here): the server's own timer may be first; either way one goes out.
    await server.notifyNow();
    const notice = await smtp.next((m) => header(m, 'subject') === 'New messages on Sotto');
    expect(notice.to).toEqual(['bob@example.org']);
    expect(notice.raw).not.toContain('alice');
    expect(notice.raw).not.toContain('secret plan');
  });

  it('notes on stderr, and in --json, that bob is busy while he is connected', async () => {
    await okIn(B, ['status', 'busy', 'in a meeting']);
    const bob = new JsonStream(spawnSotto(['receive', '--json', '--profile', B]));
    try {
      await bob.waitFor((r) => r.type === 'connection' && r.state === 'online');
      const r = await okIn(A, ['send', 'bob', 'call me']);
      expect(r.stdout).toBe('sent to bob\n');
      expect(r.stderr).toContain('note: bob is busy; the message is delivered and waits for them');
      const json = await okIn(A, ['send', 'bob', 'later then', '--json']);
      expect(one(json.stdout)).toMatchObject({ type: 'sent', to: 'bob', recipientBusy: true });
      expect(json.stderr).not.toContain('busy');
    } finally {
      await bob.end();
    }
  });

  it('turns notifications off', async () => {
    const off = await okIn(B, ['notify', 'off', '--json']);
    expect(one(off.stdout)).toEqual({ type: 'notify', action: 'off', available: true, verified: false });
    expect((await okIn(B, ['notify', 'status'])).stdout).toContain('off');
  });
});
